"""Time the working-day calendar's lookups (run: .venv/bin/python bench/calendar_lookups.py).

Prints nanoseconds per call, best of three runs of a million calls each.
"""

import datetime as dt
import os
import timeit

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
django.setup()

from zhengwu.core import calendar  # noqa: E402

cal = calendar.get_calendar()
day, end = dt.date(2026, 10, 8), dt.date(2026, 12, 31)
N = 1_000_000
for name, fn in [
    ("WorkCalendar.is_workday", lambda: cal.is_workday(day)),
    ("calendar.is_workday (module API, freshness check included)", lambda: calendar.is_workday(day)),
    ("WorkCalendar.add_workdays(day, 20)", lambda: cal.add_workdays(day, 20)),
    ("WorkCalendar.workdays_between", lambda: cal.workdays_between(day, end)),
]:
    best = min(timeit.repeat(fn, number=N, repeat=3))
    print(f"{name:60s} {best / N * 1e9:7.0f} ns/call")
