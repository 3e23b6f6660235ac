"""Rollups of the figures registry (指标日汇总): each day's figures summed once, read for any period.

A city's month, year or 12-month trend computed live from a million cases is too slow for a
dashboard. :func:`rollup_day` computes one day of every rolled-up figure (the 办件, 12345 and
好差评 figures of :mod:`.sources`), for the total and each dimension, grouped in SQL by group and
*scope cell* (department, region code), and replaces that day's :class:`~zhengwu.insights.models.Rollup`
rows in one transaction (rerunnable), and its month's rows (the sums of the month's day rows, so a
year or a 12-month trend reads 12 rows per cell, not 365). :class:`~zhengwu.insights.models.RollupDay`
marks the day done.

:func:`read` is what :meth:`Figure.compute <zhengwu.insights.registry.Figure.compute>` asks first:
when every day of the period is rolled up and the figure is one of a source's, it sums the rows
of the period within the viewer's scope (the same :func:`~zhengwu.org.permissions.scope` call the
domain applies to its records) and builds the rows the live computation would give — same
values, numerators, denominators, labels and order. Otherwise (a day not rolled up, a figure not
rolled up: 平均等待时间, 用证次数, 抽查覆盖率) the figure is computed live.

What a rollup cannot know: a record changed after its day was rolled up (a 12345 callback's
satisfaction, a 差评 rectified weeks later) shows once the day is rolled up again. The worker
(:func:`refresh`, every 10 minutes) rolls up today each time, any missing or incomplete day of
the last :data:`KEEP_DAYS`, and each of the last :data:`SETTLE_DAYS` days again once a day;
``zhengwu rollup`` does any day on demand. The groups the live 办件 report lists only for their
期末超期在办 or 再次补正 (no case accepted or concluded in the period) are not listed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from contextvars import ContextVar

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from .sources import BY_FIGURE, SOURCES, Cell, Source

log = logging.getLogger("zhengwu.insights.rollups")

KEEP_DAYS = 400  # the worker fills in missing days this far back
SETTLE_DAYS = 31  # days rolled up again once a day (late callbacks, rectifications)
REFRESH = dt.timedelta(minutes=10)  # the worker's job insights.rollups (registered in insights.apps)
RUN_BUDGET_SECONDS = 120.0  # one worker run stops starting new days after this long
BATCH = 2000
DEMO_DAYS = 100  # the demo's cases, tickets and ratings are of the last three months

_live_only: ContextVar[bool] = ContextVar("insights_rollups_live_only", default=False)


@contextlib.contextmanager
def live_only():
    """Inside, the registry computes every figure live (the rollups are not read)."""
    token = _live_only.set(True)
    try:
        yield
    finally:
        _live_only.reset(token)


# -- computing -----------------------------------------------------------------------------------
def _rows(day: dt.date, source: Source, dimension: str, cells: list[Cell]):
    from ..models import Rollup

    for c in cells:
        key = None if c.group_key is None else str(c.group_key)
        for name, (n, d) in {source.presence: (0, None), **c.measures}.items():
            if n or d or name == source.presence:
                yield Rollup(day=day, figure=name, dimension=dimension, group_key=key, group_label=c.label[:300],
                             department_id=c.department_id, region_code=c.region_code or "", numerator=n or 0,
                             denominator=d)


def rollup_day(day: dt.date, *, month: bool = True) -> dict:
    """Compute ``day``'s rollups and replace its rows (one transaction), and its month's rows
    (``month`` False: the caller rebuilds them later, see :func:`rollup_days`). Returns what was
    done."""
    from ..models import Rollup, RollupDay

    started = time.monotonic()
    rows = []
    for source in SOURCES:
        for dimension in source.dimensions:
            rows.extend(_rows(day, source, dimension, source.cells(day, dimension)))
    now = timezone.now()
    day_over = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=timezone.get_current_timezone())
    with transaction.atomic():
        _lock_month(day)
        RollupDay.objects.get_or_create(day=day, defaults={"computed_at": now})
        RollupDay.objects.select_for_update().filter(day=day).first()  # one writer per day at a time
        Rollup.objects.filter(day=day, span=Rollup.Span.DAY).delete()
        Rollup.objects.bulk_create(rows, batch_size=BATCH)
        if month:
            _rebuild_month(day.replace(day=1))
        seconds = round(time.monotonic() - started, 3)
        RollupDay.objects.filter(day=day).update(computed_at=now, seconds=seconds, rows=len(rows),
                                                 complete=now >= day_over)
    return {"day": day, "rows": len(rows), "seconds": seconds}


def _lock_month(day: dt.date) -> None:
    """One rollup of a month's days at a time (PostgreSQL: a transaction advisory lock; SQLite
    writes one transaction at a time anyway): two days of a month rolled up at once would each
    rebuild the month's rows from what they saw."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s, %s)", [2727, day.year * 100 + day.month])


def _rebuild_month(first: dt.date) -> None:
    """The month's rows: the sums of its day rows per figure, dimension, group and scope cell (a
    year or a 12-month trend reads 12 rows where it would read 365)."""
    from ..models import Rollup
    from ..rules import month_end

    Rollup.objects.filter(span=Rollup.Span.MONTH, day=first).delete()
    days = Rollup.objects.filter(span=Rollup.Span.DAY, day__gte=first, day__lte=month_end(first))
    sums = (days.values("figure", "dimension", "group_key", "department_id", "region_code")
            .annotate(n=Sum("numerator"), d=Sum("denominator"), label=Max("group_label")).order_by())
    Rollup.objects.bulk_create(
        (Rollup(day=first, span=Rollup.Span.MONTH, figure=r["figure"], dimension=r["dimension"],
                group_key=r["group_key"], group_label=r["label"], department_id=r["department_id"],
                region_code=r["region_code"], numerator=int(r["n"] or 0),
                denominator=None if r["d"] is None else int(r["d"])) for r in sums.iterator()),
        batch_size=BATCH)


def rollup_days(first: dt.date, last: dt.date, *, progress=None) -> list[dict]:
    """Roll up every day from ``first`` to ``last`` (both included), oldest first; each month's
    rows are rebuilt once, with its last day in the range (until then a month being rolled up
    again reads its previous month rows)."""
    done = []
    day = first
    while day <= last:
        following = day + dt.timedelta(days=1)
        done.append(rollup_day(day, month=following > last or following.month != day.month))
        if progress:
            progress(done[-1])
        day += dt.timedelta(days=1)
    return done


def rollup_recent(days: int) -> list[dict]:
    """Roll up the last ``days`` days, today included (``zhengwu demo`` ends with it)."""
    today = timezone.localdate()
    return rollup_days(today - dt.timedelta(days=days - 1), today)


def first_data_day() -> dt.date | None:
    """The first day with anything a source counts (None: no data yet). The days before it are not
    rolled up by the worker (their figures, computed live, are empty and cheap); they are not marked
    rolled up either, so records imported later with older dates are never hidden by an empty rollup."""
    from django.db.models import Min

    from zhengwu.cases.models import Case
    from zhengwu.hotline.models import Ticket
    from zhengwu.ratings.models import RatingDaily

    found = [Case.objects.aggregate(d=Min("accepted_on"))["d"], RatingDaily.objects.aggregate(d=Min("day"))["d"]]
    created = Ticket.objects.aggregate(d=Min("created_at"))["d"]
    if created is not None:
        found.append(timezone.localtime(created).date())
    return min((d for d in found if d is not None), default=None)


def due_days(today: dt.date | None = None, now: dt.datetime | None = None) -> list[dt.date]:
    """The days a worker run should roll up, most urgent first: today; then the missing or
    incomplete days of the last :data:`KEEP_DAYS` since :func:`first_data_day` (newest first:
    yesterday's final rollup comes first); then the last :data:`SETTLE_DAYS` days not rolled up in the past 24 hours (oldest
    rollup first)."""
    from ..models import RollupDay

    today = today or timezone.localdate()
    now = now or timezone.now()
    first = today - dt.timedelta(days=KEEP_DAYS)
    have = {d: (complete, at) for d, complete, at in
            RollupDay.objects.filter(day__gte=first, day__lt=today).values_list("day", "complete", "computed_at")}
    since = first_data_day() or today
    past = [today - dt.timedelta(days=i) for i in range(1, KEEP_DAYS + 1) if today - dt.timedelta(days=i) >= since]
    missing = [d for d in past if d not in have or not have[d][0]]
    settle = sorted((have[d][1], d) for d in past[:SETTLE_DAYS]
                    if d in have and have[d][0] and have[d][1] < now - dt.timedelta(days=1))
    return [today, *missing, *(d for _, d in settle)]


def refresh(budget_seconds: float | None = None) -> str:
    """The worker's job (every 10 minutes): roll up :func:`due_days` until ``budget_seconds``
    (default :data:`RUN_BUDGET_SECONDS`) have passed (the rest waits for the next run); today is
    always done. Returns a line for the job's record."""
    budget_seconds = RUN_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    started = time.monotonic()
    done = []
    for day in due_days():
        if done and time.monotonic() - started > budget_seconds:
            break
        done.append(rollup_day(day))
    rows = sum(d["rows"] for d in done)
    return f"汇总 {len(done)} 天、{rows} 行，用时 {time.monotonic() - started:.1f} 秒"


# -- reading -------------------------------------------------------------------------------------
def covered(start: dt.date, end: dt.date) -> bool:
    """Every day from ``start`` to ``end`` is rolled up — up to today: the days after today have
    nothing to count yet (a month's figure asked on its 5th is the figure of days 1–5)."""
    from ..models import RollupDay
    from ..sources import cached

    end = min(end, timezone.localdate())
    if end < start:
        return False

    def count():
        return RollupDay.objects.filter(day__gte=start, day__lte=end).count()

    return cached(("rollups-covered", start, end), count) == (end - start).days + 1


def refresh_every() -> dt.timedelta:
    """How often the worker rolls today up: the period of the registered job."""
    from zhengwu.core.schedule import job

    found = job("insights.rollups")
    return found.every if found is not None else REFRESH


def as_of(start: dt.date, end: dt.date, figures=None) -> dt.datetime | None:
    """When the rolled-up numbers of the period were computed (the rollup of its last day up to
    today), so that a dashboard can say it; None when they are computed live: a day of the period
    not rolled up, or none of ``figures`` (keys) a rolled-up one."""
    from ..models import RollupDay
    from ..sources import cached

    if figures is not None and not any(key in BY_FIGURE for key in figures):
        return None
    if _live_only.get() or not covered(start, end):
        return None
    last = min(end, timezone.localdate())
    return cached(("rollups-as-of", last), lambda: RollupDay.objects.filter(day=last)
                  .values_list("computed_at", flat=True).first())


def _days(start: dt.date, end: dt.date) -> Q:
    """The rows of the days ``start``–``end``: the month rows of the whole months within, the day
    rows of the rest."""
    from ..models import Rollup
    from ..rules import add_months, month_end

    months = []
    first = start if start.day == 1 else add_months(start, 1)
    while month_end(first) <= end:
        months.append(first)
        first = add_months(first, 1)
    if not months:
        return Q(span=Rollup.Span.DAY, day__gte=start, day__lte=end)
    q = Q(span=Rollup.Span.MONTH, day__in=months)
    if start < months[0]:
        q |= Q(span=Rollup.Span.DAY, day__gte=start, day__lt=months[0])
    after = month_end(months[-1])
    if after < end:
        q |= Q(span=Rollup.Span.DAY, day__gt=after, day__lte=end)
    return q


def _sums(source: Source, start, end, user, dimension: str):
    """{group key: [label, {measure: (numerator, denominator)}]} of the viewer's rows, in the
    order the rows were found; None when the viewer sees none of the source's figures."""
    from ..models import Rollup

    qs = source.scope(Rollup.objects.filter(_days(start, end), dimension=dimension, figure__in=source.measures), user)
    if qs is None:
        return None
    groups: dict = {}
    for r in qs.values("group_key", "figure").annotate(n=Sum("numerator"), d=Sum("denominator"),
                                                       label=Max("group_label")).order_by():
        key = source.decode(dimension, r["group_key"])
        entry = groups.setdefault(key, [r["label"], {}])
        entry[1][r["figure"]] = (int(r["n"] or 0), None if r["d"] is None else int(r["d"]))
    return groups


def _row(source: Source, figure_key: str, label: str, key, measures):
    from ..registry import Row
    from ..rules import rate

    n, d = measures.get(figure_key, (0, 0))
    if figure_key in source.rates:
        return Row(label, key, rate(n, d or 0), n, d or 0)
    return Row(label, key, n)


def read(figure, start: dt.date, end: dt.date, *, user, by: str | None = None):
    """The figure's rows from the rollups, or None when they cannot give them (compute live)."""
    from ..sources import cached, user_key

    source = BY_FIGURE.get(figure.key)
    if source is None or _live_only.get() or not source.valid(start, end) or not covered(start, end):
        return None
    dimension = by or ""
    groups = cached(("rollups", source.name, user_key(user), dimension, start, end),
                    lambda: _sums(source, start, end, user, dimension))
    if groups is None:
        return []
    if by is None:
        n = sum(m.get(figure.key, (0, 0))[0] for _, m in groups.values())
        d = sum(m.get(figure.key, (0, 0))[1] or 0 for _, m in groups.values())
        return [_row(source, figure.key, "合计", None, {figure.key: (n, d)})]
    ordered = sorted(groups.items(), key=lambda kv: source.order(kv[1][1], kv[1][0]))
    return [_row(source, figure.key, label, key, measures) for key, (label, measures) in ordered]
