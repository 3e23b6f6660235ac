"""Pure helpers of the figures registry (no ORM): rates and periods.

Rates are percentages with one decimal, computed from their numerator and denominator; nothing to
divide by gives ``None`` (shown as “—”, never as 0 % or 100 %). Periods are whole months
("2026-11") or years ("2026"), as (first day, last day), both included.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal


class PeriodError(ValueError):
    """A period the figures refuse; ``message`` is the Chinese text shown to the user."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def rate(numerator: int | float | None, denominator: int | float | None) -> float | None:
    """``numerator ÷ denominator`` as a percentage with one decimal (half up); None for 0/0.

    >>> rate(2, 3)
    66.7
    """
    if not denominator:
        return None
    value = Decimal(str(numerator or 0)) * 100 / Decimal(str(denominator))
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def add_months(month: dt.date, n: int) -> dt.date:
    """The first day of the month ``n`` months after (or before, n < 0) ``month``'s month."""
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return add_months(month, 1) - dt.timedelta(days=1)


_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_YEAR = re.compile(r"^(\d{4})$")


def month_bounds(text: str) -> tuple[dt.date, dt.date]:
    """"2026-11" → (2026-11-01, 2026-11-30)."""
    m = _MONTH.match((text or "").strip())
    if not m or not 1 <= int(m[2]) <= 12 or not 2000 <= int(m[1]) <= 2100:
        raise PeriodError("month", "月份格式不正确：应为 年-月，如 2026-11（2000年至2100年）")
    first = dt.date(int(m[1]), int(m[2]), 1)
    return first, month_end(first)


def year_bounds(text: str) -> tuple[dt.date, dt.date]:
    """"2026" → (2026-01-01, 2026-12-31)."""
    m = _YEAR.match((text or "").strip())
    if not m or not 2000 <= int(m[1]) <= 2100:
        raise PeriodError("year", "年份格式不正确：应为四位年份，如 2026（2000年至2100年）")
    return dt.date(int(m[1]), 1, 1), dt.date(int(m[1]), 12, 31)


def parse_period(text: str) -> tuple[str, dt.date, dt.date]:
    """A month ("2026-11") or a year ("2026") → (kind "month"/"year", first day, last day)."""
    text = (text or "").strip()
    if _YEAR.match(text):
        return ("year", *year_bounds(text))
    if _MONTH.match(text):
        return ("month", *month_bounds(text))
    raise PeriodError("period", "统计期格式不正确：应为月份（如 2026-11）或年份（如 2026）")


def previous_period(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    """The month (or year) before the one starting on ``start``."""
    if kind == "year":
        return dt.date(start.year - 1, 1, 1), dt.date(start.year - 1, 12, 31)
    first = add_months(start, -1)
    return first, month_end(first)


def comparison_period(start: dt.date, end: dt.date, today: dt.date) -> tuple[dt.date, dt.date, bool]:
    """What a month's figures are compared with: the month before — only as many of its first days
    as this month has had when the month is not over (1–7 December against 1–7 November, not
    against all of November, which read as a collapse). The flag: compared with the same span."""
    prev_start, prev_end = previous_period("month", start)
    if start <= today <= end:
        return prev_start, min(prev_start + dt.timedelta(days=(today - start).days), prev_end), True
    return prev_start, prev_end, False


def comparison_text(prev_start: dt.date, prev_end: dt.date, same_span: bool) -> str:
    return f"上月同期（{prev_start:%m-%d} 至 {prev_end:%m-%d}）" if same_span else f"上月（{prev_start:%Y-%m}）"


def comparison_labels(prev_start: dt.date, prev_end: dt.date, same_span: bool) -> dict:
    """What a dashboard page says about the compared period: the line under its title and each card's word."""
    return {"previous": comparison_text(prev_start, prev_end, same_span),
            "compare_word": "较上月同期" if same_span else "较上月"}


def last_months(month: dt.date, n: int = 12) -> list[tuple[dt.date, dt.date]]:
    """The ``n`` months ending with ``month``'s month, oldest first, as (first day, last day)."""
    firsts = [add_months(month.replace(day=1), -i) for i in range(n - 1, -1, -1)]
    return [(f, month_end(f)) for f in firsts]


def change(current: float | int | None, previous: float | int | None) -> float | int | None:
    """``current − previous`` (None when either is unknown); for a rate: percentage points.

    >>> change(85.0, 82.5)
    2.5
    """
    if current is None or previous is None:
        return None
    diff = current - previous
    return round(diff, 1) if isinstance(diff, float) else diff


def change_text(diff: float | int | None, unit: str) -> str:
    """较上期的变化, in words: "+2.5 个百分点", "−3 件", "持平", "—" (unknown)."""
    if diff is None:
        return "—"
    if diff == 0:
        return "持平"
    sign = "+" if diff > 0 else "−"
    number = f"{abs(diff):g}"
    suffix = " 个百分点" if unit == "%" else f" {unit}"
    return f"{sign}{number}{suffix}"


def format_value(value: float | int | None, unit: str) -> str:
    """A figure for a card: "66.7%", "1,234 件", "12.5 分钟", "—"."""
    if value is None:
        return "—"
    if unit == "%":
        return f"{value:.1f}%"
    if isinstance(value, float):
        return f"{value:,.1f} {unit}"
    return f"{value:,} {unit}"


# -- how fresh the numbers are (walk finding #10) ----------------------------------------------
def interval_text(every: dt.timedelta) -> str:
    """每10分钟 / 每1小时: the rollups' refresh period in words."""
    minutes = max(1, int(every.total_seconds() // 60))
    return f"每{minutes // 60}小时" if minutes % 60 == 0 else f"每{minutes}分钟"


def freshness_text(as_of: dt.datetime | None, today: dt.date, every: dt.timedelta, *, current: bool) -> str:
    """What a dashboard says of the data it shows: the local time its rollups were computed
    (``as_of``; None: the numbers were computed live), and for a period still running how often
    they are refreshed — so a headline number is never silently behind the live list it links to.

    >>> freshness_text(dt.datetime(2026, 12, 7, 22, 32), dt.date(2026, 12, 7), dt.timedelta(minutes=10), current=True)
    '数据更新于 22:32（每10分钟更新）'
    """
    if as_of is None:
        return "实时数据"
    if not current:
        return f"数据更新于 {as_of:%Y-%m-%d %H:%M}"
    when = f"{as_of:%H:%M}" if as_of.date() == today else f"{as_of:%Y-%m-%d %H:%M}"
    return f"数据更新于 {when}（{interval_text(every)}更新）"
