"""POST /api/v1/payments/notices/<provider>: signed, idempotent, and every bad notice refused with a
clear message and nothing booked."""

import json

import pytest
from django.test import Client

from zhengwu.payments.models import NoticeLog, Payment

pytestmark = pytest.mark.django_db

URL = "/api/v1/payments/notices/bank"


def post(sign, payload, *, signature=None, url=URL):
    body = json.dumps(payload).encode()
    return Client().post(url, body, content_type="application/json",
                         HTTP_X_SIGNATURE=signature if signature is not None else sign(body))


def test_a_notice_books_the_payment_and_the_same_notice_twice_changes_nothing(bank, order):
    payload = {"pay_code": order.pay_code, "transaction_id": "T1", "amount": "20.00"}
    first = post(bank, payload)
    assert first.status_code == 200 and first.json()["status"] == "recorded"
    assert first.json()["order_state"] == "已缴款" and first.json()["receipt_number"].startswith("SJ")
    second = post(bank, payload)
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert Payment.objects.count() == 1 and type(order).objects.get(pk=order.pk).paid_fen == 2000
    assert list(NoticeLog.objects.values_list("outcome", flat=True).order_by("pk")) == ["recorded", "duplicate"]


def test_unknown_order_is_404_in_chinese(bank, order):
    r = post(bank, {"pay_code": "41000000000000000000", "transaction_id": "T9", "amount": "20.00"})
    assert r.status_code == 404 and "缴款单不存在" in r.json()["detail"]
    assert not Payment.objects.exists() and NoticeLog.objects.get().outcome == "unknown_order"


def test_amount_mismatch_is_400_and_nothing_booked(bank, order):
    r = post(bank, {"pay_code": order.pay_code, "transaction_id": "T2", "amount": "19.99"})
    assert r.status_code == 400 and "金额不符：缴款单应缴 20.00 元，通知金额 19.99 元" in r.json()["detail"]
    assert not Payment.objects.exists() and type(order).objects.get(pk=order.pk).state == "pending"


def test_paying_an_already_paid_order_is_409(bank, order):
    assert post(bank, {"pay_code": order.pay_code, "transaction_id": "T3", "amount": "20.00"}).status_code == 200
    r = post(bank, {"pay_code": order.pay_code, "transaction_id": "T4", "amount": "20.00"})
    assert r.status_code == 409 and "该缴款单已缴款" in r.json()["detail"]
    assert Payment.objects.count() == 1


def test_bad_signature_unknown_channel_and_malformed_notice(bank, order):
    payload = {"pay_code": order.pay_code, "transaction_id": "T5", "amount": "20.00"}
    r = post(bank, payload, signature="0" * 64)
    assert r.status_code == 401 and "签名校验失败" in r.json()["detail"]
    r = post(bank, payload, url="/api/v1/payments/notices/nosuch")
    assert r.status_code == 404 and "未配置该支付渠道" in r.json()["detail"]
    r = post(bank, {"pay_code": order.pay_code, "transaction_id": "T6", "amount": "abc"})
    assert r.status_code == 400 and "amount" in r.json()["errors"]
    r = post(bank, {"pay_code": order.pay_code})
    assert r.status_code == 400 and set(r.json()["errors"]) == {"transaction_id", "amount"}
    body = b"not json"
    r = Client().post(URL, body, content_type="application/json", HTTP_X_SIGNATURE=bank(body))
    assert r.status_code == 400 and "不是有效的 JSON" in r.json()["detail"]
    assert not Payment.objects.exists() and not NoticeLog.objects.exists()


def test_counter_channel_takes_no_notices(bank, order):
    r = post(bank, {"pay_code": order.pay_code, "transaction_id": "T7", "amount": "20.00"},
             url="/api/v1/payments/notices/counter")
    assert r.status_code == 404


def test_without_a_secret_the_channel_is_off(settings, order):
    from zhengwu.payments import providers

    settings.ZHENGWU_PAYMENT_PROVIDERS = {"bank": {"label": "合作银行", "secret_env": "ZHENGWU_NO_SUCH_SECRET"}}
    providers._build.cache_clear()
    r = Client().post(URL, b"{}", content_type="application/json", HTTP_X_SIGNATURE="x")
    assert r.status_code == 404


def test_order_lookup_needs_the_scope(order):
    from zhengwu.accounts import apikeys

    url = f"/api/v1/payments/orders/{order.pay_code}"
    assert Client().get(url).status_code == 401
    wrong = apikeys.issue("其他系统", ["licences:verify"]).secret
    assert Client().get(url, HTTP_X_API_KEY=wrong).status_code == 403
    key = apikeys.issue("非税平台", ["payments:read"]).secret
    r = Client().get(url, HTTP_X_API_KEY=key)
    assert r.status_code == 200 and r.json()["amount_due"] == "20.00" and r.json()["state"] == "待缴款"
    assert Client().get("/api/v1/payments/orders/1", HTTP_X_API_KEY=key).status_code == 404


def test_a_transaction_id_already_booked_for_another_order_is_409(bank, order, make_case, fee_item, approver):
    other = make_case(fee_item, approver=approver).payment_order
    assert post(bank, {"pay_code": order.pay_code, "transaction_id": "T8", "amount": "20.00"}).status_code == 200
    r = post(bank, {"pay_code": other.pay_code, "transaction_id": "T8", "amount": "20.00"})
    assert r.status_code == 409 and "交易号 T8 已用于另一张缴款单" in r.json()["detail"]
    assert type(other).objects.get(pk=other.pk).state == "pending" and Payment.objects.count() == 1
    assert NoticeLog.objects.filter(transaction_id="T8").count() == 2
