"""Rollups of the figures registry: a worked example computed by hand, idempotence, the viewer's
scope, the ``zhengwu rollup`` command and the worker's job.

Worked example — November 2026, district 金水区, departments A 市场监管局 and B 消防救援大队:

办件:   k1 A accepted 11-05 at the window, concluded 11-06 on time
        k2 A accepted 11-05 online, item 网办深度四级, 0 跑动 (全程网办), in review
        k3 B accepted 11-06 at the window, concluded 11-06 LATE
12345:  t1 A registered 11-05, closed 11-06 on time, satisfaction 4 (满意)
        t2 B registered 11-06, dispatched, not closed
        t3 A registered 11-05, closed 11-05 LATE, satisfaction 1 (不满意)
好差评: A 11-05: 4 ratings (5,5,4,1), 1 差评 not rectified, 5 events, 4 rated
        B 11-06: 2 ratings (5, 4 of which 1 默认好评), 2 events, 1 rated

Rows of 11-05 (dimension '' — the total — per scope cell):
  cases.accepted A 2 · cases.full_online_rate A 1/2 (nothing concluded that day: no row)
  hotline.received A 2 · hotline.on_time_rate A 0/1 · hotline.satisfaction_rate A 0/1
  ratings._ratings A 4 · active_rate A 4/5 · satisfaction_rate A (2+1+0)/4 = 3/4 · rectify_rate A 0/1
Rows of 11-06:
  cases.accepted A 0 (present: k1 concluded), B 1 · cases.concluded A 1, B 1 · on_time_rate A 1/1, B 0/1
  · full_online_rate B 0/1
  hotline.received A 0 (present: t1 closed), B 1 · on_time_rate A 1/1 · satisfaction_rate A 1/1
  ratings._ratings B 2 · active_rate B 1/2 · satisfaction_rate B (1 + 1 − 1 默认)/(2 − 1) = 1/1

The month, by hand: 受理量 3 · 办结量 2 · 按时办结率 1/2 = 50.0 % · 全程网办率 1/3 = 33.3 %;
12345 受理量 3 · 按时办结率 1/2 = 50.0 % · 满意率 1/2 = 50.0 %;
满意率 (3+1)/(4+1) = 80.0 % · 主动评价率 (4+1)/(5+2) = 71.4 % · 差评整改率 0/1 = 0.0 %.
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from zhengwu.insights import registry, rollups

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
D = dt.date
NOV = (D(2026, 11, 1), D(2026, 11, 30))
DAY5, DAY6 = D(2026, 11, 5), D(2026, 11, 6)


def at(day, hour=12):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


@pytest.fixture
def a(make_department):
    return make_department(name="市场监管局")


@pytest.fixture
def b(make_department):
    return make_department(name="消防救援大队")


@pytest.fixture
def example(district, a, b, make_citizen, publish_item):
    from zhengwu.cases.models import Case
    from zhengwu.hotline.models import Ticket
    from zhengwu.ratings.models import RatingDaily

    online = publish_item(a, "食品经营许可", case_type="committed", promised_days=5, online_depth=4, visits=0,
                          statutory_days=None)
    fire = publish_item(b, "消防安全检查", case_type="committed", promised_days=5, online_depth=2, visits=1,
                        statutory_days=None)
    person = make_citizen(name="赵一")

    def case(si, accepted, concluded=None, on_time=None, channel="window", visits=1):
        return Case.objects.create(
            service_item=si, item_version=si.published_version, department=si.department, region=district,
            applicant=person.applicant, channel=channel, visits=visits,
            state="concluded" if concluded else "in_review", promised_days=5, submitted_at=at(accepted, 9),
            accepted_on=accepted, due_date=accepted + dt.timedelta(days=7), concluded_at=concluded,
            concluded_on_time=on_time, outcome="approved" if concluded else "")

    case(online, DAY5, at(DAY6), True)
    case(online, DAY5, channel="online", visits=0)
    case(fire, DAY6, at(DAY6, 16), False)

    def ticket(n, dept, created, closed=None, on_time=None, satisfaction=None):
        return Ticket.objects.create(
            number=f"T2026{n:06d}", ticket_type="complaint", title="诉求", content="诉求内容", caller_name="王先生",
            phone="13800001111", region=district, region_code=district.code, lead_department=dept,
            state="closed" if closed else "dispatched", created_at=created, dispatched_at=created, closed_at=closed,
            closed_on_time=on_time, satisfaction=satisfaction)

    ticket(1, a, at(DAY5, 10), at(DAY6, 10), True, 4)
    ticket(2, b, at(DAY6, 10))
    ticket(3, a, at(DAY5, 11), at(DAY5, 17), False, 1)

    # Concluded cases and closed tickets count as rateable events in the daily aggregate (the ratings
    # app's signals): the example states its 好差评 rows itself.
    RatingDaily.objects.all().delete()

    def daily(dept, day, **counts):
        RatingDaily.objects.create(key=f"{dept.pk}-{day}", day=day, department=dept, region=district,
                                   region_code=district.code, kind="case", **counts)

    daily(a, DAY5, ratings=4, l5=2, l4=1, l1=1, bad=1, events=5, rated=4)
    daily(b, DAY6, ratings=2, l5=1, l4=1, defaults=1, events=2, rated=1)


def stored(day, dimension=""):
    from zhengwu.insights.models import Rollup

    return {(r.figure, r.department.name, r.group_key): (r.numerator, r.denominator)
            for r in Rollup.objects.filter(day=day, dimension=dimension).select_related("department")}


def test_worked_example_rows_of_each_day(example):
    rollups.rollup_days(DAY5, DAY6)
    assert stored(DAY5) == {
        ("cases.accepted", "市场监管局", None): (2, None), ("cases.full_online_rate", "市场监管局", None): (1, 2),
        ("hotline.received", "市场监管局", None): (2, None), ("hotline.on_time_rate", "市场监管局", None): (0, 1),
        ("hotline.satisfaction_rate", "市场监管局", None): (0, 1),
        ("ratings._ratings", "市场监管局", None): (4, None), ("ratings.active_rate", "市场监管局", None): (4, 5),
        ("ratings.satisfaction_rate", "市场监管局", None): (3, 4), ("ratings.rectify_rate", "市场监管局", None): (0, 1),
    }
    assert stored(DAY6) == {
        ("cases.accepted", "市场监管局", None): (0, None), ("cases.accepted", "消防救援大队", None): (1, None),
        ("cases.concluded", "市场监管局", None): (1, None), ("cases.concluded", "消防救援大队", None): (1, None),
        ("cases.on_time_rate", "市场监管局", None): (1, 1), ("cases.on_time_rate", "消防救援大队", None): (0, 1),
        ("cases.full_online_rate", "消防救援大队", None): (0, 1),
        ("hotline.received", "市场监管局", None): (0, None), ("hotline.received", "消防救援大队", None): (1, None),
        ("hotline.on_time_rate", "市场监管局", None): (1, 1), ("hotline.satisfaction_rate", "市场监管局", None): (1, 1),
        ("ratings._ratings", "消防救援大队", None): (2, None), ("ratings.active_rate", "消防救援大队", None): (1, 2),
        ("ratings.satisfaction_rate", "消防救援大队", None): (1, 1),
    }
    by_department = stored(DAY6, "department")
    assert by_department[("cases.on_time_rate", "消防救援大队", str(example_b_pk()))] == (0, 1)


def example_b_pk():
    from zhengwu.org.models import Department

    return Department.objects.get(name="消防救援大队").pk


def month(key, user):
    row = registry.get(key).total(*NOV, user=user)
    return (row.value, row.numerator, row.denominator)


def test_worked_example_month_from_the_rollups(example, leader):
    rollups.rollup_days(*NOV)
    assert rollups.covered(*NOV)
    expected = {
        "cases.accepted": (3, None, None), "cases.concluded": (2, None, None), "cases.on_time_rate": (50.0, 1, 2),
        "cases.full_online_rate": (33.3, 1, 3), "hotline.received": (3, None, None),
        "hotline.on_time_rate": (50.0, 1, 2), "hotline.satisfaction_rate": (50.0, 1, 2),
        "ratings.satisfaction_rate": (80.0, 4, 5), "ratings.active_rate": (71.4, 5, 7),
        "ratings.rectify_rate": (0.0, 0, 1),
    }
    assert {k: month(k, leader) for k in expected} == expected
    # The month is read from its month rows: the sums of its day rows.
    from django.db.models import Sum

    from zhengwu.insights.models import Rollup

    month_rows = Rollup.objects.filter(span="month", day=NOV[0], figure="cases.accepted", dimension="")
    assert month_rows.aggregate(n=Sum("numerator"))["n"] == 3
    month_rows.update(numerator=0)
    assert month("cases.accepted", leader) == (0, None, None)
    rollups.rollup_day(DAY5)  # rebuilds the month's rows
    assert month("cases.accepted", leader) == (3, None, None)
    with rollups.live_only():
        assert {k: month(k, leader) for k in expected} == expected
    ranking = registry.get("cases.on_time_rate").compute(*NOV, user=leader, by="department")
    assert [(r.label, r.value) for r in ranking] == [("市场监管局", 100.0), ("消防救援大队", 0.0)]


def test_a_department_admin_sees_only_their_departments_numbers(example, make_staff, a, other_district):
    rollups.rollup_days(*NOV)
    admin = make_staff("dept_admin", department=a)
    assert month("cases.accepted", admin) == (2, None, None)
    assert month("cases.on_time_rate", admin) == (100.0, 1, 1)
    assert month("hotline.received", admin) == (2, None, None)  # t1, t3: A's tickets
    assert month("ratings.satisfaction_rate", admin) == (75.0, 3, 4)
    rows = registry.get("cases.accepted").compute(*NOV, user=admin, by="department")
    assert [r.label for r in rows] == ["市场监管局"]
    elsewhere = make_staff("leader", region=other_district)
    assert month("cases.accepted", elsewhere) == (0, None, None)
    assert registry.get("cases.accepted").compute(*NOV, user=make_staff(None)) == []  # no figures role


def test_rolling_up_a_day_again_replaces_its_rows(example, a, district, publish_item, make_citizen):
    from zhengwu.cases.models import Case
    from zhengwu.insights.models import Rollup, RollupDay

    first = rollups.rollup_day(DAY5)
    rows = sorted(Rollup.objects.filter(day=DAY5).values_list("figure", "dimension", "group_key", "department_id",
                                                               "numerator", "denominator"))
    again = rollups.rollup_day(DAY5)
    assert again["rows"] == first["rows"] == Rollup.objects.filter(day=DAY5).count()
    assert sorted(Rollup.objects.filter(day=DAY5).values_list(
        "figure", "dimension", "group_key", "department_id", "numerator", "denominator")) == rows
    assert RollupDay.objects.filter(day=DAY5).count() == 1
    assert RollupDay.objects.get(day=DAY5).complete  # computed after the day ended
    k = Case.objects.filter(department=a).first()
    Case.objects.create(service_item=k.service_item, item_version=k.item_version, department=a, region=district,
                        applicant=k.applicant, channel="window", visits=1, state="in_review", promised_days=5,
                        submitted_at=at(DAY5, 9), accepted_on=DAY5, due_date=DAY6)
    rollups.rollup_day(DAY5)
    assert stored(DAY5)[("cases.accepted", "市场监管局", None)] == (3, None)


def test_a_viewer_without_the_figures_role_gets_what_live_gives(example, make_staff):
    rollups.rollup_days(*NOV)
    clerk = make_staff("window")
    for key in ("cases.accepted", "hotline.received"):
        with rollups.live_only():
            live = registry.get(key).compute(*NOV, user=clerk)
        assert registry.get(key).compute(*NOV, user=clerk) == live


# -- the command and the worker -----------------------------------------------------------------
def test_command_rolls_up_a_day_and_a_range(example):
    from zhengwu.insights.models import RollupDay

    out = io.StringIO()
    call_command("rollup", "--day", "2026-11-05", stdout=out)
    assert "2026-11-05" in out.getvalue() and "已汇总 1 天" in out.getvalue()
    call_command("rollup", "--from", "2026-11-01", "--to", "2026-11-30", stdout=out)
    assert RollupDay.objects.filter(day__gte=NOV[0], day__lte=NOV[1]).count() == 30


@pytest.mark.parametrize("args, message", [
    (["--day", "2026-13-01"], "--day 日期格式不正确"),
    (["--from", "2026-11-05"], "--from 和 --to 须同时给出"),
    (["--from", "2026-11-05", "--to", "2026-11-01"], "--to 不能早于 --from"),
    (["--day", "2026-11-05", "--to", "2026-11-06"], "--day 不能与 --from/--to 同时使用"),
    (["--from", "2020-01-01", "--to", "2026-01-01"], "不能超过 1000 天"),
])
def test_command_refuses_bad_options_in_chinese(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("rollup", *args, stdout=io.StringIO())


def test_command_without_options_does_what_the_worker_does(monkeypatch):
    from django.utils import timezone

    from zhengwu.insights.models import RollupDay

    monkeypatch.setattr(rollups, "RUN_BUDGET_SECONDS", 0)
    out = io.StringIO()
    call_command("rollup", stdout=out)
    assert "汇总 1 天" in out.getvalue()
    assert list(RollupDay.objects.values_list("day", flat=True)) == [timezone.localdate()]


def test_the_worker_job_is_registered_and_runs(monkeypatch):
    from django.utils import timezone

    from zhengwu.core import schedule
    from zhengwu.insights.models import RollupDay

    job = schedule.job("insights.rollups")
    assert job is not None and job.every == dt.timedelta(minutes=10)
    assert job.target == "zhengwu.insights.rollups.refresh"
    monkeypatch.setattr(rollups, "RUN_BUDGET_SECONDS", 0)
    [outcome] = schedule.run_due(only="insights.rollups", force=True)
    assert outcome.ran and outcome.ok, outcome.message
    assert RollupDay.objects.filter(day=timezone.localdate(), complete=False).exists()


def test_due_days_today_then_missing_newest_first_then_settling(monkeypatch):
    from zhengwu.insights.models import RollupDay

    monkeypatch.setattr(rollups, "first_data_day", lambda: D(2020, 1, 1))

    today = D(2026, 12, 4)
    now = at(today, 10)
    day = lambda n: today - dt.timedelta(days=n)  # noqa: E731
    for n in range(1, rollups.KEEP_DAYS + 1):
        if n not in (1, 3):
            RollupDay.objects.create(day=day(n), computed_at=now - dt.timedelta(hours=n), complete=True)
    RollupDay.objects.create(day=day(1), computed_at=at(day(1), 23), complete=False)  # refreshed before midnight
    # rolled up more than a day ago: 25, 26, … 31 (oldest rollup first)
    due = rollups.due_days(today, now)
    assert due[:3] == [today, day(1), day(3)]
    assert due[3:] == [day(n) for n in range(rollups.SETTLE_DAYS, 24, -1)]


def test_the_worker_leaves_the_days_before_the_first_record_alone(example):
    from zhengwu.insights.models import RollupDay

    assert rollups.first_data_day() == DAY5
    today = D(2026, 11, 8)
    RollupDay.objects.create(day=D(2026, 11, 7), computed_at=at(today, 1), complete=True)
    assert rollups.due_days(today, at(today, 10)) == [today, DAY6, DAY5]
    RollupDay.objects.all().delete()
    assert rollups.due_days(D(2026, 10, 1), at(D(2026, 10, 1), 10)) == [D(2026, 10, 1)]  # nothing before 11-05


def test_the_leader_dashboard_reads_the_rollups(example, leader, client, a):
    from zhengwu.insights.models import Rollup

    rollups.rollup_days(*NOV)
    Rollup.objects.filter(figure="hotline.received", dimension="", span="month", department=a).update(numerator=99)
    client.force_login(leader)
    resp = client.get("/workbench/insights/leader/?month=2026-11")
    assert resp.status_code == 200
    cards = {c["key"]: c for c in resp.context["cards"]}
    assert (cards["cases.on_time_rate"]["value"], cards["cases.on_time_rate"]["numerator"]) == (50.0, 1)
    assert cards["ratings.satisfaction_rate"]["value"] == 80.0
    assert cards["hotline.received"]["value"] == 99 + 1  # the month's rows (A's changed, B's 1), not a live count
    assert cards["cases.accepted"]["previous"] == 0  # October: not rolled up, computed live
