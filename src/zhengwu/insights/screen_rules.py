"""Rules of the 大屏 layouts, without the ORM (unit-tested alone): what a tile may show.

A tile is ``{"figure": key, "show": one of SHOWS, "by": dimension or "", "period": day|month|year}``:

- ``number`` and ``trend``: the figure's total (no dimension); a trend needs the month or day period
  (12 months, or the last 14 days);
- ``ranking``: the figure by one of its dimensions, largest first;
- ``share`` (饼图): a count by one of its dimensions — a rate has no share;
- ``region``: by 区划 — the figure must have the region dimension.
"""

from __future__ import annotations

from dataclasses import dataclass

SHOWS = {"number": "数字卡片", "trend": "趋势", "ranking": "排名", "share": "占比（饼图）", "region": "区划分布"}
PERIODS = {"day": "今日", "month": "本月", "year": "本年"}
TREND_PERIODS = ("day", "month")
MAX_TILES = 12
MIN_REFRESH, MAX_REFRESH = 10, 3600
MAX_NAME = 60


@dataclass(frozen=True)
class FigureInfo:
    """What the rules need to know of a registered figure."""

    key: str
    name: str
    unit: str
    periods: tuple[str, ...]
    dimensions: tuple[str, ...]


def tile_errors(n: int, tile: dict, figure: FigureInfo | None, dimension_labels: dict[str, str]) -> dict[str, str]:
    """Field → Chinese message for tile number ``n`` (1-based); empty when the tile is fine."""
    where = f"第{n}个版块"
    key = str(tile.get("figure") or "").strip()
    show, by, period = (str(tile.get(k) or "").strip() for k in ("show", "by", "period"))
    field = f"tiles.{n - 1}"
    if not key:
        return {f"{field}.figure": f"{where}：请选择指标"}
    if figure is None:
        return {f"{field}.figure": f"{where}：指标“{key}”未登记，请从指标口径中选择"}
    if show not in SHOWS:
        return {f"{field}.show": f"{where}：展示方式不正确，应为{'、'.join(SHOWS.values())}之一"}
    if period not in PERIODS:
        return {f"{field}.period": f"{where}：统计周期不正确，应为{'、'.join(PERIODS.values())}之一"}
    if period not in figure.periods:
        allowed = "、".join(PERIODS[p] for p in figure.periods if p in PERIODS)
        return {f"{field}.period": f"{where}：指标“{figure.name}”不按{PERIODS[period][-1]}统计，可选：{allowed}"}
    if show in ("number", "trend") and by:
        return {f"{field}.by": f"{where}：{SHOWS[show]}展示指标合计，不选统计维度"}
    if show == "trend" and period not in TREND_PERIODS:
        return {f"{field}.period": f"{where}：趋势按日（近14天）或按月（近12个月）展示，请选择今日或本月"}
    if show in ("ranking", "share"):
        if not by:
            return {f"{field}.by": f"{where}：{SHOWS[show]}须选择统计维度"}
        if by not in figure.dimensions:
            allowed = "、".join(dimension_labels.get(d, d) for d in figure.dimensions) or "无"
            return {f"{field}.by": f"{where}：指标“{figure.name}”没有“{dimension_labels.get(by, by)}”维度，可选：{allowed}"}
        if show == "share" and figure.unit == "%":
            return {f"{field}.show": f"{where}：比率类指标（{figure.name}）不能用占比饼图，请用排名"}
    if show == "region":
        if "region" not in figure.dimensions:
            return {f"{field}.show": f"{where}：指标“{figure.name}”没有区划维度，不能按区划分布展示"}
        if by not in ("", "region"):
            return {f"{field}.by": f"{where}：区划分布的统计维度只能是区划"}
    return {}


def clean_tile(tile: dict) -> dict:
    """The tile as stored: the four keys, trimmed; ``region`` tiles by region."""
    out = {k: str(tile.get(k) or "").strip() for k in ("figure", "show", "by", "period")}
    if out["show"] == "region":
        out["by"] = "region"
    return out


def layout_errors(*, name: str, title: str, refresh_seconds, tiles: list) -> dict[str, str]:
    """Field → message for the layout's own fields (the tiles are checked one by one apart)."""
    errors: dict[str, str] = {}
    for field, label, value in (("name", "名称", name), ("title", "大屏标题", title)):
        value = (value or "").strip()
        if not value:
            errors[field] = f"{label}：必填"
        elif len(value) > MAX_NAME:
            errors[field] = f"{label}：不能超过{MAX_NAME}个字"
    try:
        seconds = int(refresh_seconds)
    except (TypeError, ValueError):
        seconds = None
    if seconds is None or not MIN_REFRESH <= seconds <= MAX_REFRESH:
        errors["refresh_seconds"] = f"刷新间隔：应为{MIN_REFRESH}至{MAX_REFRESH}之间的整数秒"
    if not isinstance(tiles, list):
        errors["tiles"] = "版面：格式不正确，应为版块列表"
    elif not tiles:
        errors["tiles"] = "版面：至少放一个版块"
    elif len(tiles) > MAX_TILES:
        errors["tiles"] = f"版面：最多{MAX_TILES}个版块"
    return errors
