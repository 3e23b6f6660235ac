"""跨域通办 (异地代收): a window of another region receives an item within its 通办范围, forwards it;
the item's department decides; the result is handed over at the receiving window."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from zhengwu.cases import access, queries, tongban_rules
from zhengwu.cases.models import Case, CaseEvent, CrossIntake
from zhengwu.cases.services import applying, approval, intake, tongban

pytestmark = pytest.mark.django_db


# -- rules ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("scope,window,ok", [
    ("district", "410105001000", True), ("district", "410102000000", False),
    ("city", "410102000000", True), ("city", "410200000000", False),
    ("province", "410200000000", True), ("province", "110101000000", False),
    ("national", "110101000000", True), ("none", "410105000000", False), ("bogus", "410105000000", False),
])
def test_scope_covers_the_windows_it_names(scope, window, ok):
    assert tongban_rules.covers(scope, "410105000000", window) is ok


def test_reach_and_refusal_wording():
    assert tongban_rules.reach("410105000000", "410105001000") == "county"
    assert tongban_rules.reach("410105000000", "410102000000") == "city"
    assert tongban_rules.reach("410105000000", "410200000000") == "province"
    assert tongban_rules.reach("410105000000", "110101000000") == "national"
    assert "通办范围为全市通办" in tongban_rules.refusal("city", "金水区", "洛阳市")
    assert "不通办" in tongban_rules.refusal("none", "金水区", "中原区")


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture
def city_item(publish_item, dept):
    return publish_item(dept, "个体工商户注册登记", tongban_scope="city", promised_days=3,
                        item_fields={"implementation_code": "TB-CITY"}, materials=[("申请书", "required")])


@pytest.fixture
def clerk(make_staff, other_district):
    """A window clerk of 中原区 (same city as the item's 金水区)."""
    return make_staff("window", region=other_district)


def _third_region(code, name):
    from zhengwu.org.models import Region

    return Region.objects.get_or_create(code=code, defaults={"name": name})[0]


def _received(clerk, item, citizen, pdf):
    case = applying.create_draft(clerk, item, applicant=citizen.applicant, channel="window")
    applying.upload_material(clerk, case, pdf(), name="申请书")
    case.refresh_from_db()
    return case


def fresh(case):
    return Case.objects.get(pk=case.pk)


# -- services -------------------------------------------------------------------------------------
def test_a_window_of_another_district_receives_and_forwards(clerk, city_item, citizen, pdf, window_staff, approver):
    case = _received(clerk, city_item, citizen, pdf)
    cross = CrossIntake.objects.get(case=case)
    assert (cross.reach, cross.scope, cross.receiving_region_code, cross.handling_region_code) == (
        "city", "city", "410102000000", "410105000000")
    assert cross.forwarded_at is None and case.department_id == city_item.department_id
    assert access.may_view(clerk, fresh(case))  # the draft is the receiving clerk's to complete
    case = applying.submit(clerk, case, case.lock_version)
    cross.refresh_from_db()
    assert cross.forwarded_at is not None
    assert CaseEvent.objects.filter(case=case, action="cross_receive").exists()
    assert CaseEvent.objects.get(case=case, action="submit").data["cross_forward"] == city_item.department.name
    # The handling department's window sees it in its queue; the receiving clerk does not accept it.
    assert case.pk in {c.pk for c in queries.intake_queue(window_staff)}
    assert case.pk not in {c.pk for c in queries.intake_queue(clerk)}
    with pytest.raises(PermissionDenied):
        intake.accept(clerk, fresh(case), fresh(case).lock_version)
    case = intake.accept(window_staff, fresh(case), fresh(case).lock_version)
    approval.act_on_step(approver, fresh(case), "review", "pass", fresh(case).lock_version)
    approval.act_on_step(approver, fresh(case), "decide", "pass", fresh(case).lock_version)
    case = fresh(case)
    assert case.state == "concluded" and access.may_view(clerk, case)
    with pytest.raises(PermissionDenied):  # 邮寄 is the handling department's business
        approval.deliver(clerk, case, case.lock_version, "mail", address="x", carrier="EMS", tracking_number="1")
    case = approval.deliver(clerk, fresh(case), fresh(case).lock_version, "window")
    assert fresh(case).state == "delivered"


def test_outside_the_scope_is_refused_and_nothing_is_written(clerk, publish_item, dept, citizen):
    district_item = publish_item(dept, "区内通办事项", tongban_scope="district")
    with pytest.raises(PermissionDenied, match="通办范围为全区通办"):
        applying.create_draft(clerk, district_item, applicant=citizen.applicant, channel="window")
    none_item = publish_item(dept, "不通办事项", tongban_scope="none")
    with pytest.raises(PermissionDenied, match="该事项不通办"):
        applying.create_draft(clerk, none_item, applicant=citizen.applicant, channel="window")
    assert not Case.objects.exists() and not CrossIntake.objects.exists()


def test_provinces_apart_need_a_cross_province_item(make_staff, publish_item, dept, citizen, city_item):
    beijing = make_staff("window", region=_third_region("110101000000", "东城区"))
    with pytest.raises(PermissionDenied):
        applying.create_draft(beijing, city_item, applicant=citizen.applicant, channel="window")
    national = publish_item(dept, "跨省通办事项", tongban_scope="national")
    case = applying.create_draft(beijing, national, applicant=citizen.applicant, channel="window")
    assert case.cross_intake.reach == "national"


def test_other_windows_do_not_see_a_received_case(make_staff, clerk, city_item, citizen, pdf):
    case = _received(clerk, city_item, citizen, pdf)
    case = applying.submit(clerk, case, case.lock_version)
    stranger = make_staff("window", region=_third_region("410103000000", "二七区"))
    assert not access.may_view(stranger, fresh(case))
    assert case.pk not in {r.case_id for r in tongban.received_cases(stranger)}
    assert case.pk in {r.case_id for r in tongban.received_cases(clerk)}


def test_figures_count_received_and_handled_per_region(clerk, city_item, citizen, pdf):
    case = _received(clerk, city_item, citizen, pdf)
    today = timezone.localdate()
    assert tongban.figures("410102", today, today)["received"] == 0  # a draft is not counted
    applying.submit(clerk, case, case.lock_version)
    here = tongban.figures("410102", today, today)
    assert here["received"] == 1 and here["handled"] == 0
    assert here["received_by_region"] == [{"handling_region_code": "410105000000", "n": 1}]
    home = tongban.figures("410105", today, today)
    assert home["handled"] == 1 and home["handled_by_region"] == [{"receiving_region_code": "410102000000", "n": 1}]
    assert tongban.figures("410105", today - dt.timedelta(days=9), today - dt.timedelta(days=1))["handled"] == 0


# -- pages ----------------------------------------------------------------------------------------
def test_receiving_through_the_pages(staff_client, clerk, city_item, publish_item, dept, citizen, bundle):
    client = staff_client(clerk)
    page = client.get(reverse("cases:staff_tongban"), {"q": "个体工商户"})
    assert page.status_code == 200 and f'id="btn-receive-{city_item.pk}"' in page.text
    outside = publish_item(dept, "个体工商户区内事项", tongban_scope="district")
    assert f'id="btn-receive-{outside.pk}"' not in page.text
    refused = client.post(reverse("cases:staff_tongban"), {"item": outside.pk}, follow=True)
    assert "通办范围为全区通办" in refused.text
    client.post(reverse("cases:staff_tongban"), {"item": city_item.pk})
    number = citizen.applicant.id_number.reveal_unaudited()
    start = client.post(reverse("cases:staff_file"), {"op": "lookup", "number": number})
    assert 'id="cross-banner"' in start.text and city_item.name in start.text
    assert 'id="panel-bundle"' not in start.text  # receiving one item of another region, nothing else
    made = client.post(reverse("cases:staff_file"), {"op": "start", "applicant": citizen.applicant.pk,
                                                     "item": city_item.pk, "channel": "window", "idempotency_key": "tb1"})
    case = Case.objects.get()
    assert made.status_code == 302 and CrossIntake.objects.filter(case=case).exists()
    assert 'id="cross-banner"' not in client.get(reverse("cases:staff_file")).text  # the choice is used once
    detail = client.get(reverse("cases:staff_file_draft", args=[case.pk]))
    assert detail.status_code == 200


def test_figures_page_and_bad_dates(staff_client, clerk):
    client = staff_client(clerk)
    page = client.get(reverse("cases:staff_tongban_figures"))
    assert page.status_code == 200 and 'id="fig-received"' in page.text
    bad = client.get(reverse("cases:staff_tongban_figures"), {"start": "2026-13-01"})
    assert bad.status_code == 400 and "开始日期：日期格式应为 YYYY-MM-DD" in bad.text


def test_both_sides_and_the_applicant_see_where_it_was_received(staff_client, clerk, city_item, citizen, pdf,
                                                                 window_staff):
    case = _received(clerk, city_item, citizen, pdf)
    case = applying.submit(clerk, case, case.lock_version)
    for user in (clerk, window_staff):
        page = staff_client(user).get(reverse("cases:staff_case", args=[case.pk]))
        assert page.status_code == 200 and 'id="case-cross"' in page.text and "中原区" in page.text
    mine = staff_client(citizen).get(reverse("cases:my_case", args=[case.pk]))
    assert mine.status_code == 200 and 'id="case-cross"' in mine.text and "异地代收" in mine.text
    assert f"代收窗口已将申请转交{city_item.department.name}受理" in mine.text


def test_the_receiving_window_collects_the_fee_and_others_do_not(clerk, publish_item, dept, citizen, pdf, window_staff,
                                                                   approver, make_staff):
    from zhengwu.payments import services as payments
    from zhengwu.payments.models import PaymentOrder

    item = publish_item(dept, "收费的通办事项", tongban_scope="city", materials=[("申请书", "required")],
                        fees=[{"name": "工本费", "standard": "20元", "amount": "20.00", "basis": "依据", "rule": "",
                               "reductions": []}])
    case = _received(clerk, item, citizen, pdf)
    case = applying.submit(clerk, case, case.lock_version)
    intake.accept(window_staff, fresh(case), fresh(case).lock_version)
    for step in ("review", "decide"):
        approval.act_on_step(approver, fresh(case), step, "pass", fresh(case).lock_version)
    order = PaymentOrder.objects.get(case=case)  # opened on 准予
    stranger = make_staff("window", region=_third_region("410103000000", "二七区"))
    with pytest.raises(PermissionDenied):
        payments.pay_at_counter(stranger, order, order.lock_version, "cash", order.amount_due_fen)
    payments.pay_at_counter(clerk, order, order.lock_version, "cash", order.amount_due_fen)
    assert PaymentOrder.objects.get(pk=order.pk).state == "paid"
    with pytest.raises(PermissionDenied):  # refunds stay with the handling department
        payments.refund(clerk, order, 100, "多收", "cash", "r1")


def test_window_filing_offers_only_the_bundles_of_the_clerks_region(staff_client, clerk, window_staff, citizen, bundle):
    """窗口代录 offers 一件事 of the clerk's own region: another region's bundle would be refused on filing."""
    number = citizen.applicant.id_number.reveal_unaudited()
    home = staff_client(window_staff).post(reverse("cases:staff_file"), {"op": "lookup", "number": number})
    assert bundle.name in home.text
    other = staff_client(clerk).post(reverse("cases:staff_file"), {"op": "lookup", "number": number})
    assert other.status_code == 200 and bundle.name not in other.text
