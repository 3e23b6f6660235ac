"""The cases API carries the applicant's 结果领取方式 (create and submit) and shows it back with
the address masked; its ``time`` object carries the "may move" note of an unpublished year."""

import datetime as dt

import pytest
from django.db import connection

from zhengwu.cases.models import Case
from zhengwu.core import calendar
from zhengwu.core.services import mark_year_verified

pytestmark = pytest.mark.django_db

ADDRESS = "河南省郑州市金水区花园路100号3单元201室"
FORM = {"shop_name": "老王小吃", "area": 30}


def _upload_all(c, case_id, pdf):
    for name in ("食品经营许可申请书", "营业执照"):
        assert c.upload(f"{case_id}/materials", {"file": pdf(), "name": name}).status_code == 201


def test_create_with_mail_keeps_the_address_encrypted_and_shows_it_masked(api, citizen, item):
    c = api(citizen)
    r = c.post("", {"item_id": item.pk, "form_data": FORM, "delivery_method": "mail", "delivery_address": ADDRESS},
               headers={"Idempotency-Key": "dm-1"})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["delivery_method"] == "mail" and body["delivery_label"] == "邮寄送达"
    assert body["delivery_address"] == "河南省郑州市****"  # masked
    assert "delivery_choice" in [e["action"] for e in body["timeline"]]
    case = Case.objects.get()
    assert case.delivery_address.reveal_unaudited() == ADDRESS
    with connection.cursor() as cursor:
        cursor.execute("SELECT delivery_address FROM cases_case WHERE id = %s", [case.pk])
        assert "花园路" not in cursor.fetchone()[0]
    detail = c.get(f"{case.pk}").json()
    assert detail["delivery_method"] == "mail" and detail["delivery_address"] == "河南省郑州市****"
    # The same key again: the same case, one choice.
    again = c.post("", {"item_id": item.pk, "form_data": FORM, "delivery_method": "mail", "delivery_address": ADDRESS},
                   headers={"Idempotency-Key": "dm-1"})
    assert again.status_code == 200 and Case.objects.count() == 1


@pytest.mark.parametrize("method, address, field, message", [
    ("mail", "", "delivery_address", "邮寄地址：选择邮寄送达时必填"),
    ("mail", "花园路", "delivery_address", "邮寄地址：请写明省市区、街道和门牌号（至少8个字）"),
    ("window", ADDRESS, "delivery_address", "邮寄地址：仅在结果领取方式为邮寄送达（mail）时填写，窗口领取不需要地址"),
    ("", ADDRESS, "delivery_method", "结果领取方式：填写邮寄地址时请选择邮寄送达（mail）"),
    ("pigeon", "", "delivery_method", "结果领取方式：请选择窗口领取、邮寄送达、电子送达之一"),
])
def test_create_refuses_a_bad_choice_and_writes_nothing(api, citizen, item, method, address, field, message):
    r = api(citizen).post("", {"item_id": item.pk, "form_data": FORM, "delivery_method": method,
                               "delivery_address": address})
    assert r.status_code == 400
    assert r.json()["errors"] == {field: [message]}
    assert not Case.objects.exists()


def test_submit_with_a_choice_and_a_retry_returns_the_same_case(api, citizen, item, pdf):
    c = api(citizen)
    body = c.post("", {"item_id": item.pk, "form_data": FORM}).json()
    assert body["delivery_method"] == ""
    _upload_all(c, body["id"], pdf)
    bad = c.post(f"{body['id']}/submit", {"lock_version": 0, "delivery_method": "mail"})
    assert bad.status_code == 400 and bad.json()["errors"]["delivery_address"] == ["邮寄地址：选择邮寄送达时必填"]
    assert Case.objects.get().state == "draft" and Case.objects.get().delivery_method == ""
    r = c.post(f"{body['id']}/submit", {"lock_version": 0, "delivery_method": "electronic"})
    assert r.status_code == 200, r.json()
    sub = r.json()
    assert sub["state"] == "submitted" and sub["delivery_method"] == "electronic" and sub["delivery_label"] == "电子送达"
    assert sub["delivery_address"] == "" and sub["lock_version"] == 1
    retry = c.post(f"{body['id']}/submit", {"lock_version": 0, "delivery_method": "electronic"})
    assert retry.status_code == 200 and retry.json()["number"] == sub["number"]
    assert Case.objects.get().delivery_method == "electronic"


def test_time_carries_the_may_move_note_of_an_unpublished_year(api, accepted_case):
    mark_year_verified(None, 2027, "待国务院办公厅发布", verified=False)
    calendar.invalidate()
    Case.objects.filter(pk=accepted_case.pk).update(accepted_on=dt.date(2026, 12, 28), due_date=dt.date(2027, 1, 5))
    body = api(accepted_case.applicant.user).get(f"{accepted_case.pk}").json()
    assert body["time"]["may_move"] == "2027年放假安排尚未公布，该日期可能在通知发布后变动"
    Case.objects.filter(pk=accepted_case.pk).update(accepted_on=dt.date(2026, 3, 2), due_date=dt.date(2026, 3, 9))
    assert api(accepted_case.applicant.user).get(f"{accepted_case.pk}").json()["time"]["may_move"] == ""
