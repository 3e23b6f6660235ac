"""Bench data for 效能监察 (domain ``hall_tickets`` of :data:`zhengwu_bench.generate.DOMAINS`): one
hall at city scale — a year of finished tickets (2,500,000 at city size: ~10,000 a working day
over 30 windows), written with ``bulk_create`` in chunks, then the daily rollups the figures read
(``queueing.rollup``'s folding, timed apart in the log).

The hall is its own (``基准测试大厅（生成）`` in the demo district, 30 windows, 6 business types),
so the demo hall's figures stay those of ``queueing.demo_history``. Deterministic for a seed
(``ctx.rnd("hall_tickets")``).
"""

from __future__ import annotations

import datetime as dt
import time

from django.db import transaction

from .context import DEMO_DISTRICT, Context, Days

TICKETS = {"tiny": 2_000, "small": 50_000, "medium": 500_000, "city": 2_500_000}
HALL_NAME = "基准测试大厅（生成）"
TYPES = [("A", "综合受理", 12), ("B", "企业开办", 20), ("C", "不动产登记", 25), ("D", "社保医保", 8),
         ("E", "公积金", 10), ("F", "税务", 15)]
WINDOWS = 30
CHUNK = 10_000


def _hall():
    from zhengwu.org.models import Hall, Region, Window
    from zhengwu.queueing.models import BusinessType, HallRules, WindowSetup

    region = Region.objects.get(code=DEMO_DISTRICT)
    hall, _ = Hall.objects.get_or_create(region=region, name=HALL_NAME, defaults={"address": "郑州市金水区（基准测试）"})
    HallRules.objects.get_or_create(hall=hall)
    types = [BusinessType.objects.get_or_create(hall=hall, prefix=p, defaults={"name": n, "service_minutes": m,
                                                                               "order": i})[0]
             for i, (p, n, m) in enumerate(TYPES)]
    for k in range(1, WINDOWS + 1):
        w, _ = Window.objects.get_or_create(hall=hall, number=str(k), defaults={"name": f"{k}号窗口"})
        setup, _ = WindowSetup.objects.get_or_create(window=w)
        # Windows 1–10 serve 综合受理 (A) only; 11–30 one of the other five types (four windows each) and A.
        setup.business_types.set([types[0]] if k <= 10 else [types[1 + (k - 11) % 5], types[0]])
    return hall


def generate(ctx: Context) -> int:
    from zhengwu.queueing.demo_history import hall_shape, synth_day
    from zhengwu.queueing.models import Ticket, TicketCounter
    from zhengwu.queueing.services.supervision import rollup_range, threshold_of

    total = TICKETS.get(ctx.size.name, 2_000)
    rnd = ctx.rnd("hall_tickets")
    hall = _hall()
    if Ticket.objects.filter(hall=hall).exists():
        ctx.log(f"  hall_tickets     {HALL_NAME} 已有取号数据：跳过")
        return 0
    types, windows = hall_shape(hall)
    threshold = threshold_of(hall)
    first = ctx.today - dt.timedelta(days=364)  # the working days of the last year (~245–250)
    days = [d for d in Days(ctx.today).workdays if first <= d < ctx.today]
    per_day = total // len(days)
    written = 0
    pending: list = []
    counters: list = []
    for i, day in enumerate(days):
        count = per_day if i < len(days) - 1 else total - (per_day * (len(days) - 1))
        tickets = synth_day(rnd, day, types, windows, count, threshold=threshold, hall_id=hall.pk)
        last: dict[int, int] = {}
        for t in tickets:
            last[t.business_type_id] = max(last.get(t.business_type_id, 0), t.number)
        counters.extend(TicketCounter(business_type_id=b, day=day, last_number=n) for b, n in last.items())
        pending.extend(tickets)
        if len(pending) >= CHUNK or i == len(days) - 1:
            with transaction.atomic():
                Ticket.objects.bulk_create(pending, batch_size=CHUNK)
                TicketCounter.objects.bulk_create(counters, batch_size=CHUNK, ignore_conflicts=True)
            written += len(pending)
            pending, counters = [], []
    t = time.monotonic()
    rolled = rollup_range(hall, days[0], days[-1], only_missing=False)
    ctx.timings["hall_tickets_rollup"] = {"days": rolled, "seconds": round(time.monotonic() - t, 1)}
    ctx.log(f"  hall_tickets     日汇总 {rolled} 天  {time.monotonic() - t:7.1f} s")
    return written
