"""Deadlines in working days across 国庆 and 春节 with 调休, suspensions, time-left status."""

import datetime as dt

import pytest

from zhengwu.cases import rules
from zhengwu.cases.rules import TimeStatus
from zhengwu.core.calendar import WorkCalendar, _library_data

D = dt.date


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar(*_library_data())


def test_due_date_across_national_day_2026(cal):
    # Accepted Wed 2026-09-30 with 5 working days: Oct 8, 9, 10 (调休 Sat), 12, 13.
    assert rules.due_date(cal, D(2026, 9, 30), 5) == D(2026, 10, 13)


def test_due_date_across_spring_festival_2026(cal):
    # Accepted Thu 2026-02-12, 3 working days: Fri 13, Sat 14 (调休), Tue 24 (after 春节 15–23).
    assert rules.due_date(cal, D(2026, 2, 12), 3) == D(2026, 2, 24)


def test_instant_case_is_due_the_day_it_is_accepted(cal):
    assert rules.due_date(cal, D(2026, 3, 3), 0) == D(2026, 3, 3)


def test_suspension_extends_the_due_date_by_its_working_days(cal):
    # Suspended Mon 2026-03-02 → resumed Mon 2026-03-09: 5 working days (Tue–Fri, Mon).
    days = rules.suspension_workdays(cal, D(2026, 3, 2), D(2026, 3, 9))
    assert days == 5
    assert rules.due_date(cal, D(2026, 3, 2), 10, days) == cal.add_workdays(D(2026, 3, 2), 15)
    assert rules.suspension_workdays(cal, D(2026, 3, 2), D(2026, 3, 2)) == 0


@pytest.mark.parametrize("today, expected, left", [
    (D(2026, 3, 2), TimeStatus.NORMAL, 10),
    (D(2026, 3, 12), TimeStatus.NORMAL, 2),   # 2 of 10 left = 20%: not under 20%
    (D(2026, 3, 13), TimeStatus.WARNING, 1),
    (D(2026, 3, 16), TimeStatus.WARNING, 0),   # due today
    (D(2026, 3, 17), TimeStatus.OVERDUE, -1),
])
def test_time_status(cal, today, expected, left):
    due = rules.due_date(cal, D(2026, 3, 2), 10)
    assert due == D(2026, 3, 16)
    assert rules.time_status(cal, today, due, 10) == (expected, left)


def test_time_status_paused_and_done(cal):
    due = D(2026, 3, 16)
    assert rules.time_status(cal, D(2026, 3, 20), due, 10, suspended=True)[0] == TimeStatus.PAUSED
    assert rules.time_status(cal, D(2026, 3, 20), due, 10, concluded=True)[0] == TimeStatus.DONE


def test_elapsed_workdays_excludes_suspension(cal):
    assert rules.elapsed_workdays(cal, D(2026, 9, 30), D(2026, 10, 13), suspended_workdays=2) == 3


def test_case_number_shape():
    assert rules.case_number("410105000000", D(2026, 11, 22), 1234) == "410105202611220000001234"
