"""The report's tables, computed once through the figure registry (never around it: a figure's
number in the report is the number its 指标口径 page and the dashboards show).

Scope: a report is the whole deployment's. It is computed as :func:`system_principal`, an unsaved
superuser (no login, no row in the database): :func:`zhengwu.org.permissions.is_sysadmin` is true
for it, so every domain's figure function scopes nothing out (each starts with ``scope(qs, user)``,
which returns everything for a sysadmin). Nothing is written as that principal.

Each domain report is computed once per period and grouping (inside ``sources.memo()``): the totals
and the department table share the department-grouped report, the comparison periods add two
more totals per domain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from .. import registry, sources
from ..rollups import first_data_day
from ..rules import change
from . import rules
from .rules import TOP_ITEMS, Period, value_text

# The departments' table: the main figures (those registered with a department dimension).
DEPARTMENT_FIGURES = ("cases.accepted", "cases.concluded", "cases.on_time_rate", "cases.full_online_rate",
                      "ratings.active_rate", "ratings.satisfaction_rate", "hotline.received", "hotline.on_time_rate",
                      "licenses.uses")
ITEM_RANK_BY = "cases.accepted"
ITEM_FIGURES = ("cases.accepted", "cases.concluded", "cases.on_time_rate", "cases.full_online_rate",
                "ratings.satisfaction_rate")
TYPE_FIGURES = ("hotline.received", "hotline.on_time_rate", "hotline.satisfaction_rate")
SCOPE_TEXT = "全部区划和部门（系统范围）"


def system_principal():
    """The principal a report is computed as: an unsaved superuser that sees everything."""
    from django.contrib.auth import get_user_model

    user = get_user_model()(username="system:reports", display_name="统计报告（系统）", is_superuser=True,
                            is_active=True)
    user._zw_grants = []
    return user


@dataclass
class Table:
    name: str  # the Excel sheet's name (≤ 31 characters)
    title: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)  # raw values (the Excel cells)
    texts: list[list[str]] = field(default_factory=list)  # as printed (the PDF cells)
    note: str = ""
    widths: tuple[float, ...] = ()  # relative column widths (PDF)
    text_columns: tuple[int, ...] = (0,)  # columns of words, not numbers (left-aligned in the PDF)

    def add(self, *cells) -> None:
        """One row; a cell is a text, or ``(value, printed text)``."""
        values, texts = [], []
        for c in cells:
            value, text = c if isinstance(c, tuple) else (c, "—" if c is None else str(c))
            values.append("—" if value is None else value)
            texts.append(text)
        self.rows.append(values)
        self.texts.append(texts)


@dataclass(frozen=True)
class Definition:
    key: str
    name: str
    formula: str
    domain: str
    unit: str
    dimensions: str
    periods: str
    note: str


@dataclass
class Report:
    kind: str
    period: Period
    title: str
    platform: str
    scope: str
    generated_at: dt.datetime
    data_until: dt.date
    tables: list[Table]
    definitions: list[Definition]

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)


def _v(value, unit: str):
    return value, value_text(value, unit)


def _figures(kind: str) -> list[registry.Figure]:
    return [f for f in registry.figures() if kind in f.periods]


def _pick(keys, figs: list[registry.Figure], dimension: str) -> list[registry.Figure]:
    known = {f.key: f for f in figs}
    return [known[k] for k in keys if k in known and dimension in known[k].dimensions]


def _total(fig, period: Period, user) -> registry.Row | None:
    return fig.total(period.start, period.end, user=user)


def _overview(figs, period, user) -> Table:
    t = Table("总体情况", f"一、总体情况（{period.label}）", ["指标", "来源", "数值", "单位", "分子", "分母"],
              widths=(3.2, 1.2, 1.4, 0.8, 1.2, 1.2), text_columns=(0, 1, 3),
              note="比率的分子、分母见“指标口径”；“—”表示本期没有可计算的数据（分母为 0），不是 0。")
    for f in figs:
        row = _total(f, period, user)
        value, num, den = (row.value, row.numerator, row.denominator) if row else (None, None, None)
        t.add(f.name, f.domain, _v(value, f.unit), f.unit, _v(num, "") if f.is_rate else ("", ""),
              _v(den, "") if f.is_rate else ("", ""))
    return t


def _group_key(row: registry.Row, ids_by_label: dict[str, set]) -> tuple:
    if isinstance(row.key, int):
        return ("id", row.key)
    ids = ids_by_label.get(row.label, set())
    return ("id", next(iter(ids))) if len(ids) == 1 else ("label", row.label)


def _merge(by_figure: dict[str, list[registry.Row]]) -> tuple[dict[tuple, dict[str, registry.Row]], dict[tuple, str]]:
    """Rows of several figures grouped by the same dimension, joined group by group: by id when
    the figure gives ids, else by name when one id has that name (two departments of one name
    in different regions are kept apart by id)."""
    ids_by_label: dict[str, set] = {}
    for rows in by_figure.values():
        for r in rows:
            if isinstance(r.key, int):
                ids_by_label.setdefault(r.label, set()).add(r.key)
    merged: dict[tuple, dict[str, registry.Row]] = {}
    labels: dict[tuple, str] = {}
    for key, rows in by_figure.items():
        for r in rows:
            g = _group_key(r, ids_by_label)
            merged.setdefault(g, {})[key] = r
            labels.setdefault(g, r.label)
    return merged, labels


def _cell(r: registry.Row | None, unit: str):
    return _v(r.value if r else None, unit)


def _departments(figs, period, user) -> Table:
    cols = _pick(DEPARTMENT_FIGURES, figs, "department")
    t = Table("部门情况", f"二、各部门情况（{period.label}）", ["部门"] + [f"{f.name}（{f.unit}）" for f in cols],
              widths=(3.0,) + (1.0,) * len(cols),
              note="按受理量从高到低排列；部门没有该项数据时为“—”。")
    by_figure = {f.key: f.compute(period.start, period.end, user=user, by="department") for f in cols}
    merged, labels = _merge(by_figure)
    first = cols[0].key if cols else None

    def order(g):
        r = merged[g].get(first)
        return (-(r.value or 0) if r else 0, labels[g])

    for g in sorted(merged, key=order):
        t.add(labels[g], *[_cell(merged[g].get(f.key), f.unit) for f in cols])
    t.add("合计", *[_cell(_total(f, period, user), f.unit) for f in cols])
    return t


def _items(figs, period, user) -> Table:
    cols = _pick(ITEM_FIGURES, figs, "item")
    t = Table("事项前20", f"三、受理量前{TOP_ITEMS}位的事项（{period.label}）",
              ["排名", "事项"] + [f"{f.name}（{f.unit}）" for f in cols], widths=(0.6, 4.0) + (1.1,) * len(cols),
              text_columns=(0, 1),
              note="按受理量从高到低排列（相同时按事项名称）。")
    if not cols or cols[0].key != ITEM_RANK_BY:
        return t
    ranked = cols[0].compute(period.start, period.end, user=user, by="item")
    top = sorted((r for r in ranked if r.value), key=lambda r: (-r.value, r.label))[:TOP_ITEMS]
    others = {f.key: {r.key: r for r in f.compute(period.start, period.end, user=user, by="item")} for f in cols[1:]}
    for i, r in enumerate(top, 1):
        t.add((i, str(i)), r.label, _cell(r, cols[0].unit), *[_cell(others[f.key].get(r.key), f.unit) for f in cols[1:]])
    return t


def _ticket_types(figs, period, user) -> Table:
    cols = _pick(TYPE_FIGURES, figs, "ticket_type")
    t = Table("12345诉求类型", f"四、12345 热线按诉求类型（{period.label}）",
              ["诉求类型"] + [f"{f.name}（{f.unit}）" for f in cols[:1]] + ["占比（%）"]
              + [f"{f.name}（{f.unit}）" for f in cols[1:]], widths=(2.0,) + (1.2,) * (len(cols) + 1),
              note="占比 = 该类型受理量 ÷ 12345 受理量合计。")
    if not cols:
        return t
    by_figure = {f.key: f.compute(period.start, period.end, user=user, by="ticket_type") for f in cols}
    merged, labels = _merge(by_figure)
    totals = {f.key: _total(f, period, user) for f in cols}
    whole = totals[cols[0].key].value if totals[cols[0].key] else None
    first = cols[0].key

    def order(g):
        r = merged[g].get(first)
        return (-(r.value or 0) if r else 0, labels[g])

    for g in sorted(merged, key=order):
        r = merged[g].get(first)
        t.add(labels[g], _cell(r, cols[0].unit), _v(rules.share(r.value if r else 0, whole), "%"),
              *[_cell(merged[g].get(f.key), f.unit) for f in cols[1:]])
    t.add("合计", _cell(totals[first], cols[0].unit), _v(100.0 if whole else None, "%"),
          *[_cell(totals[f.key], f.unit) for f in cols[1:]])
    return t


def _comparison(figs, period, user, today) -> Table:
    month = period.kind == "month"
    previous, year_before = period.previous, period.year_before
    columns = ["指标", "单位", "本期", "上期" if month else "上年", "较上期" if month else "较上年"]
    if month:
        columns += ["上年同期", "同比"]
    t = Table("较上期同比", f"五、较上期{'及同比' if month else ''}变化（{period.label}）", columns,
              widths=(3.0, 0.7) + (1.2,) * (len(columns) - 2), text_columns=(0, 1),
              note=(f"上期为 {previous.label}" + (f"，上年同期为 {year_before.label}" if month else "")
                    + "；比率的变化以百分点计；“—”表示该期没有可比的数据（如早于平台最早的数据）。"
                    + (f"本期尚未结束（数据截至 {today:%Y-%m-%d}），与完整的上期比较仅供参考。" if period.end > today else "")))
    # A period that ends before the first day of any data has no figures: its counts are not 0
    # but unknown, and a change against it is "—" like a rate's (not the whole of this period).
    since = first_data_day()
    for f in figs:
        now = _total(f, period, user)
        now_v = now.value if now else None
        cells = [f.name, f.unit, _v(now_v, f.unit)]
        for other in ([previous, year_before] if month else [previous]):
            if since is None or other.end < since:
                before = None
            else:
                row = _total(f, other, user)
                before = row.value if row else None
            diff = change(now_v, before)
            cells += [_v(before, f.unit), (diff, rules.change_text(diff, f.unit))]
        t.add(*cells)
    return t


def definitions(figs) -> list[Definition]:
    return [Definition(f.key, f.name, f.formula, f.domain, f.unit, "、".join(f.dimension_labels) or "—",
                       "、".join(f.period_labels), f.note) for f in figs]


def compute(period: Period, today: dt.date | None = None) -> Report:
    """Every table of the report of ``period`` (the whole deployment's)."""
    today = today or timezone.localdate()
    user = system_principal()
    figs = _figures(period.kind)
    with sources.memo():
        tables = [_overview(figs, period, user), _departments(figs, period, user), _items(figs, period, user),
                  _ticket_types(figs, period, user), _comparison(figs, period, user, today)]
    return Report(kind=period.kind, period=period, title=rules.title(period.kind, period.text),
                  platform=getattr(settings, "ZHENGWU_PLATFORM_NAME", "政务服务平台"), scope=SCOPE_TEXT,
                  generated_at=timezone.localtime(), data_until=rules.data_until(period, today), tables=tables,
                  definitions=definitions(figs))
