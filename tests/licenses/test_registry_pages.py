"""Workbench pages of the registry: 证照类型 list/create/edit, the licence list, detail, reveal,
PDF and 注销/吊销."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from zhengwu.core.models import AuditEvent

from .test_registry_services import FIELDS


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _type_post(dept, **over):
    post = {"name": "护士执业证书", "code": dept.uscc + "002", "holder_kind": "person", "departments": [str(dept.pk)],
            "validity_years": "5", "title": "", "field_order": "name", "seal_x": "", "seal_y": "", "is_active": "on",
            "field-0-key": "name", "field-0-label": "姓名", "field-0-type": "string", "field-0-required": "on",
            "field-1-key": "", "field-1-label": "", "field-1-type": "string"}
    post.update(over)
    return post


@pytest.fixture
def item_admin(make_staff):
    return make_staff("item_admin")


def test_types_crud_and_bad_code(item_admin, dept, make_staff):
    from zhengwu.licenses.models import LicenceType

    c = _client(item_admin)
    assert c.get(reverse("licenses:staff_types")).status_code == 200
    r = c.get(reverse("licenses:staff_type_new"))
    assert r.status_code == 200 and "证照类型代码" in r.content.decode()
    r = c.post(reverse("licenses:staff_type_new"), _type_post(dept, code=dept.uscc + "0A2"))
    assert r.status_code == 400 and "证照类型代码后3位应为数字序号" in r.content.decode()
    r = c.post(reverse("licenses:staff_type_new"), _type_post(dept, code="91110000X00000000A001"))
    assert r.status_code == 400 and "证照类型代码前18位应为定义部门的统一社会信用代码" in r.content.decode()
    r = c.post(reverse("licenses:staff_type_new"), _type_post(dept, **{"field-1-key": "Bad key", "field-1-label": "x"}))
    assert r.status_code == 400 and "第2项字段代码“Bad key”不正确" in r.content.decode()
    assert not LicenceType.objects.exists()
    r = c.post(reverse("licenses:staff_type_new"), _type_post(dept))
    assert r.status_code == 302
    t = LicenceType.objects.get()
    assert t.fields_schema == [{"key": "name", "label": "姓名", "type": "string", "required": True}]
    assert list(t.departments.all()) == [dept] and t.validity_years == 5 and t.template["field_order"] == ["name"]
    assert AuditEvent.objects.filter(action="licenses.type_create").exists()
    # edit, then a stale edit is refused
    r = c.get(reverse("licenses:staff_type_edit", args=[t.pk]))
    assert 'value="护士执业证书"' in r.content.decode()
    r = c.post(reverse("licenses:staff_type_edit", args=[t.pk]),
               _type_post(dept, validity_years="", lock_version=str(t.lock_version)))
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.validity_years is None and t.lock_version == 1
    r = c.post(reverse("licenses:staff_type_edit", args=[t.pk]), _type_post(dept, name="旧名", lock_version="0"))
    assert r.status_code == 400 and "已被他人修改" in r.content.decode()
    # other roles may not maintain types
    assert _client(make_staff("window")).get(reverse("licenses:staff_types")).status_code == 403


def test_a_field_default_is_edited_with_the_rows(item_admin, dept):
    from zhengwu.licenses.models import LicenceType

    c = _client(item_admin)
    assert "默认值" in c.get(reverse("licenses:staff_type_new")).content.decode()
    r = c.post(reverse("licenses:staff_type_new"), _type_post(dept, **{
        "field-1-key": "complaint_phone", "field-1-label": "投诉举报电话", "field-1-default": "12315"}))
    assert r.status_code == 302
    t = LicenceType.objects.get()
    assert t.fields_schema[1] == {"key": "complaint_phone", "label": "投诉举报电话", "type": "string",
                                  "required": False, "default": "12315"}
    assert 'value="12315"' in c.get(reverse("licenses:staff_type_edit", args=[t.pk])).content.decode()


@pytest.fixture
def licence(dept, make_citizen):
    from zhengwu.licenses.services import issuing, types

    t = types.create_type(None, {"name": "食品经营许可证", "code": dept.uscc + "001", "holder_kind": "person",
                                 "departments": [dept.pk], "validity_years": "5", "fields_schema": FIELDS})
    user = make_citizen(name="王小吃")
    return issuing.issue_direct(None, t, dept, user.applicant, {"shop_name": "老王小吃"})


def test_licence_list_scoped_and_masked(licence, approver, make_staff, make_department):
    c = _client(approver)
    body = c.get(reverse("licenses:staff_licences")).content.decode()
    assert licence.number in body and "王**" in body and licence.holder_name not in body
    assert licence.holder_id_number.reveal_unaudited() not in body
    body = c.get(reverse("licenses:staff_licences"), {"status": "revoked"}).content.decode()
    assert licence.number not in body
    body = c.get(reverse("licenses:staff_licences"), {"number": licence.number}).content.decode()
    assert licence.number in body
    stranger = make_staff("approver", department=make_department())
    assert licence.number not in _client(stranger).get(reverse("licenses:staff_licences")).content.decode()
    assert _client(stranger).get(reverse("licenses:staff_licence", args=[licence.pk])).status_code == 404


def test_detail_reveal_and_pdf_are_audited(licence, approver):
    c = _client(approver)
    body = c.get(reverse("licenses:staff_licence", args=[licence.pk])).content.decode()
    assert licence.identifier in body and "老王小吃" not in body
    body = c.post(reverse("licenses:staff_licence_reveal", args=[licence.pk])).content.decode()
    assert "老王小吃" in body and licence.holder_id_number.reveal_unaudited() in body
    assert AuditEvent.objects.filter(action="pii.reveal", object_id=str(licence.pk)).count() == 2
    r = c.get(reverse("licenses:staff_licence_pdf", args=[licence.pk]))
    assert r.status_code == 200 and b"".join(r.streaming_content).startswith(b"%PDF-")
    assert AuditEvent.objects.filter(action="licenses.pdf_read", object_id=str(licence.pk)).exists()


def test_revoke_from_the_detail_page(licence, approver):
    c = _client(approver)
    url = reverse("licenses:staff_licence_action", args=[licence.pk, "revoke"])
    r = c.post(url, {"lock_version": licence.lock_version, "reason": "短"})
    assert r.status_code == 400 and "吊销原因不能少于4个字" in r.content.decode()
    r = c.post(url, {"lock_version": licence.lock_version, "reason": "违法经营被处罚，依法吊销"})
    assert r.status_code == 302
    licence.refresh_from_db()
    assert licence.status == "revoked"
    body = c.get(reverse("licenses:staff_licence", args=[licence.pk])).content.decode()
    assert "已吊销" in body and "违法经营被处罚，依法吊销" in body and 'id="end-form"' not in body
    r = c.post(reverse("licenses:staff_licence_action", args=[licence.pk, "cancel"]),
               {"lock_version": licence.lock_version, "reason": "申请人申请注销"})
    assert r.status_code == 400 and "该证照已吊销，不能再注销" in r.content.decode()


def test_menu_entries(approver, item_admin):
    from zhengwu.workbench.menu import entries_for

    assert "电子证照" in [e["label"] for e in entries_for(approver)]
    assert "证照类型" in [e["label"] for e in entries_for(item_admin)]


def test_change_from_the_detail_page(licence, approver):
    import json

    from zhengwu.licenses.models import Licence

    c = _client(approver)
    url = reverse("licenses:staff_licence_change", args=[licence.pk])
    r = c.post(url, {"lock_version": licence.lock_version, "data-area": "abc", "reason": "经营面积变更"})
    assert r.status_code == 400 and "照面信息“经营面积”应为数字" in r.content.decode()
    r = c.post(url, {"lock_version": licence.lock_version, "data-area": "80", "data-shop_name": "",
                     "reason": "经营面积变更"})
    new = Licence.objects.get(previous=licence)
    assert r.status_code == 302 and r["Location"] == reverse("licenses:staff_licence", args=[new.pk])
    assert json.loads(new.data.reveal_unaudited()) == {**json.loads(licence.data.reveal_unaudited()), "area": "80"}
    body = c.get(reverse("licenses:staff_licence", args=[licence.pk])).content.decode()
    assert "已变更" in body and "第2版" in body
    r = c.post(url, {"lock_version": licence.lock_version, "data-area": "90", "reason": "再次变更"})
    assert r.status_code == 400 and "已被他人处理" in r.content.decode()
