"""远程取号 only in the hall's opening hours: the pure rule (hours, 延时办/周末办, lunch break,
holidays), the service (remote refused, kiosk and 帮办取号 not), the API's JSON and the portal page."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.helpers import ApiClient
from tests.queueing.test_queue_fixtures import *  # noqa: F403 - the fixtures, by name
from zhengwu.queueing import hall_rules as r
from zhengwu.queueing.models import ExtraSession, OpeningPeriod, Ticket
from zhengwu.queueing.services.tickets import issue_ticket

T = dt.time
WEEKLY = {wd: [(T(9), T(12)), (T(13, 30), T(17, 30))] for wd in range(5)}
WORK, REST, HOLIDAY = r.DayKind(True, False), r.DayKind(False, False), r.DayKind(False, True)
HOURS = "周一至周五 9:00—12:00、13:30—17:30"
CLOSED = f"大厅现在不在办公时间（{HOURS}），请在办公时间取号或预约办理"
MONDAY = dt.date(2026, 12, 7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, T(hour, minute))


# -- the rule ----------------------------------------------------------------------------------
def test_hours_are_described_grouped_by_weekday():
    assert r.describe_hours(WEEKLY) == HOURS
    odd = {0: [(T(8, 30), T(12))], 2: [(T(8, 30), T(12))], 5: [(T(9), T(11))]}
    assert r.describe_hours(odd) == "周一、周三 8:30—12:00；周六 9:00—11:00"
    extras = [r.Extra(kind=r.WEEKEND, start=T(9), end=T(12), weekday=5, business_type_ids=frozenset({1})),
              r.Extra(kind=r.DELAYED, start=T(17, 30), end=T(19), weekday=2),
              r.Extra(kind=r.DELAYED, start=T(17, 30), end=T(20), date=MONDAY)]  # one-off: not in the line
    assert r.describe_hours(WEEKLY, extras, 1) == f"{HOURS}；周三延时办 17:30—19:00；周六周末办 9:00—12:00"
    assert r.describe_hours(WEEKLY, extras, 2) == f"{HOURS}；周三延时办 17:30—19:00"


@pytest.mark.parametrize("hour, minute, open_", [(8, 59, False), (9, 0, True), (11, 59, True), (12, 0, False),
                                                 (12, 30, False), (13, 30, True), (17, 29, True), (17, 30, False),
                                                 (19, 2, False)])
def test_remote_tickets_only_in_the_periods(hour, minute, open_):
    got = r.remote_ticket_refusal(at(MONDAY, hour, minute), WORK, WEEKLY, [])
    assert got == (None if open_ else CLOSED)


def test_sessions_rest_days_holidays_and_unset_hours():
    wed, sat, sun = dt.date(2026, 12, 9), dt.date(2026, 12, 12), dt.date(2026, 12, 13)
    late = r.Extra(kind=r.DELAYED, start=T(17, 30), end=T(19), weekday=2)
    saturday = r.Extra(kind=r.WEEKEND, start=T(9), end=T(12), weekday=5, business_type_ids=frozenset({1}))
    assert r.remote_ticket_refusal(at(wed, 18), WORK, WEEKLY, [late]) is None  # 延时办
    assert r.remote_ticket_refusal(at(MONDAY, 18), WORK, WEEKLY, [late]).startswith("大厅现在不在办公时间")
    assert r.remote_ticket_refusal(at(sat, 10), REST, WEEKLY, [saturday], 1) is None  # 周末办 of type 1
    assert r.remote_ticket_refusal(at(sat, 10), REST, WEEKLY, [saturday], 2) == (
        f"今天是休息日，大厅不办公（{HOURS}），请在办公时间取号或预约办理")
    assert r.remote_ticket_refusal(at(sat, 13), REST, WEEKLY, [saturday], 1).startswith("大厅现在不在办公时间")
    assert r.remote_ticket_refusal(at(sun, 10), REST, WEEKLY, []).startswith("今天是休息日")
    assert r.remote_ticket_refusal(at(dt.date(2026, 10, 1), 10), HOLIDAY, WEEKLY, []).startswith(
        "今天（10月1日）是法定节假日，大厅不办公")
    assert r.remote_ticket_refusal(at(MONDAY, 23), WORK, {}, []) is None  # hours never set: not restricted


# -- the service, the API and the page ----------------------------------------------------------
@pytest.fixture
def hours(hall):
    for wd in range(5):
        OpeningPeriod.objects.create(hall=hall, weekday=wd, start=T(9), end=T(12))
        OpeningPeriod.objects.create(hall=hall, weekday=wd, start=T(13, 30), end=T(17, 30))
    return hall


@pytest.fixture
def evening():
    """Monday 7 December 2026, 19:02 in the hall (a working day, after closing)."""
    moment = timezone.make_aware(at(MONDAY, 19, 2))
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.UTC)):
        yield moment


@pytest.fixture
def morning():
    moment = timezone.make_aware(at(MONDAY, 10))
    with mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.UTC)):
        yield moment


def test_remote_ticket_refused_after_closing(hours, btype_a, citizen_q, clerk1, evening):
    with pytest.raises(ValidationError) as exc:
        issue_ticket(hall=hours, business_type=btype_a, source="remote", user=citizen_q)
    assert exc.value.message_dict["source"] == [CLOSED]
    assert not Ticket.objects.filter(source="remote").exists()
    # The kiosk stands in the hall (reachable only while the doors are open) and staff may serve
    # late: neither is refused by the clock.
    assert issue_ticket(hall=hours, business_type=btype_a, source="kiosk").display == "A001"
    assert issue_ticket(hall=hours, business_type=btype_a, source="clerk", clerk=clerk1).display == "A002"


def test_remote_ticket_in_hours(hours, btype_a, citizen_q, morning):
    assert issue_ticket(hall=hours, business_type=btype_a, source="remote", user=citizen_q).display == "A001"


def test_remote_ticket_in_a_delayed_session_of_the_type(hours, btype_a, btype_b, citizen_q):
    wed_evening = timezone.make_aware(at(dt.date(2026, 12, 9), 18))
    ExtraSession.objects.create(hall=hours, kind="delayed", weekday=2, start=T(17, 30), end=T(19)
                                ).business_types.set([btype_a])
    with mock.patch("django.utils.timezone.now", return_value=wed_evening.astimezone(dt.UTC)):
        assert issue_ticket(hall=hours, business_type=btype_a, source="remote", user=citizen_q).display == "A001"
        with pytest.raises(ValidationError) as exc:
            issue_ticket(hall=hours, business_type=btype_b, source="remote", user=citizen_q)
    assert exc.value.message_dict["source"][0].startswith("大厅现在不在办公时间（周一至周五")


def test_api_refusal_is_json(hours, btype_a, citizen_q, evening):
    r_ = ApiClient(citizen_q, base="/api/v1/queueing/").post(
        "tickets", {"hall_id": hours.pk, "business_type_id": btype_a.pk, "source": "remote"})
    assert r_.status_code == 400 and r_["Content-Type"].startswith("application/json")
    assert r_.json()["detail"] == CLOSED and r_.json()["errors"]["source"] == [CLOSED]


def test_remote_page_says_closed_and_refuses(hours, btype_a, citizen_q, evening):
    c = Client()
    c.force_login(citizen_q)
    page = c.get(f"/hall/{hours.pk}/take/").content.decode()
    assert 'id="remote-closed"' in page and CLOSED in page and 'id="remote-form"' not in page
    r_ = c.post(f"/hall/{hours.pk}/take/", {"business_type": btype_a.pk, "idempotency_key": "late"})
    assert r_.status_code == 400 and CLOSED in r_.content.decode()
    assert not Ticket.objects.exists()


def test_remote_page_in_hours_shows_them(hours, btype_a, citizen_q, morning):
    c = Client()
    c.force_login(citizen_q)
    page = c.get(f"/hall/{hours.pk}/take/").content.decode()
    assert 'id="remote-form"' in page and f"办公时间：{HOURS}" in page and 'id="remote-closed"' not in page
