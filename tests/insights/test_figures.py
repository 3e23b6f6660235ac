"""Each registered figure, computed through the registry on a small hand-made data set, equals the
value worked out by hand below (and the domain's own figure, which it calls).

November 2026, district 金水区, departments A 市场监管局 and B 消防救援大队:

办件 (Case rows as the cases tests build them):
  A: k1 accepted 11-02, concluded 11-05 on time · k2 accepted 11-03, concluded 11-20 LATE
     k3 accepted 11-10 online, item 网办深度四级, 0 跑动 (全程网办), still 审批中
  B: k4 accepted 11-04, concluded 11-06 on time · k5 accepted 10-28 (October), concluded 11-02 on time
  受理量 (accepted in Nov) = k1, k2, k3, k4 = 4 · 办结量 = k1, k2, k4, k5 = 4
  按时办结率 = on time k1, k4, k5 ÷ 4 = 3/4 = 75.0 % · A: 1/2 = 50.0 % · B: 2/2 = 100.0 %
  全程网办率 = k3 ÷ 4 accepted = 25.0 %

好差评 (RatingDaily rows, what the ratings services keep):
  A 11-05: 10 ratings, levels 5:4, 4:3 (1 默认好评), 3:1, 2:1, 1:1 → active 9, satisfied 4+2+1 = 7
           events 12, rated 9, bad 2, rectified 1
  B 11-06: 3 ratings, 5:2, 2:1 → active 3, satisfied 2; events 4, rated 3, bad 1, rectified 1
  满意率 = (7+2) ÷ (9+3) = 9/12 = 75.0 % · 主动评价率 = 12/16 = 75.0 % · 差评整改率 = 2/3 = 66.7 %
  October (not counted): A 10-31 one rating

12345 (dispatched tickets closed in November):
  t1 A closed on time, satisfaction 5 · t2 A closed LATE, satisfaction 2 · t3 B closed on time, unrated
  t4 registered in November, not closed · t5 closed 10-30 (October)
  受理量 (registered in Nov) = t1..t4 = 4 · 按时办结率 = 2/3 = 66.7 % · 满意率 = 1 satisfied ÷ 2 rated = 50.0 %
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zhengwu.insights import registry

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
NOV = (D(2026, 11, 1), D(2026, 11, 30))


def at(m, d, hh=12):
    return dt.datetime(2026, m, d, hh, tzinfo=TZ)


@pytest.fixture
def a(make_department):
    return make_department(name="市场监管局")


@pytest.fixture
def b(make_department):
    return make_department(name="消防救援大队")


@pytest.fixture
def cases(district, a, b, make_citizen, publish_item):
    from zhengwu.cases.models import Case

    online = publish_item(a, "食品经营许可", case_type="committed", promised_days=5, online_depth=4, visits=0,
                          statutory_days=None)
    fire = publish_item(b, "消防安全检查", case_type="committed", promised_days=5, online_depth=2, visits=1,
                        statutory_days=None)
    person = make_citizen(name="赵一")

    def case(si, accepted, concluded=None, on_time=None, channel="window", visits=1):
        return Case.objects.create(
            service_item=si, item_version=si.published_version, department=si.department, region=district,
            applicant=person.applicant, channel=channel, visits=visits,
            state="concluded" if concluded else "in_review", promised_days=5, submitted_at=at(10, 1, 9),
            accepted_on=accepted, due_date=accepted + dt.timedelta(days=7), concluded_at=concluded,
            concluded_on_time=on_time, outcome="approved" if concluded else "")

    case(online, D(2026, 11, 2), at(11, 5), True)
    case(online, D(2026, 11, 3), at(11, 20), False)
    case(online, D(2026, 11, 10), channel="online", visits=0)
    case(fire, D(2026, 11, 4), at(11, 6), True)
    case(fire, D(2026, 10, 28), at(11, 2), True)


def test_case_figures(cases, leader, a, b):
    total = {k: registry.get(f"cases.{k}").total(*NOV, user=leader)
             for k in ("accepted", "concluded", "on_time_rate", "full_online_rate")}
    assert total["accepted"].value == 4
    assert total["concluded"].value == 4
    assert (total["on_time_rate"].value, total["on_time_rate"].numerator, total["on_time_rate"].denominator) == \
        (75.0, 3, 4)
    assert (total["full_online_rate"].value, total["full_online_rate"].numerator) == (25.0, 1)
    by_dept = {r.label: r.value for r in registry.get("cases.on_time_rate").compute(*NOV, user=leader,
                                                                                     by="department")}
    assert by_dept == {"市场监管局": 50.0, "消防救援大队": 100.0}


def test_case_figures_respect_the_viewers_scope(cases, make_staff, a):
    dept_admin = make_staff("dept_admin", department=a)
    row = registry.get("cases.on_time_rate").total(*NOV, user=dept_admin)
    assert (row.numerator, row.denominator) == (1, 2)  # A's cases only


def test_drill_down_leads_to_the_records_behind_the_number():
    url = registry.get("cases.on_time_rate").drill_url(*NOV)
    assert url == "/workbench/cases/figures/cases/?what=concluded_on_time&start=2026-11-01&end=2026-11-30"


@pytest.fixture
def ratings(district, a, b):
    from zhengwu.ratings.models import RatingDaily

    def daily(dept, day, **counts):
        RatingDaily.objects.create(key=f"{dept.pk}-{day}", day=day, department=dept, region=district,
                                   region_code=district.code, kind="case", **counts)

    daily(a, D(2026, 11, 5), ratings=10, l5=4, l4=3, l3=1, l2=1, l1=1, defaults=1, bad=2, bad_rectified=1,
          events=12, rated=9)
    daily(b, D(2026, 11, 6), ratings=3, l5=2, l2=1, bad=1, bad_rectified=1, events=4, rated=3)
    daily(a, D(2026, 10, 31), ratings=1, l1=1, bad=1, events=1, rated=1)


def test_rating_figures(ratings, leader):
    sat = registry.get("ratings.satisfaction_rate").total(*NOV, user=leader)
    assert (sat.value, sat.numerator, sat.denominator) == (75.0, 9, 12)
    active = registry.get("ratings.active_rate").total(*NOV, user=leader)
    assert (active.value, active.numerator, active.denominator) == (75.0, 12, 16)
    rect = registry.get("ratings.rectify_rate").total(*NOV, user=leader)
    assert (rect.value, rect.numerator, rect.denominator) == (66.7, 2, 3)
    by_dept = {r.label: r.value for r in registry.get("ratings.satisfaction_rate").compute(*NOV, user=leader,
                                                                                           by="department")}
    assert by_dept == {"市场监管局": round(700 / 9, 1), "消防救援大队": round(200 / 3, 1)}  # 77.8, 66.7


def test_a_window_clerk_sees_no_rating_of_other_departments(ratings, make_staff, b):
    clerk = make_staff("window", department=b)
    sat = registry.get("ratings.satisfaction_rate").total(*NOV, user=clerk)
    assert (sat.numerator, sat.denominator) == (2, 3)


@pytest.fixture
def tickets(district, a, b):
    from zhengwu.hotline.models import Ticket

    n = iter(range(1, 100))

    def ticket(dept, created, closed=None, on_time=None, satisfaction=None):
        return Ticket.objects.create(
            number=f"T2026{next(n):06d}", ticket_type="complaint", title="诉求", content="诉求内容",
            caller_name="王先生", phone="13800001111", region=district, region_code=district.code,
            lead_department=dept, state="closed" if closed else "dispatched", created_at=created,
            dispatched_at=created, closed_at=closed, closed_on_time=on_time, satisfaction=satisfaction)

    ticket(a, at(11, 2), at(11, 5), True, 5)
    ticket(a, at(11, 3), at(11, 20), False, 2)
    ticket(b, at(11, 4), at(11, 6), True)
    ticket(b, at(11, 10))
    ticket(a, at(10, 20), at(10, 30), True, 4)


def test_hotline_figures(tickets, leader):
    assert registry.get("hotline.received").total(*NOV, user=leader).value == 4
    on_time = registry.get("hotline.on_time_rate").total(*NOV, user=leader)
    assert (on_time.value, on_time.numerator, on_time.denominator) == (66.7, 2, 3)
    sat = registry.get("hotline.satisfaction_rate").total(*NOV, user=leader)
    assert (sat.value, sat.numerator, sat.denominator) == (50.0, 1, 2)
    by_dept = {r.label: r.value for r in registry.get("hotline.on_time_rate").compute(*NOV, user=leader,
                                                                                      by="department")}
    assert by_dept == {"市场监管局": 50.0, "消防救援大队": 100.0}


def test_every_figure_computes_for_a_leader_and_is_empty_or_none_without_data(leader):
    for figure in registry.figures():
        rows = figure.compute(*NOV, user=leader)
        assert len(rows) <= 1, figure.key
        for dim in figure.dimensions:
            figure.compute(*NOV, user=leader, by=dim)
        assert figure.page_url(), figure.key


def test_a_dimension_the_figure_does_not_have_is_refused(leader):
    with pytest.raises(ValueError, match="no dimension"):
        registry.get("licenses.uses").compute(*NOV, user=leader, by="ticket_type")


def test_the_registry_holds_the_figures_of_issue_27():
    keys = {f.key for f in registry.figures()}
    assert {"cases.accepted", "cases.concluded", "cases.on_time_rate", "cases.full_online_rate",
            "ratings.active_rate", "ratings.satisfaction_rate", "ratings.rectify_rate", "hotline.received",
            "hotline.on_time_rate", "hotline.satisfaction_rate", "queueing.avg_wait", "licenses.uses",
            "inspections.coverage"} <= keys
    for f in registry.figures():
        assert f.name and f.formula and f.domain in registry.DOMAINS and f.unit in registry.UNITS
