"""审批流程 editor (事项管理员): rows → a validated, versioned definition; the form-schema page."""

import json

import pytest
from django.urls import reverse

from zhengwu.cases.models import ProcessDefinition

pytestmark = pytest.mark.django_db


def rows(*steps, base=0):
    data = {"steps-TOTAL_FORMS": str(len(steps)), "steps-INITIAL_FORMS": "0", "steps-MIN_NUM_FORMS": "0",
            "steps-MAX_NUM_FORMS": "1000", "base_version": str(base)}
    for i, s in enumerate(steps):
        for k, v in s.items():
            data[f"steps-{i}-{k}"] = v
    return data


def test_editor_shows_the_default_process_and_saves_a_parallel_conditional_version(staff_client, item, item_admin, fire_dept):
    client = staff_client(item_admin)
    url = reverse("cases:staff_process_edit", args=[item.pk])
    page = client.get(url)
    assert page.status_code == 200 and "审查" in page.text and "决定" in page.text and 'id="btn-save-process"' in page.text
    response = client.post(url, rows(
        {"name": "市场监管审查", "role": "approver", "department": item.department_id, "share": "50",
         "parallel": "joint", "act_reject": "on"},
        {"name": "消防审查", "role": "approver", "department": fire_dept.pk, "share": "50", "parallel": "joint"},
        {"id": "site", "name": "现场核查", "role": "approver", "share": "20", "cond_field": "area",
         "cond_op": ">=", "cond_value": "100"},
        {"name": "决定", "role": "approver", "share": "30", "act_return": "on", "act_reject": "on"},
        {"name": "", "share": ""},  # a blank row is ignored
    ))
    assert response.status_code == 302
    definition = ProcessDefinition.objects.get(service_item=item, is_current=True)
    assert definition.version == 1 and definition.created_by == item_admin
    steps = definition.steps
    assert [s["name"] for s in steps] == ["市场监管审查", "消防审查", "现场核查", "决定"]
    assert steps[0]["parallel"] == steps[1]["parallel"] == "joint" and steps[1]["department"] == fire_dept.pk
    assert steps[0]["actions"] == ["pass", "reject"] and steps[3]["actions"] == ["pass", "return", "reject"]
    assert steps[2]["condition"] == {"field": "area", "op": ">=", "value": 100} and steps[2]["id"] == "site"
    assert steps[3]["department"] is None  # the item's own department
    page = client.get(url)
    assert "第1版" in page.text and "现行" in page.text


def test_service_errors_are_shown_in_chinese_and_nothing_is_saved(staff_client, item, item_admin):
    client = staff_client(item_admin)
    url = reverse("cases:staff_process_edit", args=[item.pk])
    page = client.post(url, rows({"name": "审查", "role": "approver", "share": "80"},
                                 {"name": "决定", "role": "approver", "share": "80"}))
    assert "不能超过100%" in page.text
    page = client.post(url, rows({"name": "审查", "role": "approver", "share": "50", "act_return": "on"}))
    assert "第一个环节没有上一环节" in page.text
    page = client.post(url, rows({"name": "审查", "role": "approver", "share": "50", "cond_field": "area",
                                  "cond_op": ">=", "cond_value": "很多"}))
    assert "条件值“很多”应为数字" in page.text
    page = client.post(url, rows({"name": "审查", "role": "approver", "share": "150"}))
    assert "时限占比：应在1%到100%之间" in page.text
    page = client.post(url, rows({"name": "审查", "role": "approver", "share": ""}))
    assert "时限占比：必填" in page.text
    assert not ProcessDefinition.objects.exists()


def test_a_stale_editor_does_not_overwrite_a_newer_version(staff_client, item, item_admin):
    client = staff_client(item_admin)
    url = reverse("cases:staff_process_edit", args=[item.pk])
    assert client.post(url, rows({"name": "审查", "role": "approver", "share": "100"}, base=0)).status_code == 302
    page = client.post(url, rows({"name": "另一个审查", "role": "approver", "share": "100"}, base=0))
    assert "审批流程已被他人修改" in page.text
    assert list(ProcessDefinition.objects.values_list("version", flat=True)) == [1]
    assert client.post(url, rows({"name": "复核", "role": "approver", "share": "100"}, base=1)).status_code == 302
    assert ProcessDefinition.objects.get(is_current=True).version == 2


def test_cases_keep_the_version_they_started_with(staff_client, item, item_admin, accepted_case):
    started = accepted_case.process
    url = reverse("cases:staff_process_edit", args=[item.pk])
    staff_client(item_admin).post(url, rows({"name": "一审终审", "role": "approver", "share": "100"}, base=started.version))
    accepted_case.refresh_from_db()
    assert accepted_case.process_id == started.pk
    assert ProcessDefinition.objects.get(is_current=True).version == started.version + 1


def test_only_item_admins_edit_processes(staff_client, item, approver):
    assert staff_client(approver).get(reverse("cases:staff_processes")).status_code == 403
    assert staff_client(approver).get(reverse("cases:staff_process_edit", args=[item.pk])).status_code == 403


def test_process_list_shows_items_in_scope(staff_client, item, item_admin):
    page = staff_client(item_admin).get(reverse("cases:staff_processes"))
    assert page.status_code == 200 and item.name in page.text and "默认（审查 → 决定）" in page.text


def test_form_schema_is_edited_in_a_guide_draft(staff_client, item, item_admin):
    client = staff_client(item_admin)
    url = reverse("cases:staff_form_schema", args=[item.pk])
    page = client.get(url)
    assert "店铺名称" in page.text and 'id="btn-new-draft"' in page.text
    item.refresh_from_db()
    assert client.post(url, {"op": "new_draft", "lock_version": item.lock_version}).status_code == 302
    page = client.get(url)
    assert 'id="btn-save-schema"' in page.text
    item.refresh_from_db()
    page = client.post(url, {"op": "save", "lock_version": item.lock_version, "schema": "{not json"})
    assert "不是有效的 JSON" in page.text
    page = client.post(url, {"op": "save", "lock_version": item.lock_version,
                             "schema": json.dumps({"type": "object", "properties": {"x": {"type": "string"}}})})
    assert "缺少中文名称" in page.text
    schema = {"type": "object", "required": ["shop_name"], "properties": {
        "shop_name": {"type": "string", "title": "店铺名称"}, "staff": {"type": "integer", "title": "从业人数"}}}
    response = client.post(url, {"op": "save", "lock_version": item.lock_version, "schema": json.dumps(schema)})
    assert response.status_code == 302
    item.refresh_from_db()
    draft = item.versions.order_by("-number").first()
    assert draft.number == 2 and draft.form_schema == schema
    assert item.published_version.form_schema != schema  # published only after review
    page = client.post(url, {"op": "save", "lock_version": item.lock_version - 1, "schema": json.dumps(schema)})
    assert "该事项已被他人修改" in page.text
