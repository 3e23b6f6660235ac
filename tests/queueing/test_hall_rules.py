"""The pure rules of the hall part: open periods across holidays, 调休, 延时办/周末办; slots; capacity;
no-shows; validation helpers."""

import datetime as dt

from zhengwu.queueing import hall_rules as r

T = dt.time
WEEKLY = {wd: [(T(9), T(12)), (T(13, 30), T(17, 30))] for wd in range(5)}
WORK, REST, HOLIDAY = r.DayKind(True, False), r.DayKind(False, False), r.DayKind(False, True)


def slots(day, kind, extras=(), **kw):
    args = {"business_type_id": 1, "slot_minutes": 30, "service_minutes": 10, "windows": 2, "share_percent": 50}
    return r.day_slots(day, kind, WEEKLY, list(extras), **{**args, **kw})


def test_a_working_day_has_the_weekly_periods_cut_into_slots():
    got = slots(dt.date(2026, 9, 30), WORK)
    assert len(got) == 6 + 8
    assert (got[0].start, got[0].end, got[-1].end) == (T(9), T(9, 30), T(17, 30))
    assert {s.session for s in got} == {"normal"}


def test_a_holiday_is_closed_even_with_a_weekend_session():
    sat = r.Extra(kind=r.WEEKEND, start=T(9), end=T(12), weekday=5)
    dated = r.Extra(kind=r.WEEKEND, start=T(9), end=T(12), date=dt.date(2026, 10, 1))
    assert slots(dt.date(2026, 10, 1), HOLIDAY, [dated]) == []
    assert slots(dt.date(2026, 10, 3), HOLIDAY, [sat]) == []


def test_a_rest_day_opens_only_through_a_weekend_session():
    sat = r.Extra(kind=r.WEEKEND, start=T(9), end=T(12), weekday=5)
    assert slots(dt.date(2026, 9, 26), REST) == []
    got = slots(dt.date(2026, 9, 26), REST, [sat])
    assert len(got) == 6 and got[0].session == "weekend"
    assert slots(dt.date(2026, 9, 27), REST, [sat]) == []  # Sunday: the session is for Saturdays


def test_a_make_up_working_saturday_keeps_normal_hours():
    # 2026-10-10 is a Saturday worked for the National Day holiday (调休): Monday's hours apply.
    got = slots(dt.date(2026, 10, 10), WORK)
    assert len(got) == 14 and {s.session for s in got} == {"normal"}


def test_delayed_session_adds_its_hours_on_working_days_only():
    late = r.Extra(kind=r.DELAYED, start=T(17, 30), end=T(19), weekday=2)
    wed = slots(dt.date(2026, 9, 30), WORK, [late])
    assert len(wed) == 14 + 3 and wed[-1].session == "delayed" and wed[-1].end == T(19)
    assert len(slots(dt.date(2026, 10, 1), HOLIDAY, [late])) == 0
    only_b = r.Extra(kind=r.DELAYED, start=T(17, 30), end=T(19), weekday=2, business_type_ids=frozenset({2}))
    assert len(slots(dt.date(2026, 9, 30), WORK, [only_b])) == 14


def test_overlapping_periods_do_not_repeat_a_start():
    early = r.Extra(kind=r.DELAYED, start=T(17), end=T(18), weekday=2)
    starts = [s.start for s in slots(dt.date(2026, 9, 30), WORK, [early])]
    assert len(starts) == len(set(starts))


def test_capacity():
    assert r.capacity(30, 10, 2, 50) == 3  # 30/10 × 2 × 50%
    assert r.capacity(30, 20, 1, 50) == 1  # 0.75 → at least one when a window serves it
    assert r.capacity(30, 10, 0, 50) == 0
    assert r.capacity(30, 10, 3, 0) == 0
    assert r.capacity(60, 7, 4, 30) == 10  # floor(60/7 × 4 × 0.3) = floor(10.28)
    assert slots(dt.date(2026, 9, 30), WORK, windows=0) == []


def test_split_keeps_a_half_slot_remainder_only():
    assert r.split(T(9), T(10, 10), 30) == [(T(9), T(9, 30)), (T(9, 30), T(10))]
    assert r.split(T(9), T(10, 15), 30)[-1] == (T(10), T(10, 15))
    assert r.split(T(9), T(10, 20), 40) == [(T(9), T(9, 40)), (T(9, 40), T(10, 20))]


def test_regenerated_capacity_never_below_booked():
    assert r.regenerated_capacity(2, 5) == 5
    assert r.regenerated_capacity(6, 5) == 6


def test_noshow_block_rule():
    today = dt.date(2026, 10, 20)
    dates = [today - dt.timedelta(days=d) for d in (0, 10, 29)]
    assert r.should_block(dates, today, 3, 30)
    assert not r.should_block(dates, today, 3, 29)  # the oldest is outside 29 days
    assert not r.should_block(dates[:2], today, 3, 30)
    assert r.block_until(today, 30) == dt.date(2026, 11, 19)


def test_booking_refusals():
    now = dt.datetime(2026, 10, 20, 10, tzinfo=dt.UTC)
    later = now + dt.timedelta(hours=1)
    assert r.booking_refusal(now=now, slot_start_at=later, capacity=2, booked=1, blocked_until=None) is None
    assert "约满" in r.booking_refusal(now=now, slot_start_at=later, capacity=2, booked=2, blocked_until=None)
    assert "已开始" in r.booking_refusal(now=now, slot_start_at=now, capacity=2, booked=0, blocked_until=None)
    msg = r.booking_refusal(now=now, slot_start_at=later, capacity=2, booked=0, blocked_until=dt.date(2026, 11, 1),
                            block_reason="30 天内爽约 3 次")
    assert "限制预约" in msg and "爽约 3 次" in msg


def test_state_table_and_validation():
    assert r.refusal("booked", "cancel") is None
    assert r.refusal("cancelled", "cancel") == "该预约已取消，不能取消"
    assert r.refusal("no_show", "rebook") == "该预约爽约，不能改约"
    assert r.period_errors(T(12), T(9)) == {"end": "结束时间须晚于开始时间（12:00）"}
    assert r.overlap([(T(9), T(12))], T(11), T(13)) == (T(9), T(12))
    assert r.overlap([(T(9), T(12))], T(12), T(13)) is None
    assert r.prefix_error("A") is None and r.prefix_error("a1") is not None and r.prefix_error("ABC") is not None
    code = r.new_code(dt.date(2026, 12, 7))
    assert code.startswith("Y261207") and len(code) == 13
