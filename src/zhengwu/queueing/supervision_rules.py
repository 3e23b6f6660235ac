"""效能监察 rules without the ORM: the figures of a set of tickets (counts, average and p90 wait,
average service time, overtime share), 窗口饱和度, the 超时等待 list and the date range a figure
page accepts. Unit-tested alone (tests/queueing/test_supervision_rules.py).

Definitions (口径), shown on the figures page:

- 等待时间 = 叫号时间 − 取号时间, over the tickets that were called (the first call);
- 办理时间 = 结束时间 − 开始办理, over the tickets with both;
- 超时 = a called ticket whose wait exceeded the hall's 超时等待阈值 when its day was counted;
- 超时率 = 超时 ÷ 已叫号; 办结 = tickets ended as served; 过号 = tickets marked no-show;
- p90 等待 = the smallest whole minute m such that at least 90 % of the waits are < m + 1 minutes
  (from a per-minute histogram, so that past days' rollups give the same answer as live rows);
- 窗口饱和度 = time spent serving ÷ time the window was open today (capped at 100 %).
"""

from __future__ import annotations

import datetime as dt
import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

HIST_MINUTES = 180  # the last histogram bucket holds waits of 180 minutes or more
MAX_RANGE_DAYS = 366
DONE, NO_SHOW, WAITING = "done", "no_show", "waiting"

DEFINITIONS = {
    "tickets": "取号数：统计期内取号的数量（含转移后的新号）",
    "served": "办结数：办理结束的号",
    "no_shows": "过号数：叫号后未到、被标记过号的号",
    "avg_wait": "平均等待（分钟）：叫号时间 − 取号时间，按已叫号的号平均",
    "p90_wait": "90% 等待（分钟）：90% 的已叫号的号等待不超过该分钟数（按整分钟统计）",
    "avg_service": "平均办理（分钟）：结束时间 − 开始办理时间，按已办理的号平均",
    "overtime_rate": "超时率：等待超过大厅超时等待阈值的号 ÷ 已叫号的号",
}


class RuleError(Exception):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


@dataclass
class Acc:
    """Sums over a set of tickets; adding two gives the figures of the union."""

    tickets: int = 0
    served: int = 0
    no_shows: int = 0
    waited: int = 0
    wait_seconds: int = 0
    overtime: int = 0
    serviced: int = 0
    service_seconds: int = 0
    hist: list[int] = field(default_factory=list)

    def add(self, status: str, issued: dt.datetime, called: dt.datetime | None, started: dt.datetime | None,
            ended: dt.datetime | None, threshold_minutes: int) -> None:
        self.tickets += 1
        if status == DONE:
            self.served += 1
        elif status == NO_SHOW:
            self.no_shows += 1
        if called is not None:
            wait = max(0, int((called - issued).total_seconds()))
            self.waited += 1
            self.wait_seconds += wait
            if wait > threshold_minutes * 60:
                self.overtime += 1
            bucket = min(wait // 60, HIST_MINUTES)
            if len(self.hist) <= bucket:
                self.hist.extend([0] * (bucket + 1 - len(self.hist)))
            self.hist[bucket] += 1
        if started is not None and ended is not None:
            self.serviced += 1
            self.service_seconds += max(0, int((ended - started).total_seconds()))

    def merge(self, other: Acc, *, hist: bool = True) -> Acc:
        """Add ``other`` in (``hist=False``: the sums only — charts need no percentile)."""
        self.tickets += other.tickets
        self.served += other.served
        self.no_shows += other.no_shows
        self.waited += other.waited
        self.wait_seconds += other.wait_seconds
        self.overtime += other.overtime
        self.serviced += other.serviced
        self.service_seconds += other.service_seconds
        if hist and other.hist:
            mine, theirs = self.hist, other.hist
            if len(mine) < len(theirs):
                mine.extend([0] * (len(theirs) - len(mine)))
            elif len(theirs) < len(mine):
                theirs = [*theirs, *([0] * (len(mine) - len(theirs)))]
            self.hist = list(map(operator.add, mine, theirs))  # element-wise in C: a year is ~100,000 cells
        return self

    SUMS = ("tickets", "served", "no_shows", "waited", "wait_seconds", "overtime", "serviced", "service_seconds")

    def sums(self) -> tuple[int, ...]:
        return tuple(getattr(self, k) for k in self.SUMS)

    @classmethod
    def from_sums(cls, sums, hist: list[int] | None = None) -> Acc:
        return cls(*sums, hist=list(hist or []))

    # -- the figures -------------------------------------------------------------------------
    @property
    def avg_wait_minutes(self) -> float | None:
        return round(self.wait_seconds / self.waited / 60, 1) if self.waited else None

    @property
    def avg_service_minutes(self) -> float | None:
        return round(self.service_seconds / self.serviced / 60, 1) if self.serviced else None

    @property
    def p90_wait_minutes(self) -> int | None:
        return hist_percentile(self.hist, 0.9)

    @property
    def overtime_rate(self) -> float | None:
        return round(self.overtime / self.waited, 4) if self.waited else None

    def figures(self) -> dict:
        return {"tickets": self.tickets, "served": self.served, "no_shows": self.no_shows,
                "avg_wait": self.avg_wait_minutes, "p90_wait": self.p90_wait_minutes,
                "avg_service": self.avg_service_minutes, "overtime_rate": self.overtime_rate,
                "overtime": self.overtime, "waited": self.waited}


def add_hist(a: list[int], b: list[int]) -> list[int]:
    """Two histograms added element-wise (in C: a year of a hall is ~100,000 of them)."""
    if len(a) < len(b):
        a, b = b, a
    if len(b) < len(a):
        b = [*b, *([0] * (len(a) - len(b)))]
    return list(map(operator.add, a, b))


def hist_percentile(hist: Sequence[int], q: float) -> int | None:
    """The nearest-rank q-quantile of a per-minute histogram, in whole minutes (None: empty)."""
    total = sum(hist)
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for minute, n in enumerate(hist):
        seen += n
        if seen >= rank:
            return minute
    return len(hist) - 1  # pragma: no cover - unreachable: seen reaches total


def percentile(values: Iterable[float], q: float) -> float | None:
    """The nearest-rank q-quantile of plain values (None: no values)."""
    data = sorted(values)
    if not data:
        return None
    return data[max(1, math.ceil(q * len(data))) - 1]


# -- 窗口饱和度 ------------------------------------------------------------------------------------
def open_intervals(events: Iterable[tuple[dt.datetime, bool]], *, day_start: dt.datetime, now: dt.datetime,
                   open_now_since: dt.datetime | None = None) -> list[tuple[dt.datetime, dt.datetime]]:
    """The periods a window was open today, from its open/close events (``True``: opened). An
    open period not closed yet runs until ``now``; a close without an open before it today is
    ignored. ``open_now_since``: the window is open now, since then (its opening may be before
    today, or have no event) — counted from the later of that and the end of the last period."""
    out: list[tuple[dt.datetime, dt.datetime]] = []
    since: dt.datetime | None = None
    for at, opened in sorted(events, key=lambda e: e[0]):
        if at < day_start or at > now:
            continue
        if opened and since is None:
            since = at
        elif not opened and since is not None:
            out.append((since, at))
            since = None
    if since is None and open_now_since is not None:
        since = max(open_now_since, day_start)
        if out and since < out[-1][1]:
            since = out[-1][1]
    if since is not None and since < now:
        out.append((since, now))
    return out


def busy_seconds(services: Iterable[tuple[dt.datetime, dt.datetime | None]], *, day_start: dt.datetime,
                 now: dt.datetime) -> int:
    """Seconds spent serving today: (started, ended or None = still serving) clipped to the day."""
    total = 0
    for start, end in services:
        s = max(start, day_start)
        e = min(end or now, now)
        if e > s:
            total += int((e - s).total_seconds())
    return total


def saturation(busy: int, open_: int) -> float | None:
    """窗口饱和度 (0–1): busy ÷ open, None when the window was not open today."""
    if open_ <= 0:
        return None
    return round(min(1.0, busy / open_), 4)


# -- 超时等待 ---------------------------------------------------------------------------------------
def waited_minutes(issued: dt.datetime, now: dt.datetime) -> int:
    return max(0, int((now - issued).total_seconds() // 60))


def is_overdue(issued: dt.datetime, now: dt.datetime, threshold_minutes: int) -> bool:
    """Waiting longer than the threshold (strictly)."""
    return (now - issued).total_seconds() > threshold_minutes * 60


def overdue(waiting: Iterable[tuple[int, str, dt.datetime]], now: dt.datetime,
            threshold_minutes: int) -> list[dict]:
    """The waiting tickets (id, display, issued_at) over the threshold, longest wait first."""
    rows = [{"id": pk, "display": display, "minutes": waited_minutes(issued, now), "issued_at": issued}
            for pk, display, issued in waiting if is_overdue(issued, now, threshold_minutes)]
    rows.sort(key=lambda r: (-r["minutes"], r["id"]))
    return rows


# -- the range of a figures page ----------------------------------------------------------------
def parse_range(start: str | None, end: str | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """统计期: both dates (YYYY-MM-DD) or neither (this month up to today); at most a year."""
    if not start and not end:
        return today.replace(day=1), today
    try:
        s = dt.date.fromisoformat(start or "")
    except ValueError:
        raise RuleError("start", "开始日期格式不正确：应为 YYYY-MM-DD，例如 2026-01-01") from None
    try:
        e = dt.date.fromisoformat(end or "")
    except ValueError:
        raise RuleError("end", "结束日期格式不正确：应为 YYYY-MM-DD，例如 2026-01-31") from None
    if e < s:
        raise RuleError("end", "结束日期不能早于开始日期")
    if (e - s).days + 1 > MAX_RANGE_DAYS:
        raise RuleError("end", f"统计期不能超过一年（{MAX_RANGE_DAYS} 天）：请缩短日期范围")
    return s, e


GROUPS = {"window": "窗口", "business_type": "业务类型", "hour": "时段", "day": "日期"}


def parse_group(by: str | None) -> str:
    by = by or "business_type"
    if by not in GROUPS:
        raise RuleError("by", "统计维度不正确：只能是 " + "、".join(f"{k}（{v}）" for k, v in GROUPS.items()))
    return by
