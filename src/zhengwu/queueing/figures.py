"""效能监察 figures of a hall over a date range, by window, business type, hour of issue or day.

Past days come from the daily rollups (``RollupCell``, folded by ``queueing.rollup``); today, and
any past day not rolled yet, from the tickets themselves through the same folding
(:func:`services.supervision.cells_of`), so both give the same numbers (ADR 0042).
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass

import orjson
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from zhengwu.org.models import Window

from . import supervision_rules as rules
from .models import BusinessType, DailyRollup, RollupCell, Ticket
from .services.supervision import cells_of, threshold_of

COLUMNS = ["tickets", "served", "no_shows", "avg_wait", "p90_wait", "avg_service", "overtime_rate"]
HEADERS = {"tickets": "取号数", "served": "办结数", "no_shows": "过号数", "avg_wait": "平均等待（分钟）",
           "p90_wait": "90% 等待（分钟）", "avg_service": "平均办理（分钟）", "overtime_rate": "超时率"}


@dataclass
class Report:
    hall: object
    start: dt.date
    end: dt.date
    by: str
    rows: list[dict]  # {key, label, **figures}
    total: dict
    by_hour: list[dict]
    by_day: list[dict]
    rolled_days: int
    live_days: int

    @property
    def group_label(self) -> str:
        return rules.GROUPS[self.by]

    def as_json(self) -> dict:
        return {"hall": {"id": self.hall.pk, "name": self.hall.name}, "start": self.start.isoformat(),
                "end": self.end.isoformat(), "by": self.by, "rows": self.rows, "total": self.total,
                "by_hour": self.by_hour, "by_day": self.by_day, "definitions": rules.DEFINITIONS,
                "source": {"rollup_days": self.rolled_days, "live_days": self.live_days}}


def _cells(hall, start: dt.date, end: dt.date, today: dt.date):
    """The cells of the range as (kind, day, a, b, sums, histogram) — ``w``: a = business type,
    b = window; ``h``: a = hour — sums in the order of ``Acc.SUMS``: rollups for rolled past days,
    tickets for the others. Returns the cells and the counts of rolled / live days."""
    rolled = set(DailyRollup.objects.filter(hall=hall, day__gte=start, day__lte=end, day__lt=today)
                 .values_list("day", flat=True))
    out = []
    if rolled:
        # The histogram as text, parsed by orjson: json.loads of ~100,000 lists was a third of a year's report.
        rows = (RollupCell.objects.filter(hall=hall, day__gte=start, day__lte=end, day__lt=today).order_by()
                .annotate(hist_text=Cast("wait_hist", TextField()))
                .values_list("kind", "day", "business_type_id", "window_id", "hour", "tickets", "served", "no_shows",
                             "waited", "wait_seconds", "overtime", "serviced", "service_seconds", "hist_text"))
        loads = orjson.loads
        out = [(r[0], r[1], r[2], r[3], r[5:13], loads(r[13]) if r[13] else []) if r[0] == "w" else
               (r[0], r[1], r[4], None, r[5:13], loads(r[13]) if r[13] else [])
               for r in rows.iterator(chunk_size=5000) if r[1] in rolled]
    # Live: the days of the range not rolled (today always). One query over those days only.
    # Listed, not "range minus the rolled days": NOT IN would walk the index over the whole range.
    last = min(end, today)
    missing = [d for d in (start + dt.timedelta(days=i) for i in range(max(0, (last - start).days + 1)))
               if d not in rolled]
    live_q = Ticket.objects.filter(hall=hall, day__in=missing) if rolled else \
        Ticket.objects.filter(hall=hall, day__gte=start, day__lte=end)
    live = cells_of(live_q, threshold_of(hall))
    live_days = {k[1] for k in live}
    out.extend((k[0], k[1], k[2], k[3] if len(k) > 3 else None, acc.sums(), acc.hist) for k, acc in live.items())
    return out, len(rolled), len(live_days)


def _fold(cells, kind: str, index: int, with_hist: bool) -> dict:
    """The cells of one kind added up by one of their fields: {key: Acc} (element-wise, in C)."""
    out: dict = {}
    add = operator.add
    for cell in cells:
        if cell[0] != kind:
            continue
        key = cell[index]
        cur = out.get(key)
        if cur is None:
            out[key] = [cell[4], cell[5] if with_hist else []]
        else:
            cur[0] = tuple(map(add, cur[0], cell[4]))
            if with_hist:
                cur[1] = rules.add_hist(cur[1], cell[5])
    return {k: rules.Acc.from_sums(v[0], v[1]) for k, v in out.items()}


def _labels(hall, by: str, keys) -> dict:
    if by == "business_type":
        labels = {pk: f"{p} {n}" for pk, p, n in BusinessType.objects.filter(hall=hall).values_list("pk", "prefix", "name")}
        labels[None] = "（已删除的业务类型）"
        return labels
    if by == "window":
        labels = {pk: f"{num} {name}" for pk, num, name in Window.objects.filter(hall=hall).values_list("pk", "number", "name")}
        labels[None] = "未叫号（无窗口）"
        return labels
    if by == "hour":
        return {h: f"{h:02d}:00–{h + 1:02d}:00" for h in keys}
    return {d: d.isoformat() for d in keys}


def _row(key, label, acc: rules.Acc) -> dict:
    return {"key": key.isoformat() if isinstance(key, dt.date) else key, "label": label, **acc.figures()}


def report(hall, *, start: dt.date, end: dt.date, by: str = "business_type", today: dt.date | None = None) -> Report:
    today = today or timezone.localdate()
    cells, rolled_days, live_days = _cells(hall, start, end, today)
    kind, index = {"day": ("h", 1), "hour": ("h", 2), "business_type": ("w", 2), "window": ("w", 3)}[by]
    groups = _fold(cells, kind, index, True)
    # The charts need sums only (no percentile): histograms are added for the grouping alone.
    hours = groups if by == "hour" else _fold(cells, "h", 2, False)
    days = groups if by == "day" else _fold(cells, "h", 1, False)
    total = rules.Acc()
    for group in groups.values():
        total.merge(group)
    labels = _labels(hall, by, groups.keys())
    if by in ("business_type", "window"):
        order = {pk: i for i, pk in enumerate(labels)}
        keys = sorted(groups, key=lambda k: (order.get(k, len(order)), str(k)))
    else:
        keys = sorted(groups)
    rows = [_row(k, labels.get(k, str(k)), groups[k]) for k in keys]
    by_hour = [_row(h, f"{h:02d}时", hours[h]) for h in sorted(hours)]
    span = (end - start).days + 1
    by_day = [_row(d, d.isoformat(), days.get(d, rules.Acc()))
              for d in (start + dt.timedelta(days=i) for i in range(span)) if d <= today]
    return Report(hall=hall, start=start, end=end, by=by, rows=rows, total=_row(None, "合计", total),
                  by_hour=by_hour, by_day=by_day, rolled_days=rolled_days, live_days=live_days)


def cell_text(key: str, value):
    if value is None:
        return "—"
    if key == "overtime_rate":
        return f"{value * 100:.1f}%"
    return value


def workbook(rep: Report):
    """The report as an .xlsx workbook (openpyxl): the chosen grouping, then by hour and by day."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zhengwu.core.spreadsheets import safe_row

    wb = Workbook()
    first = True
    for title, label, rows in ((f"按{rep.group_label}", rep.group_label, rep.rows), ("按时段", "时段", rep.by_hour),
                               ("按日期", "日期", rep.by_day)):
        ws = wb.active if first else wb.create_sheet()
        first = False
        ws.title = title
        ws.append([f"{rep.hall.name} 效能监察  统计期：{rep.start:%Y-%m-%d} 至 {rep.end:%Y-%m-%d}"])
        ws["A1"].font = Font(bold=True)
        ws.append([label] + [HEADERS[c] for c in COLUMNS])
        for r in [*rows, rep.total] if rows is rep.rows else rows:
            ws.append(safe_row([r["label"]] + [r[c] for c in COLUMNS]))
        for row in ws.iter_rows(min_row=3, min_col=len(COLUMNS) + 1, max_col=len(COLUMNS) + 1):
            for c in row:
                c.number_format = "0.0%"
        ws.column_dimensions["A"].width = 24
    ws = wb.create_sheet("指标口径")
    for key, text in rules.DEFINITIONS.items():
        ws.append([HEADERS[key], text])
    return wb
