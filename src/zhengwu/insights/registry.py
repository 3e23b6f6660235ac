"""The registry of figures (指标口径): every figure the platform reports, defined once.

A :class:`Figure` names the figure, says its formula in words, its source domain, unit, periods
and dimensions, and computes it by calling the domain's own figure function (the adapters in
:mod:`zhengwu.insights.sources`; read-only, scoped to the viewer as the domain page scopes it) —
or, when every day of the period is rolled up, by summing the rollups (:mod:`zhengwu.insights.rollups`:
the same answer, without reading the records).
``drill_url`` leads to the domain page filtered to the period (and group) behind a number.

Domains register their figures when the insights app is ready (``sources.load()``)::

    register(Figure(key="cases.on_time_rate", name="按时办结率", ...))
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

DOMAINS = ("办件", "好差评", "12345", "电子证照", "大厅", "监管", "事项")
DIMENSIONS = {"department": "部门", "region": "区划", "item": "事项", "window": "窗口", "channel": "渠道",
              "ticket_type": "诉求类型"}
PERIODS = {"day": "日", "month": "月", "year": "年"}
UNITS = ("%", "件", "次", "分钟", "条")


@dataclass(frozen=True)
class Row:
    """One number of a figure: the total (``key`` None, label “合计”) or one group's."""

    label: str
    key: object
    value: float | int | None
    numerator: float | int | None = None  # rates: what is counted …
    denominator: float | int | None = None  # … over what


@dataclass(frozen=True)
class Figure:
    key: str  # "<domain app>.<figure>", e.g. "cases.on_time_rate"
    name: str  # 按时办结率
    formula: str  # in words: "按时办结件数 ÷ 办结件数"
    domain: str  # one of DOMAINS
    unit: str  # one of UNITS
    # compute(start, end, *, user, by=None) → [Row]: by None → the one total row; by a dimension →
    # one row per group (only the dimensions in ``dimensions``).
    source: Callable[..., list[Row]] = field(compare=False, repr=False)
    periods: tuple[str, ...] = ("day", "month", "year")
    dimensions: tuple[str, ...] = ()
    page: str = ""  # URL name of the domain page the figure is shown on (the 口径 page's “查看”)
    # drill(start, end, key) → the domain page filtered to the records behind a number, or None
    drill: Callable[..., str | None] | None = field(default=None, compare=False, repr=False)
    note: str = ""  # anything the reader must know (e.g. month granularity)

    def __post_init__(self):
        if self.domain not in DOMAINS:
            raise ValueError(f"{self.key}: domain must be one of {DOMAINS}")
        if self.unit not in UNITS:
            raise ValueError(f"{self.key}: unit must be one of {UNITS}")
        unknown = set(self.dimensions) - set(DIMENSIONS)
        if unknown or set(self.periods) - set(PERIODS):
            raise ValueError(f"{self.key}: unknown dimensions or periods {unknown or self.periods}")

    @property
    def is_rate(self) -> bool:
        return self.unit == "%"

    @property
    def dimension_labels(self) -> list[str]:
        return [DIMENSIONS[d] for d in self.dimensions]

    @property
    def period_labels(self) -> list[str]:
        return [PERIODS[p] for p in self.periods]

    def compute(self, start: dt.date, end: dt.date, *, user, by: str | None = None) -> list[Row]:
        if by is not None and by not in self.dimensions:
            raise ValueError(f"{self.key} has no dimension {by!r} (it has {self.dimensions})")
        from . import rollups

        found = rollups.read(self, start, end, user=user, by=by)  # every day rolled up: summed rollups
        return found if found is not None else self.source(start, end, user=user, by=by)

    def total(self, start: dt.date, end: dt.date, *, user) -> Row | None:
        """The figure over everything ``user`` may see (None when they may see none of it)."""
        rows = self.compute(start, end, user=user)
        return rows[0] if rows else None

    def drill_url(self, start: dt.date, end: dt.date, key=None, by: str | None = None) -> str | None:
        """The records behind the number of group ``key`` of dimension ``by`` (the total: no key)."""
        if not self.drill:
            return None
        return self.drill(start, end, key, by=by) if by else self.drill(start, end, key)

    def page_url(self) -> str | None:
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse(self.page) if self.page else None
        except NoReverseMatch:
            return None


_figures: dict[str, Figure] = {}


def register(figure: Figure) -> Figure:
    """Add ``figure`` (registering the same key again replaces it: app reloads in tests)."""
    _figures[figure.key] = figure
    return figure


def figures(domain: str | None = None) -> list[Figure]:
    """The registered figures by domain (in :data:`DOMAINS` order), then in registration order
    (of one domain when given)."""
    found = [f for f in _figures.values() if domain is None or f.domain == domain]
    return sorted(found, key=lambda f: DOMAINS.index(f.domain))


def get(key: str) -> Figure:
    try:
        return _figures[key]
    except KeyError:
        raise KeyError(f"no figure {key!r} is registered") from None


def formula_or(key: str, fallback: str) -> str:
    """The registered formula (口径) of ``key`` — the one definition a domain page prints for a
    figure the registry holds — else ``fallback`` (the domain's text of a figure it does not hold)."""
    figure = _figures.get(key)
    return figure.formula if figure else fallback
