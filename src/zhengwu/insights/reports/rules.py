"""Pure rules of the 月报/年报 (no ORM): which periods may be reported, the periods compared with,
what the scheduled job queues, and how a report's numbers are written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .. import rules as figure_rules
from ..rules import PeriodError

KINDS = {"month": "月报", "year": "年报"}
TOP_ITEMS = 20


@dataclass(frozen=True)
class Period:
    kind: str  # "month" | "year"
    text: str  # "2026-11" | "2026"
    start: dt.date
    end: dt.date

    @property
    def label(self) -> str:
        """"2026年11月" / "2026年"."""
        return f"{self.start.year}年{self.start.month}月" if self.kind == "month" else f"{self.start.year}年"

    @property
    def previous(self) -> Period:
        """The month (year) before."""
        start, end = figure_rules.previous_period(self.kind, self.start)
        return Period(self.kind, _text(self.kind, start), start, end)

    @property
    def year_before(self) -> Period:
        """The same month of the year before (同比); for a year, the year before."""
        if self.kind == "year":
            return self.previous
        start = self.start.replace(year=self.start.year - 1)
        return Period("month", _text("month", start), start, figure_rules.month_end(start))


def _text(kind: str, start: dt.date) -> str:
    return f"{start:%Y-%m}" if kind == "month" else f"{start:%Y}"


def parse(kind: str, text: str, today: dt.date) -> Period:
    """The period a report may be made of: a month ("2026-11") or year ("2026") that has begun by
    ``today`` (the current one is reported as far as it has gone). Raises :class:`PeriodError`
    with the field and the Chinese rule."""
    kind = (kind or "").strip()
    if kind not in KINDS:
        raise PeriodError("kind", "报告类型不正确：应为 month（月报）或 year（年报）")
    text = (text or "").strip()
    if not text:
        raise PeriodError("period", "统计期必填：月报填月份（如 2026-11），年报填年份（如 2026）")
    if kind == "month":
        start, end = figure_rules.month_bounds(text)
    else:
        start, end = figure_rules.year_bounds(text)
    if start > today:
        what = "月份" if kind == "month" else "年份"
        raise PeriodError("period", f"统计期不能是未来的{what}：{_text(kind, start)} 尚未开始")
    return Period(kind, _text(kind, start), start, end)


def data_until(period: Period, today: dt.date) -> dt.date:
    """The last day the report's data covers (the period's end, or yesterday… today for the current one)."""
    return min(period.end, today)


def due_by_schedule(today: dt.date) -> list[Period]:
    """What the monthly job must have made by ``today``: last month's report, and in January
    last year's too (made from the 1st on)."""
    last_month = figure_rules.add_months(today.replace(day=1), -1)
    due = [Period("month", _text("month", last_month), last_month, figure_rules.month_end(last_month))]
    if today.month == 1:
        due.append(Period("year", str(today.year - 1), dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)))
    return due


def title(kind: str, period_text: str) -> str:
    """"2026年11月政务服务月报" / "2026年政务服务年报"."""
    if kind == "year":
        return f"{period_text}年政务服务年报"
    year, _, month = period_text.partition("-")
    return f"{year}年{int(month)}月政务服务月报"


def value_text(value, unit: str) -> str:
    """A number as the report prints it: "75.0%", "1,234", "12.5", "—" (the unit is in its own column)."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return f"{value:,}"


def change_text(diff, unit: str) -> str:
    return figure_rules.change_text(diff, unit)


def share(part, whole) -> float | None:
    """``part`` as a percentage of ``whole`` (one decimal), None when there is no whole."""
    return figure_rules.rate(part, whole)
