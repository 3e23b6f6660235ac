"""Working-day calendar: statutory holidays, 调休, overrides, unverified years."""

import datetime as dt
import logging

import pytest
from django.core.management import call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from zhengwu.core import calendar, rules
from zhengwu.core.calendar import WorkCalendar, _library_data
from zhengwu.core.services import mark_year_verified, set_calendar_override

D = dt.date


@pytest.fixture
def cal():
    holidays, workdays, years = _library_data()
    return WorkCalendar(holidays, workdays, years)


def test_national_day_2026_is_off_and_makeup_saturday_is_on(cal):
    assert not cal.is_workday(D(2026, 10, 1))
    assert not cal.is_workday(D(2026, 10, 7))
    assert cal.is_workday(D(2026, 9, 30))
    # 2026: 国庆 Oct 1–7 with the make-up working day on Saturday Oct 10.
    assert D(2026, 10, 10).weekday() == 5
    assert cal.is_workday(D(2026, 10, 10))


def test_deadline_runs_across_national_day(cal):
    # Accepted 2026-09-30 (Wed), 3 working days: Oct 8, Oct 9, Oct 10 (调休 Saturday).
    assert cal.add_workdays(D(2026, 9, 30), 3) == D(2026, 10, 10)
    assert cal.workdays_between(D(2026, 9, 30), D(2026, 10, 10)) == 3


def test_deadline_runs_across_spring_festival_2026(cal):
    # 2026 春节 holiday: Feb 15–23, make-up workdays Sat Feb 14 and Sat Feb 28.
    assert not cal.is_workday(D(2026, 2, 16))
    assert cal.is_workday(D(2026, 2, 14))
    start = D(2026, 2, 13)  # Friday
    assert cal.add_workdays(start, 1) == D(2026, 2, 14)
    assert cal.add_workdays(start, 2) == D(2026, 2, 24)


def test_friday_plus_one_is_monday_in_ordinary_week(cal):
    assert cal.add_workdays(D(2025, 11, 14), 1) == D(2025, 11, 17)
    assert cal.add_workdays(D(2025, 11, 17), -1) == D(2025, 11, 14)
    assert cal.add_workdays(D(2025, 11, 15), 0) == D(2025, 11, 15)


@settings(max_examples=300, deadline=None)
@given(start=st.dates(min_value=D(2004, 1, 1), max_value=D(2031, 12, 31)), n=st.integers(-200, 200))
def test_add_and_between_are_inverse(start, n):
    holidays, workdays, years = _library_data()
    cal = WorkCalendar(holidays, workdays, years)
    end = cal.add_workdays(start, n)
    if n >= 0 or cal.is_workday(start):
        # Counting back from a day off, the first working day before it is not "inside"
        # (end, start], so the inverse holds for forward counts and working-day starts.
        assert cal.workdays_between(start, end) == n
    assert cal.is_workday(end) or n == 0
    # The O(1) tables agree with the plain rule implementation.
    assert end == rules.add_workdays(start, n, cal.holidays, cal.workdays)
    assert cal.workdays_between(start, end) == rules.workdays_between(start, end, cal.holidays, cal.workdays)


def test_outside_precomputed_range_still_answers(cal):
    far = D(2090, 3, 3)
    assert cal.add_workdays(far, 5) == rules.add_workdays(far, 5, cal.holidays, cal.workdays)
    assert cal.workdays_between(far, far + dt.timedelta(days=14)) == 10


def test_unverified_year_falls_back_to_weekdays_and_warns(cal, caplog):
    year = max(cal.verified_years) + 1
    monday = D(year, 3, 1) + dt.timedelta(days=(7 - D(year, 3, 1).weekday()) % 7)
    with caplog.at_level(logging.WARNING, logger="zhengwu.core.calendar"):
        assert cal.is_workday(monday)
        assert not cal.is_workday(monday + dt.timedelta(days=5))
    assert not cal.is_verified(monday)
    assert any("未核实" in r.getMessage() for r in caplog.records)
    result = cal.check(monday)
    assert result.is_workday and not result.verified


@pytest.mark.django_db
def test_override_table_changes_the_answer_at_once():
    calendar.invalidate()
    day = D(2027, 2, 9)  # Tuesday after 春节 (Feb 5–8, statutory) in a year not published yet
    assert calendar.is_workday(day)
    set_calendar_override(None, day, "holiday", "国务院办公厅关于2027年部分节假日安排的通知", "2027年春节")
    assert not calendar.is_workday(day)
    assert calendar.check(day).reason == "2027年春节"
    saturday = D(2027, 2, 6)
    set_calendar_override(None, saturday, "workday", "同上")
    assert calendar.is_workday(saturday)
    assert not calendar.get_calendar().is_verified(2027)
    mark_year_verified(None, 2027, "国办发明电〔2026〕X号")
    assert calendar.get_calendar().is_verified(2027)


@pytest.mark.django_db
def test_override_refuses_bad_input_and_saves_nothing():
    from django.core.exceptions import ValidationError

    from zhengwu.core.models import CalendarOverride

    with pytest.raises(ValidationError) as exc:
        set_calendar_override(None, D(2027, 1, 1), "party", "通知")
    assert "类型不正确" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        set_calendar_override(None, D(2027, 1, 1), "holiday", "  ")
    assert "依据不能为空" in str(exc.value)
    assert not CalendarOverride.objects.exists()


@pytest.mark.django_db
def test_admin_refuses_malformed_override_date(admin_client):
    from zhengwu.core.models import CalendarOverride

    resp = admin_client.post("/admin/core/calendaroverride/add/", {"date": "2027-13-40", "kind": "holiday", "source": "通知"})
    assert resp.status_code == 200
    assert "日期" in resp.content.decode() and "有效" in resp.content.decode()
    assert not CalendarOverride.objects.exists()
    resp = admin_client.post("/admin/core/calendaroverride/add/", {"date": "2027-02-08", "kind": "holiday", "source": "通知"})
    assert resp.status_code == 302
    assert CalendarOverride.objects.get().kind == "holiday"


@pytest.mark.django_db
def test_admin_dashboard_warns_about_unverified_year(admin_client):
    next_year = dt.date.today().year + 1
    # Whatever the library covers, an explicit "not verified" row makes the year unverified.
    mark_year_verified(None, next_year, "待国务院办公厅发布", verified=False)
    body = admin_client.get("/admin/").content.decode()
    assert "calendar-warning" in body and f"{next_year}年" in body
    mark_year_verified(None, next_year, "国办发明电")
    mark_year_verified(None, next_year - 1, "国办发明电")
    assert "calendar-warning" not in admin_client.get("/admin/").content.decode()


@pytest.mark.django_db
def test_cli_workdays(capsys):
    call_command("workdays", "check", "2026-10-01")
    out = capsys.readouterr().out
    assert "休息日" in out and "已核实" in out
    call_command("workdays", "add", "2026-09-30", "3")
    assert "2026-10-10" in capsys.readouterr().out
    call_command("workdays", "check", "2031-03-03")
    assert "未核实" in capsys.readouterr().out


@pytest.mark.django_db
def test_cli_workdays_bad_date():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="日期格式不正确"):
        call_command("workdays", "check", "2026/10/01")
