"""Demo ticket history (load_history) and the bench domain ``hall_tickets``."""

from __future__ import annotations

import datetime as dt
import io

from django.utils import timezone

from zhengwu.org.models import Hall, Window
from zhengwu.queueing import figures
from zhengwu.queueing.demo_history import load_history
from zhengwu.queueing.models import BusinessType, DailyRollup, Ticket, WindowSetup


def test_load_history_is_idempotent_and_plausible(district):
    hall = Hall.objects.create(name="金水区政务服务中心", region=district, address="郑州市金水区")
    a = BusinessType.objects.create(hall=hall, prefix="A", name="综合受理", service_minutes=12)
    b = BusinessType.objects.create(hall=hall, prefix="B", name="企业开办", service_minutes=20)
    c = BusinessType.objects.create(hall=hall, prefix="C", name="不动产登记", service_minutes=25)  # no window set up
    for n in ("1", "2", "3"):
        setup = WindowSetup.objects.create(window=Window.objects.create(hall=hall, number=n, name=f"{n}号窗口"))
        setup.business_types.set([a, b] if n != "3" else [b])
    today = timezone.localdate()
    out = io.StringIO()
    written = load_history(out, today=today)
    assert written > 1000 and "近 30 天取号历史" in out.getvalue()
    assert load_history(io.StringIO(), today=today) == 0  # a second run adds nothing
    assert Ticket.objects.filter(hall=hall).count() == written
    assert not Ticket.objects.filter(hall=hall, day__gte=today).exists()
    days = set(Ticket.objects.filter(hall=hall).values_list("day", flat=True))
    assert set(DailyRollup.objects.filter(hall=hall).values_list("day", flat=True)) == days
    from zhengwu.core.calendar import is_workday

    assert all(is_workday(d) for d in days) and len(days) >= 15
    rep = figures.report(hall, start=today - dt.timedelta(days=30), end=today, by="window")
    t = rep.total
    assert t["tickets"] == written and rep.rolled_days == len(days)
    assert 0 < t["no_shows"] < 0.1 * written and 0 < t["overtime_rate"] < 0.1
    assert 3 <= t["avg_wait"] <= 15 and 10 <= t["avg_service"] <= 25
    assert {r["label"] for r in rep.rows} == {"1 1号窗口", "2 2号窗口", "3 3号窗口"}
    assert Ticket.objects.filter(business_type=c).exclude(window=None).exists()  # served at any window


def test_bench_domain_hall_tickets(district):
    from zhengwu_bench import hall_tickets
    from zhengwu_bench.context import SIZES, Context

    today = timezone.localdate()
    ctx = Context(size=SIZES["tiny"], seed=1, today=today, now=timezone.now(), log=lambda s: None)
    assert hall_tickets.generate(ctx) == hall_tickets.TICKETS["tiny"]
    hall = Hall.objects.get(name=hall_tickets.HALL_NAME)
    assert Window.objects.filter(hall=hall).count() == 30
    rep = figures.report(hall, start=today - dt.timedelta(days=365), end=today, by="business_type")
    assert rep.total["tickets"] == hall_tickets.TICKETS["tiny"] and rep.live_days == 0
    assert hall_tickets.generate(ctx) == 0  # once per database
