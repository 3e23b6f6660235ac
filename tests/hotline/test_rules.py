"""Pure rules: the state table, deadlines on the working-day calendar, similarity, figures."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zhengwu.core import calendar
from zhengwu.hotline import rules
from zhengwu.hotline.rules import Actor, State, TransitionRefused

TZ = ZoneInfo("Asia/Shanghai")

ALLOWED = [
    ("registered", "dispatch", "centre", "dispatched"),
    ("registered", "direct_close", "centre", "closed"),
    ("registered", "merge", "centre", "merged"),
    ("dispatched", "merge", "centre", "merged"),
    ("dispatched", "claim", "department", "handling"),
    ("dispatched", "return", "department", "returned"),
    ("handling", "return", "department", "returned"),
    ("returned", "redispatch", "centre", "dispatched"),
    ("returned", "reject_return", "centre", "dispatched"),
    ("handling", "request_extension", "department", "handling"),
    ("handling", "approve_extension", "centre", "handling"),
    ("handling", "reject_extension", "centre", "handling"),
    ("handling", "urge", "centre", "handling"),
    ("handling", "reply", "department", "replied"),
    ("replied", "callback", "centre", "callbacked"),
    ("replied", "callback_failed", "centre", "replied"),
    ("callbacked", "reopen", "centre", "dispatched"),
    ("callbacked", "close", "centre", "closed"),
    ("closed", "archive", "centre", "archived"),
]

REFUSED = [
    ("registered", "claim", "department", "不能签收"),
    ("dispatched", "reply", "department", "不能答复"),
    ("handling", "dispatch", "centre", "不能派单"),
    ("registered", "dispatch", "department", "无权"),
    ("dispatched", "claim", "centre", "无权"),
    ("handling", "reply", "centre", "无权"),
    ("replied", "close", "department", "无权"),
    ("closed", "reopen", "centre", "不能重办"),
    ("archived", "archive", "centre", "不能归档"),
    ("merged", "dispatch", "centre", "不能派单"),
    ("returned", "claim", "department", "不能签收"),
    ("handling", "callback", "centre", "不能回访"),
    ("registered", "nonsense", "centre", "未知"),
]


@pytest.mark.parametrize("state, action, actor, target", ALLOWED)
def test_allowed_transitions(state, action, actor, target):
    assert rules.check_transition(state, action, actor) == State(target)


@pytest.mark.parametrize("state, action, actor, words", REFUSED)
def test_refused_transitions_name_the_reason(state, action, actor, words):
    with pytest.raises(TransitionRefused) as exc:
        rules.check_transition(state, action, actor)
    assert words in exc.value.message


def test_table_is_complete_and_readable():
    assert set(rules.STATE_LABELS) == set(State)
    for action, t in rules.STATE_TABLE.items():
        assert t.label and t.source and t.actors, action
    # Every open state can be left by some action; final states only by archive.
    for s in rules.OPEN_STATES:
        assert any(s in t.source for t in rules.STATE_TABLE.values()), s
    assert rules.allowed_actions("closed", Actor.CENTRE) == ["archive"]
    assert rules.allowed_actions("merged", Actor.CENTRE) == []
    assert set(rules.allowed_actions("handling", Actor.DEPARTMENT)) == {"return", "request_extension", "reply"}


# -- deadlines ---------------------------------------------------------------------------------
@pytest.fixture
def cal(db):
    return calendar.get_calendar()


def test_deadline_runs_over_national_day_with_make_up_days(cal):
    # 2025: 国庆+中秋 10-01…10-08 off; Sunday 09-28 and Saturday 10-11 are working days (调休).
    start = dt.datetime(2025, 9, 30, 10, 0, tzinfo=TZ)
    d = rules.deadlines(cal, start, "complaint", "normal", None)
    assert d.days == 5
    assert d.claim_due == dt.datetime(2025, 10, 9, 17, 30, tzinfo=TZ)  # next working day after the holiday
    # 10-09, 10-10, 10-11 (Saturday, 调休上班), 10-13, 10-14
    assert d.handle_due == dt.datetime(2025, 10, 14, 17, 30, tzinfo=TZ)


def test_make_up_sunday_counts_as_working_day(cal):
    start = dt.datetime(2025, 9, 26, 16, 0, tzinfo=TZ)  # Friday
    d = rules.deadlines(cal, start, "help", "normal", None)  # 求助: 3 working days
    assert d.handle_due.date() == dt.date(2025, 9, 30)  # 09-28 (Sunday, 调休上班), 09-29, 09-30


def test_dispatched_during_the_holiday_counts_from_the_first_working_day(cal):
    start = dt.datetime(2025, 10, 3, 9, 0, tzinfo=TZ)
    d = rules.deadlines(cal, start, "consult", "normal", None)  # 咨询: 1 working day
    assert d.handle_due.date() == dt.date(2025, 10, 9)


def test_urgency_and_type_and_category(cal):
    start = dt.datetime(2025, 11, 3, 9, 0, tzinfo=TZ)  # Monday
    assert rules.deadlines(cal, start, "suggestion", "normal", None).days == 10
    assert rules.deadlines(cal, start, "complaint", "normal", 3).days == 3  # the category's own limit
    urgent = rules.deadlines(cal, start, "suggestion", "urgent", None)
    assert urgent.days == 2 and urgent.claim_due == start + dt.timedelta(hours=2)
    emergency = rules.deadlines(cal, start, "report", "emergency", 5)
    assert emergency.days == 0 and emergency.hours == 24
    assert emergency.handle_due == start + dt.timedelta(hours=24)
    assert emergency.claim_due == start + dt.timedelta(minutes=30)
    assert emergency.label == "24小时"
    # 办不成事反映 keeps its own short limit even in a slow category
    assert rules.deadlines(cal, start, "cannot_do", "normal", 10).days == 3


def test_extension(cal):
    due = dt.datetime(2025, 9, 30, 17, 30, tzinfo=TZ)
    assert rules.extended_due(cal, due, 2) == dt.datetime(2025, 10, 10, 17, 30, tzinfo=TZ)
    assert rules.check_extension(3, 0) is None
    assert "不能超过10" in rules.check_extension(5, 6)
    assert rules.check_extension(0, 0) == "延期天数应为正整数"


def test_time_status():
    now = dt.datetime(2025, 11, 3, 9, 0, tzinfo=TZ)
    assert rules.time_status(now, now + dt.timedelta(days=2), "handling") == rules.TimeStatus.NORMAL
    assert rules.time_status(now, now + dt.timedelta(hours=3), "handling") == rules.TimeStatus.WARNING
    assert rules.time_status(now, now - dt.timedelta(hours=1), "dispatched") == rules.TimeStatus.OVERDUE
    assert rules.time_status(now, now - dt.timedelta(hours=1), "closed") == rules.TimeStatus.DONE


# -- similarity, hot spots, figures ----------------------------------------------------------------
def test_similarity_finds_the_same_matter_said_differently():
    a = "花园路健身房突然关门，会员卡里还有三千多元无法退费"
    b = "市民来电反映：花园路一家健身房关门跑路了，办的会员卡没法退费，希望尽快处理"
    c = "东风路阳光小区垃圾桶满了三天没人清运"
    same = rules.similarity(text_a=a, text_b=b, address_a="花园路丰产路口", address_b="花园路丰产路口")
    other = rules.similarity(text_a=a, text_b=c, address_a="花园路丰产路口", address_b="东风路阳光小区")
    assert same.score >= rules.DUPLICATE_THRESHOLD
    assert "同一地点" in same.reasons and "诉求内容相似" in same.reasons
    assert other.score < rules.DUPLICATE_THRESHOLD
    caller = rules.similarity(text_a=a, text_b=c, same_phone=True)
    assert "同一来电人" in caller.reasons


def test_hot_spots_rising_only():
    spots = rules.hot_spots({"a": 12, "b": 3, "c": 5, "d": 2}, {"a": 4, "b": 6, "c": 0, "d": 0},
                            {"a": "噪声", "b": "垃圾", "c": "油烟", "d": "占道"})
    assert [h.key for h in spots] == ["a", "c"]  # b fell, d too few
    assert spots[0].rise == 8 and spots[0].growth == 200.0
    assert spots[1].growth is None  # nothing last week


def test_figures_formulas():
    f = rules.figures(rules.Counts(received=100, dispatched=80, dispatched_closed=60, closed=60, closed_on_time=54,
                                   claimed=70, claimed_on_time=63, callbacked=50, rated=50, satisfied=45, returned=4,
                                   repeated=7, handle_hours_sum=600.0, handle_count=60))
    assert (f.close_rate, f.on_time_rate, f.claim_on_time_rate) == (75.0, 90.0, 90.0)
    assert (f.satisfaction_rate, f.return_rate, f.repeat_rate, f.avg_handle_hours) == (90.0, 5.0, 7.0, 10.0)
    empty = rules.figures(rules.Counts())
    assert empty.close_rate is None and empty.avg_handle_hours is None


def test_week_bounds_and_paths():
    assert rules.week_bounds(dt.date(2026, 11, 26)) == (dt.date(2026, 11, 16), dt.date(2026, 11, 23), dt.date(2026, 11, 30))
    assert rules.split_path(" 城乡建设 / 安全生产／事故处理 ") == ["城乡建设", "安全生产", "事故处理"]
    assert rules.ticket_number(dt.date(2026, 11, 28), 1234) == "RX202611280001234"
