"""效能监察 write and read paths: which halls a person supervises, the live figures of a hall,
the 超时等待 alerts (job ``queueing.watch``) and the daily rollups (job ``queueing.rollup``).

Writes (alerts, rollups) happen inside ``transaction.atomic()`` with an audit event; an alert is
unique per ticket, so a second run — or two workers at once — never notifies twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.org.models import Hall, Role, RoleGrant, Window
from zhengwu.org.permissions import scope

from .. import queue_rules
from .. import supervision_rules as rules
from ..models import (
    BusinessType,
    DailyRollup,
    HallRules,
    OverdueAlert,
    RollupCell,
    Ticket,
    TicketEvent,
    WindowSetup,
)

log = logging.getLogger("zhengwu.queueing")

ROLES = (Role.SUPERVISOR, Role.LEADER, Role.SYSADMIN)
DEFAULT_OVERDUE_MINUTES = HallRules._meta.get_field("overdue_wait_minutes").default
ROLLUP_DAYS_BACK = 7  # the job folds the finished days of the last week that have no rollup yet


def halls_for(user):
    """The active halls within the regions of the user's 效能监察 grants."""
    qs = Hall.objects.filter(is_active=True).select_related("region").order_by("region__code", "name")
    return scope(qs, user, ROLES, department_field=None, region_code_field="region__code")


def threshold_of(hall) -> int:
    value = HallRules.objects.filter(hall=hall).values_list("overdue_wait_minutes", flat=True).first()
    return value or DEFAULT_OVERDUE_MINUTES


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _opened(text: str) -> bool:
    """Whether a window event (action ``window``) opened the window (queue_rules writes its text)."""
    return queue_rules.window_event_opens(text)


# -- live --------------------------------------------------------------------------------------
def live(hall, now: dt.datetime | None = None) -> dict:
    """The hall's figures now (today's tickets only): waiting by business type, average wait and
    service time, overdue waiting tickets, windows open/closed with their 饱和度, recent alerts."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    start = _day_start(today)
    threshold = threshold_of(hall)
    types = list(BusinessType.objects.filter(hall=hall, is_active=True).order_by("order", "prefix")
                 .values_list("pk", "prefix", "name"))
    tickets = Ticket.objects.filter(hall=hall, day=today)
    waiting = dict(tickets.filter(status=Ticket.Status.WAITING).order_by().values_list("business_type")
                   .annotate(n=Count("pk")).values_list("business_type", "n"))
    acc = rules.Acc()
    services: dict[int, list] = defaultdict(list)
    waiting_rows = []
    for status, issued, called, started, ended, window_id, pk, display in tickets.values_list(
            "status", "issued_at", "called_at", "started_at", "ended_at", "window_id", "pk", "display").iterator(2000):
        acc.add(status, issued, called, started, ended, threshold)
        if started is not None and window_id is not None:
            services[window_id].append((started, ended))
        if status == Ticket.Status.WAITING:
            waiting_rows.append((pk, display, issued))
    overdue = rules.overdue(waiting_rows, now, threshold)
    windows = []
    events: dict[int, list] = defaultdict(list)
    for window_id, at, text in TicketEvent.objects.filter(hall=hall, action=TicketEvent.Action.WINDOW, at__gte=start,
                                                          window__isnull=False).values_list("window_id", "at", "text"):
        events[window_id].append((at, _opened(text)))
    setups = {s.window_id: s for s in WindowSetup.objects.filter(window__hall=hall)}
    for w in Window.objects.filter(hall=hall, is_active=True).order_by("number"):
        setup = setups.get(w.pk)
        is_open = bool(setup and setup.is_open)
        intervals = rules.open_intervals(events.get(w.pk, []), day_start=start, now=now,
                                         open_now_since=setup.opened_at if is_open and setup.opened_at else None)
        open_s = sum(int((b - a).total_seconds()) for a, b in intervals)
        busy = rules.busy_seconds(services.get(w.pk, []), day_start=start, now=now)
        windows.append({"id": w.pk, "number": w.number, "name": w.name, "open": is_open,
                        "open_minutes": open_s // 60, "busy_minutes": busy // 60,
                        "saturation": rules.saturation(busy, open_s)})
    alerts = [{"ticket": a.ticket.display, "minutes": a.wait_minutes, "at": timezone.localtime(a.created_at).isoformat(),
               "waiting": a.ticket.status == Ticket.Status.WAITING}
              for a in OverdueAlert.objects.filter(hall=hall, day=today).select_related("ticket")[:50]]
    return {
        "hall": {"id": hall.pk, "name": hall.name}, "at": timezone.localtime(now).isoformat(), "day": today.isoformat(),
        "threshold_minutes": threshold,
        "waiting_total": sum(waiting.values()),
        "waiting": [{"id": pk, "prefix": p, "name": n, "count": waiting.get(pk, 0)} for pk, p, n in types],
        "tickets_today": acc.tickets, "served_today": acc.served, "no_shows_today": acc.no_shows,
        "avg_wait_minutes": acc.avg_wait_minutes, "avg_service_minutes": acc.avg_service_minutes,
        "overdue": [{"id": r["id"], "display": r["display"], "minutes": r["minutes"]} for r in overdue],
        "windows_open": sum(1 for w in windows if w["open"]), "windows_closed": sum(1 for w in windows if not w["open"]),
        "windows": windows, "alerts": alerts,
    }


# -- 超时等待 alerts ---------------------------------------------------------------------------------
def _supervisors_of(hall) -> list[int]:
    code = hall.region.code
    return sorted({g.user_id for g in RoleGrant.objects.filter(role=Role.SUPERVISOR, user__is_active=True)
                  .select_related("region") if code.startswith(g.region.prefix)})


def watch(now: dt.datetime | None = None) -> str:
    """Job ``queueing.watch`` (every minute): one alert, and one in-app message to each of the
    hall's supervisors, per ticket waiting longer than the hall's threshold — never twice."""
    from zhengwu.cases.models import Notification

    now = now or timezone.now()
    today = timezone.localdate(now)
    created = 0
    for hall in Hall.objects.filter(is_active=True).select_related("region"):
        threshold = threshold_of(hall)
        limit = now - dt.timedelta(minutes=threshold)
        late = list(Ticket.objects.filter(hall=hall, day=today, status=Ticket.Status.WAITING, issued_at__lt=limit,
                                          overdue_alert__isnull=True).order_by("issued_at")
                    .values_list("pk", "display", "issued_at")[:500])
        if not late:
            continue
        recipients = _supervisors_of(hall)
        for pk, display, issued in late:
            minutes = rules.waited_minutes(issued, now)
            try:
                with transaction.atomic():
                    alert = OverdueAlert.objects.create(hall=hall, ticket_id=pk, day=today, wait_minutes=minutes,
                                                        threshold_minutes=threshold, notified=len(recipients),
                                                        created_at=now)
                    Notification.objects.bulk_create([Notification(
                        recipient_id=u, title=f"超时等待：{hall.name} {display} 号",
                        body=f"{hall.name} 的 {display} 号已等候 {minutes} 分钟，超过 {threshold} 分钟的超时等待阈值，请督促叫号。")
                        for u in recipients])
                    audit.record("queueing.overdue_alert", obj=alert,
                                 after={"ticket": display, "hall": hall.pk, "minutes": minutes, "notified": len(recipients)})
            except IntegrityError:  # another worker alerted this ticket first
                continue
            created += 1
    return f"超时等待提醒 {created} 条"


# -- daily rollups -----------------------------------------------------------------------------
def cells_of(tickets, threshold: int) -> dict[tuple, rules.Acc]:
    """Tickets folded twice: ("w", day, business type, window) and ("h", day, hour of issue)."""
    out: dict[tuple, rules.Acc] = {}
    tz = timezone.get_current_timezone()
    for day, bt, window, status, issued, called, started, ended in tickets.order_by().values_list(
            "day", "business_type_id", "window_id", "status", "issued_at", "called_at", "started_at",
            "ended_at").iterator(chunk_size=5000):
        for key in (("w", day, bt, window), ("h", day, issued.astimezone(tz).hour)):
            acc = out.get(key)
            if acc is None:
                acc = out[key] = rules.Acc()
            acc.add(status, issued, called, started, ended, threshold)
    return out


def _cell(roll, key: tuple, a: rules.Acc) -> RollupCell:
    kind, day, *rest = key
    dims = {"business_type_id": rest[0], "window_id": rest[1]} if kind == "w" else {"hour": rest[0]}
    return RollupCell(rollup=roll, kind=kind, day=day, hall_id=roll.hall_id, **dims, tickets=a.tickets,
                      served=a.served, no_shows=a.no_shows, waited=a.waited, wait_seconds=a.wait_seconds,
                      overtime=a.overtime, serviced=a.serviced, service_seconds=a.service_seconds, wait_hist=a.hist)


def rollup_day(hall, day: dt.date, now: dt.datetime | None = None) -> DailyRollup:
    """Fold one day of a hall into rollup cells (again, replacing the earlier ones)."""
    now = now or timezone.now()
    cells = cells_of(Ticket.objects.filter(hall=hall, day=day), threshold_of(hall))
    with transaction.atomic():
        roll, made = DailyRollup.objects.select_for_update().get_or_create(
            hall=hall, day=day, defaults={"computed_at": now})
        if not made:
            RollupCell.objects.filter(rollup=roll).delete()
        RollupCell.objects.bulk_create([_cell(roll, k, a) for k, a in cells.items()], batch_size=1000)
        roll.tickets = sum(a.tickets for k, a in cells.items() if k[0] == "h")
        roll.computed_at = now
        roll.save(update_fields=["tickets", "computed_at"])
        audit.record("queueing.rollup", obj=roll, after={"hall": hall.pk, "day": day.isoformat(),
                                                         "tickets": roll.tickets, "cells": len(cells)})
    return roll


def rollup_range(hall, start: dt.date, end: dt.date, *, only_missing: bool = True) -> int:
    """Roll the hall's days in [start, end] that have tickets (only those without a rollup by
    default); returns how many days were rolled."""
    days = set(Ticket.objects.filter(hall=hall, day__gte=start, day__lte=end).order_by()
               .values_list("day", flat=True).distinct())
    if only_missing:
        days -= set(DailyRollup.objects.filter(hall=hall, day__gte=start, day__lte=end).values_list("day", flat=True))
    for day in sorted(days):
        rollup_day(hall, day)
    return len(days)


def rollup(now: dt.datetime | None = None) -> str:
    """Job ``queueing.rollup``: fold the finished days of the last week that have no rollup yet."""
    today = timezone.localdate(now or timezone.now())
    total = 0
    for hall in Hall.objects.filter(is_active=True):
        total += rollup_range(hall, today - dt.timedelta(days=ROLLUP_DAYS_BACK), today - dt.timedelta(days=1))
    return f"汇总 {total} 天"
