"""办件指标: a worked example across 国庆 2025, every figure computed by hand below.

The 2025 calendar around 国庆/中秋 (国办发明电〔2024〕12号):
    Sep 27 Sat off · Sep 28 Sun WORK (调休) · Sep 29–30 work · Oct 1–8 holiday ·
    Oct 9–10 work · Oct 11 Sat WORK (调休) · Oct 12 Sun off · Oct 13–17 work …
``workdays_between(a, b)`` counts the working days in (a, b]: the acceptance day does not count.

Departments A 市场监管局 (items A1 承诺件, 网办深度四级, 0 跑动; A2 即办件) and B 消防救援大队
(item B1 承诺件, 深度二级). Windows W1, W2. "Today" is 2025-11-05. Cases (local times):

  c1  A1 online        accepted 09-29, due 10-13, concluded 10-10 15:00 on time    (9-30, 10-9, 10-10) = 3 wd
  c2  A1 online        accepted 09-30, 2 wd 特别程序, due 10-16, concluded 10-17 09:00 LATE
                       (10-9, 10, 11, 13, 14, 15, 16, 17) = 8 wd − 2 = 6 wd
  c3  A1 online        accepted 10-09, due 10-15, still 审批中                        → overdue, open
  c4  A2 window W1 1跑 accepted 10-11 (Saturday, 调休), concluded the same day, on time  = 0 wd
  c5  B1 window W1 1跑 accepted 10-27, due 11-03, 审批中                           → not overdue at 10-31
  c6  B1 online        accepted 10-15, 特别程序中 (due 10-16 frozen)                 → clock stopped, not overdue
  c7  A1 online        submitted, not accepted                                       → no figure
  c8  A1 online        accepted 09-01, due 09-08, concluded 09-19 LATE               → September only; 14 wd
  c9  B1 online        accepted 09-15, due 09-22, concluded 10-09 10:00 LATE
                       Sep 16–19 (4) + 22–26 (5) + 28 调休 (1) + 29–30 (2) + Oct 9 (1) = 13 wd
  c10 B1 window W2 1跑 accepted 10-20, due 10-27, concluded 11-01 00:30 (= 10-31 16:30 UTC) LATE
                       → not concluded in October (local date), but open and overdue at October's end
  c11 B1 online        accepted 10-30, due 11-06, concluded 10-31 23:30 on time        (10-31) = 1 wd

October 2025 by department
  A: 受理量 c3, c4 = 2 · 即办 c4 → 1/2 = 50% · 全程网办 c3 → 1/2 = 50% · 跑动 (0+1)/2 = 0.5
     办结量 c1, c2, c4 = 3 · 按时 c1, c4 → 2/3 = 66.67% · 平均办理时长 (3+6+0)/3 = 3.0 wd
     超期数 = 逾期办结 c2 (1) + 期末超期在办 c3 (1) = 2
  B: 受理量 c5, c6, c10, c11 = 4 · 即办 0 · 全程网办 0 (depth 2) · 跑动 (1+0+1+0)/4 = 0.5
     办结量 c9, c11 = 2 · 按时 c11 → 1/2 = 50% · 平均办理时长 (13+1)/2 = 7.0 wd
     超期数 = 逾期办结 c9 (1) + 期末超期在办 c10 (1) = 2
  合计: 受理 6, 办结 5, 按时 3/5 = 60%, 超期 4, 平均 23/5 = 4.6 wd, 即办 1/6, 全程网办 1/6, 跑动 3/6 = 0.5
September 2025
  A: 受理 c8, c1, c2 = 3 · 办结 c8 (late) = 1 → 超期 1 · 平均 14 wd
  B: 受理 c9 = 1 · c9 open at Sep 30 and past its 09-22 due date → 超期 1 (在办)
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest

from zhengwu.cases.models import Case
from zhengwu.cases.services import figures

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2025, 11, 5)
D = dt.date


def at(y, m, d, hh=12, mm=0):
    return dt.datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
def world(district, make_department, make_citizen, publish_item):
    from zhengwu.org.models import Hall, Window

    a = make_department(name="市场监管局")
    b = make_department(name="消防救援大队")

    def item(dept, name, case_type, promised, depth, visits):
        return publish_item(dept, name, case_type=case_type, promised_days=promised, online_depth=depth,
                            visits=visits, statutory_days=None)

    a1 = item(a, "食品经营许可", "committed", 5, 4, 0)
    a2 = item(a, "营业执照补领", "instant", 0, 3, 1)
    b1 = item(b, "公众聚集场所投入使用营业前消防安全检查", "committed", 5, 2, 1)
    hall = Hall.objects.create(name="金水区政务服务中心", region=district, address="金水路1号")
    w1 = Window.objects.create(hall=hall, number="A01", name="综合受理")
    w2 = Window.objects.create(hall=hall, number="A02", name="综合受理")
    person = make_citizen(name="赵一")

    def case(si, channel="online", window=None, visits=0, state="in_review", accepted=None, due=None,
             concluded=None, on_time=None, suspended=0):
        return Case.objects.create(
            service_item=si, item_version=si.published_version, department=si.department, region=district,
            applicant=person.applicant, channel=channel, window=window, visits=visits, state=state,
            promised_days=si.promised_days, submitted_at=at(2025, 9, 1, 9), accepted_on=accepted, due_date=due,
            concluded_at=concluded, concluded_on_time=on_time, suspended_workdays=suspended,
            outcome="approved" if concluded else "",
        )

    c = {
        "c1": case(a1, accepted=D(2025, 9, 29), due=D(2025, 10, 13), state="concluded",
                   concluded=at(2025, 10, 10, 15), on_time=True),
        "c2": case(a1, accepted=D(2025, 9, 30), due=D(2025, 10, 16), suspended=2, state="delivered",
                   concluded=at(2025, 10, 17, 9), on_time=False),
        "c3": case(a1, accepted=D(2025, 10, 9), due=D(2025, 10, 15)),
        "c4": case(a2, channel="window", window=w1, visits=1, accepted=D(2025, 10, 11), due=D(2025, 10, 11),
                   state="concluded", concluded=at(2025, 10, 11, 16), on_time=True),
        "c5": case(b1, channel="window", window=w1, visits=1, accepted=D(2025, 10, 27), due=D(2025, 11, 3)),
        "c6": case(b1, accepted=D(2025, 10, 15), due=D(2025, 10, 16), state="suspended"),
        "c7": case(a1, state="submitted"),
        "c8": case(a1, accepted=D(2025, 9, 1), due=D(2025, 9, 8), state="concluded",
                   concluded=at(2025, 9, 19, 10), on_time=False),
        "c9": case(b1, accepted=D(2025, 9, 15), due=D(2025, 9, 22), state="concluded",
                   concluded=at(2025, 10, 9, 10), on_time=False),
        "c10": case(b1, channel="window", window=w2, visits=1, accepted=D(2025, 10, 20), due=D(2025, 10, 27),
                    state="concluded", concluded=at(2025, 11, 1, 0, 30), on_time=False),
        "c11": case(b1, accepted=D(2025, 10, 30), due=D(2025, 11, 6), state="concluded",
                    concluded=at(2025, 10, 31, 23, 30), on_time=True),
    }
    # c6's 特别程序 (检测), started 10-14 and still running: the clock stopped.
    from zhengwu.cases.models import Suspension

    Suspension.objects.create(case=c["c6"], kind="testing", reason="抽样检测", started_on=D(2025, 10, 14))
    return {"a": a, "b": b, "a1": a1, "a2": a2, "b1": b1, "w1": w1, "w2": w2, "cases": c, "person": person,
            "district": district}


def october(cases=None, group_by="department"):
    return figures.case_figures(cases, group_by=group_by, start=D(2025, 10, 1), end=D(2025, 10, 31), today=TODAY)


def rows_by_label(report):
    return {r.label: r.figures for r in report.rows}


def test_october_by_department_matches_the_hand_computation(world):
    rows = rows_by_label(october())
    a, b = rows["市场监管局"], rows["消防救援大队"]

    assert (a.accepted, a.instant, a.full_online, a.visits) == (2, 1, 1, 1)
    assert (a.instant_rate, a.full_online_rate, a.avg_visits) == (0.5, 0.5, 0.5)
    assert (a.concluded, a.concluded_on_time, a.on_time_rate) == (3, 2, 0.6667)
    assert a.avg_workdays == 3.0  # (3 + 6 + 0) / 3
    assert (a.overdue_concluded, a.overdue_open, a.overdue) == (1, 1, 2)

    assert (b.accepted, b.instant_rate, b.full_online_rate, b.avg_visits) == (4, 0.0, 0.0, 0.5)
    assert (b.concluded, b.on_time_rate) == (2, 0.5)
    assert b.avg_workdays == 7.0  # (13 + 1) / 2
    assert (b.overdue_concluded, b.overdue_open, b.overdue) == (1, 1, 2)


def test_october_total(world):
    total = october().total
    assert (total.accepted, total.concluded, total.concluded_on_time, total.overdue) == (6, 5, 3, 4)
    assert total.on_time_rate == 0.6
    assert total.avg_workdays == 4.6  # 23 / 5
    assert (total.instant_rate, total.full_online_rate, total.avg_visits) == (0.1667, 0.1667, 0.5)


def test_september_counts_late_conclusions_and_cases_overdue_at_the_period_end(world):
    report = figures.case_figures(group_by="department", start=D(2025, 9, 1), end=D(2025, 9, 30), today=TODAY)
    rows = rows_by_label(report)
    a, b = rows["市场监管局"], rows["消防救援大队"]
    assert (a.accepted, a.concluded, a.overdue_concluded, a.overdue_open, a.avg_workdays) == (3, 1, 1, 0, 14.0)
    assert (b.accepted, b.concluded, b.overdue_concluded, b.overdue_open) == (1, 0, 0, 1)  # c9 open on Sep 30


def test_a_period_not_over_yet_counts_overdue_up_to_today(world):
    # On 2025-10-14 c3 (due 10-15) is not overdue yet; c9 concluded late on 10-09.
    report = figures.case_figures(start=D(2025, 10, 1), end=D(2025, 10, 31), today=D(2025, 10, 14))
    rows = rows_by_label(report)
    assert rows["市场监管局"].overdue_open == 0
    assert rows["消防救援大队"].overdue_concluded == 1


def test_by_window_and_by_item(world):
    rows = rows_by_label(october(group_by="window"))
    w1 = rows["A01 综合受理"]
    assert (w1.accepted, w1.concluded, w1.instant, w1.avg_visits) == (2, 1, 1, 1.0)  # c4, c5
    online = rows[figures.NO_WINDOW_LABEL]
    assert (online.accepted, online.concluded) == (3, 4)  # c3, c6, c11 · c1, c2, c9, c11
    items = rows_by_label(october(group_by="item"))
    a1 = items["食品经营许可（市场监管局）"]
    assert (a1.accepted, a1.concluded, a1.full_online_rate, a1.avg_workdays) == (1, 2, 1.0, 4.5)  # (3 + 6) / 2


def test_scoped_cases_only(world, make_staff):
    approver = make_staff("approver", department=world["a"])
    report = october(figures.cases_in_view(approver))
    assert [r.label for r in report.rows] == ["市场监管局"]
    assert report.total.accepted == 2


def test_few_queries_whatever_the_number_of_cases(world, django_assert_max_num_queries):
    october()  # warm the calendar
    with django_assert_max_num_queries(5):
        october()


def test_every_figure_has_a_definition():
    assert [v[0] for v in figures.DEFINITIONS.values()] == [
        "受理量", "办结量", "按时办结率", "超期数", "平均办理时长", "即办率", "全程网办率", "跑动次数",
        "逾期视为受理数", "延期办结数", "再次补正告知数"]
    assert all(len(v[2]) > 10 for v in figures.DEFINITIONS.values())


# -- issue 30: figures as the law and the records say ------------------------------------------
def _event(case, action, when, **data):
    from zhengwu.cases.models import CaseEvent

    e = CaseEvent.objects.create(case=case, action=action, label=action, actor_name="系统", data=data)
    CaseEvent.objects.filter(pk=e.pk).update(at=when)


def test_overdue_of_a_closed_period_does_not_change_when_the_case_changes_later(world):
    """超期数 of October is computed from the history as of 10-31 (ADR 0026).

    c3 accepted 10-09, due 10-15 (its 受理 entry says so), open and overdue on 10-31. In November
    a 特别程序 starts (11-03), ends (11-04, due date moved to 10-17) and the applicant withdraws
    (11-05): each of these once took c3 out of October's 超期数 (it looked at the state now)."""
    from zhengwu.cases.models import Suspension

    c3 = world["cases"]["c3"]
    _event(c3, "accept", at(2025, 10, 9, 10), due_date="2025-10-15")
    before = rows_by_label(october())["市场监管局"]
    assert (before.overdue_open, before.overdue) == (1, 2)

    Suspension.objects.create(case=c3, kind="expert", reason="专家评审", started_on=D(2025, 11, 3))
    Case.objects.filter(pk=c3.pk).update(state="suspended")
    assert rows_by_label(october())["市场监管局"].overdue_open == 1
    Suspension.objects.filter(case=c3).update(ended_on=D(2025, 11, 4), workdays=1)
    _event(c3, "resume", at(2025, 11, 4, 10), due_date="2025-10-16")
    Case.objects.filter(pk=c3.pk).update(state="withdrawn", due_date=D(2025, 10, 16))
    _event(c3, "withdraw", at(2025, 11, 5, 10))
    after = rows_by_label(october())["市场监管局"]
    assert (after.overdue_open, after.overdue) == (1, 2)


def test_a_case_is_judged_by_the_due_date_its_history_had_at_the_period_end(world):
    """An extension approved on 10-14 moved c3's due date from 10-15 to 11-12 (in this made-up
    history): not overdue on 10-31, nor on 10-17; on 10-13 its due date was still 10-15, not reached."""
    c3 = world["cases"]["c3"]
    _event(c3, "accept", at(2025, 10, 9, 10), due_date="2025-10-15")
    _event(c3, "approve_extension", at(2025, 10, 14, 10), due_date="2025-11-12")
    Case.objects.filter(pk=c3.pk).update(due_date=D(2025, 11, 12), extension_workdays=10)
    assert rows_by_label(october())["市场监管局"].overdue_open == 0
    report = figures.case_figures(start=D(2025, 10, 13), end=D(2025, 10, 17), today=TODAY)
    assert rows_by_label(report)["市场监管局"].overdue_open == 0
    report = figures.case_figures(start=D(2025, 10, 13), end=D(2025, 10, 13), today=TODAY)
    assert rows_by_label(report).get("市场监管局") is None or rows_by_label(report)["市场监管局"].overdue_open == 0


def test_a_paused_case_is_not_overdue_only_while_its_lawful_procedure_runs(world):
    """c6 (due 10-16) has been in 检测 since 10-14: not overdue on 10-31. A 现场核查 record (not in
    行政许可法第四十五条, converted to counted time) does not stop the clock: c6 is overdue."""
    from zhengwu.cases.models import Suspension

    assert rows_by_label(october())["消防救援大队"].overdue_open == 1  # c10 only
    Suspension.objects.filter(case=world["cases"]["c6"]).update(kind="inspection", stops_clock=False)
    assert rows_by_label(october())["消防救援大队"].overdue_open == 2  # c10 and c6


def test_full_online_counts_the_visits_the_case_recorded_not_the_guide_plan(world, publish_item):
    """c3 is A1 (网办深度四级, guide: 0 visits), online. If the applicant still had to come once,
    the case is not 全程网办: A's 全程网办率 drops from 1/2 to 0/2."""
    assert rows_by_label(october())["市场监管局"].full_online == 1
    Case.objects.filter(pk=world["cases"]["c3"].pk).update(visits=1)
    a = rows_by_label(october())["市场监管局"]
    assert (a.full_online, a.full_online_rate) == (0, 0.0)


def test_deemed_accepted_extended_and_additional_supplements_are_counted(world):
    from zhengwu.cases.models import SupplementNotice

    c = world["cases"]
    Case.objects.filter(pk=c["c3"].pk).update(deemed_accepted=True)  # accepted 10-09
    Case.objects.filter(pk=c["c1"].pk).update(extension_workdays=10)  # concluded 10-10
    first = SupplementNotice.objects.create(case=c["c7"], items=[{"material": "营业执照", "reason": "不清晰"}])
    second = SupplementNotice.objects.create(case=c["c7"], items=[{"material": "租赁合同", "reason": "补正时新交，缺页"}],
                                             additional_reason="补正时新提交的租赁合同缺第2页，首次告知时尚未提交")
    SupplementNotice.objects.filter(pk__in=[first.pk, second.pk]).update(issued_at=at(2025, 10, 20))
    a = rows_by_label(october())["市场监管局"]
    assert (a.deemed_accepted, a.extended, a.additional_supplements) == (1, 1, 1)
    assert october().total.additional_supplements == 1


def test_period_is_checked():
    assert figures.check_period(D(2025, 10, 2), D(2025, 10, 1)) == {"end": "结束日期不能早于开始日期"}
    assert "366" in figures.check_period(D(2024, 1, 1), D(2025, 6, 1))["end"]


# -- the leader page and its Excel export ----------------------------------------------------
@pytest.fixture
def leader(make_staff, district):
    return make_staff("leader", region=district)


def test_leader_page_shows_the_table(world, leader, client):
    client.force_login(leader)
    r = client.get("/workbench/cases/figures/", {"start": "2025-10-01", "end": "2025-10-31"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "办件指标" in html and "市场监管局" in html and "消防救援大队" in html
    assert "66.7%" in html  # 市场监管局 按时办结率 2/3
    assert "平均办理时长" in html and "调休上班日计入" in html  # definitions shown


def test_page_refuses_a_bad_period_in_chinese(world, leader, client):
    client.force_login(leader)
    r = client.get("/workbench/cases/figures/", {"start": "2025-10-31", "end": "2025-10-01"})
    assert r.status_code == 400 and "结束日期不能早于开始日期" in r.content.decode()


def test_applicants_cannot_open_the_page(world, client, make_citizen):
    client.force_login(make_citizen(name="钱二"))
    assert client.get("/workbench/cases/figures/").status_code == 403


def test_excel_export_has_the_same_table(world, leader, client):
    from openpyxl import load_workbook

    client.force_login(leader)
    r = client.get("/workbench/cases/figures/export.xlsx",
                   {"start": "2025-10-01", "end": "2025-10-31", "group_by": "department"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["办件指标"]
    header = [c.value for c in ws[2]]
    assert header[:4] == ["部门", "受理量（件）", "办结量（件）", "按时办结率"]
    rows = {row[0].value: [c.value for c in row[1:]] for row in ws.iter_rows(min_row=3)}
    # 受理量, 办结量, 按时办结率, 超期数, 平均办理时长, 即办率, 全程网办率, 跑动次数
    assert rows["市场监管局"] == [2, 3, 0.6667, 2, 3.0, 0.5, 0.5, 0.5, 0, 0, 0]
    assert rows["合计"] == [6, 5, 0.6, 4, 4.6, 0.1667, 0.1667, 0.5, 0, 0, 0]
    assert [r[0].value for r in wb["指标口径"].iter_rows(min_row=2)][0] == "受理量"


def test_overdue_open_rows_alone_equal_the_reports_overdue_open(world):
    """The 超期在办 figure of the dashboards runs only that query: the same counts as the report's."""
    for start, end, today in ((D(2025, 10, 1), D(2025, 10, 31), TODAY), (D(2025, 9, 1), D(2025, 9, 30), TODAY),
                              (D(2025, 10, 1), D(2025, 10, 31), D(2025, 10, 14))):
        for group_by in ("department", "item", "window"):
            full = figures.case_figures(group_by=group_by, start=start, end=end, today=today)
            expected = {r.key: r.figures.overdue_open for r in full.rows if r.figures.overdue_open}
            alone = figures.overdue_open_rows(group_by=group_by, start=start, end=end, today=today)
            assert {r.key: r.figures.overdue_open for r in alone} == expected
    assert sum(r.figures.overdue_open for r in figures.overdue_open_rows(start=D(2025, 10, 1), end=D(2025, 10, 31),
                                                                         today=TODAY)) == 2
