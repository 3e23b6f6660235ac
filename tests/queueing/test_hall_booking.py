"""Slot generation and 预约 services: holidays, 调休, capacity, idempotent regeneration; booking a
full slot, twice, blocked, a second slot of the same type and day; cancel, rebook; reminders;
no-shows and blocks; concurrency."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from zhengwu.core.calendar import add_workdays
from zhengwu.org.models import Hall, Window
from zhengwu.queueing.models import (
    Appointment,
    BookingBlock,
    BusinessType,
    ExtraSession,
    HallRules,
    OpeningPeriod,
    Slot,
    WindowSetup,
)
from zhengwu.queueing.services import booking, slots

T = dt.time


@pytest.fixture
def hall(district):
    h = Hall.objects.create(region=district, name="测试大厅", address="测试路1号")
    for wd in range(5):
        OpeningPeriod.objects.create(hall=h, weekday=wd, start=T(9), end=T(12))
        OpeningPeriod.objects.create(hall=h, weekday=wd, start=T(13, 30), end=T(17, 30))
    HallRules.objects.create(hall=h, slot_minutes=30, booking_days=7)
    return h


@pytest.fixture
def btype(hall):
    bt = BusinessType.objects.create(hall=hall, prefix="A", name="综合受理", service_minutes=10, appointment_share=50)
    for n in ("01", "02"):
        w = Window.objects.create(hall=hall, number=n, name=f"窗口{n}")
        WindowSetup.objects.create(window=w).business_types.add(bt)
    return bt


def test_generation_across_a_holiday(hall, btype):
    r = slots.generate(hall, today=dt.date(2026, 9, 30))  # Wed; Oct 1–7 国庆
    got = Slot.objects.filter(business_type=btype)
    assert r["created"] == 14 and {s.date for s in got} == {dt.date(2026, 9, 30)}
    assert {s.capacity for s in got} == {3}  # 30/10 × 2 windows × 50%


def test_generation_on_a_make_up_saturday_and_a_weekend_session(hall, btype):
    ExtraSession.objects.create(hall=hall, kind="weekend", weekday=6, start=T(9), end=T(11))
    slots.generate(hall, today=dt.date(2026, 10, 8))  # Thu 8, Fri 9, Sat 10 (调休上班), Sun 11 (周末办)…
    by_day = {}
    for s in Slot.objects.filter(business_type=btype):
        by_day.setdefault(s.date, []).append(s.session)
    assert len(by_day[dt.date(2026, 10, 10)]) == 14
    assert by_day[dt.date(2026, 10, 11)] == ["weekend"] * 4
    assert dt.date(2026, 10, 17) not in by_day  # an ordinary Saturday


def test_delayed_session_and_idempotent_regeneration(hall, btype):
    ExtraSession.objects.create(hall=hall, kind="delayed", date=dt.date(2026, 9, 30), start=T(17, 30), end=T(19))
    first = slots.generate(hall, today=dt.date(2026, 9, 30))
    assert first["created"] == 17
    assert slots.generate(hall, today=dt.date(2026, 9, 30)) == {"created": 0, "updated": 0, "removed": 0}
    s = Slot.objects.get(business_type=btype, date=dt.date(2026, 9, 30), start=T(9))
    Slot.objects.filter(pk=s.pk).update(booked=3)
    btype.windows.clear()  # nobody serves it any more: unbooked slots go, a booked one keeps its places
    slots.generate(hall, today=dt.date(2026, 9, 30))
    left = Slot.objects.filter(business_type=btype)
    assert [(x.start, x.capacity, x.booked) for x in left] == [(T(9), 3, 3)]


# -- booking ------------------------------------------------------------------------------------
@pytest.fixture
def slot(hall, btype):
    day = add_workdays(timezone.localdate(), 2)
    return Slot.objects.create(hall=hall, business_type=btype, date=day, start=T(9), end=T(9, 30), capacity=2)


def test_book_cancel_and_rebook(slot, make_citizen):
    alice = make_citizen()
    a = booking.book(user=alice, slot=slot, idempotency_key="k1")
    assert a.status == "booked" and a.code.startswith("Y")
    assert booking.book(user=alice, slot=slot, idempotency_key="k1").pk == a.pk  # a double submission
    slot.refresh_from_db()
    assert slot.booked == 1
    with pytest.raises(ValidationError, match="请勿重复预约"):
        booking.book(user=alice, slot=slot)
    other = Slot.objects.create(hall=slot.hall, business_type=slot.business_type, date=slot.date, start=T(10),
                                end=T(10, 30), capacity=1)
    new = booking.rebook(appointment=a, user=alice, slot=other)
    a.refresh_from_db(); slot.refresh_from_db(); other.refresh_from_db()
    assert (a.status, new.rebooked_from_id, slot.booked, other.booked) == ("cancelled", a.pk, 0, 1)
    bob = make_citizen(name="李四")
    with pytest.raises(ValidationError, match="约满"):
        booking.rebook(appointment=booking.book(user=bob, slot=slot), user=bob, slot=other)
    assert Appointment.objects.filter(user=bob, status="booked").count() == 1  # nothing half-done
    booking.cancel(appointment=new, user=alice)
    other.refresh_from_db()
    assert other.booked == 0
    with pytest.raises(ValidationError, match="已取消"):
        booking.cancel(appointment=new, user=alice)


def test_full_slot_and_closed_day(slot, make_citizen):
    slot.capacity = 1
    slot.save()
    booking.book(user=make_citizen(), slot=slot)
    with pytest.raises(ValidationError, match="该时段已约满"):
        booking.book(user=make_citizen(name="王五"), slot=slot)
    holiday = Slot.objects.create(hall=slot.hall, business_type=slot.business_type, date=dt.date(2026, 10, 1),
                                  start=T(9), end=T(9, 30), capacity=3)
    with pytest.raises(ValidationError, match="法定节假日"):
        booking.book(user=make_citizen(name="赵六"), slot=holiday)


def test_noshows_block_booking_and_staff_lift_it(slot, make_citizen, make_staff):
    alice = make_citizen()
    hr = HallRules.objects.get(hall=slot.hall)
    hr.noshow_limit = 2
    hr.save()
    other_type = BusinessType.objects.create(hall=slot.hall, prefix="B", name="企业开办")
    for i, bt in enumerate([slot.business_type, other_type]):  # one booking per type and day
        s = Slot.objects.create(hall=slot.hall, business_type=bt, date=slot.date,
                                start=T(13 + i), end=T(13 + i, 30), capacity=2)
        booking.book(user=alice, slot=s)
    later = timezone.make_aware(dt.datetime.combine(slot.date, T(16)))
    booking.send_reminders(now=later - dt.timedelta(days=1))
    assert alice.notifications.filter(title="预约提醒").count() == 2
    from zhengwu.cases.models import SmsMessage

    assert SmsMessage.objects.filter(body__contains="预约号").count() == 2
    assert "0 条" in booking.send_reminders(now=later - dt.timedelta(days=1))  # each booking once
    out = booking.mark_noshows(now=later)
    assert "标记 2" in out and "限制预约 1" in out
    block = BookingBlock.objects.get(user=alice)
    assert "爽约 2 次" in block.reason
    with pytest.raises(ValidationError, match="限制预约"):
        booking.book(user=alice, slot=slot)
    booking.lift_block(block=block, user=make_staff("supervisor"))
    assert booking.book(user=alice, slot=slot).status == "booked"


# -- one booking per person, business type and day ----------------------------------------------
def _slot(base, start, day=None, bt=None, capacity=3):
    """Another half-hour slot like ``base`` (same hall; its type and date unless given)."""
    end = (dt.datetime.combine(base.date, start) + dt.timedelta(minutes=30)).time()
    return Slot.objects.create(hall=base.hall, business_type=bt or base.business_type, date=day or base.date,
                               start=start, end=end, capacity=capacity)


def same_day_message(slot, start="09:00"):
    return (f"您已预约{slot.date.month}月{slot.date.day}日的综合受理（{start}），同一天同类业务只能预约一次；"
            "如需改时间请先取消或改约")


def test_one_live_booking_per_type_and_day(slot, make_citizen):
    alice = make_citizen()
    first = booking.book(user=alice, slot=slot)  # 09:00
    for start in (T(10), T(10, 30), T(13, 30)):
        later = _slot(slot, start)
        with pytest.raises(ValidationError) as exc:
            booking.book(user=alice, slot=later)
        assert exc.value.message_dict["slot_id"] == [same_day_message(slot)]
        later.refresh_from_db()
        assert later.booked == 0
    assert Appointment.objects.filter(user=alice).count() == 1
    # another type the same day, the same type another day, and someone else: all fine
    other_type = BusinessType.objects.create(hall=slot.hall, prefix="B", name="企业开办")
    assert booking.book(user=alice, slot=_slot(slot, T(10), bt=other_type)).status == "booked"
    next_day = add_workdays(slot.date, 1)
    assert booking.book(user=alice, slot=_slot(slot, T(10), day=next_day)).status == "booked"
    assert booking.book(user=make_citizen(name="李四"), slot=_slot(slot, T(11))).status == "booked"
    # a cancelled or missed booking no longer counts; a checked-in one does
    booking.cancel(appointment=first, user=alice)
    again = booking.book(user=alice, slot=_slot(slot, T(14)))
    Appointment.objects.filter(pk=again.pk).update(status="checked_in")
    with pytest.raises(ValidationError, match="同一天同类业务只能预约一次"):
        booking.book(user=alice, slot=_slot(slot, T(15)))
    Appointment.objects.filter(pk=again.pk).update(status="no_show")
    assert booking.book(user=alice, slot=_slot(slot, T(15, 30))).status == "booked"


def test_rebooking_within_the_day_still_works(slot, make_citizen):
    alice = make_citizen()
    a = booking.book(user=alice, slot=slot)
    later = _slot(slot, T(10))
    moved = booking.rebook(appointment=a, user=alice, slot=later)
    assert (moved.status, moved.slot_id, moved.rebooked_from_id) == ("booked", later.pk, a.pk)
    # but not onto a day where another booking of the type is live: nothing half-done
    next_day = add_workdays(slot.date, 1)
    b = booking.book(user=alice, slot=_slot(slot, T(9), day=next_day))
    with pytest.raises(ValidationError) as exc:
        booking.rebook(appointment=b, user=alice, slot=_slot(slot, T(11)))
    assert exc.value.message_dict["slot_id"] == [same_day_message(slot, "10:00")]
    b.refresh_from_db()
    assert b.status == "booked" and Appointment.objects.filter(user=alice, status="booked").count() == 2


def test_the_page_and_the_api_refuse_a_second_booking(slot, make_citizen):
    from django.test import Client

    from tests.helpers import ApiClient

    alice = make_citizen()
    booking.book(user=alice, slot=slot)
    later = _slot(slot, T(10))
    c = Client()
    c.force_login(alice)
    page = c.post(f"/yuyue/slots/{later.pk}/book/", {"idempotency_key": "second"}, follow=True).content.decode()
    assert same_day_message(slot) in page and "预约成功" not in page
    # the date's page says so before trying, with the way to 改约
    mine = Appointment.objects.get(user=alice)
    page = c.get(f"/yuyue/types/{slot.business_type_id}/?date={slot.date:%Y-%m-%d}").content.decode()
    assert 'id="booked-same-day"' in page and f"?rebook={mine.code}" in page
    r = ApiClient(alice).post("/api/v1/queueing/appointments", {"slot_id": later.pk})
    assert r.status_code == 400 and r.json()["errors"]["slot_id"] == [same_day_message(slot)]
    assert Appointment.objects.filter(user=alice).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks: PostgreSQL")
def test_one_person_booking_two_slots_of_a_day_at_once(hall, btype, make_citizen):
    day = add_workdays(timezone.localdate(), 2)
    pair = [Slot.objects.create(hall=hall, business_type=btype, date=day, start=T(h), end=T(h, 30), capacity=3)
            for h in (9, 10)]
    alice = make_citizen()
    barrier, results = threading.Barrier(2), []

    def go(s):
        from django.db import connection as conn

        barrier.wait()
        try:
            results.append(booking.book(user=alice, slot=s).code)
        except ValidationError as exc:
            results.append(exc.messages[0])
        finally:
            conn.close()

    threads = [threading.Thread(target=go, args=(s,)) for s in pair]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert Appointment.objects.filter(user=alice, status="booked").count() == 1
    assert sorted(r.startswith("Y") for r in results) == [False, True]
    assert sum(Slot.objects.filter(pk__in=[s.pk for s in pair]).values_list("booked", flat=True)) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks: PostgreSQL")
def test_two_people_booking_the_last_place(hall, btype, make_citizen):
    day = add_workdays(timezone.localdate(), 2)
    last = Slot.objects.create(hall=hall, business_type=btype, date=day, start=T(9), end=T(9, 30), capacity=1)
    people = [make_citizen(), make_citizen(name="李四")]
    barrier, results = threading.Barrier(2), []

    def go(user):
        from django.db import connection as conn

        barrier.wait()
        try:
            results.append(booking.book(user=user, slot=last).code)
        except ValidationError as exc:
            results.append(exc.messages[0])
        finally:
            conn.close()

    threads = [threading.Thread(target=go, args=(u,)) for u in people]
    [t.start() for t in threads]
    [t.join() for t in threads]
    last.refresh_from_db()
    assert last.booked == 1 and Appointment.objects.filter(slot=last).count() == 1
    assert sorted(r.startswith("Y") for r in results) == [False, True]
    assert "该时段已约满，请选择其他时段" in results


assert connection  # used by the skipif string
