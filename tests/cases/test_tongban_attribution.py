"""跨域通办: what the receiving window (异地代收) did is attributed to it on the applicant's timeline,
not to the handling department's 受理窗口; the receipt says where the result is picked up."""

import re

import pytest
from django.urls import reverse

from zhengwu.cases import documents
from zhengwu.cases.models import Case, CaseEvent
from zhengwu.cases.services import applying, approval, intake

pytestmark = pytest.mark.django_db

PLACE = "中原区 D01窗口"


@pytest.fixture
def city_item(publish_item, dept):
    return publish_item(dept, "个体工商户注册登记", tongban_scope="city", promised_days=3,
                        item_fields={"implementation_code": "TB-CITY"}, materials=[("申请书", "required")])


@pytest.fixture
def d01(other_district):
    from zhengwu.org.models import Hall, Window

    hall = Hall.objects.create(region=other_district, name="中原区政务服务中心", address="郑州市中原区中原西路1号")
    return Window.objects.create(hall=hall, number="D01", name="跨域通办窗口")


@pytest.fixture
def clerk(make_staff, other_district, d01):
    """A window clerk of 中原区 at its D01 window (the demo's daishou)."""
    from zhengwu.org.models import RoleGrant

    user = make_staff()
    RoleGrant.objects.create(user=user, role="window", region=other_district, window=d01)
    return user


def fresh(case):
    return Case.objects.get(pk=case.pk)


@pytest.fixture
def received(clerk, city_item, citizen, pdf):
    case = applying.create_draft(clerk, city_item, applicant=citizen.applicant, channel="window")
    applying.upload_material(clerk, case, pdf(), name="申请书")
    from zhengwu.cases.services import delivery

    case = delivery.choose(clerk, fresh(case), "window", "", fresh(case).lock_version)
    return applying.submit(clerk, fresh(case), fresh(case).lock_version)


def timeline(html):
    """(label, who) of each entry of the applicant's 办理过程."""
    part = html[html.index('id="timeline"'):]
    return re.findall(r'<strong>([^<]+)</strong>.*?<div class="small text-muted">([^<]+)</div>', part, re.S)


def test_the_receiving_windows_steps_are_attributed_to_it(received, login, citizen, window_staff, city_item):
    intake.accept(window_staff, fresh(received), fresh(received).lock_version)
    entries = timeline(login(citizen).get(reverse("cases:my_case", args=[received.pk])).content.decode())
    who = dict((label, w) for label, w in entries)
    for label in ("创建申请", "异地代收", "上传材料", "选择结果领取方式", "提交申请"):
        assert who[label] == PLACE, (label, entries)
    dept = city_item.department.short_name or city_item.department.name
    assert who["受理"] == f"{dept} · 受理窗口"  # the handling department's own window
    assert all(w != f"{dept} · 受理窗口" for label, w in entries if label != "受理")


def test_events_record_where_the_receiving_window_acted(received):
    events = CaseEvent.objects.filter(case=received, action__in=("create", "cross_receive", "upload",
                                                                 "delivery_choice", "submit"))
    assert {e.action for e in events} == {"create", "cross_receive", "upload", "delivery_choice", "submit"}
    assert {e.data.get("at") for e in events} == {PLACE}


def test_hand_over_at_the_receiving_window_is_attributed_to_it(received, clerk, window_staff, approver, login, citizen):
    case = intake.accept(window_staff, fresh(received), fresh(received).lock_version)
    for step in ("review", "decide"):
        approval.act_on_step(approver, fresh(case), step, "pass", fresh(case).lock_version)
    approval.deliver(clerk, fresh(case), fresh(case).lock_version, "window")
    who = dict(timeline(login(citizen).get(reverse("cases:my_case", args=[case.pk])).content.decode()))
    assert who["送达"] == PLACE


def test_events_written_before_the_place_was_kept_fall_back_to_the_receiving_clerk(received, login, citizen):
    for e in CaseEvent.objects.filter(case=received):  # as recorded before this fix: no "at"
        data = {k: v for k, v in e.data.items() if k != "at"}
        CaseEvent.objects.filter(pk=e.pk).update(data=data)
    who = dict(timeline(login(citizen).get(reverse("cases:my_case", args=[received.pk])).content.decode()))
    assert who["异地代收"] == PLACE and who["提交申请"] == PLACE


def test_receipt_says_the_result_is_picked_up_at_the_receiving_window(received, login, citizen):
    lines = dict(documents.receipt_lines(fresh(received)))
    assert lines["代收窗口"] == "中原区政务服务中心 D01窗口（郑州市中原区中原西路1号）"
    assert lines["结果领取"].startswith("窗口领取：在代收窗口领取，中原区政务服务中心 D01窗口")
    page = login(citizen).get(reverse("cases:receipt", args=[received.pk])).content.decode()
    assert "在代收窗口领取，中原区政务服务中心 D01窗口" in page
    pdf = login(citizen).get(reverse("cases:receipt_pdf", args=[received.pk]))
    assert pdf.status_code == 200


def test_receipt_of_an_ordinary_case_names_the_method_only(submitted_case):
    Case.objects.filter(pk=submitted_case.pk).update(delivery_method="electronic")
    lines = dict(documents.receipt_lines(fresh(submitted_case)))
    assert "代收窗口" not in lines and lines["结果领取"].startswith("电子送达")


def test_fee_taken_at_the_receiving_window_is_attributed_to_it(clerk, publish_item, dept, citizen, pdf, window_staff,
                                                                 approver, login, staff_client):
    from zhengwu.payments import services as payments
    from zhengwu.payments.models import PaymentOrder

    item = publish_item(dept, "收费的通办事项", tongban_scope="city", materials=[("申请书", "required")],
                        fees=[{"name": "工本费", "standard": "20元", "amount": "20.00", "basis": "依据", "rule": "",
                               "reductions": []}])
    case = applying.create_draft(clerk, item, applicant=citizen.applicant, channel="window")
    applying.upload_material(clerk, case, pdf(), name="申请书")
    case = applying.submit(clerk, fresh(case), fresh(case).lock_version)
    intake.accept(window_staff, fresh(case), fresh(case).lock_version)
    for step in ("review", "decide"):
        approval.act_on_step(approver, fresh(case), step, "pass", fresh(case).lock_version)
    order = PaymentOrder.objects.get(case=case)
    payments.pay_at_counter(clerk, order, order.lock_version, "cash", order.amount_due_fen)
    assert CaseEvent.objects.get(case=case, action="payment").data["at"] == PLACE
    # The staff timeline names the clerk and where they acted.
    page = staff_client(window_staff).get(reverse("cases:staff_case", args=[case.pk])).text
    assert f"（{PLACE}）" in page
