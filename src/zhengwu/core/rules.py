"""Pure rules of the working-day calendar (工作日). No ORM: unit-tested on their own.

A *calendar* here is two frozensets: ``holidays`` (dates that are days off although they fall on
Monday–Friday, or any statutory holiday) and ``workdays`` (make-up working days, 调休上班, that
fall on a weekend). Everything else follows the week: Monday–Friday work, weekends off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

ONE_DAY = dt.timedelta(days=1)


def is_workday(day: dt.date, holidays: Collection[dt.date], workdays: Collection[dt.date]) -> bool:
    if day in holidays:
        return False
    if day in workdays:
        return True
    return day.weekday() < 5


def add_workdays(
    start: dt.date, n: int, holidays: Collection[dt.date], workdays: Collection[dt.date]
) -> dt.date:
    """The n-th working day after ``start`` (``start`` itself not counted).

    This is how a 承诺时限 of n 工作日 runs from the day a case is accepted: accepted on a
    Friday with n=1 gives the next Monday. ``n == 0`` returns ``start``; a negative ``n`` counts
    backwards.
    """
    step = ONE_DAY if n >= 0 else -ONE_DAY
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if is_workday(day, holidays, workdays):
            remaining -= 1
    return day


def workdays_between(
    a: dt.date, b: dt.date, holidays: Collection[dt.date], workdays: Collection[dt.date]
) -> int:
    """Working days in the half-open interval (a, b]; negative when b is before a.

    The inverse of :func:`add_workdays`: ``workdays_between(a, add_workdays(a, n)) == n``.
    """
    if b == a:
        return 0
    if b < a:
        return -workdays_between(b, a, holidays, workdays)
    # Whole weeks contribute five Monday–Friday days; then correct by the exceptions.
    days = (b - a).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    day = a + dt.timedelta(days=weeks * 7)
    for _ in range(rest):
        day += ONE_DAY
        if day.weekday() < 5:
            count += 1
    for h in holidays:
        if a < h <= b and h.weekday() < 5:
            count -= 1
    for w in workdays:
        if a < w <= b and w.weekday() >= 5:
            count += 1
    return count
