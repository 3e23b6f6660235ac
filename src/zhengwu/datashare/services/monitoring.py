"""交换监控: the periodic roll-up of :class:`QueryCall` rows into :class:`CallDaily` (calls, errors,
p95 latency per day × consumer × resource) with the unusual-volume flag, and the dashboard's reads.

The job ``datashare.rollup`` recomputes today and yesterday (calls logged around midnight land in
yesterday's row) from scratch each time, so running it twice changes nothing. p95 is computed in
Python per group (the same on SQLite and PostgreSQL), reading only the latencies of the day.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from .. import sharing_rules as rules
from ..models import CallDaily, QueryCall

ERROR_STATUS = 400  # a call answered with status ≥ 400 is an error


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return start, timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def rollup_day(day: dt.date) -> int:
    """(Re)compute the day's CallDaily rows and flags; returns how many rows the day has."""
    start, end = day_bounds(day)
    groups: dict[tuple[int | None, int | None], dict] = defaultdict(lambda: {"calls": 0, "errors": 0, "lat": []})
    rows = (QueryCall.objects.filter(at__gte=start, at__lt=end)
            .values_list("consumer_id", "resource_id", "status_code", "latency_ms").iterator(chunk_size=5000))
    for consumer_id, resource_id, status, latency in rows:
        g = groups[(consumer_id, resource_id)]
        g["calls"] += 1
        g["errors"] += status >= ERROR_STATUS
        g["lat"].append(latency)
    # The unusual-volume rule is per consumer: its calls of the day against its daily calls of
    # the BASELINE_DAYS days before (days without calls count 0).
    per_consumer: dict[int | None, int] = defaultdict(int)
    for (consumer_id, _r), g in groups.items():
        per_consumer[consumer_id] += g["calls"]
    first = day - dt.timedelta(days=rules.BASELINE_DAYS)
    history: dict[int | None, dict[dt.date, int]] = defaultdict(dict)
    for consumer_id, d, calls in (CallDaily.objects.filter(day__gte=first, day__lt=day,
                                                            consumer_id__in=[c for c in per_consumer if c])
                                  .values("consumer_id", "day").annotate(total=Sum("calls"))
                                  .values_list("consumer_id", "day", "total")):
        history[consumer_id][d] = calls
    reasons = {}
    for consumer_id, total in per_consumer.items():
        previous = [history[consumer_id].get(first + dt.timedelta(days=i), 0) for i in range(rules.BASELINE_DAYS)]
        reasons[consumer_id] = rules.unusual_volume(total, previous) if consumer_id else ""
    with transaction.atomic():
        kept = []
        for (consumer_id, resource_id), g in groups.items():
            reason = reasons.get(consumer_id, "")
            row, _ = CallDaily.objects.update_or_create(
                day=day, consumer_id=consumer_id, resource_id=resource_id,
                defaults={"calls": g["calls"], "errors": g["errors"], "p95_ms": round(rules.p95(g["lat"]), 1),
                          "flagged": bool(reason), "flag_reason": reason[:200]})
            kept.append(row.pk)
        CallDaily.objects.filter(day=day).exclude(pk__in=kept).delete()
    return len(groups)


def rollup(today: dt.date | None = None) -> str:
    """The scheduled job: yesterday and today."""
    today = today or timezone.localdate()
    counts = [rollup_day(today - dt.timedelta(days=1)), rollup_day(today)]
    return f"交换监控汇总：昨日{counts[0]}组，今日{counts[1]}组"


# -- the dashboard --------------------------------------------------------------------------------
def daily_rows(start: dt.date, end: dt.date, *, consumer_id: int | None = None, resource_id: int | None = None,
               flagged_only: bool = False):
    qs = CallDaily.objects.filter(day__gte=start, day__lte=end).select_related("consumer", "resource")
    if consumer_id:
        qs = qs.filter(consumer_id=consumer_id)
    if resource_id:
        qs = qs.filter(resource_id=resource_id)
    if flagged_only:
        qs = qs.filter(flagged=True)
    return qs.order_by("-day", "-calls", "consumer_id", "resource_id")


def totals(qs) -> dict:
    t = qs.aggregate(calls=Sum("calls"), errors=Sum("errors"))
    calls, errors = t["calls"] or 0, t["errors"] or 0
    return {"calls": calls, "errors": errors, "error_rate": (100.0 * errors / calls) if calls else 0.0,
            "flagged": qs.filter(flagged=True).count(), "p95_max": max((r.p95_ms for r in qs[:1000]), default=0.0)}


def by_day(qs) -> list[dict]:
    """Calls and errors per day (the chart's and the summary's data), oldest first."""
    return [{"day": r["day"], "calls": r["calls"] or 0, "errors": r["errors"] or 0, "p95_max": r["p95_max"] or 0}
            for r in qs.order_by().values("day").annotate(calls=Sum("calls"), errors=Sum("errors"),
                                                          p95_max=Max("p95_ms")).order_by("day")]
