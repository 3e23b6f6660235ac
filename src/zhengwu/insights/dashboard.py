"""The 领导驾驶舱: headline cards, a 12-month trend and a department ranking for one month, all
from the registry (each number computed by its domain's figure function, see :mod:`.sources`).

The computed dashboard is cached for :data:`CACHE_SECONDS` per viewer scope (their role grants)
and month: a leader's screen refreshing every few minutes, or several leaders of one region,
cost one computation a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.cache import cache
from django.utils import timezone

from zhengwu.org.permissions import grants, is_sysadmin

from . import registry, rollups, rules, sources

CACHE_SECONDS = 60
CARDS = ("cases.accepted", "cases.concluded", "cases.on_time_rate", "cases.full_online_rate",
         "ratings.satisfaction_rate", "ratings.active_rate", "hotline.received", "hotline.on_time_rate")
TREND_BARS = ("cases.accepted", "cases.concluded")
TREND_LINES = ("cases.on_time_rate", "ratings.satisfaction_rate")
RANK_BY = "cases.on_time_rate"
RANK_ALSO = "ratings.satisfaction_rate"
RANK_TOP = 15


def scope_key(user) -> str:
    """What ``user`` may see, as a short key: their grants (a changed grant is a new key)."""
    if is_sysadmin(user):
        return "all"
    relevant = sorted((g.role, g.region_prefix, g.region_id, g.window_id,
                       tuple(sorted(g.department_ids)) if g.department_ids is not None else None)
                      for g in grants(user))
    return hashlib.sha1(repr(relevant).encode()).hexdigest()  # noqa: S324 - a cache key


def _card(figure: registry.Figure, start, end, prev_start, prev_end, user, department_id: int | None = None) -> dict:
    """One headline card; ``department_id``: a department's dashboard, whose 查看明细 lists that
    department's records only (where the figure has the department dimension)."""
    now = figure.total(start, end, user=user)
    before = figure.total(prev_start, prev_end, user=user)
    value = now.value if now else None
    previous = before.value if before else None
    diff = rules.change(value, previous)
    url = None
    if now and department_id is not None and "department" in figure.dimensions:
        url = figure.drill_url(start, end, department_id, by="department")
    elif now:
        url = figure.drill_url(start, end)
    return {"key": figure.key, "name": figure.name, "unit": figure.unit, "formula": figure.formula,
            "value": value, "text": rules.format_value(value, figure.unit), "previous": previous,
            "change": diff, "change_text": rules.change_text(diff, figure.unit),
            "numerator": now.numerator if now else None, "denominator": now.denominator if now else None,
            "url": url}


def openable_cards(data: dict, user) -> dict:
    """A dashboard's data (cached per scope) with the 查看明细 links ``user`` may not open left out
    — the page behind a card's number is the domain's, with its own roles (an 审批人员's 部门驾驶舱
    shows the 12345 受理量, whose 工单明细 is the hotline's figure readers'). ``overdue_url`` too."""
    from zhengwu.workbench.views import may_open

    cards = [card if not card.get("url") or may_open(user, card["url"]) else {**card, "url": None}
             for card in data.get("cards") or ()]
    out = {**data, "cards": cards}
    if data.get("overdue_url") and not may_open(user, data["overdue_url"]):
        out["overdue_url"] = None
    return out


def _trend(month: dt.date, user) -> dict:
    months = rules.last_months(month, 12)
    series = []
    for keys, kind, axis in ((TREND_BARS, "bar", 0), (TREND_LINES, "line", 1)):
        for key in keys:
            figure = registry.get(key)
            data = []
            for first, last in months:
                row = figure.total(first, last, user=user)
                data.append(None if row is None else row.value)
            series.append({"name": figure.name, "type": kind, "axis": axis, "data": data})
    return {"x": [f"{first:%Y-%m}" for first, _ in months], "y": ["件", "%"], "series": series}


def _ranking(start, end, user) -> dict:
    main, also = registry.get(RANK_BY), registry.get(RANK_ALSO)
    rows = [r for r in main.compute(start, end, user=user, by="department") if r.value is not None]
    rows.sort(key=lambda r: (-r.value, -(r.denominator or 0), r.label))
    rows = rows[:RANK_TOP]
    other = {r.key: r.value for r in also.compute(start, end, user=user, by="department")}
    shown = rows[::-1]  # a horizontal chart draws its first category at the bottom: the best on top
    return {"x": [r.label for r in shown], "y": ["%"], "horizontal": True,
            "series": [{"name": main.name, "type": "bar", "data": [r.value for r in shown]},
                       {"name": also.name, "type": "bar", "data": [other.get(r.key) for r in shown]}],
            "rows": [{"label": r.label, "value": r.value, "numerator": r.numerator, "denominator": r.denominator,
                      "also": other.get(r.key)} for r in rows]}


def freshness(start: dt.date, end: dt.date, keys, today: dt.date) -> str:
    """“数据更新于 22:32（每10分钟更新）”: when the rolled-up numbers of the period shown were
    computed (their 查看明细 lists are live and may already count a few more records)."""
    at = rollups.as_of(start, end, keys)
    return rules.freshness_text(timezone.localtime(at) if at else None, today, rollups.refresh_every(),
                                current=start <= today <= end)


def build(user, month: dt.date, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    start, end = month, rules.month_end(month)
    prev_start, prev_end, same_span = rules.comparison_period(start, end, today)
    with sources.memo():
        cards = [_card(registry.get(k), start, end, prev_start, prev_end, user) for k in CARDS]
        trend = _trend(month, user)
        ranking = _ranking(start, end, user)
        as_of_text = freshness(start, end, CARDS, today)
    ranking_rows = ranking.pop("rows")
    trend_rows = [(m, [s["data"][i] for s in trend["series"]]) for i, m in enumerate(trend["x"])]
    return {"trend_rows": trend_rows, "month": f"{month:%Y-%m}", "start": start, "end": end,
            **rules.comparison_labels(prev_start, prev_end, same_span),
            "cards": cards, "trend": trend, "ranking": ranking, "ranking_rows": ranking_rows, "as_of_text": as_of_text,
            "rank_name": registry.get(RANK_BY).name, "also_name": registry.get(RANK_ALSO).name}


def cached_build(user, month: dt.date) -> dict:
    key = f"insights:leader:{scope_key(user)}:{month:%Y-%m}:{timezone.localdate():%d}"  # the compared span moves daily
    found = cache.get(key)
    if found is None:
        found = build(user, month)
        cache.set(key, found, CACHE_SECONDS)
    return found
