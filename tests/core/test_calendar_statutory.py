"""Years without a published notice: 《全国年节及纪念日放假办法》第二条's holidays still count;
the yearly notice is read from its text (admin page 录入年度放假通知)."""

import datetime as dt
from pathlib import Path

import pytest
from chinese_calendar import constants

from zhengwu.core import calendar
from zhengwu.core import calendar_statutory as statutory
from zhengwu.core.calendar import WorkCalendar, _library_data
from zhengwu.core.calendar_notice import parse_notice

D = dt.date
# 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04), as published by Xinhua (新华社).
NOTICE_2026 = (Path(__file__).parent / "data" / "notice_2026.txt").read_text(encoding="utf-8")


@pytest.fixture
def cal():
    holidays, workdays, years = _library_data()
    return WorkCalendar(holidays, workdays, years)


# -- 第二条 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_days_are_inside_the_published_holidays(year):
    # chinese-calendar's published 2025/2026 data comes from the notices, not from a lunar table:
    # every day 第二条 gives must be a day off there, and there must be 13 of them.
    days = statutory.statutory_holidays(year)
    published = {d for d in constants.holidays if d.year == year}
    assert len(days) == 13
    assert set(days) <= published


def test_statutory_2027():
    days = statutory.statutory_holidays(2027)
    # 春节: 正月初一 2027 is Feb 6, so 除夕 Feb 5 to 初三 Feb 8 (4 days, 第二条第（二）项).
    assert [d for d, n in sorted(days.items()) if n == "春节"] == [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7),
                                                                  D(2027, 2, 8)]
    assert days[D(2027, 1, 1)] == "元旦"
    assert days[D(2027, 4, 5)] == "清明节"
    assert days[D(2027, 6, 9)] == "端午节"  # 农历五月初五
    assert days[D(2027, 9, 15)] == "中秋节"  # 农历八月十五
    assert {d for d, n in days.items() if n == "劳动节"} == {D(2027, 5, 1), D(2027, 5, 2)}
    assert {d for d, n in days.items() if n == "国庆节"} == {D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)}


def test_mid_autumn_inside_national_day_is_one_day_with_both_names():
    days = statutory.statutory_holidays(2028)  # 中秋 2028 is Oct 3
    assert days[D(2028, 10, 3)] == "国庆节、中秋节"
    assert len(days) == 12


def test_new_years_day_2027_is_not_a_working_day(cal):
    assert cal.year_status(2027) == statutory.STATUS_STATUTORY
    assert cal.year_status(2026) == statutory.STATUS_PUBLISHED
    assert cal.year_status(2024 + 100) == statutory.STATUS_WEEKDAYS  # beyond the lunar table
    assert not cal.is_workday(D(2027, 1, 1))  # Friday
    result = cal.check(D(2027, 1, 1))
    assert not result.is_workday and not result.verified and result.status == "statutory"
    assert "元旦" in result.reason and "调休待公布" in result.reason
    # A weekend stays a weekend, a weekday with no holiday is a working day (调休 unknown).
    assert cal.is_workday(D(2027, 1, 4)) and not cal.is_workday(D(2027, 1, 9))


def test_due_date_across_new_year_and_spring_festival_2027(cal):
    # Accepted Mon 2026-12-28, 5 working days: Dec 29, 30, 31, (Jan 1 元旦), Jan 4, Jan 5.
    assert cal.add_workdays(D(2026, 12, 28), 5) == D(2027, 1, 5)
    # Accepted Fri 2027-01-29, 5 working days: Feb 1–4, then 春节 Feb 5–8 → Tue Feb 9.
    assert cal.add_workdays(D(2027, 1, 29), 5) == D(2027, 2, 9)
    assert cal.workdays_between(D(2027, 1, 29), D(2027, 2, 9)) == 5
    assert cal.may_move(D(2026, 12, 28), D(2027, 1, 5))
    assert not cal.may_move(D(2026, 3, 2), D(2026, 3, 9))
    note = calendar.due_date_note(D(2027, 1, 5), D(2026, 12, 28), cal)
    assert "2027年放假安排尚未公布" in note
    assert calendar.due_date_note(D(2026, 3, 9), D(2026, 3, 2), cal) == ""


def test_published_year_gets_no_statutory_fill():
    holidays, workdays, years = _library_data()
    # Pretend 2027 was published with 元旦 as a working day (an override says so): the notice wins.
    cal = WorkCalendar(holidays, workdays | {D(2027, 1, 1)}, years | {2027})
    assert cal.year_status(2027) == "published"
    assert cal.is_workday(D(2027, 1, 1))
    assert cal.is_workday(D(2027, 2, 8))  # a Monday; the published data holds no 春节 here


def test_statutory_fill_can_be_turned_off():
    holidays, workdays, years = _library_data()
    cal = WorkCalendar(holidays, workdays, years, with_statutory=False)
    assert cal.is_workday(D(2027, 1, 1))
    assert cal.year_status(2027) == "weekdays"


# -- the notice parser ---------------------------------------------------------------------------
def test_parse_real_2026_notice_matches_the_published_data():
    result = parse_notice(NOTICE_2026, 2026)
    assert result.problems == [] and result.warnings == []
    assert result.lines_read == 7
    assert set(result.holidays) == {d for d in constants.holidays if d.year == 2026}
    assert set(result.workdays) == {d for d in constants.workdays if d.year == 2026}
    assert result.holidays[D(2026, 2, 15)] == "春节"
    assert result.workdays[D(2026, 2, 28)] == "春节调休上班"
    assert len([d for d, n in result.holidays.items() if n == "春节"]) == 9


NOTICE_2025 = """一、元旦：1月1日（周三）放假1天，不调休。
二、春节：1月28日（农历除夕、周二）至2月4日（农历正月初七、周二）放假调休，共8天。1月26日（周日）、2月8日（周六）上班。
三、清明节：4月4日（周五）至6日（周日）放假，共3天。
四、劳动节：5月1日（周四）至5日（周一）放假调休，共5天。4月27日（周日）上班。
五、端午节：5月31日（周六）至6月2日（周一）放假，共3天。
六、国庆节、中秋节：10月1日（周三）至8日（周三）放假调休，共8天。9月28日（周日）、10月11日（周六）上班。"""


def test_parse_2025_notice_with_a_joint_festival_line():
    # The 2025 schedule written out in the notice's format; the comparison with chinese-calendar's
    # published 2025 data checks both the text and the parser.
    result = parse_notice(NOTICE_2025, 2025)
    assert result.problems == [] and result.warnings == []
    assert set(result.holidays) == {d for d in constants.holidays if d.year == 2025}
    assert set(result.workdays) == {d for d in constants.workdays if d.year == 2025}
    assert result.holidays[D(2025, 10, 6)] == "国庆节、中秋节"


def test_parse_single_line_forms():
    r = parse_notice("元旦：1月1日（周五）放假，共1天", 2027)
    assert r.ok and r.holidays == {D(2027, 1, 1): "元旦"}
    r = parse_notice("五、端午节：6月10日放假，与周末连休。", 2024)
    assert r.ok and list(r.holidays) == [D(2024, 6, 10)]
    r = parse_notice("一、元旦：2022年12月31日至2023年1月2日放假调休，共3天。", 2023)
    assert r.ok and sorted(r.holidays) == [D(2022, 12, 31), D(2023, 1, 1), D(2023, 1, 2)]
    r = parse_notice("元旦：12月31日至1月2日放假调休，共3天。", 2023)
    assert r.ok and min(r.holidays) == D(2022, 12, 31)
    r = parse_notice("2027-02-05 至 2027-02-11 放假\n2027-02-20 上班", 2027)
    assert r.ok and len(r.holidays) == 7 and list(r.workdays) == [D(2027, 2, 20)]
    r = parse_notice("七、国庆节:9月29日至10月6日放假调休,共8天。10月7日(周六)、10月8日(周日)上班。", 2023)
    assert r.ok and len(r.holidays) == 8 and sorted(r.workdays) == [D(2023, 10, 7), D(2023, 10, 8)]


def test_parse_finds_mistakes():
    # The 2026 notice pasted as 2027: the weekdays in brackets no longer match.
    r = parse_notice(NOTICE_2026, 2027)
    assert not r.ok and any("通知写的是“周四”" in p for p in r.problems)
    r = parse_notice("春节：2月5日至2月8日放假，共5天。", 2027)
    assert not r.ok and r.problems == ["第1行：春节写明共5天，但列出的日期是4天"]
    r = parse_notice("国庆节：10月1日至7日放假调休，共7天。10月3日上班。", 2027)
    assert any("既写为放假又写为上班" in p for p in r.problems)
    r = parse_notice("清明节：4月31日放假", 2027)
    assert any("不是有效日期" in p for p in r.problems)
    assert not parse_notice("随便写点什么", 2027).ok
    assert parse_notice("劳动节：5月6日（周四）上班", 2027).warnings  # a weekday as 调休上班


# -- admin page: paste, preview, confirm -----------------------------------------------------------
SAMPLE_2027 = """一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至11日（农历正月初六、周四）放假调休，共7天。2月20日（周六）上班。"""  # hypothetical


@pytest.mark.django_db
def test_admin_notice_preview_then_confirm(admin_client):
    from zhengwu.core.models import AuditEvent, CalendarOverride, CalendarYear

    calendar.invalidate()
    page = admin_client.get("/admin/core/calendar-notice/").content.decode()
    assert "2027年" in page and "仅法定节日（调休待公布）" in page
    data = {"year": "2027", "source": "国务院办公厅关于2027年部分节假日安排的通知（示例）", "text": SAMPLE_2027}
    page = admin_client.post("/admin/core/calendar-notice/", {**data, "action": "preview"}).content.decode()
    assert 'id="notice-confirm"' in page and "2027-02-11" in page and "将改变" in page
    # 第二条's 清明、劳动节… are not in this sample: the preview says so.
    assert "不在通知的放假日期中" in page and "2027年4月5日（清明节）" in page
    assert not CalendarOverride.objects.exists()
    resp = admin_client.post("/admin/core/calendar-notice/", {**data, "action": "confirm"})
    assert resp.status_code == 302
    assert CalendarOverride.objects.filter(kind="holiday").count() == 10  # 3 + 7
    assert CalendarOverride.objects.get(date=D(2027, 2, 20)).kind == "workday"
    assert CalendarYear.objects.get(year=2027).verified
    cal = calendar.get_calendar()
    assert cal.year_status(2027) == "published"
    assert not cal.is_workday(D(2027, 2, 10)) and cal.is_workday(D(2027, 2, 20))
    assert AuditEvent.objects.filter(action="calendar.notice").count() == 1
    # Confirming again (double submission) leaves the same rows.
    admin_client.post("/admin/core/calendar-notice/", {**data, "action": "confirm"})
    assert CalendarOverride.objects.count() == 11


@pytest.mark.django_db
def test_admin_notice_with_problems_cannot_be_confirmed(admin_client):
    from zhengwu.core.models import CalendarOverride, CalendarYear

    data = {"year": "2027", "source": "通知", "text": NOTICE_2026, "action": "confirm"}
    resp = admin_client.post("/admin/core/calendar-notice/", data)
    page = resp.content.decode()
    assert resp.status_code == 200 and 'id="notice-problems"' in page and 'id="notice-confirm"' not in page
    assert not CalendarOverride.objects.exists() and not CalendarYear.objects.exists()
    resp = admin_client.post("/admin/core/calendar-notice/", {**data, "year": "abc"})
    assert resp.status_code == 200 and "年份" in resp.content.decode()


@pytest.mark.django_db
def test_confirm_replaces_the_years_earlier_overrides(admin_client):
    from zhengwu.core.models import CalendarOverride
    from zhengwu.core.services import set_calendar_override

    set_calendar_override(None, D(2027, 3, 1), "holiday", "旧的手工录入")
    data = {"year": "2027", "source": "通知", "text": SAMPLE_2027, "action": "confirm"}
    assert admin_client.post("/admin/core/calendar-notice/", data).status_code == 302
    assert not CalendarOverride.objects.filter(date=D(2027, 3, 1)).exists()


@pytest.mark.django_db
def test_dashboard_and_changelist_link_to_the_notice_page(admin_client):
    calendar.invalidate()
    body = admin_client.get("/admin/").content.decode()
    if dt.date.today().year + 1 not in calendar.get_calendar().verified_years:
        assert "/admin/core/calendar-notice/" in body
    assert 'id="calendar-notice-link"' in admin_client.get("/admin/core/calendaroverride/").content.decode()


@pytest.mark.django_db
def test_cli_says_a_statutory_only_year_may_move(capsys):
    from django.core.management import call_command

    from zhengwu.core.services import mark_year_verified

    mark_year_verified(None, 2027, "待发布", verified=False)
    calendar.invalidate()
    call_command("workdays", "check", "2027-01-01")
    out = capsys.readouterr().out
    assert "休息日" in out and "元旦" in out and "调休未知" in out
