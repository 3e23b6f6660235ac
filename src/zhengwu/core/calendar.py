"""The platform's one working-day calendar (工作日历).

Data: statutory holidays and make-up working days (调休) from ``chinese-calendar``, plus the
:class:`~zhengwu.core.models.CalendarOverride` table that administrators fill when the State
Council publishes a new year (国务院办公厅关于节假日安排的通知), plus
:class:`~zhengwu.core.models.CalendarYear` rows that mark such a year as verified.

A year that neither source covers is *unpublished*. From 2025 on its statutory holidays (《全国年节
及纪念日放假办法》第二条, :mod:`.calendar_statutory`) are known and counted as days off; only its
调休 (make-up working days, bridging days, 补假) is unknown, so every other day falls back to
Monday–Friday. Such a year is "statutory-only" (:meth:`WorkCalendar.year_status`), unverified: the
answer is still given (never an exception), a warning is logged once per year and process, the
admin dashboard shows it and pages showing a due date in it say the date may still move.

Lookups are served from precomputed sets and a per-day ordinal table, so ``is_workday`` costs
well under a microsecond and ``add_workdays`` / ``workdays_between`` are O(1) inside the
precomputed range. Every web and worker process keeps its own copy; a change to the override
table is seen by the process that made it at once (signal) and by the others within
``REFRESH_SECONDS`` (they compare a cheap fingerprint of the table).
"""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import threading
import time
from dataclasses import dataclass

from . import calendar_statutory as statutory
from . import rules

logger = logging.getLogger(__name__)

REFRESH_SECONDS = 30.0


def _library_data() -> tuple[set[dt.date], set[dt.date], set[int]]:
    """Holidays and make-up workdays shipped with chinese-calendar, and the years it covers."""
    from chinese_calendar import constants

    holidays = set(constants.holidays)
    workdays = set(constants.workdays)
    years = {d.year for d in holidays} | {d.year for d in workdays}
    return holidays, workdays, years


@dataclass(frozen=True)
class CheckResult:
    day: dt.date
    is_workday: bool
    verified: bool
    reason: str  # 法定节假日 / 调休上班 / 周末 / 工作日, with the override's note if any
    status: str = statutory.STATUS_PUBLISHED  # of the day's year: published / statutory / weekdays


class WorkCalendar:
    """An immutable snapshot of the calendar with O(1) lookups."""

    def __init__(
        self,
        holidays: set[dt.date],
        workdays: set[dt.date],
        verified_years: set[int],
        notes: dict[dt.date, str] | None = None,
        with_statutory: bool = True,
    ) -> None:
        notes = dict(notes or {})
        holidays = set(holidays)
        self.statutory_years: frozenset[int] = frozenset()
        if with_statutory:
            # Unpublished years get 第二条's days off; an explicit 上班 override still wins.
            filled = set()
            for year in range(statutory.FIRST_YEAR, statutory.LAST_YEAR + 1):
                if year in verified_years:
                    continue
                filled.add(year)
                for day, name in statutory.statutory_holidays(year).items():
                    if day not in workdays and day not in holidays:
                        holidays.add(day)
                        notes.setdefault(day, f"{name}（法定节假日，{statutory.SOURCE}；调休待公布）")
            self.statutory_years = frozenset(filled)
        self.holidays = frozenset(holidays)
        self.workdays = frozenset(workdays)
        self.verified_years = frozenset(verified_years)
        self.notes = notes
        years = sorted(verified_years) or [dt.date.today().year]
        # Precompute a little beyond the data so that deadlines running into next year are O(1).
        self.first = dt.date(min(years) - 1, 1, 1)
        self.last = dt.date(max(max(years), dt.date.today().year) + 3, 12, 31)
        self._cum: dict[dt.date, int] = {}
        self._by_count: list[dt.date] = []
        count = 0
        day = self.first
        while day <= self.last:
            if rules.is_workday(day, self.holidays, self.workdays):
                count += 1
                self._by_count.append(day)
            self._cum[day] = count
            day += rules.ONE_DAY
        self._warned: set[int] = set()

    # -- lookups -------------------------------------------------------------------------
    def is_workday(self, day: dt.date) -> bool:
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        if day.year not in self.verified_years:
            self._warn_unverified(day.year)
        return day.weekday() < 5

    def is_verified(self, day_or_year: dt.date | int) -> bool:
        year = day_or_year if isinstance(day_or_year, int) else day_or_year.year
        return year in self.verified_years

    def year_status(self, day_or_year: dt.date | int) -> str:
        """published (the notice is in), statutory (only 第二条's holidays: 调休 unknown) or
        weekdays (nothing known, Monday–Friday)."""
        year = day_or_year if isinstance(day_or_year, int) else day_or_year.year
        if year in self.verified_years:
            return statutory.STATUS_PUBLISHED
        if year in self.statutory_years:
            return statutory.STATUS_STATUTORY
        return statutory.STATUS_WEEKDAYS

    def may_move(self, *days: dt.date | None) -> bool:
        """Whether a date computed over ``days`` may still move when a notice is published: any
        year from the first to the last of them is not published yet."""
        known = [d for d in days if d is not None]
        if not known:
            return False
        return any(y not in self.verified_years for y in range(min(known).year, max(known).year + 1))

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        if n == 0:
            return start
        cum = self._cum
        if start in cum:
            if n > 0:
                k = cum[start] + n
            else:
                k = cum[start - rules.ONE_DAY] + n + 1 if start > self.first else 0
            if 1 <= k <= len(self._by_count):
                result = self._by_count[k - 1]
                self._check_span(start, result)
                return result
        result = rules.add_workdays(start, n, self.holidays, self.workdays)
        self._check_span(start, result)
        return result

    def workdays_between(self, a: dt.date, b: dt.date) -> int:
        self._check_span(a, b)
        cum = self._cum
        if a in cum and b in cum:
            return cum[b] - cum[a]
        return rules.workdays_between(a, b, self.holidays, self.workdays)

    def check(self, day: dt.date) -> CheckResult:
        work = self.is_workday(day)
        if day in self.notes:
            reason = self.notes[day]
        elif day in self.holidays:
            reason = "法定节假日"
        elif day in self.workdays:
            reason = "调休上班"
        elif day.weekday() >= 5:
            reason = "周末"
        else:
            reason = "工作日"
        return CheckResult(day, work, self.is_verified(day), reason, self.year_status(day))

    def unverified_years(self, years: range | list[int]) -> list[int]:
        return [y for y in years if y not in self.verified_years]

    def next_workday_on_or_after(self, day: dt.date) -> dt.date:
        i = bisect.bisect_left(self._by_count, day)
        if i < len(self._by_count):
            return self._by_count[i]
        while not self.is_workday(day):
            day += rules.ONE_DAY
        return day

    # -- warnings ------------------------------------------------------------------------
    def _check_span(self, a: dt.date, b: dt.date) -> None:
        lo, hi = (a, b) if a <= b else (b, a)
        for year in range(lo.year, hi.year + 1):
            if year not in self.verified_years:
                self._warn_unverified(year)

    def _warn_unverified(self, year: int) -> None:
        if year not in self._warned:
            self._warned.add(year)
            if year in self.statutory_years:
                logger.warning(
                    "工作日历: %s 年的放假安排尚未公布（未核实）：已按《全国年节及纪念日放假办法》第二条计入法定节假日，"
                    "调休未知。通知发布后请在管理后台“录入年度放假通知”。",
                    year,
                )
            else:
                logger.warning(
                    "工作日历: %s 年没有节假日数据，按周一至周五计算（未核实）。"
                    "请在管理后台录入该年的节假日和调休安排并标记为已核实。",
                    year,
                )


_lock = threading.Lock()
_current: WorkCalendar | None = None
_fingerprint: tuple | None = None
_next_check = 0.0


def _db_fingerprint() -> tuple:
    from django.db.models import Count, Max

    from .models import CalendarOverride, CalendarYear

    o = CalendarOverride.objects.aggregate(n=Count("pk"), t=Max("updated_at"))
    y = CalendarYear.objects.aggregate(n=Count("pk"), t=Max("updated_at"))
    return (o["n"], o["t"], y["n"], y["t"])


def build() -> WorkCalendar:
    """Build a snapshot from chinese-calendar plus the override tables."""
    from .models import CalendarOverride, CalendarYear

    holidays, workdays, years = _library_data()
    notes: dict[dt.date, str] = {}
    for o in CalendarOverride.objects.all().only("date", "kind", "note"):
        holidays.discard(o.date)
        workdays.discard(o.date)
        (holidays if o.kind == CalendarOverride.Kind.HOLIDAY else workdays).add(o.date)
        if o.note:
            notes[o.date] = o.note
    for y in CalendarYear.objects.all().only("year", "verified"):
        if y.verified:
            years.add(y.year)
        else:
            years.discard(y.year)
    return WorkCalendar(holidays, workdays, years, notes)


def get_calendar() -> WorkCalendar:
    """The current snapshot, rebuilt when the override tables changed."""
    global _current, _fingerprint, _next_check
    now = time.monotonic()
    cal = _current
    if cal is not None and now < _next_check:
        return cal
    with _lock:
        if _current is not None and now < _next_check:
            return _current
        fp = _db_fingerprint()
        if _current is None or fp != _fingerprint:
            _current = build()
            _fingerprint = fp
        _next_check = now + REFRESH_SECONDS
        return _current


def invalidate() -> None:
    global _next_check
    _next_check = 0.0


# Module-level API (what the rest of the platform calls).
def is_workday(day: dt.date) -> bool:
    return get_calendar().is_workday(day)


def add_workdays(start: dt.date, n: int) -> dt.date:
    return get_calendar().add_workdays(start, n)


def workdays_between(a: dt.date, b: dt.date) -> int:
    return get_calendar().workdays_between(a, b)


def check(day: dt.date) -> CheckResult:
    return get_calendar().check(day)


def due_date_note(due: dt.date | None, start: dt.date | None = None, cal: WorkCalendar | None = None) -> str:
    """What a page says beside a due date computed over a year whose notice is not published
    yet ("" otherwise): the date counts the statutory holidays but not the 调休 to come."""
    cal = cal or get_calendar()
    if due is None or not cal.may_move(start, due):
        return ""
    lo = min(d for d in (start, due) if d is not None)
    years = [y for y in range(lo.year, due.year + 1) if y not in cal.verified_years]
    return f"{'、'.join(str(y) for y in years)}年放假安排尚未公布，该日期可能在通知发布后变动"
