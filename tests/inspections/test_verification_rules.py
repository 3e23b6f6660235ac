"""告知承诺 后核查: the pure rules (no database)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhengwu.inspections import verification_rules as rules


class Weekdays:
    """Mon–Fri are working days (enough for the rules: they only call add_workdays)."""

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        day = start
        while n:
            day += dt.timedelta(days=1)
            if day.weekday() < 5:
                n -= 1
        return day


def test_due_date_counts_working_days_from_acceptance():
    # Friday 2026-12-04 + 30 working days = six weeks later, a Friday.
    assert rules.due_date(Weekdays(), dt.date(2026, 12, 4), 30) == dt.date(2027, 1, 15)
    assert rules.due_date(Weekdays(), dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 7)


def test_check_days_default_and_override():
    assert rules.check_days(None) == rules.DEFAULT_CHECK_DAYS == 30
    assert rules.check_days(10) == 10
    with pytest.raises(ValueError):
        rules.check_days(0)


@pytest.mark.parametrize("state, due, expected", [
    ("pending", dt.date(2026, 12, 3), "overdue"),
    ("pending", dt.date(2026, 12, 4), "due_soon"),
    ("pending", dt.date(2026, 12, 11), "due_soon"),
    ("pending", dt.date(2026, 12, 14), "pending"),
    ("failed", dt.date(2026, 12, 1), "done"),
    ("passed", dt.date(2027, 1, 1), "done"),
])
def test_queue_of(state, due, expected):
    today = dt.date(2026, 12, 4)
    soon = rules.soon_limit(Weekdays(), today)
    assert soon == dt.date(2026, 12, 11)
    assert rules.queue_of(state, due, today, soon) == expected


def test_finding_needs_an_outcome_and_text():
    assert rules.validate_finding("pending", "failed", "现场核查发现无经营场所") == {}
    errors = rules.validate_finding("pending", "maybe", "")
    assert "属实" in errors["outcome"] and "核查情况" in errors["finding"]
    assert "不少于" in rules.validate_finding("pending", "passed", "属实")["finding"]
    assert "不能超过" in rules.validate_finding("pending", "passed", "字" * 4001)["finding"]


def test_a_recorded_check_cannot_be_recorded_again():
    assert "不能重复记录" in rules.validate_finding("passed", "failed", "再次核查发现问题")["outcome"]


def test_revocation_reason_names_the_case_and_fits_a_licence_reason():
    reason = rules.revocation_reason("ZW2026001", "现场核查：" + "无" * 400)
    assert reason.startswith("告知承诺后核查不属实（办件 ZW2026001）") and len(reason) == 300
