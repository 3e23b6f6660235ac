"""Workbench pages of the registers, by role: lists, forms with Chinese refusals, imports with
their row-numbered errors and quality report, 回避 from the object's page, the menu entries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from zhengwu.inspections.models import (
    InspectedObject,
    Inspector,
    InspectorConflict,
    SupervisionItem,
)

from .test_registers_services import csv_file, make_inspector, make_object, xlsx


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def admin(make_staff, dept):
    return make_staff("dept_admin", department=dept)


def test_menu_and_roles(admin, make_staff, make_citizen):
    c = _client(admin)
    home = c.get(reverse("workbench:home")).content.decode()
    assert "执法人员名录" in home and "检查对象名录库" in home and "监管事项目录" in home
    for name in ("reg_items", "reg_inspectors", "reg_objects", "reg_inspector_rates", "reg_item_new",
                 "reg_inspector_import", "reg_object_import"):
        assert c.get(reverse(f"inspections:{name}")).status_code == 200, name
    hotline = _client(make_staff("hotline"))
    r = hotline.get(reverse("inspections:reg_inspectors"))
    assert r.status_code == 403 and "仅部门管理员、审批人员、督办人员、领导可以使用此功能" in r.content.decode()
    leader = _client(make_staff("leader"))
    assert leader.get(reverse("inspections:reg_inspectors")).status_code == 200
    assert leader.get(reverse("inspections:reg_inspector_new")).status_code == 403  # reads only
    assert _client(make_citizen()).get(reverse("inspections:reg_objects")).status_code == 403
    assert Client().get(reverse("inspections:reg_objects")).status_code == 302


def test_item_form_and_catalogue_import(admin, dept, publish_item):
    check = publish_item(dept, "食品经营监督检查", item_type="06")
    c = _client(admin)
    page = c.get(reverse("inspections:reg_item_new")).content.decode()
    assert "食品经营监督检查" in page  # offered as the linked item
    post = {"department": dept.pk, "name": "日常检查", "legal_basis": "", "check_method": "现场检查",
            "service_item": check.pk, "is_active": "on"}
    r = c.post(reverse("inspections:reg_item_new"), post)
    assert r.status_code == 400 and "设定依据不能为空" in r.content.decode()
    r = c.post(reverse("inspections:reg_item_new"), {**post, "legal_basis": "《食品安全法》"})
    assert r.status_code == 302
    item = SupervisionItem.objects.get(name="日常检查")
    r = c.post(reverse("inspections:reg_item_edit", args=[item.pk]),
               {**post, "legal_basis": "《食品安全法》第八十七条", "version": "1"})
    assert r.status_code == 302
    r = c.post(reverse("inspections:reg_item_edit", args=[item.pk]), {**post, "legal_basis": "旧", "version": "1"})
    assert r.status_code == 400 and "已被他人修改" in r.content.decode()
    r = c.post(reverse("inspections:reg_item_import_catalogue"), {"department": dept.pk}, follow=True)
    assert "没有新的行政检查事项可导入" in r.content.decode()  # the one 行政检查 item is linked already
    publish_item(dept, "特种设备监督检查", item_type="06")
    r = c.post(reverse("inspections:reg_item_import_catalogue"), {"department": dept.pk}, follow=True)
    assert "已从实施清单导入1个行政检查事项" in r.content.decode()
    assert "特种设备监督检查" in c.get(reverse("inspections:reg_items")).content.decode()


def test_inspector_pages_filters_and_masking(admin, dept):
    today = dt.date.today()
    make_inspector(dept, "ZF-SOON", until=today + dt.timedelta(days=5), name="王小明")
    make_inspector(dept, "ZF-LATER", until=today + dt.timedelta(days=200))
    c = _client(admin)
    page = c.get(reverse("inspections:reg_inspectors")).content.decode()
    assert "ZF-SOON" in page and "ZF-LATER" in page and "王小明" not in page  # masked
    page = c.get(reverse("inspections:reg_inspectors"), {"expiring": "1"}).content.decode()
    assert "ZF-SOON" in page and "ZF-LATER" not in page and "即将到期" in page
    r = c.post(reverse("inspections:reg_inspector_new"), {"department": dept.pk, "name": "赵六", "cert_number": "ZF-SOON",
                                                         "valid_until": "2027-13-01", "status": "active"})
    body = r.content.decode()
    assert r.status_code == 400 and "执法证号已在名录中" in body and "证件有效期至应为日期" in body
    r = c.post(reverse("inspections:reg_inspector_new"), {"department": dept.pk, "name": "赵六", "cert_number": "ZF-NEW",
                                                         "valid_until": "2027-12-01", "status": "active"})
    assert r.status_code == 302
    rates = c.get(reverse("inspections:reg_inspector_rates")).content.decode()
    assert "市场监管局" in rates and "100.0%" in rates and "0.0%" in rates


def test_inspector_import_page_lists_row_errors(admin, dept):
    c = _client(admin)
    f = xlsx([["姓名", "执法证号", "部门", "执法领域", "有效期至"], ["王五", "ZF-1", "市场监管局", "", "2027-01-01"],
              ["", "ZF-1", "不存在局", "", "?"]])
    r = c.post(reverse("inspections:reg_inspector_import"), {"file": f})
    body = r.content.decode()
    assert r.status_code == 400
    for m in ("第3行：姓名不能为空", "第3行：执法证号“ZF-1”与第2行重复", "第3行：部门“不存在局”"):
        assert m in body
    assert not Inspector.objects.exists()
    r = c.post(reverse("inspections:reg_inspector_import"), {})
    assert r.status_code == 400 and "请选择要导入的" in r.content.decode()


def test_object_import_page_shows_quality_report(admin):
    from zhengwu.core.identifiers import make_uscc

    good = make_uscc("9", "1", "410105", "MA400001")
    c = _client(admin)
    text = f"名称,统一社会信用代码,所在区划\n甲,{good},410105\n乙,91410105MA0000000X,410105\n"
    r = c.post(reverse("inspections:reg_object_import"), {"file": csv_file(text)})
    body = r.content.decode()
    assert r.status_code == 200 and "导入1行" in body and "第3行：统一社会信用代码" in body
    assert InspectedObject.objects.filter(uscc=good).exists()


def test_object_page_history_and_conflict(admin, dept, make_staff):
    me = make_staff("approver", department=dept)
    inspector = make_inspector(dept, "ZF-ME", user=me)
    obj = make_object()
    c = _client(me)
    page = c.get(reverse("inspections:reg_object", args=[obj.pk])).content.decode()
    assert "暂无检查记录" in page and "申报回避" in page
    r = c.post(reverse("inspections:reg_conflict_declare", args=[inspector.pk]),
               {"inspected": obj.pk, "reason": "", "back": "object"}, follow=True)
    assert "请填写回避原因" in r.content.decode()
    r = c.post(reverse("inspections:reg_conflict_declare", args=[inspector.pk]),
               {"inspected": obj.pk, "reason": "亲属任职", "back": "object"}, follow=True)
    assert "已申报回避" in r.content.decode() and "您已申报对该对象回避" in r.content.decode()
    assert InspectorConflict.objects.get().reason == "亲属任职"
    mine = c.get(reverse("inspections:reg_my_conflicts")).content.decode()
    assert "亲属任职" in mine
    other = make_staff("approver", department=dept)
    r = _client(other).post(reverse("inspections:reg_conflict_declare", args=[inspector.pk]),
                            {"inspected": obj.uscc, "reason": "x"})
    assert r.status_code == 403


def test_object_sync_button(admin):
    from zhengwu.core.identifiers import make_uscc
    from zhengwu.datashare.models import LegalEntityRecord

    LegalEntityRecord.objects.create(uscc=make_uscc("9", "1", "410105", "MA500001"), name="法人甲",
                                     region_code="410105000000", status="存续")
    from zhengwu.inspections.models import RegisterJob
    from zhengwu.inspections.tasks_registers import run_register_job

    r = _client(admin).post(reverse("inspections:reg_object_sync"), {"region": "", "token": "t1"}, follow=True)
    body = r.content.decode()
    assert "已转入后台同步法人库" in body and "排队中" in body and 'http-equiv="refresh"' in body
    job = RegisterJob.objects.get()
    assert run_register_job.func(job.pk)["added"] == 1  # what `zhengwu worker` runs
    page = _client(admin).get(reverse("inspections:reg_object_job", args=[job.pk])).content.decode()
    assert "已完成" in page and 'id="count-added">1<' in page and 'http-equiv="refresh"' not in page
    listing = _client(admin).get(reverse("inspections:reg_objects")).content.decode()
    assert "法人甲" in listing and f"第{job.pk}号" in listing


def test_object_page_lists_past_tasks(admin, dept, district):
    from django.utils import timezone

    from zhengwu.inspections.models import Draw, InspectionPlan, InspectionTask, TaskInspector

    obj = make_object("历史公司")
    inspector = make_inspector(dept, "ZF-H1", name="周检查")
    plan = InspectionPlan.objects.create(number="JH-2026-001", name="食品经营抽查", department=dept, region=district,
                                         period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 3, 31))
    old = Draw.objects.create(plan=plan, seq=1, seed="s1", algorithm="zw-draw-1", inputs_digest="a" * 64,
                              result_digest="b" * 64, drawn_at=timezone.now(), is_current=False, reason="")
    new = Draw.objects.create(plan=plan, seq=2, seed="s2", algorithm="zw-draw-1", inputs_digest="a" * 64,
                              result_digest="c" * 64, drawn_at=timezone.now(), reason="人员调整")
    InspectionTask.objects.create(draw=old, plan=plan, inspected=obj)
    t = InspectionTask.objects.create(draw=new, plan=plan, inspected=obj, result="ok", checked_on=dt.date(2026, 2, 3))
    TaskInspector.objects.create(task=t, inspector=inspector, lead=True)
    page = _client(admin).get(reverse("inspections:reg_object", args=[obj.pk])).content.decode()
    assert "JH-2026-001 食品经营抽查" in page and "未发现问题" in page and "2026-02-03" in page
    assert "已重新抽取" in page and "第2次" in page and "周检查" in page


def test_odd_ids_never_500(admin, dept):
    inspector = make_inspector(dept, "ZF-ODD")
    c = _client(admin)
    for q in ({"department": "99999999999999999999"}, {"after": "²"}, {"department": "１"}):
        assert c.get(reverse("inspections:reg_inspectors"), q).status_code == 200
        assert c.get(reverse("inspections:reg_objects"), {**q, "region": "４１"}).status_code == 200
    r = c.post(reverse("inspections:reg_conflict_declare", args=[inspector.pk]),
               {"inspected": "99999999999999999999", "reason": "x"}, follow=True)
    assert r.status_code == 200 and "请填写名录库中对象的统一社会信用代码" in r.content.decode()
    r = c.post(reverse("inspections:reg_item_new"), {"department": "99999999999999999999", "name": "x",
                                                     "legal_basis": "y"})
    assert r.status_code == 400 and "请选择部门" in r.content.decode()


def test_item_list_offers_edit_only_to_who_may_edit(admin, dept, make_staff, make_department):
    item = SupervisionItem.objects.create(department=dept, name="日常检查", legal_basis="《食品安全法》",
                                          check_method="现场检查")
    url = reverse("inspections:reg_item_edit", args=[item.pk])
    page = _client(admin).get(reverse("inspections:reg_items")).content.decode()
    assert "日常检查" in page and url in page and _client(admin).get(url).status_code == 200
    for reader in (make_staff("leader"), make_staff("supervisor")):
        c = _client(reader)
        page = c.get(reverse("inspections:reg_items")).content.decode()
        assert "日常检查" in page and url not in page
        assert c.get(url).status_code == 403
