"""Demo ticket history for the 效能监察 figures: ``load_history(stdout)`` gives the demo hall 30 days
of served tickets (its business types and windows, plausible waits and service times, some
no-shows, a few overtime waits) and rolls those days up. Idempotent: a day that already has
tickets in the hall is left alone. `zhengwu demo` runs it after every app's demo (not with ``--no-history``).

:func:`synth_day` is shared with the bench generator (``zhengwu_bench.hall_tickets``).
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

DEMO_REGION = "410105000000"
DAYS = 30
# Tickets issued per hour of the day (relative): the morning and afternoon peaks of a hall.
HOUR_WEIGHTS = {9: 10, 10: 12, 11: 8, 13: 3, 14: 10, 15: 11, 16: 8, 17: 3}
NO_SHOW_SHARE = 0.04
OVERTIME_SHARE = 0.03


def _wait_minutes(rnd: random.Random, threshold: int) -> float:
    if rnd.random() < OVERTIME_SHARE:
        return threshold + rnd.uniform(1, 25)  # a few over the 超时等待 threshold
    return min(threshold - 1, rnd.lognormvariate(2.0, 0.6))  # median ~7 min, most within 3–20


def synth_day(rnd: random.Random, day: dt.date, types: Sequence[tuple[int, str, int]],
              windows: dict[int, list[int]], count: int, *, threshold: int = 30, hall_id: int,
              start_number: dict[int, int] | None = None) -> list:
    """``count`` finished tickets of one day: (business type id, prefix, service minutes) drawn
    evenly, issued by ``HOUR_WEIGHTS``, called after a wait, served at one of the type's windows
    (``windows[type id]``) or marked no-show. Returns unsaved ``Ticket`` objects numbered per type."""
    from .models import Ticket

    tz = timezone.get_current_timezone()
    hours, weights = list(HOUR_WEIGHTS), list(HOUR_WEIGHTS.values())
    numbers = dict(start_number or {})
    out = []
    for _ in range(count):
        bt_id, prefix, service = types[rnd.randrange(len(types))]
        hour = rnd.choices(hours, weights)[0]
        minute = rnd.randrange(30, 60) if hour == 13 else rnd.randrange(0, 30 if hour == 17 else 60)  # 13:30–17:30
        issued = dt.datetime.combine(day, dt.time(hour, minute, rnd.randrange(60)), tzinfo=tz)
        called = issued + dt.timedelta(minutes=_wait_minutes(rnd, threshold))
        window_choices = windows.get(bt_id) or [None]
        window = window_choices[rnd.randrange(len(window_choices))]
        numbers[bt_id] = n = numbers.get(bt_id, 0) + 1
        if rnd.random() < NO_SHOW_SHARE:
            status, started, ended = Ticket.Status.NO_SHOW, None, None
        else:
            status = Ticket.Status.DONE
            started = called + dt.timedelta(seconds=rnd.randrange(20, 120))
            ended = started + dt.timedelta(minutes=max(1.0, rnd.gauss(service, service / 3)))
        out.append(Ticket(hall_id=hall_id, business_type_id=bt_id, day=day, number=n, display=f"{prefix}{n:03d}",
                          source=rnd.choice(("kiosk", "kiosk", "kiosk", "remote", "appointment")), status=status,
                          window_id=window, issued_at=issued, called_at=called, call_count=1, started_at=started,
                          ended_at=ended))
    out.sort(key=lambda t: t.issued_at)
    return out


def hall_shape(hall) -> tuple[list[tuple[int, str, int]], dict[int, list[int]]]:
    """The hall's active business types and, for each, the windows set up to serve it."""
    from zhengwu.org.models import Window

    from .models import BusinessType, WindowSetup

    types = list(BusinessType.objects.filter(hall=hall, is_active=True).order_by("order", "prefix")
                 .values_list("pk", "prefix", "service_minutes"))
    windows: dict[int, list[int]] = {}
    for setup in WindowSetup.objects.filter(window__hall=hall, window__is_active=True).prefetch_related("business_types"):
        for bt in setup.business_types.all():
            windows.setdefault(bt.pk, []).append(setup.window_id)
    # A type no window is set up for yet is served at any of the hall's windows.
    every = list(Window.objects.filter(hall=hall, is_active=True).order_by("number").values_list("pk", flat=True))
    for bt_id, _prefix, _minutes in types:
        windows.setdefault(bt_id, every)
    return types, windows


def load_history(stdout=None, *, today: dt.date | None = None, days: int = DAYS) -> int:
    """30 days of served tickets for the demo hall (working days only); returns tickets written."""
    from zhengwu.core.calendar import get_calendar
    from zhengwu.org.models import Hall

    from .models import Ticket, TicketCounter
    from .services.supervision import rollup_day, threshold_of

    out = stdout or sys.stdout
    hall = Hall.objects.filter(region__code=DEMO_REGION, is_active=True).order_by("pk").first()
    if hall is None:
        out.write("演示大厅不存在：跳过取号历史\n")
        return 0
    types, windows = hall_shape(hall)
    if not types:
        out.write(f"{hall.name} 还没有业务类型：跳过取号历史\n")
        return 0
    cal = get_calendar()
    today = today or timezone.localdate()
    threshold = threshold_of(hall)
    written = 0
    for back in range(days, 0, -1):
        day = today - dt.timedelta(days=back)
        if not cal.is_workday(day) or Ticket.objects.filter(hall=hall, day=day).exists():
            continue
        rnd = random.Random(f"demo-history:{hall.pk}:{day.isoformat()}")
        tickets = synth_day(rnd, day, types, windows, rnd.randrange(120, 260), threshold=threshold, hall_id=hall.pk)
        with transaction.atomic():
            Ticket.objects.bulk_create(tickets, batch_size=1000)
            last: dict[int, int] = {}
            for t in tickets:
                last[t.business_type_id] = max(last.get(t.business_type_id, 0), t.number)
            for bt_id, n in last.items():
                TicketCounter.objects.update_or_create(business_type_id=bt_id, day=day, defaults={"last_number": n})
        rollup_day(hall, day)
        written += len(tickets)
    out.write(f"{hall.name}：近 {days} 天取号历史 {written} 条\n")
    return written
