"""Figures of the registry worked out by hand: for each, a few rows made through the domains'
services or the model factories their own tests use, the expected value computed in the comment
next to it, and the registry's figure (what the dashboards, reports and 大屏 show) asserted equal.

Periods are fixed (November 2026) except where the domain only accepts a period around today
(双随机: plans of this quarter; 电子证照: this month), which the test says.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from zhengwu.insights import registry

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
NOV = (D(2026, 11, 1), D(2026, 11, 30))


def at(m, d, hh=12, mm=0):
    return dt.datetime(2026, m, d, hh, mm, tzinfo=TZ)


def value(key, period, user, by=None):
    rows = registry.get(key).compute(*period, user=user, by=by)
    return rows[0] if by is None else {r.label: r for r in rows}


# -- 大厅 平均等待时间 ----------------------------------------------------------------------------------
@pytest.fixture
def halls(district):
    """Two halls. 政务服务中心 (window 1): waits 10 and 20 minutes (9:00→9:10, 9:30→9:50), one ticket
    never called (cancelled, no wait). 不动产分中心 (window 1): one wait of 6 minutes; one ticket of
    October with a wait of 60 minutes (outside the period)."""
    from zhengwu.org.models import Hall, Window
    from zhengwu.queueing.models import BusinessType, Ticket

    made = {}
    for name in ("政务服务中心", "不动产分中心"):
        hall = Hall.objects.create(name=name, region=district, address="郑州市金水区")
        bt = BusinessType.objects.create(hall=hall, prefix="A", name="综合受理", order=1)
        made[name] = (hall, bt, Window.objects.create(hall=hall, number="1", name="综合窗口"))
    n = iter(range(1, 100))

    def ticket(name, issued, called=None, status="done"):
        hall, bt, window = made[name]
        k = next(n)
        Ticket.objects.create(hall=hall, business_type=bt, day=issued.date(), number=k, display=f"A{k:03d}",
                              source="kiosk", status=status, window=window if called else None, issued_at=issued,
                              called_at=called, started_at=called, ended_at=called and called + dt.timedelta(minutes=5))

    ticket("政务服务中心", at(11, 2, 9, 0), at(11, 2, 9, 10))  # 10 min
    ticket("政务服务中心", at(11, 2, 9, 30), at(11, 2, 9, 50))  # 20 min
    ticket("政务服务中心", at(11, 2, 10, 0), status="cancelled")  # never called: not in the average
    ticket("不动产分中心", at(11, 3, 14, 0), at(11, 3, 14, 6))  # 6 min
    ticket("不动产分中心", at(10, 30, 9, 0), at(10, 30, 10, 0))  # October: not counted
    return made


def test_avg_wait_by_hand(halls, supervisor):
    # 政务服务中心: (10 + 20) ÷ 2 called = 15.0 min; 不动产分中心: 6 ÷ 1 = 6.0 min.
    # The halls combined, weighted by their called tickets: (15.0×2 + 6.0×1) ÷ 3 = 36 ÷ 3 = 12.0 min
    # (the same as the plain mean of the three waits, (10 + 20 + 6) ÷ 3 = 12.0).
    total = value("queueing.avg_wait", NOV, supervisor)
    assert (total.value, total.numerator, total.denominator) == (12.0, 36.0, 3)
    by_window = value("queueing.avg_wait", NOV, supervisor, by="window")
    assert {k: r.value for k, r in by_window.items() if r.denominator} == {
        "政务服务中心 1 综合窗口": 15.0, "不动产分中心 1 综合窗口": 6.0}


# -- 电子证照 用证次数 ----------------------------------------------------------------------------------
@pytest.fixture
def licence_uses(make_department, publish_item):
    """This month (电子证照 figures are by whole month): 市场监管局's case used two licences (two
    materials, online) and the 不动产登记系统 looked one up (api); 卫健委's window clerk used one.
    One use of 市场监管局 last month."""
    from tests.licenses import use_factories as uf
    from zhengwu.cases.models import Case
    from zhengwu.licenses.models import LicenceUse

    market, health = make_department(name="市场监管局"), make_department(name="卫生健康委")
    lt = uf.licence_type("营业执照", "legal")
    lic = uf.licence(lt, issuer=market, holder_uscc="914101050000000011")
    item = publish_item(market, "户外招牌设置审批")
    company = uf.company()
    case = Case.objects.create(service_item=item, item_version=item.published_version, department=market,
                               region=market.region, applicant=company.applicant)
    for name in ("营业执照", "食品经营许可证"):
        LicenceUse.objects.create(licence=lic, case=case, material_name=name, channel="online", department=market)
    LicenceUse.objects.create(licence=lic, channel="api", department=market, used_by_name="不动产登记系统")
    LicenceUse.objects.create(licence=lic, channel="window", department=health, used_by_name="窗口代录")
    old = LicenceUse.objects.create(licence=lic, channel="api", department=market, used_by_name="公积金系统")
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=15)
    LicenceUse.objects.filter(pk=old.pk).update(at=dt.datetime.combine(last_month, dt.time(10), tzinfo=TZ))
    return this_month


def test_licence_uses_by_hand(licence_uses, make_staff, district):
    leader = make_staff("leader", region=district)
    period = (licence_uses, timezone.localdate())
    # 市场监管局: 2 (case, two materials) + 1 (api) = 3 · 卫健委: 1 · total 3 + 1 = 4 (last month's not counted)
    assert value("licenses.uses", period, leader).value == 4
    assert {k: r.value for k, r in value("licenses.uses", period, leader, by="department").items()} == {
        "市场监管局": 3, "卫生健康委": 1}


# -- 监管 双随机抽查覆盖率 ------------------------------------------------------------------------------
@pytest.fixture
def spot_checks(make_department, make_staff):
    """市场监管局's plan (企业): 5 active 企业 in the register (an inactive one and a 个体工商户 the
    filter leaves out); tasks on 4 of them, results on 3. 卫健委's plan (场所 of risk D): 2 in the
    register, tasks on both, a result on 1. Plans start this quarter."""
    from tests.inspections import results_factories as f
    from zhengwu.inspections import results_rules as rules
    from zhengwu.inspections.services import results as svc

    market, health = make_department(name="市场监管局"), make_department(name="卫生健康委")
    admin, hadmin = make_staff("dept_admin", department=market), make_staff("dept_admin", department=health)
    today = timezone.localdate()
    start = rules.quarter_start(today)
    companies = [f.obj(category="企业") for _ in range(5)]
    f.obj(category="企业", is_active=False)
    f.obj(category="个体工商户")
    venues = [f.obj(category="场所", risk_level="D") for _ in range(2)]
    plan = f.plan(market, start=start, object_filter={"categories": ["企业"]})
    mdraw = f.draw(plan)
    tasks = [f.task(mdraw, o, [f.inspector(market), f.inspector(market)]) for o in companies[:4]]
    for t in tasks[:3]:
        svc.record_result(t, admin, "ok", "", today)
    hplan = f.plan(health, start=start, object_filter={"risk_levels": ["D"]})
    draw = f.draw(hplan)
    htasks = [f.task(draw, v, [f.inspector(health), f.inspector(health)]) for v in venues]
    svc.record_result(htasks[0], hadmin, "rectify", "消防通道堵塞", today)
    return start, today


def test_coverage_by_hand(spot_checks, supervisor):
    # 市场监管局: 3 checked ÷ 5 in the register = 60.0 % · 卫健委: 1 ÷ 2 = 50.0 %
    # total: (3 + 1) ÷ (5 + 2) = 4/7 = 57.142… → 57.1 %
    total = value("inspections.coverage", spot_checks, supervisor)
    assert (total.value, total.numerator, total.denominator) == (57.1, 4, 7)
    by_dept = value("inspections.coverage", spot_checks, supervisor, by="department")
    assert {k: r.value for k, r in by_dept.items()} == {"市场监管局": 60.0, "卫生健康委": 50.0}


# -- 办件 按时办结率 ------------------------------------------------------------------------------------
@pytest.fixture
def concluded_cases(district, make_department, make_citizen, publish_item):
    """市场监管局: c1 concluded 11-05 on time, c2 11-20 LATE, c3 11-30 23:30 on time (local time:
    November); c4 concluded 12-01 00:10 on time (December: not counted), c5 accepted but open."""
    from zhengwu.cases.models import Case

    dept = make_department(name="市场监管局")
    si = publish_item(dept, "食品经营许可", case_type="committed", promised_days=5, statutory_days=None)
    person = make_citizen(name="赵一")

    def case(concluded=None, on_time=None):
        return Case.objects.create(
            service_item=si, item_version=si.published_version, department=dept, region=district,
            applicant=person.applicant, channel="window", state="concluded" if concluded else "in_review",
            submitted_at=at(10, 30, 9), accepted_on=D(2026, 11, 2), due_date=D(2026, 11, 20),
            concluded_at=concluded, concluded_on_time=on_time, outcome="approved" if concluded else "")

    case(at(11, 5), True)
    case(at(11, 20), False)
    case(at(11, 30, 23, 30), True)
    case(dt.datetime(2026, 12, 1, 0, 10, tzinfo=TZ), True)
    case()


def test_case_on_time_rate_by_hand(concluded_cases, leader):
    # concluded in November: c1, c2, c3 = 3; on time: c1, c3 = 2 → 2 ÷ 3 = 66.666… → 66.7 %
    row = value("cases.on_time_rate", NOV, leader)
    assert (row.value, row.numerator, row.denominator) == (66.7, 2, 3)


# -- 好差评 满意率 --------------------------------------------------------------------------------------
@pytest.fixture
def daily_ratings(district, make_department):
    """One department's daily aggregates (what the ratings services keep, as the ratings tests make
    them): 11-10: 8 ratings — 5★×3, 4★×2 of which 1 默认好评, 3★×1, 2★×1, 1★×1; 11-11: 2 ratings —
    4★×1, 1★×1; 10-31 (October): 5★×4."""
    from zhengwu.ratings.models import RatingDaily

    dept = make_department(name="市场监管局")

    def daily(day, **counts):
        RatingDaily.objects.create(key=f"{dept.pk}-{day}", day=day, department=dept, region=district,
                                   region_code=district.code, kind="case", **counts)

    daily(D(2026, 11, 10), ratings=8, l5=3, l4=2, l3=1, l2=1, l1=1, defaults=1, bad=2, events=8, rated=8)
    daily(D(2026, 11, 11), ratings=2, l4=1, l1=1, bad=1, events=2, rated=2)
    daily(D(2026, 10, 31), ratings=4, l5=4, events=4, rated=4)


def test_satisfaction_rate_by_hand(daily_ratings, leader):
    # 主动评价 = ratings − 默认好评 = (8 − 1) + 2 = 9
    # 满意 (非常满意 + 满意 + 基本满意, 默认好评 not counted) = 11-10: 3 + (2 − 1) + 1 = 5; 11-11: 1 → 6
    # 满意率 = 6 ÷ 9 = 66.666… → 66.7 %
    row = value("ratings.satisfaction_rate", NOV, leader)
    assert (row.value, row.numerator, row.denominator) == (66.7, 6, 9)
