"""The chart by region (区划): an ECharts map when a boundary file is configured, bars otherwise.

``ZHENGWU_REGION_GEOJSON`` (a setting, or the environment variable of that name) names a GeoJSON
``FeatureCollection`` whose features' ``properties.name`` are the regions' names as the platform
writes them (e.g. 金水区). The file is served by our own view (:func:`zhengwu.insights.views_dash.region_geojson`)
and registered in the browser with ``echarts.registerMap`` (static/zhengwu/insights-dash.js): no
map service, no CDN. A missing or unreadable file gives the bars, and says why in the log.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from django.conf import settings

from .. import registry

log = logging.getLogger("zhengwu.insights")
MAX_BYTES = 20 * 1024 * 1024
MAP_NAME = "zw-region"
_loaded: dict[tuple, dict | None] = {}


def geojson_path() -> Path | None:
    value = getattr(settings, "ZHENGWU_REGION_GEOJSON", None) or os.environ.get("ZHENGWU_REGION_GEOJSON", "")
    return Path(value) if value else None


def check(data) -> str | None:
    """What is wrong with a parsed boundary file (None when it can be drawn)."""
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        return "不是 GeoJSON FeatureCollection"
    features = data.get("features")
    if not isinstance(features, list) or not features:
        return "没有区划边界（features 为空）"
    for i, f in enumerate(features):
        name = (f.get("properties") or {}).get("name") if isinstance(f, dict) else None
        if not isinstance(name, str) or not name.strip():
            return f"第{i + 1}个区划边界没有名称（properties.name）"
        if not isinstance(f.get("geometry"), dict):
            return f"区划“{name}”没有边界（geometry）"
    return None


def load() -> dict | None:
    """The configured boundary file, parsed and checked (once per file version), or None."""
    path = geojson_path()
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        log.warning("region boundary file %s not found: region charts drawn as bars", path)
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _loaded:
        data = None
        if stat.st_size > MAX_BYTES:
            log.warning("region boundary file %s is larger than %d bytes: not used", path, MAX_BYTES)
        else:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                problem = check(data)
            except (OSError, ValueError) as exc:
                problem = str(exc)
            if problem:
                log.warning("region boundary file %s not used: %s", path, problem)
                data = None
        _loaded.clear()
        _loaded[key] = data
    return _loaded[key]


def map_url() -> str | None:
    from django.urls import reverse

    return reverse("insights:region_geojson") if load() is not None else None


def chart_of_rows(figure_key: str, rows: list[tuple[str, float | int | None]], *, title: str = "") -> dict:
    """The chart spec of (region name, value) rows (static/zhengwu/insights-dash.js ``kind: region``):
    a map when a boundary file is configured, else bars, largest first."""
    figure = registry.get(figure_key)
    rows = sorted(((label, value) for label, value in rows if value is not None), key=lambda r: (-r[1], r[0]))
    return {"kind": "region", "map": map_url(), "map_name": MAP_NAME, "title": title or f"{figure.name}（按区划）",
            "name": figure.name, "unit": figure.unit, "data": [{"name": n, "value": v} for n, v in rows],
            "x": [n for n, _ in rows], "y": [figure.unit],
            "series": [{"name": figure.name, "type": "bar", "data": [v for _, v in rows]}]}


def chart(figure_key: str, start, end, *, user, title: str = "") -> dict:
    """``figure_key`` by region over the period, in the viewer's scope."""
    figure = registry.get(figure_key)
    if "region" not in figure.dimensions:
        raise ValueError(f"{figure_key} has no region dimension")
    rows = figure.compute(start, end, user=user, by="region")
    return chart_of_rows(figure_key, [(r.label, r.value) for r in rows if r.key is not None], title=title)


LEADER_FIGURE = "hotline.received"


def leader_chart(user, month) -> dict:
    """The 领导驾驶舱's region card: 12345 受理量 of the month by 区划 (cached a minute per scope)."""
    from .. import rules
    from . import cached, scope_of

    def build():
        return chart(LEADER_FIGURE, month, rules.month_end(month), user=user,
                     title=f"{registry.get(LEADER_FIGURE).name}（按区划）")

    return cached(f"insights:region:{scope_of(user)}:{LEADER_FIGURE}:{month:%Y-%m}", 60, build)
