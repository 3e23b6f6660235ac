"""Read the State Council's yearly holiday notice (国务院办公厅关于X年部分节假日安排的通知).

An administrator pastes the notice's text (or just its lines); :func:`parse_notice` turns it into
days off (放假) and make-up working days (上班), checks each weekday given in brackets and each
“共N天” against the dates, and lists what it could not read. Nothing is written here (pure, no
ORM): the admin page shows the result for confirmation and ``services.apply_year_notice`` stores
it in the override table.

Lines it reads, full-width or ASCII punctuation alike::

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。
    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。
    五、端午节：6月10日放假，与周末连休。
    元旦：2022年12月31日至2023年1月2日放假调休，共3天。
    2027-02-05 至 2027-02-11 放假
    2027-02-20 上班
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
FESTIVALS = ("元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节")

_BRACKETS = re.compile(r"[（(]([^）)]*)[）)]")
_DATE = re.compile(
    r"(?P<iso>(?P<iy>\d{4})-(?P<im>\d{1,2})-(?P<id>\d{1,2}))"
    r"|(?:(?P<y>\d{4})年)?(?:(?P<m>\d{1,2})月)?(?P<d>\d{1,2})日(?P<br>[（(][^）)]*[）)])?"
)
_RANGE_JOINER = re.compile(r"^\s*(至|到|—|–|~|～|-)\s*$")
_WEEKDAY_IN_BRACKET = re.compile(r"(?:周|星期)([一二三四五六日天])")
_TOTAL = re.compile(r"共\s*(\d+)\s*天")
_HEAD = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]\s*)?(?P<name>[^：:，,。\d]{1,8})[：:]")


@dataclass
class NoticeResult:
    year: int
    holidays: dict[dt.date, str] = field(default_factory=dict)  # date → festival
    workdays: dict[dt.date, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # block the confirmation
    warnings: list[str] = field(default_factory=list)  # shown, do not block
    lines_read: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.holidays)


def _dates(sentence: str, year: int, festival: str, problems: list[str], line_no: int) -> list[dt.date]:
    """The dates a sentence names, ranges (“A至B”) expanded, in order."""
    out: list[dt.date] = []
    prev_end = None
    prev_date: dt.date | None = None
    month = None
    cur_year = year
    for m in _DATE.finditer(sentence):
        try:
            if m["iso"]:
                day = dt.date(int(m["iy"]), int(m["im"]), int(m["id"]))
                cur_year, month = day.year, day.month
            else:
                if m["y"]:
                    cur_year = int(m["y"])
                if m["m"]:
                    month = int(m["m"])
                    if not m["y"]:  # 元旦 can start on the last days of the year before
                        cur_year = year - 1 if festival == "元旦" and month == 12 else year
                if month is None:
                    problems.append(f"第{line_no}行：“{m.group(0)}”缺少月份")
                    continue
                day = dt.date(cur_year, month, int(m["d"]))
        except ValueError:
            problems.append(f"第{line_no}行：“{m.group(0)}”不是有效日期")
            continue
        if m["br"]:
            wd = _WEEKDAY_IN_BRACKET.search(m["br"])
            if wd and WEEKDAYS[wd[1]] != day.weekday():
                problems.append(
                    f"第{line_no}行：{day:%Y年%-m月%-d日}是星期{'一二三四五六日'[day.weekday()]}，"
                    f"通知写的是“{wd.group(0)}”——请核对年份和日期"
                )
        between = sentence[prev_end:m.start()] if prev_end is not None else ""
        if prev_date is not None and _RANGE_JOINER.match(between):
            if day < prev_date or (day - prev_date).days > 31:
                problems.append(f"第{line_no}行：日期范围{prev_date:%-m月%-d日}至{day:%-m月%-d日}不正确")
            else:
                d = prev_date + dt.timedelta(days=1)
                while d <= day:
                    out.append(d)
                    d += dt.timedelta(days=1)
        else:
            out.append(day)
        prev_date, prev_end = day, m.end()
    return out


def parse_notice(text: str, year: int) -> NoticeResult:
    """Read a notice for ``year``. Never raises on bad text: what it cannot read is listed in
    ``problems``."""
    result = NoticeResult(year=year)
    for line_no, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip()
        if not line or ("放假" not in line and "上班" not in line):
            continue
        head = _HEAD.match(line)
        festival = head["name"].strip() if head else ""
        body = line[head.end():] if head else line
        label = festival or "放假"
        read_any = False
        for sentence in re.split(r"[。；;]", body):
            # Brackets hold weekdays and lunar dates; the date pattern reads the ones right after
            # a date, and any other bracketed text is dropped before looking for keywords.
            keywords = _BRACKETS.sub("", sentence)
            if "放假" in keywords:
                days = _dates(sentence, year, festival, result.problems, line_no)
                total = _TOTAL.search(keywords)
                if total and int(total[1]) != len(days):
                    result.problems.append(
                        f"第{line_no}行：{label}写明共{total[1]}天，但列出的日期是{len(days)}天")
                for d in days:
                    result.holidays[d] = label
                read_any = read_any or bool(days)
            elif "上班" in keywords:
                days = _dates(sentence, year, festival, result.problems, line_no)
                for d in days:
                    result.workdays[d] = f"{label}调休上班" if festival else "调休上班"
                read_any = read_any or bool(days)
        if read_any:
            result.lines_read += 1
        elif head:  # a festival's line without a date; other lines (the preamble) are skipped
            result.problems.append(f"第{line_no}行：没有读到日期：“{line[:40]}”")
    for d in sorted(set(result.holidays) & set(result.workdays)):
        result.problems.append(f"{d:%Y年%-m月%-d日}既写为放假又写为上班")
    for d in sorted(result.workdays):
        if d.weekday() < 5:
            result.warnings.append(f"{d:%Y年%-m月%-d日}是星期{'一二三四五六日'[d.weekday()]}，调休上班日通常是周末，请核对")
    for d in sorted({*result.holidays, *result.workdays}):
        if d.year != year and not (d.year == year - 1 and d.month == 12):
            result.problems.append(f"{d:%Y年%-m月%-d日}不在{year}年")
    if not result.holidays and not result.problems:
        result.problems.append("没有读到任何放假日期：请粘贴通知中“一、元旦：……”这样的各行")
    return result
