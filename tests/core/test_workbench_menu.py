"""The workbench menu in groups: a person with many entries gets one drop-down per group and
headed sections on the home page; a person with few keeps a flat menu."""

from __future__ import annotations

from zhengwu.workbench.menu import FLAT_MAX, GROUPS, MenuEntry, entries_for, group_of, grouped


def test_group_of_an_entry():
    assert group_of(MenuEntry("办件指标", "cases:figures", group="统计分析")) == "统计分析"
    assert group_of(MenuEntry("待办", "cases:staff_inbox")) == "政务服务"
    assert group_of(MenuEntry("抽查计划", "inspections:plans")) == "监管"
    assert group_of(MenuEntry("别的", "elsewhere:page")) == "其他"


def test_grouped_is_flat_up_to_the_limit_and_in_group_order_beyond():
    few = [{"label": str(i), "group": "监管"} for i in range(FLAT_MAX)]
    assert grouped(few) == [("", few)]
    assert grouped([]) == []
    many = [{"label": "a", "group": "统计分析"}, {"label": "b", "group": "政务服务"}, {"label": "c", "group": "统计分析"}]
    many += [{"label": str(i), "group": "监管"} for i in range(FLAT_MAX)]
    groups = grouped(many)
    assert [g for g, _ in groups] == ["政务服务", "监管", "统计分析"]
    assert [e["label"] for e in groups[-1][1]] == ["a", "c"]  # the registered order kept within a group
    assert all(g in GROUPS for g, _ in groups)


def test_a_department_admin_gets_drop_downs_and_a_clerk_a_flat_menu(client, make_staff, dept):
    admin = make_staff("dept_admin", department=dept)
    assert len(entries_for(admin)) > FLAT_MAX
    client.force_login(admin)
    body = client.get("/workbench/").content.decode()
    assert 'class="nav-link dropdown-toggle"' in body and ">监管</a>" in body
    assert '<h2 class="h6 fw-semibold mt-3 mb-2 zw-menu-group">统计分析</h2>' in body
    clerk = make_staff("window")
    assert len(entries_for(clerk)) <= FLAT_MAX
    client.force_login(clerk)
    body = client.get("/workbench/").content.decode()
    assert "dropdown-toggle" not in body and "zw-menu-group" not in body


def test_my_inspection_tasks_only_for_accounts_registered_as_inspectors(make_staff, dept, district):
    import datetime as dt

    from zhengwu.inspections.models import Inspector

    staff = make_staff("approver", department=dept)
    labels = {e["label"] for e in entries_for(staff)}
    assert "我的检查任务" not in labels and "我的回避申报" not in labels
    Inspector.objects.create(user=staff, name="张检查", cert_number="41010599990001", department=dept,
                             region=district, valid_until=dt.date(2030, 1, 1))
    staff = type(staff).objects.get(pk=staff.pk)
    labels = {e["label"] for e in entries_for(staff)}
    assert {"我的检查任务", "我的回避申报"} <= labels
