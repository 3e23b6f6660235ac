"""大厅看板: today's hall — the queue (waiting now, tickets taken, served, average wait so far), each
window (the number it serves now, served today, average handling) and today's 现场 ratings.

Read through the queueing and ratings apps' own read functions: the live figures
(:func:`zhengwu.queueing.services.supervision.live`), today's figures by window and hour
(:func:`zhengwu.queueing.figures.report`) and the ratings' daily aggregate
(:func:`zhengwu.ratings.queries.figures_report`). Nothing here writes.

Who: the hall's 窗口人员 (the halls of their grants' regions), 督办人员 and 领导 (the halls they
supervise), 系统管理员.
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from zhengwu.org.models import Hall, Role
from zhengwu.org.permissions import grants, is_sysadmin, roles_of

from ..rules import format_value
from . import cached, scope_of

ROLES = (Role.WINDOW, Role.SUPERVISOR, Role.LEADER)
CACHE_SECONDS = 10
REFRESH_SECONDS = 15
LEVELS = ((5, "非常满意"), (4, "满意"), (3, "基本满意"), (2, "不满意"), (1, "非常不满意"))


def may_view(user) -> bool:
    return is_sysadmin(user) or bool(roles_of(user) & set(ROLES))


def halls_for(user):
    """The active halls the viewer may watch: those they supervise (queueing's own rule) and, for
    窗口人员, the halls of their grants' regions (as the calling panel finds their windows)."""
    from zhengwu.queueing.services.supervision import halls_for as supervised

    if is_sysadmin(user):
        return Hall.objects.filter(is_active=True).order_by("region__code", "name")
    cond = Q(pk__in=supervised(user).values("pk"))
    for g in grants(user):
        if g.role == Role.WINDOW:
            cond |= Q(region__code__startswith=g.region_prefix)
    return Hall.objects.filter(is_active=True).filter(cond).order_by("region__code", "name")


def _serving(hall, day) -> dict[int, str]:
    """The number each window of the hall has called or is serving now (as
    :func:`zhengwu.queueing.services.calling.current` tells one window, for all in one query)."""
    from zhengwu.queueing import queue_rules
    from zhengwu.queueing.models import Ticket

    out: dict[int, str] = {}
    for window_id, display in (Ticket.objects.filter(hall=hall, day=day, window__isnull=False,
                                                     status__in=[queue_rules.CALLED, queue_rules.SERVING])
                               .order_by("window_id", "-called_at").values_list("window_id", "display")):
        out.setdefault(window_id, display)
    return out


def _ratings(user, window_ids: set[int], day) -> dict:
    """Today's 现场 ratings of the hall's windows (the daily aggregate, in the viewer's scope)."""
    from zhengwu.ratings import queries
    from zhengwu.ratings.rules import Kind

    report = queries.figures_report(start=day, end=day, group_by="window", kinds=[Kind.WINDOW], user=user,
                                    assigned_only=True)
    levels = dict.fromkeys(range(1, 6), 0)
    total = bad = 0
    per_window: dict[int, tuple[int, int]] = {}
    for r in report.rows:
        if r.key not in window_ids:
            continue
        c = r.counts
        total += c.ratings
        bad += c.bad
        for level in levels:
            levels[level] += getattr(c, f"l{level}")
        per_window[r.key] = (c.ratings, c.bad)
    satisfied = levels[5] + levels[4] + levels[3]
    return {"total": total, "bad": bad, "satisfied": satisfied,
            "rate": round(satisfied * 100 / total, 1) if total else None, "per_window": per_window,
            "share": {"kind": "pie", "unit": "条",
                      "data": [{"name": label, "value": levels[n]} for n, label in LEVELS if levels[n]]}}


def _text(value, unit: str = "") -> str:
    return "—" if value is None else f"{value}{unit}"


def build(user, hall) -> dict:
    from zhengwu.queueing import figures
    from zhengwu.queueing.services import supervision

    now = timezone.now()
    today = timezone.localdate(now)
    live = supervision.live(hall, now)
    report = figures.report(hall, start=today, end=today, by="window", today=today)
    by_window = {r["key"]: r for r in report.rows}
    serving = _serving(hall, today)
    ratings = _ratings(user, {w["id"] for w in live["windows"]}, today)
    windows = []
    for w in live["windows"]:
        row = by_window.get(w["id"], {})
        n, bad = ratings["per_window"].get(w["id"], (0, 0))
        windows.append([f"{w['number']} {w['name']}", "服务中" if w["open"] else "未开窗", serving.get(w["id"], "—"),
                        str(row.get("served", 0)), _text(row.get("avg_service"), " 分钟"), str(n), str(bad)])
    hours = report.by_hour
    return {
        "at": timezone.localtime(now).strftime("%H:%M:%S"),
        "hall": {"id": hall.pk, "name": hall.name},
        # Every count with its unit (a bare "2" beside "15.0 分钟" read as something else); the page's
        # auto-refresh writes these strings as they are.
        "numbers": {
            "waiting": format_value(live["waiting_total"], "人"), "tickets": format_value(live["tickets_today"], "个"),
            "served": format_value(live["served_today"], "件"), "avg_wait": _text(live["avg_wait_minutes"], " 分钟"),
            "avg_service": _text(live["avg_service_minutes"], " 分钟"),
            "overdue": format_value(len(live["overdue"]), "人"),
            "windows_open": f"{live['windows_open']:,} / "
                            + format_value(live["windows_open"] + live["windows_closed"], "个"),
            "ratings": format_value(ratings["total"], "条"), "bad": format_value(ratings["bad"], "条"),
            "satisfaction": _text(ratings["rate"], "%"),
        },
        "tables": {
            "hall-windows": windows,
            "hall-waiting": [[f"{t['prefix']} {t['name']}", str(t["count"])] for t in live["waiting"]],
        },
        "charts": {
            "hall-hours": {"x": [h["label"] for h in hours], "y": ["个", "分钟"], "series": [
                {"name": "取号数", "type": "bar", "data": [h["tickets"] for h in hours]},
                {"name": "平均等待（分钟）", "type": "line", "axis": 1, "data": [h["avg_wait"] for h in hours]}]},
            "hall-ratings": ratings["share"],
        },
    }


def cached_build(user, hall) -> dict:
    return cached(f"insights:hall:{scope_of(user)}:{hall.pk}", CACHE_SECONDS, lambda: build(user, hall))
