"""12345看板: today's calls (受理量 by 诉求类型 and channel, hour by hour, the call system's
接通), the tickets open past their time limit now, and the hot spots of the last 7 days (top
categories, regions, items named in the tickets).

Today's 受理量 and its split by 诉求类型 are the registry's ``hotline.received`` (period: today,
computed live like the charts, not read from today's rollup);
the rest reads the tickets through the hotline app's own scope (:func:`zhengwu.hotline.figures.scoped`:
the centre, supervisors and leaders their region, department administrators their departments),
one grouped query each. Nothing here writes.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import ExtractHour
from django.utils import timezone

from zhengwu.org.models import Role
from zhengwu.org.permissions import is_sysadmin, roles_of

from .. import registry, rollups, rules, sources
from . import cached, region, scope_of

ROLES = (Role.HOTLINE, Role.SUPERVISOR, Role.LEADER, Role.DEPT_ADMIN)
CACHE_SECONDS = 20
REFRESH_SECONDS = 30
HOT_DAYS = 7
HOT_TOP = 10


def may_view(user) -> bool:
    return is_sysadmin(user) or bool(roles_of(user) & set(ROLES))


def _top(qs, key: str, label: str | None = None) -> list[list[str]]:
    rows = (qs.exclude(**{key: None}).exclude(**({key: ""} if label is None else {}))
            .values(key, *([label] if label else [])).annotate(n=Count("pk")).order_by("-n", key)[:HOT_TOP])
    return [[str(r[label] if label else r[key]), str(r["n"])] for r in rows]


def overdue_url(user) -> str | None:
    """Where 查看超期工单 leads: the first of the centre's 超期 tab, the department's own tickets
    and the 12345 工单明细 of the tickets open past their limit that ``user`` may open (a leader:
    the last) — checked as the pages themselves check (:func:`zhengwu.workbench.views.may_open`)."""
    from zhengwu.workbench.views import may_open

    from . import url_of

    for url in (url_of("hotline:centre", tab="overdue"), url_of("hotline:dept"),
                url_of("hotline:figure_tickets", what="open_overdue")):
        if may_open(user, url):
            return url
    return None


def build(user) -> dict:
    from zhengwu.hotline import figures
    from zhengwu.hotline.models import Channel
    from zhengwu.hotline.rules import DEPARTMENT_STATES, State

    now = timezone.now()
    today = timezone.localdate(now)
    received = registry.get("hotline.received")
    # Live, not from today's rollup: the worker rolls today up every 10 minutes, and the card then
    # lagged the charts beside it, which read the tickets (今日受理 19 件 over charts summing to 20).
    with sources.memo(), rollups.live_only():
        total = received.total(today, today, user=user)
        by_type = [r for r in received.compute(today, today, user=user, by="ticket_type") if r.value]
        report = figures.report(user, "type", today, today)
    lo, hi = figures.period_bounds(today, today)
    base = figures.scoped(user).exclude(state=State.CANCELLED)
    todays = base.filter(created_at__gte=lo, created_at__lt=hi)
    channels = dict(Channel.choices)
    by_channel = [{"name": channels.get(r["channel"], r["channel"]), "value": r["n"]}
                  for r in todays.values("channel").annotate(n=Count("pk")).order_by("-n")]
    hours = dict.fromkeys(range(24), 0)
    for r in todays.annotate(h=ExtractHour("created_at")).values("h").annotate(n=Count("pk")).order_by():
        hours[r["h"]] = r["n"]
    open_overdue = base.filter(state__in=[s.value for s in DEPARTMENT_STATES], due_at__lt=now).count()
    week_lo, _ = figures.period_bounds(today - dt.timedelta(days=HOT_DAYS - 1), today)
    week = base.filter(created_at__gte=week_lo, created_at__lt=hi)
    counts = report["total"]["counts"]
    calls = counts.get("calls_offered") or 0
    answered = counts.get("calls_answered") or 0
    regions = region.chart_of_rows("hotline.received", [(label, int(n)) for label, n in
                                                        _top(week, "region_id", "region__name")],
                                   title=f"近{HOT_DAYS}日受理量（按区划）")
    return {
        "at": timezone.localtime(now).strftime("%H:%M:%S"),
        "numbers": {
            # Every count with its unit (a bare "15" beside "19 件" read as something else).
            "received": rules.format_value(total.value if total else None, "件"),
            "closed_direct": rules.format_value(counts.get("direct_closed", 0), "件"),
            "dispatched": rules.format_value(counts.get("dispatched", 0), "件"),
            "calls": rules.format_value(calls, "通") if calls else "—",
            "answer_rate": rules.format_value(rules.rate(answered, calls), "%") if calls else "—",
            "open_overdue": rules.format_value(open_overdue, "件"),
        },
        "tables": {
            "hot-categories": _top(week, "category_id", "category__path"),
            "hot-regions": _top(week, "region_id", "region__name"),
            "hot-items": _top(week, "ledger__subject_item"),  # 涉及事项 as the ledgers record it
        },
        "charts": {
            "hotline-hours": {"x": [f"{h:02d}时" for h in hours], "y": ["件"],
                              "series": [{"name": "受理量", "type": "bar", "data": list(hours.values())}]},
            "hotline-types": {"kind": "pie", "unit": "件", "data": [{"name": r.label, "value": r.value} for r in by_type]},
            "hotline-channels": {"kind": "pie", "unit": "件", "data": by_channel},
            "hotline-regions": regions,
        },
    }


def cached_build(user) -> dict:
    return cached(f"insights:hotline:{scope_of(user)}:{timezone.localdate():%Y%m%d}", CACHE_SECONDS,
                  lambda: build(user))
