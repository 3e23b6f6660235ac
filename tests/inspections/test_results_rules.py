"""Pure rules of 检查结果 and 公示: the 20-working-day deadline (over holidays), the result's
checks, the cursor, the rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zhengwu.core.rules import add_workdays
from zhengwu.inspections import results_rules as rules


def plain(start, n):
    """Mon–Fri, no holidays: a calendar the test controls."""
    return add_workdays(start, n, set(), set())


def test_publish_due_is_twenty_working_days_on_a_plain_calendar():
    assert rules.publish_due(dt.date(2026, 3, 2), plain) == dt.date(2026, 3, 30)  # Mon + 4 weeks


def test_publish_due_over_national_day_and_its_make_up_days():
    from zhengwu.core.calendar import _library_data

    holidays, workdays, _years = _library_data()  # chinese-calendar's statutory holidays and 调休

    def statutory(start, n):
        return add_workdays(start, n, holidays, workdays)
    # 2025 国庆: Oct 1–8 off; Sun Sep 28 and Sat Oct 11 are 调休 working days. From Fri Sep 26:
    # Sep 28, 29, 30, Oct 9, 10, 11, 13–17, 20–24, 27–30 → the 20th working day is Oct 30.
    assert rules.publish_due(dt.date(2025, 9, 26), statutory) == dt.date(2025, 10, 30)
    # Against the plain calendar the holiday is ignored (a different day: the holiday matters).
    assert rules.publish_due(dt.date(2025, 9, 26), plain) == dt.date(2025, 10, 24)


TODAY = dt.date(2026, 6, 10)
START = dt.date(2026, 4, 1)


def test_a_good_result_passes():
    assert rules.check_result("ok", "", dt.date(2026, 6, 1), today=TODAY, period_start=START) == {}
    assert rules.check_result("rectify", "消防通道堵塞", TODAY, today=TODAY, period_start=START) == {}


@pytest.mark.parametrize("result,note,day,field,words", [
    ("", "", dt.date(2026, 6, 1), "result", "检查结果必须选择"),
    ("bogus", "", dt.date(2026, 6, 1), "result", "检查结果必须选择"),
    ("rectify", "  ", dt.date(2026, 6, 1), "note", "结果说明必须填写"),
    ("ok", "", None, "checked_on", "检查日期必须填写"),
    ("ok", "", dt.date(2026, 6, 11), "checked_on", "不能晚于今天"),
    ("ok", "", dt.date(2026, 3, 31), "checked_on", "不能早于抽查计划的检查开始日期（2026-04-01）"),
    ("ok", "字" * 2001, dt.date(2026, 6, 1), "note", "不能超过2000字"),
])
def test_refusals_name_the_field_and_the_rule(result, note, day, field, words):
    errors = rules.check_result(result, note, day, today=TODAY, period_start=START)
    assert field in errors and words in errors[field]


def test_cursor_round_trip_and_garbage():
    c = rules.encode_cursor(dt.date(2026, 5, 4), 123)
    assert rules.decode_cursor(c) == (dt.date(2026, 5, 4), 123)
    for bad in ("", "!!!", "abc", rules.encode_cursor(dt.date(2026, 5, 4), 1)[:-3] + "zz"):
        assert rules.decode_cursor(bad) is None or isinstance(rules.decode_cursor(bad), tuple)
    assert rules.decode_cursor("bm90LWEtY3Vyc29y") is None  # "not-a-cursor"


def test_rates_and_total():
    assert rules.rate(1, 3) == Decimal("33.3")
    assert rules.rate(2, 3) == Decimal("66.7")
    assert rules.rate(0, 0) is None
    a = rules.FigureRow("甲", "2026年第1季度", objects=10, checked_objects=2, tasks=4, done=2, problems=1)
    b = rules.FigureRow("乙", "2026年第1季度", objects=30, checked_objects=6, tasks=6, done=6, problems=0)
    assert (a.coverage, a.completion, a.problem_rate) == (Decimal("20.0"), Decimal("50.0"), Decimal("50.0"))
    t = rules.total([a, b])
    assert (t.coverage, t.completion, t.problem_rate) == (Decimal("20.0"), Decimal("80.0"), Decimal("12.5"))
    assert rules.FigureRow("丙", "").problem_rate is None and rules.fmt_rate(None) == "—"


def test_problems_and_quarters():
    assert rules.is_problem("rectify") and rules.is_problem("transfer") and not rules.is_problem("ok")
    assert not rules.is_problem("not_found")
    assert rules.quarter_of(dt.date(2026, 5, 31)) == "2026年第2季度"
    assert rules.quarter_start(dt.date(2026, 12, 31)) == dt.date(2026, 10, 1)
