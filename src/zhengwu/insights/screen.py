"""The 大屏: the current layout's tiles computed from the registry, in the viewer's scope.

Each tile is one figure shown one way (see :mod:`.screen_rules`); the data of a whole screen is
cached for the layout's refresh interval per layout version and viewer scope, so a room of
screens polling the JSON endpoint costs one computation per interval.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from . import dashboard, registry, rules, screen_rules, sources
from .dashboards import cached, region, scope_of

RANK_TOP = 10
SHARE_TOP = 7
TREND_DAYS = 14


def period_bounds(period: str, today: dt.date) -> tuple[dt.date, dt.date, dt.date, dt.date]:
    """(first, last, previous first, previous last) of today / this month / this year."""
    if period == "day":
        return today, today, today - dt.timedelta(days=1), today - dt.timedelta(days=1)
    if period == "year":
        first = dt.date(today.year, 1, 1)
        return (first, dt.date(today.year, 12, 31), *rules.previous_period("year", first))
    first = today.replace(day=1)
    return (first, rules.month_end(first), *rules.previous_period("month", first))


def compared_with(period: str, today: dt.date) -> tuple[dt.date, dt.date, str]:
    """What the number of ``period`` so far is compared with, and the word for it: this month so far
    with the same days of the month before (as the dashboards, rules.comparison_period), this year
    so far with the same days of the year before; today with yesterday."""
    start, end, p_start, p_end = period_bounds(period, today)
    if period == "month":
        p_start, p_end, same = rules.comparison_period(start, end, today)
        return p_start, p_end, "较上月同期" if same else "较上月"
    if period == "year":
        try:
            same_day = today.replace(year=today.year - 1)
        except ValueError:  # 29 February
            same_day = today.replace(year=today.year - 1, day=28)
        return p_start, min(same_day, p_end), "较上年同期"
    return p_start, p_end, "较昨日"


def _number(figure, period, today, user) -> dict:
    start, end, _, _ = period_bounds(period, today)
    p_start, p_end, word = compared_with(period, today)
    now, before = figure.total(start, end, user=user), figure.total(p_start, p_end, user=user)
    value = now.value if now else None
    diff = rules.change(value, before.value if before else None)
    return {"value": value, "text": rules.format_value(value, figure.unit),
            "change_text": f"{word} {rules.change_text(diff, figure.unit)}", "change": diff}


def _trend(figure, period, today, user) -> dict:
    if period == "day":
        days = [today - dt.timedelta(days=i) for i in range(TREND_DAYS - 1, -1, -1)]
        spans = [(d, d) for d in days]
        x = [f"{d:%m-%d}" for d in days]
    else:
        spans = rules.last_months(today.replace(day=1), 12)
        x = [f"{a:%Y-%m}" for a, _ in spans]
    data = []
    for a, b in spans:
        row = figure.total(a, b, user=user)
        data.append(None if row is None else row.value)
    return {"x": x, "y": [figure.unit], "series": [{"name": figure.name, "type": "line", "data": data}]}


def _grouped(figure, by, period, today, user):
    start, end, _, _ = period_bounds(period, today)
    return [r for r in figure.compute(start, end, user=user, by=by) if r.value is not None and r.key is not None]


def _ranking(figure, by, period, today, user) -> dict:
    rows = sorted(_grouped(figure, by, period, today, user), key=lambda r: (-r.value, r.label))[:RANK_TOP]
    rows.reverse()  # the largest at the top of a horizontal bar chart
    return {"x": [r.label for r in rows], "y": [figure.unit], "horizontal": True,
            "series": [{"name": figure.name, "type": "bar", "data": [r.value for r in rows]}]}


def _share(figure, by, period, today, user) -> dict:
    rows = sorted(_grouped(figure, by, period, today, user), key=lambda r: (-r.value, r.label))
    data = [{"name": r.label, "value": r.value} for r in rows[:SHARE_TOP] if r.value]
    rest = sum(r.value for r in rows[SHARE_TOP:])
    if rest:
        data.append({"name": "其他", "value": rest})
    return {"kind": "pie", "unit": figure.unit, "data": data}


def tile(spec: dict, user, today: dt.date) -> dict:
    """One tile's data: its title and either a number or a chart spec."""
    show, by, period = spec.get("show"), spec.get("by") or None, spec.get("period") or "month"
    try:
        figure = registry.get(spec.get("figure", ""))
    except KeyError:
        return {"show": "missing", "title": "指标已不存在", "text": "—", "note": f"指标“{spec.get('figure')}”未登记"}
    title = f"{figure.name} · {screen_rules.PERIODS.get(period, '')}"
    if by and show in ("ranking", "share"):
        title += f" · 按{registry.DIMENSIONS.get(by, by)}"
    out = {"show": show, "title": title, "figure": figure.key, "unit": figure.unit}
    if show == "number":
        out.update(_number(figure, period, today, user))
    elif show == "trend":
        out["chart"] = _trend(figure, period, today, user)
        out["title"] = f"{figure.name} · {'近14天' if period == 'day' else '近12个月'}"
    elif show == "ranking":
        out["chart"] = _ranking(figure, by, period, today, user)
    elif show == "share":
        out["chart"] = _share(figure, by, period, today, user)
    elif show == "region":
        start, end, _, _ = period_bounds(period, today)
        out["chart"] = region.chart(figure.key, start, end, user=user)
        out["title"] = f"{figure.name} · {screen_rules.PERIODS.get(period, '')} · 按区划"
    return out


def build(layout, user) -> dict:
    now = timezone.now()
    today = timezone.localdate(now)
    with sources.memo():
        tiles = [tile(t, user, today) for t in layout.tiles]
        # Every period of a tile runs to today: the numbers are as fresh as today's rollup.
        as_of_text = dashboard.freshness(today, today, [t.get("figure") for t in layout.tiles], today)
    return {"title": layout.title, "at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S"),
            "as_of_text": as_of_text, "refresh_seconds": layout.refresh_seconds, "tiles": tiles}


def cached_build(layout, user) -> dict:
    key = f"insights:screen:{layout.pk}:{layout.lock_version}:{scope_of(user)}"
    return cached(key, max(5, layout.refresh_seconds - 2), lambda: build(layout, user))
