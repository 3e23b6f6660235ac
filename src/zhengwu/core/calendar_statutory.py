"""The statutory holidays of a year, known before the State Council publishes its 调休 notice.

《全国年节及纪念日放假办法》 as amended by 《国务院关于修改〈全国年节及纪念日放假办法〉的决定》
(2024-11-10, 国务院令第795号, in force 2025-01-01), 第二条 — 全体公民放假的节日:

  (一) 元旦，放假1天（1月1日）；
  (二) 春节，放假4天（农历除夕、正月初一至初三）；
  (三) 清明节，放假1天（农历清明当日）；
  (四) 劳动节，放假2天（5月1日、2日）；
  (五) 端午节，放假1天（农历端午当日）；
  (六) 中秋节，放假1天（农历中秋当日）；
  (七) 国庆节，放假3天（10月1日至3日）。

These 13 days are days off whatever the yearly notice says. What only the notice fixes — and
what this module therefore cannot know — is the 调休: the weekend days that become working days,
the bridging days off, and the 补假 that 第六条 grants when a holiday falls on a weekend. A year
computed here is "statutory-only" (:data:`STATUS_STATUTORY`) until an administrator enters the
notice.

Pure: no ORM. Lunar dates come from ``lunardate`` (tables for 1900–2099), the 清明 solar term from
``chinese-calendar``'s ``get_solar_terms``.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

# The amended 办法 applies from this year on; earlier years are covered by published data.
FIRST_YEAR = 2025
LAST_YEAR = 2099  # lunardate's table ends with lunar year 2099

STATUS_PUBLISHED = "published"  # the State Council's notice is in (library data or entered)
STATUS_STATUTORY = "statutory"  # only the 第二条 days are known; 调休 not yet published
STATUS_WEEKDAYS = "weekdays"  # nothing known: Monday–Friday

STATUS_LABELS = {
    STATUS_PUBLISHED: "已公布",
    STATUS_STATUTORY: "仅法定节日（调休待公布）",
    STATUS_WEEKDAYS: "无数据（按周一至周五）",
}

SOURCE = "《全国年节及纪念日放假办法》第二条"


def _lunar(year: int, month: int, day: int) -> dt.date:
    from lunardate import LunarDate

    return LunarDate(year, month, day).to_solar_date()


def _qingming(year: int) -> dt.date:
    from chinese_calendar import get_solar_terms

    return next(d for d, name in get_solar_terms(dt.date(year, 4, 1), dt.date(year, 4, 30)) if name == "清明")


@lru_cache(maxsize=128)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """第二条's days off in ``year`` → the festival's name. Raises ValueError outside
    :data:`FIRST_YEAR`–:data:`LAST_YEAR`."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{year}年不在{FIRST_YEAR}–{LAST_YEAR}年之间")
    days: dict[dt.date, str] = {}

    def add(day: dt.date, name: str) -> None:  # 中秋 can fall within 国庆 (2028-10-03)
        days[day] = f"{days[day]}、{name}" if day in days else name

    add(dt.date(year, 1, 1), "元旦")  # (一)
    new_year = _lunar(year, 1, 1)  # 正月初一 of the lunar year that starts in this solar year
    for i in range(-1, 3):  # (二) 除夕 (the day before 初一: 腊月廿九 or 三十) to 初三
        add(new_year + dt.timedelta(days=i), "春节")
    add(_qingming(year), "清明节")  # (三)
    for d in (1, 2):  # (四)
        add(dt.date(year, 5, d), "劳动节")
    add(_lunar(year, 5, 5), "端午节")  # (五)
    for d in (1, 2, 3):  # (七)
        add(dt.date(year, 10, d), "国庆节")
    add(_lunar(year, 8, 15), "中秋节")  # (六)
    return days
