"""Pure rules of the hall part (no ORM): which hours a hall is open on a date (and whether 远程取号
is open at a moment, with the hours said in one line), the 预约 slots of a day and their capacity,
the appointment state table, no-shows and blocks, and the validation of hall settings. Unit-tested
alone (tests/queueing/test_hall_rules.py, test_remote_ticket_hours.py)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

NORMAL, DELAYED, WEEKEND = "normal", "delayed", "weekend"
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
PREFIX_RE = re.compile(r"^[A-Z]{1,2}$")


@dataclass(frozen=True)
class Extra:
    """A 延时办 / 周末办 session as the rules see it (``business_type_ids`` empty: every type)."""

    kind: str  # DELAYED or WEEKEND
    start: dt.time
    end: dt.time
    date: dt.date | None = None
    weekday: int | None = None
    business_type_ids: frozenset[int] = field(default_factory=frozenset)

    def applies(self, day: dt.date, business_type_id: int | None = None) -> bool:
        if self.date is not None:
            if self.date != day:
                return False
        elif self.weekday is None or self.weekday != day.weekday():
            return False
        return not self.business_type_ids or business_type_id is None or business_type_id in self.business_type_ids


@dataclass(frozen=True)
class DayKind:
    workday: bool  # from core.calendar (a 调休 Saturday is one)
    holiday: bool  # a statutory holiday: closed whatever the sessions say


def normal_periods(weekday: int, weekly: Mapping[int, list[tuple[dt.time, dt.time]]]) -> list[tuple[dt.time, dt.time]]:
    """The working-day hours of ``weekday``. A working day whose weekday has no periods (a 调休
    Saturday or Sunday) keeps the hours of the first weekday that has some (Monday's, usually):
    the State Council makes it a normal working day."""
    if weekly.get(weekday):
        return sorted(weekly[weekday])
    for wd in range(7):
        if weekly.get(wd):
            return sorted(weekly[wd])
    return []


def open_periods(day: dt.date, kind: DayKind, weekly: Mapping[int, list[tuple[dt.time, dt.time]]],
                 extras: Iterable[Extra], business_type_id: int | None = None) -> list[tuple[dt.time, dt.time, str]]:
    """The hall's open periods on ``day`` for a business type: (start, end, session), by start.

    Working day: the weekly periods plus the 延时办 sessions that apply. Rest day: only the 周末办
    sessions that apply. Statutory holiday: closed."""
    if kind.holiday:
        return []
    out: list[tuple[dt.time, dt.time, str]] = []
    if kind.workday:
        out += [(s, e, NORMAL) for s, e in normal_periods(day.weekday(), weekly)]
        out += [(x.start, x.end, DELAYED) for x in extras if x.kind == DELAYED and x.applies(day, business_type_id)]
    else:
        out += [(x.start, x.end, WEEKEND) for x in extras if x.kind == WEEKEND and x.applies(day, business_type_id)]
    return sorted(out)


def is_open_at(moment: dt.datetime, kind: DayKind, weekly: Mapping[int, list[tuple[dt.time, dt.time]]],
               extras: Iterable[Extra], business_type_id: int | None = None) -> bool:
    """Whether ``moment`` (local wall time) falls in one of the day's open periods (start included,
    end excluded) for the business type."""
    t = moment.time()
    return any(s <= t < e for s, e, _session in open_periods(moment.date(), kind, weekly, extras, business_type_id))


def clock(t: dt.time) -> str:
    """9:00, 13:30: how the hours are written for the public."""
    return f"{t.hour}:{t.minute:02d}"


def weekday_names(weekdays: Iterable[int]) -> str:
    """周一至周五; 周一、周三; 周六: runs of three or more consecutive days joined with 至."""
    days = sorted(set(weekdays))
    runs: list[list[int]] = []
    for d in days:
        if runs and runs[-1][-1] == d - 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAYS[run[0]]}至{WEEKDAYS[run[-1]]}")
        else:
            parts += [WEEKDAYS[d] for d in run]
    return "、".join(parts)


def describe_hours(weekly: Mapping[int, list[tuple[dt.time, dt.time]]], extras: Iterable[Extra] = (),
                   business_type_id: int | None = None) -> str:
    """The hall's hours in one line: ``周一至周五 9:00—12:00、13:30—17:30；周三延时办 17:30—19:00``.
    Weekdays with the same periods are grouped; weekly 延时办/周末办 sessions of the business type
    follow (one-off dated sessions are left out)."""
    groups: dict[tuple, list[int]] = {}
    for wd in sorted(weekly):
        if weekly[wd]:
            groups.setdefault(tuple(sorted(weekly[wd])), []).append(wd)
    parts = [f"{weekday_names(days)} " + "、".join(f"{clock(s)}—{clock(e)}" for s, e in periods)
             for periods, days in groups.items()]
    label = {DELAYED: "延时办", WEEKEND: "周末办"}
    for x in sorted((x for x in extras if x.date is None and x.weekday is not None
                     and (not x.business_type_ids or business_type_id is None
                          or business_type_id in x.business_type_ids)),
                    key=lambda x: (x.weekday, x.start)):
        parts.append(f"{WEEKDAYS[x.weekday]}{label.get(x.kind, '')} {clock(x.start)}—{clock(x.end)}")
    return "；".join(parts)


def remote_ticket_refusal(moment: dt.datetime, kind: DayKind, weekly: Mapping[int, list[tuple[dt.time, dt.time]]],
                          extras: Iterable[Extra], business_type_id: int | None = None) -> str | None:
    """Why 远程取号 is refused at ``moment`` (local wall time), None when the hall is open for the
    business type then. A hall whose hours were never set (no weekly periods, no sessions) is not
    restricted: nothing says when it is closed."""
    extras = list(extras)
    if not any(weekly.values()) and not extras:
        return None
    if is_open_at(moment, kind, weekly, extras, business_type_id):
        return None
    hours = describe_hours(weekly, extras, business_type_id) or "以大厅公告为准"
    if kind.holiday:
        lead = f"今天（{moment.month}月{moment.day}日）是法定节假日，大厅不办公"
    elif not kind.workday and not open_periods(moment.date(), kind, weekly, extras, business_type_id):
        lead = "今天是休息日，大厅不办公"
    else:
        lead = "大厅现在不在办公时间"
    return f"{lead}（{hours}），请在办公时间取号或预约办理"


def _minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def _time(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


def split(start: dt.time, end: dt.time, slot_minutes: int) -> list[tuple[dt.time, dt.time]]:
    """A period cut into slots of ``slot_minutes``; a remainder of at least half a slot is a shorter
    last slot, a smaller one is dropped (nobody books the last ten minutes before closing)."""
    a, b = _minutes(start), _minutes(end)
    out = []
    while a < b:
        e = min(a + slot_minutes, b)
        if e - a >= slot_minutes or (e - a) * 2 >= slot_minutes:
            out.append((_time(a), _time(e)))
        a = e
    return out


def capacity(slot_minutes: int, service_minutes: int, windows: int, share_percent: int) -> int:
    """号源数 of one slot: floor(slot ÷ service time × windows × share%), at least 1 when any window
    serves the type and some share is for appointments."""
    if windows <= 0 or share_percent <= 0 or slot_minutes <= 0:
        return 0
    n = (slot_minutes * windows * share_percent) // (max(service_minutes, 1) * 100)
    return max(n, 1)


@dataclass(frozen=True)
class SlotPlan:
    date: dt.date
    start: dt.time
    end: dt.time
    capacity: int
    session: str


def day_slots(day: dt.date, kind: DayKind, weekly, extras, *, business_type_id: int | None, slot_minutes: int,
              service_minutes: int, windows: int, share_percent: int) -> list[SlotPlan]:
    """Every slot of a business type on ``day`` (none when closed or no window serves the type).
    Overlapping periods (a 延时办 session starting before closing) never give the same start twice."""
    out: dict[dt.time, SlotPlan] = {}
    for start, end, session in open_periods(day, kind, weekly, extras, business_type_id):
        for s, e in split(start, end, slot_minutes):
            cap = capacity(_minutes(e) - _minutes(s), service_minutes, windows, share_percent)
            if cap and s not in out:
                out[s] = SlotPlan(day, s, e, cap, session)
    return [out[k] for k in sorted(out)]


def booking_dates(today: dt.date, booking_days: int) -> list[dt.date]:
    """The dates one may book: today and the following days, ``booking_days`` in all."""
    return [today + dt.timedelta(days=i) for i in range(max(booking_days, 0))]


def regenerated_capacity(planned: int, booked: int) -> int:
    """A regenerated slot never drops below what is already booked in it."""
    return max(planned, booked)


# -- appointments --------------------------------------------------------------------------------
BOOKED, CANCELLED, CHECKED_IN, NO_SHOW = "booked", "cancelled", "checked_in", "no_show"
STATE_LABELS = {BOOKED: "已预约", CANCELLED: "已取消", CHECKED_IN: "已签到", NO_SHOW: "爽约"}
# action → (sources, target)
TRANSITIONS = {
    "cancel": ({BOOKED}, CANCELLED),
    "rebook": ({BOOKED}, CANCELLED),
    "check_in": ({BOOKED}, CHECKED_IN),
    "no_show": ({BOOKED}, NO_SHOW),
}
ACTION_LABELS = {"cancel": "取消", "rebook": "改约", "check_in": "签到", "no_show": "标记爽约"}


LIVE = (BOOKED, CHECKED_IN)  # what holds a place: one such booking per person, business type and day


def same_day_refusal(day: dt.date, start: dt.time, business_type_name: str) -> str:
    """A second booking of a type on a day the person already holds one of (like 远程取号's one
    ticket per type and day): cancel or 改约 the first instead."""
    return (f"您已预约{day.month}月{day.day}日的{business_type_name}（{start:%H:%M}），同一天同类业务只能预约一次；"
            "如需改时间请先取消或改约")


def refusal(state: str, action: str) -> str | None:
    """None when ``action`` may be taken in ``state``; else the Chinese reason."""
    sources, _target = TRANSITIONS[action]
    if state in sources:
        return None
    return f"该预约{STATE_LABELS.get(state, state)}，不能{ACTION_LABELS[action]}"


def slot_start(day: dt.date, start: dt.time, tz) -> dt.datetime:
    return dt.datetime.combine(day, start, tzinfo=tz)


def booking_refusal(*, now: dt.datetime, slot_start_at: dt.datetime, capacity: int, booked: int,
                    blocked_until: dt.date | None, block_reason: str = "") -> str | None:
    """Why a slot may not be booked now (None: it may)."""
    if blocked_until is not None:
        return f"您已被限制预约至 {blocked_until:%Y年%m月%d日}：{block_reason}"
    if slot_start_at <= now:
        return "该时段已开始或已过去，请选择其他时段"
    if booked >= capacity:
        return "该时段已约满，请选择其他时段"
    return None


def noshow_deadline(slot_start_at: dt.datetime, checkin_after_minutes: int) -> dt.datetime:
    """After this moment a BOOKED appointment is a no-show (爽约)."""
    return slot_start_at + dt.timedelta(minutes=checkin_after_minutes)


def checkin_window(slot_start_at: dt.datetime, before_minutes: int, after_minutes: int) -> tuple[dt.datetime, dt.datetime]:
    return (slot_start_at - dt.timedelta(minutes=before_minutes), slot_start_at + dt.timedelta(minutes=after_minutes))


def should_block(noshow_dates: Iterable[dt.date], today: dt.date, limit: int, days: int) -> bool:
    """``limit`` no-shows within the last ``days`` days (today included) block booking."""
    if limit <= 0:
        return False
    since = today - dt.timedelta(days=days - 1)
    return sum(1 for d in noshow_dates if since <= d <= today) >= limit


def block_reason(count: int, days: int) -> str:
    return f"{days} 天内爽约 {count} 次"


def block_until(today: dt.date, block_days: int) -> dt.date:
    return today + dt.timedelta(days=block_days)


CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud and typed at a kiosk


def new_code(day: dt.date) -> str:
    """预约号: Y + the slot's date + 6 random characters, e.g. Y261207K7Q2M9 (13 characters)."""
    return f"Y{day:%y%m%d}" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


# -- validation of hall settings ------------------------------------------------------------------
def period_errors(start: dt.time | None, end: dt.time | None, field_start: str = "start",
                  field_end: str = "end") -> dict[str, str]:
    if start is None:
        return {field_start: "开始时间不能为空，格式如 09:00"}
    if end is None:
        return {field_end: "结束时间不能为空，格式如 12:00"}
    if end <= start:
        return {field_end: f"结束时间须晚于开始时间（{start:%H:%M}）"}
    return {}


def overlap(periods: Iterable[tuple[dt.time, dt.time]], start: dt.time, end: dt.time) -> tuple[dt.time, dt.time] | None:
    """The first of ``periods`` that overlaps [start, end) (touching ends do not overlap)."""
    for s, e in periods:
        if start < e and s < end:
            return (s, e)
    return None


def prefix_error(prefix: str) -> str | None:
    if not PREFIX_RE.match(prefix or ""):
        return "号码字头须为一至两个大写英文字母，例如 A 或 AB"
    return None
