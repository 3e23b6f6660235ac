"""The registry's pure helpers, as worked examples."""

import datetime as dt

import pytest

from zhengwu.insights import rules

D = dt.date


@pytest.mark.parametrize(("num", "den", "expected"), [
    (2, 3, 66.7),       # 66.666… → 66.7
    (1, 8, 12.5),       # exactly 12.5
    (1, 6, 16.7),       # 16.666… → 16.7
    (1, 16, 6.3),       # 6.25 → 6.3 (half up, not banker's 6.2)
    (0, 5, 0.0),        # nothing counted: 0 %, a real figure
    (5, 5, 100.0),
    (0, 0, None),       # nothing to divide by: no figure, never 0 % or 100 %
    (3, None, None),
])
def test_rate(num, den, expected):
    assert rules.rate(num, den) == expected


def test_month_bounds():
    assert rules.month_bounds("2026-11") == (D(2026, 11, 1), D(2026, 11, 30))
    assert rules.month_bounds("2024-02") == (D(2024, 2, 1), D(2024, 2, 29))  # leap year
    assert rules.month_bounds("2026-12") == (D(2026, 12, 1), D(2026, 12, 31))
    assert rules.month_bounds(" 2026-3 ") == (D(2026, 3, 1), D(2026, 3, 31))


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "26-11", "2026/11", "", "abc", "1999-12"])
def test_bad_month_is_refused_in_chinese(text):
    with pytest.raises(rules.PeriodError) as exc:
        rules.month_bounds(text)
    assert "月份格式不正确" in exc.value.message and exc.value.field == "month"


def test_year_and_period():
    assert rules.year_bounds("2026") == (D(2026, 1, 1), D(2026, 12, 31))
    assert rules.parse_period("2026") == ("year", D(2026, 1, 1), D(2026, 12, 31))
    assert rules.parse_period("2026-02") == ("month", D(2026, 2, 1), D(2026, 2, 28))
    with pytest.raises(rules.PeriodError, match="统计期格式不正确"):
        rules.parse_period("2026-W07")


def test_previous_period_and_last_months():
    assert rules.previous_period("month", D(2026, 1, 1)) == (D(2025, 12, 1), D(2025, 12, 31))
    assert rules.previous_period("month", D(2026, 3, 1)) == (D(2026, 2, 1), D(2026, 2, 28))
    assert rules.previous_period("year", D(2026, 1, 1)) == (D(2025, 1, 1), D(2025, 12, 31))
    months = rules.last_months(D(2026, 2, 17), 12)
    assert len(months) == 12
    assert months[0] == (D(2025, 3, 1), D(2025, 3, 31))
    assert months[-1] == (D(2026, 2, 1), D(2026, 2, 28))
    assert rules.add_months(D(2026, 1, 1), -1) == D(2025, 12, 1)


def test_change_and_its_words():
    assert rules.change(85.0, 82.5) == 2.5
    assert rules.change(120, 100) == 20
    assert rules.change(None, 3) is None and rules.change(3, None) is None
    assert rules.change_text(2.5, "%") == "+2.5 个百分点"
    assert rules.change_text(-3, "件") == "−3 件"
    assert rules.change_text(0, "件") == "持平"
    assert rules.change_text(None, "%") == "—"


def test_format_value():
    assert rules.format_value(66.7, "%") == "66.7%"
    assert rules.format_value(1234, "件") == "1,234 件"
    assert rules.format_value(12.5, "分钟") == "12.5 分钟"
    assert rules.format_value(None, "%") == "—"


def test_a_month_not_over_is_compared_with_the_same_days_of_the_month_before():
    dec = (D(2026, 12, 1), D(2026, 12, 31))
    assert rules.comparison_period(*dec, D(2026, 12, 7)) == (D(2026, 11, 1), D(2026, 11, 7), True)
    assert rules.comparison_period(*dec, D(2026, 12, 31)) == (D(2026, 11, 1), D(2026, 11, 30), True)
    mar = (D(2026, 3, 1), D(2026, 3, 31))
    assert rules.comparison_period(*mar, D(2026, 3, 30)) == (D(2026, 2, 1), D(2026, 2, 28), True)  # February is shorter
    assert rules.comparison_period(*mar, D(2026, 4, 2)) == (D(2026, 2, 1), D(2026, 2, 28), False)  # a past month: whole
    assert rules.comparison_text(D(2026, 11, 1), D(2026, 11, 7), True) == "上月同期（11-01 至 11-07）"
    assert rules.comparison_text(D(2026, 11, 1), D(2026, 11, 30), False) == "上月（2026-11）"
