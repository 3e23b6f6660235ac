"""The workbench pages (order, counter payment, receipt, refund, 开具缴款单, 日对账 + Excel), the case
pages' panels, the catalogue editor's fee rows and the portal guide's fees."""

import datetime as dt
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from zhengwu.payments.models import Payment, PaymentOrder

pytestmark = pytest.mark.django_db
FIXED = {"name": "工本费", "amount": "20.00", "rule": "", "standard": "20元/证", "basis": "《某价格文件》", "reductions": []}


def login(user):
    c = Client()
    c.force_login(user)
    return c


def test_counter_payment_page_gives_a_receipt_and_a_double_submit_says_already_paid(order, window_staff):
    c = login(window_staff)
    page = c.get(reverse("payments:order", args=[order.pk])).content.decode()
    assert order.pay_code in page and "柜台收款" in page and "20.00 元" in page
    data = {"lock_version": order.lock_version, "method": "cash", "amount": "20.00"}
    r = c.post(reverse("payments:order_action", args=[order.pk, "pay"]), data)
    payment = Payment.objects.get(order=order)
    assert r.status_code == 302 and r["Location"] == reverse("payments:receipt", args=[payment.pk])
    receipt = c.get(r["Location"]).content.decode()
    assert "缴 款 收 据" in receipt and payment.receipt_number in receipt and "现金" in receipt
    again = c.post(reverse("payments:order_action", args=[order.pk, "pay"]), data)
    assert again.status_code == 409 and "该缴款单已缴款，不能重复缴款" in again.content.decode()
    assert Payment.objects.count() == 1


def test_refund_page_refuses_too_much(order, window_staff):
    c = login(window_staff)
    c.post(reverse("payments:order_action", args=[order.pk, "pay"]),
           {"lock_version": order.lock_version, "method": "cash", "amount": "20"})
    r = c.post(reverse("payments:order_action", args=[order.pk, "refund"]),
               {"amount": "25", "reason": "多收退还", "method": "cash", "idempotency_key": "a"})
    assert r.status_code == 400 and "超过可退金额 20.00 元" in r.content.decode()
    r = c.post(reverse("payments:order_action", args=[order.pk, "refund"]),
               {"amount": "5.5", "reason": "多收退还", "method": "cash", "idempotency_key": "b"})
    assert r.status_code == 302 and PaymentOrder.objects.get(pk=order.pk).refunded_fen == 550


def test_other_departments_do_not_see_the_order(order, make_staff, make_department):
    other = make_staff("window", department=make_department(name="税务局"))
    assert login(other).get(reverse("payments:order", args=[order.pk])).status_code == 404


def test_clerk_opens_an_order_for_rule_priced_fees(make_case, rule_item, approver, window_staff):
    case = make_case(rule_item, approver=approver)
    c = login(window_staff)
    staff_page = c.get(reverse("cases:staff_case", args=[case.pk])).content.decode()
    assert "尚未开具缴款单" in staff_page and reverse("payments:order_new", args=[case.pk]) in staff_page
    url = reverse("payments:order_new", args=[case.pk])
    assert "按检测项目计费" in c.get(url).content.decode()
    bad = c.post(url, {"amount-1": "abc"})
    assert bad.status_code == 400 and "金额“abc”应为以元为单位" in bad.content.decode()
    r = c.post(url, {"amount-1": "35.5", "reduction-0": "残疾人", "reason-0": "核验残疾人证"})
    order = PaymentOrder.objects.get(case=case)
    assert r.status_code == 302 and order.amount_due_fen == 1000 + 3550


def test_applicant_sees_amount_and_pay_code(approved, order, citizen):
    page = login(citizen).get(reverse("cases:my_case", args=[approved.pk])).content.decode()
    assert "应缴金额" in page and "20.00 元" in page and order.pay_code in page and "待缴款" in page


def test_applicant_is_told_each_way_to_pay_only_the_connected_ones(approved, order, citizen, settings):
    from zhengwu.payments import providers

    settings.ZHENGWU_PAYMENT_PROVIDERS = {}
    page = login(citizen).get(reverse("cases:my_case", args=[approved.pk])).content.decode()
    assert "请持缴款码到办事大厅窗口缴款" in page and "合作银行" not in page
    settings.ZHENGWU_PAYMENT_PROVIDERS = {"bank": {"label": "合作银行", "secret": "s3cret"}}
    providers._build.cache_clear()
    page = login(citizen).get(reverse("cases:my_case", args=[approved.pk])).content.decode()
    assert "可通过合作银行以缴款码缴款" in page and "请持缴款码到办事大厅窗口缴款" in page
    providers._build.cache_clear()


def test_staff_case_page_shows_the_order_and_refuses_delivery_until_paid(approved, order, window_staff):
    c = login(window_staff)
    page = c.get(reverse("cases:staff_case", args=[approved.pk])).content.decode()
    assert order.pay_code in page and "未缴款前不能登记送达" in page
    r = c.post(reverse("cases:staff_deliver", args=[approved.pk]),
               {"lock_version": approved.lock_version, "method": "window"})
    assert "缴款后方可登记送达" in r.content.decode()
    assert type(approved).objects.get(pk=approved.pk).state == "concluded"


def test_reconciliation_page_and_excel(bank, order, window_staff):
    import json

    body = json.dumps({"pay_code": "41000000000000000000", "transaction_id": "X1", "amount": "3.00"}).encode()
    Client().post("/api/v1/payments/notices/bank", body, content_type="application/json", HTTP_X_SIGNATURE=bank(body))
    c = login(window_staff)
    c.post(reverse("payments:order_action", args=[order.pk, "pay"]),
           {"lock_version": order.lock_version, "method": "pos", "amount": "20", "reference": "POS001"})
    day = timezone.localdate().isoformat()
    page = c.get(reverse("payments:reconciliation") + f"?day={day}").content.decode()
    assert "柜台缴款" in page and "POS刷卡" in page and "20.00" in page
    from zhengwu.payments import reports

    data = reports.compute(dt.date.fromisoformat(day))
    assert data["totals"] == {"payments": 1, "paid_fen": 2000, "refunds": 0, "refunded_fen": 0}
    assert [d["kind"] for d in data["discrepancies"]] == ["渠道通知未入账"]
    xlsx = c.get(reverse("payments:reconciliation_xlsx") + f"?day={day}")
    import openpyxl

    rows = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert ("柜台缴款", "POS刷卡", 1, "20.00", 0, "0.00") in rows


def test_worker_job_builds_yesterdays_report(order, window_staff):
    from zhengwu.core.schedule import job
    from zhengwu.payments.models import DailyReport

    out = job("payments.reconcile").run()
    assert "对账" in out and DailyReport.objects.filter(day=timezone.localdate() - dt.timedelta(days=1)).exists()


def test_guide_page_shows_amount_basis_and_reductions(fee_item, client):
    html = client.get(reverse("catalog:item_guide", args=[fee_item.pk])).content.decode()
    assert "20.00元" in html and "《某价格文件》" in html and "低保家庭（持有效低保证）：免收" in html
    assert "残疾人（持残疾人证）：减收50%" in html


def test_guide_claims_online_payment_only_with_a_connected_channel(publish_item, dept, client, settings):
    """支持网上支付 on the item changes nothing until an online channel is connected: not claimed before."""
    from django.core.cache import cache

    from zhengwu.payments import providers

    item = publish_item(dept, "网上缴费事项", fees=[FIXED], supports_online_payment=True)
    settings.ZHENGWU_PAYMENT_PROVIDERS = {}
    html = client.get(reverse("catalog:item_guide", args=[item.pk])).content.decode()
    assert "20.00元" in html and "支持网上支付" not in html
    cache.clear()
    settings.ZHENGWU_PAYMENT_PROVIDERS = {"bank": {"label": "合作银行", "secret": "s3cret"}}
    providers._build.cache_clear()
    html = client.get(reverse("catalog:item_guide", args=[item.pk])).content.decode()
    assert "支持网上支付：准予后凭缴款码通过合作银行缴款" in html
    providers._build.cache_clear()


def test_catalogue_editor_rows_parse_and_refuse_with_the_field_named():
    from zhengwu.catalog.forms import FEE_COLUMNS, FeeRowsField

    field = FeeRowsField(FEE_COLUMNS, required_column="name")
    rows = field.clean([{"name": "工本费", "amount": "20", "basis": "《文件》", "reductions": "低保|持证|免收"}])
    assert rows[0]["amount"] == "20.00" and rows[0]["reductions"][0]["waive"] is True
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="第1项收费“工本费”：第1条减免应写成"):
        field.clean([{"name": "工本费", "amount": "20", "basis": "x", "reductions": "低保 免收"}])
    from zhengwu.catalog import rules

    check = rules.check_guide({"fees": [{"name": "工本费", "amount": "20", "basis": ""}]})
    assert check.errors["fees"] == ["第1项收费“工本费”须填写收费依据（法律依据）"]
