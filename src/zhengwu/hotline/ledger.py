"""The 效能投诉台账 and the 办不成事台账: scoped reads, filters, totals and the Excel a 纪委 files.

A ledger holds the tickets of one type (效能投诉 or 办不成事反映) registered in a period (受理时间),
with what the supervisor recorded (:class:`~zhengwu.hotline.models.LedgerOutcome`). Supervisors and
leaders see their region's. Lists page by keyset (``before`` = the last id shown) over the index
``ticket_type_created``; one query per page (the outcome and the names joined), one aggregate for
the totals; the export is capped at :data:`EXPORT_MAX` rows.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.utils import timezone

from zhengwu.org.models import Role
from zhengwu.org.permissions import scope

from . import ledger_rules as lr
from .models import Ticket
from .rules import DONE_STATES, TYPE_LABELS
from .services import is_centre

LEDGER_ROLES = (Role.SUPERVISOR, Role.LEADER, Role.DISCIPLINE)  # 纪检监察 read and export only
PAGE_SIZE = 50
EXPORT_MAX = 5000
MAX_DAYS = 366 * 5
DEFER = ("suggested", "due_history", "return_pending", "extension_pending", "phone", "phone_index")
RELATED = ("lead_department", "ledger", "ledger__subject_department", "ledger__subject_window")
DONE = [s.value for s in DONE_STATES]
# The columns of a ledger row: (key, title); 处理结果 has two (整改情况, 问责情况).
COLUMNS = [
    ("number", "工单编号"), ("created_at", "受理时间"), ("caller", "诉求人"), ("subject", "反映对象"),
    ("summary", "诉求摘要"), ("department", "承办单位"), ("result", "办理结果"), ("finding", "核查结论"),
    ("rectification", "整改情况"), ("accountability", "问责情况"), ("closed_at", "办结时间"), ("overdue", "是否超期"),
]


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date
    department: int | None = None
    finding: str = ""  # a key of ledger_rules.FINDINGS, "none" (未核查) or "" (all)
    handled: str = ""  # "yes", "no" or ""

    def as_query(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(),
                "department": self.department or "", "finding": self.finding, "handled": self.handled}

    def describe(self, department_name: str = "") -> str:
        """The filters other than the period, in words ("" when none)."""
        words = []
        if department_name:
            words.append(f"涉及单位：{department_name}")
        if self.finding:
            words.append(f"核查结论：{lr.FINDINGS.get(self.finding, '未核查')}")
        if self.handled:
            words.append(lr.HANDLED_CHOICES[self.handled])
        return "，".join(words)


def default_period(today: dt.date) -> tuple[dt.date, dt.date]:
    """This year so far (a ledger is filed by year, quarter or month)."""
    return today.replace(month=1, day=1), today


def parse_filters(params: Mapping, today: dt.date, *, strict: bool = False) -> Filters:
    """The filters of a request. A page ignores a bad value (``strict`` False); the API refuses it
    with a Chinese message naming the parameter."""
    errors: dict[str, str] = {}
    lo, hi = default_period(today)

    def day(name: str, default: dt.date, label: str) -> dt.date:
        value = params.get(name) or ""
        if not value:
            return default
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            errors[name] = f"{label}格式不正确：应为 YYYY-MM-DD"
            return default

    start, end = day("start", lo, "开始日期"), day("end", hi, "结束日期")
    if end < start:
        if strict:
            errors["end"] = "结束日期不能早于开始日期"
        start, end = end, start
    if (end - start).days > MAX_DAYS:
        errors["start"] = "台账期间不能超过五年"
        start = end - dt.timedelta(days=MAX_DAYS)
    department = None
    if params.get("department"):
        try:
            department = int(params["department"])
        except (TypeError, ValueError):
            errors["department"] = "涉及单位应为单位编号（整数）"
    finding = str(params.get("finding") or "")
    if finding and finding not in lr.FINDINGS and finding != "none":
        errors["finding"] = f"核查结论不正确：应为 {'、'.join(lr.FINDINGS)}、none（未核查）之一"
        finding = ""
    handled = str(params.get("handled") or "")
    if handled and handled not in lr.HANDLED_CHOICES:
        errors["handled"] = "是否已处理应为 yes 或 no"
        handled = ""
    if strict and errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    return Filters(start, end, department, finding, handled)


def scoped(user, ticket_type: str):
    """The tickets of the ledger of ``ticket_type`` this person may see (their region's)."""
    qs = Ticket.objects.filter(ticket_type=ticket_type).exclude(state__in=lr.LEFT_OUT_STATES)
    return scope(qs, user, LEDGER_ROLES, department_field=None, region_code_field="region_code")


def filtered(user, ticket_type: str, f: Filters):
    from .figures import period_bounds

    lo, hi = period_bounds(f.start, f.end)
    qs = scoped(user, ticket_type).filter(created_at__gte=lo, created_at__lt=hi)
    if f.department:
        qs = qs.filter(Q(ledger__subject_department_id=f.department) | Q(lead_department_id=f.department))
    if f.finding == "none":
        qs = qs.filter(Q(ledger__isnull=True) | Q(ledger__finding=""))
    elif f.finding:
        qs = qs.filter(ledger__finding=f.finding)
    if f.handled == "yes":
        qs = qs.filter(ledger__handled=True)
    elif f.handled == "no":
        qs = qs.filter(Q(ledger__isnull=True) | Q(ledger__handled=False))
    return qs


def _overdue_q(now: dt.datetime) -> Q:
    """:func:`ledger_rules.is_overdue` in SQL."""
    answered = list(lr.ANSWERED_STATES)
    return (Q(state__in=DONE, closed_on_time=False) | Q(state__in=answered, replied_at__gt=F("due_at"))
            | (~Q(state__in=DONE + answered) & Q(due_at__lt=now)))


def totals(user, ticket_type: str, f: Filters, now: dt.datetime | None = None) -> dict:
    """合计 of the filtered ledger in one aggregate query: rows, by 核查结论, 已处理, 超期; for 办不成事
    also 已协调办成."""
    now = now or timezone.now()
    agg = {"total": Count("pk"), "handled": Count("pk", filter=Q(ledger__handled=True)),
           "overdue": Count("pk", filter=_overdue_q(now)),
           "unchecked": Count("pk", filter=Q(ledger__isnull=True) | Q(ledger__finding=""))}
    for key in lr.FINDINGS:
        agg[key] = Count("pk", filter=Q(ledger__finding=key))
    for key in lr.ACCOUNTABILITY:
        if key != "none":
            agg[f"acc_{key}"] = Count("pk", filter=Q(ledger__accountability=key))
    if ticket_type == lr.TicketType.CANNOT_DO:
        agg["done"] = Count("pk", filter=Q(ledger__resolution="done"))
    return filtered(user, ticket_type, f).aggregate(**agg)


def totals_text(ticket_type: str, t: dict) -> str:
    words = [f"共 {t['total']} 件", "核查属实 {verified} 件、部分属实 {partly} 件、不属实 {unfounded} 件、未核查 {unchecked} 件"
             .format(**t), f"已处理 {t['handled']} 件", f"超期 {t['overdue']} 件"]
    acc = "、".join(f"{label} {t[f'acc_{k}']} 件" for k, label in lr.ACCOUNTABILITY.items()
                    if k != "none" and t.get(f"acc_{k}"))
    if acc:
        words.append(f"问责：{acc}")
    if ticket_type == lr.TicketType.CANNOT_DO:
        words.append(f"已协调办成 {t['done']} 件")
    return "；".join(words)


def page(user, ticket_type: str, f: Filters, before=None, size: int = PAGE_SIZE) -> tuple[list[Ticket], int | None]:
    """One page, newest first (keyset on the id); the id to pass as ``before`` for the next, or None."""
    qs = filtered(user, ticket_type, f).select_related(*RELATED).defer(*DEFER).order_by("-pk")
    try:
        if before not in (None, ""):
            qs = qs.filter(pk__lt=int(before))
    except (TypeError, ValueError):
        pass
    rows = list(qs[: size + 1])
    nxt = rows[size - 1].pk if len(rows) > size else None
    return rows[:size], nxt


def _caller(t: Ticket, sees_all: bool) -> str:
    """诉求人, masked (张*); a confidential ticket's caller only for the centre's people."""
    if t.confidential and not sees_all:
        return "（保密）"
    return str(t.caller_name) if t.caller_name else "（未留姓名）"


def _subject(o) -> str:
    if o is None:
        return ""
    parts = []
    if o.subject_department_id:
        parts.append(o.subject_department.name)
    if o.subject_window_id:
        parts.append(f"{o.subject_window.number} {o.subject_window.name}")
    if o.subject_item:
        parts.append(f"事项：{o.subject_item}")
    return "；".join(parts)


def outcome_of(t: Ticket):
    try:
        return t.ledger
    except Ticket.ledger.RelatedObjectDoesNotExist:
        return None


def row(t: Ticket, *, now: dt.datetime, sees_all: bool, long: bool = False) -> dict:
    """One ledger row (strings, dates as local datetimes) from a ticket read by :func:`page`."""
    o = outcome_of(t)
    n = 1000 if long else 80
    if t.ticket_type == lr.TicketType.CANNOT_DO:
        result = lr.RESOLUTIONS.get(o.resolution, "") if o else ""
        if o and o.resolution_note:
            result = f"{result}：{o.resolution_note}" if result else o.resolution_note
    else:
        result = t.reply or ""
    result = lr.summary("", result, n)
    return {
        "id": t.pk, "number": t.number, "created_at": timezone.localtime(t.created_at),
        "caller": _caller(t, sees_all), "subject": _subject(o), "summary": lr.summary(t.title, t.content),
        "department": t.lead_department.name if t.lead_department_id else "未派单",
        "department_short": (t.lead_department.short_name or t.lead_department.name) if t.lead_department_id else "未派单",
        "result": result, "finding": lr.FINDINGS.get(o.finding, "") if o else "",
        "finding_key": o.finding if o else "",
        "rectification": lr.summary("", o.rectification, n) if o else "",
        "accountability": lr.outcome_text(o.accountability, lr.summary("", o.accountability_note, n)) if o else "",
        "closed_at": timezone.localtime(t.closed_at) if t.closed_at else None,
        "overdue": lr.is_overdue(t.state, t.closed_on_time, t.due_at, now, t.replied_at),
        "handled": bool(o and o.handled), "state_label": t.state_label,
        "version": o.lock_version if o else 0,
    }


def rows_for(user, ticket_type: str, tickets: list[Ticket], *, long: bool = False) -> list[dict]:
    now = timezone.now()
    sees_all = is_centre(user)
    return [row(t, now=now, sees_all=sees_all, long=long) for t in tickets]


def export_rows(user, ticket_type: str, f: Filters) -> list[dict]:
    """Every row of the filtered ledger, oldest first, for the Excel; refused over EXPORT_MAX."""
    qs = filtered(user, ticket_type, f)
    if qs.order_by().values("pk")[: EXPORT_MAX + 1].count() > EXPORT_MAX:
        raise ValidationError({"start": f"超过 {EXPORT_MAX} 条，请缩短期间或增加筛选条件后分批导出"})
    tickets = qs.select_related(*RELATED).defer(*DEFER).order_by("created_at", "pk")
    return rows_for(user, ticket_type, list(tickets), long=True)


def to_xlsx(ticket_type: str, f: Filters, rows: list[dict], total: dict, *, department_name: str = "",
            unit: str = "") -> bytes:
    """The ledger as a 纪委 files it: the title, the period and filters, a two-row header (处理结果
    over 整改情况 and 问责情况), 序号 and the rows, the 合计 line, and a line for the signatures."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    from zhengwu.core.spreadsheets import safe_row

    wb = Workbook()
    ws = wb.active
    ws.title = lr.LEDGERS[ticket_type]
    width = len(COLUMNS) + 1
    last = get_column_letter(width)
    title = f"{unit}12345热线{lr.LEDGERS[ticket_type]}" if unit else f"12345热线{lr.LEDGERS[ticket_type]}"
    ws.append([title])
    ws.merge_cells(f"A1:{last}1")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    chosen = f.describe(department_name)
    ws.append(safe_row([f"统计期间：{f.start:%Y年%m月%d日} 至 {f.end:%Y年%m月%d日}（按受理时间）"
                        + (f"　筛选：{chosen}" if chosen else "")]))
    ws.merge_cells(f"A2:{last}2")
    head1 = ["序号"] + [t for _, t in COLUMNS]
    head1[9], head1[10] = "处理结果", ""
    head2 = ["", *[""] * 8, "整改情况", "问责情况", "", ""]
    ws.append(head1)
    ws.append(head2)
    for i in range(1, width + 1):  # every column but 处理结果 spans both header rows
        letter = get_column_letter(i)
        if i not in (10, 11):
            ws.merge_cells(f"{letter}3:{letter}4")
    ws.merge_cells("J3:K3")
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for r in ws.iter_rows(min_row=3, max_row=4, max_col=width):
        for cell in r:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = border
    for i, r in enumerate(rows, 1):
        ws.append(safe_row([i, r["number"], r["created_at"].strftime("%Y-%m-%d %H:%M"), r["caller"], r["subject"],
                            r["summary"], r["department"], r["result"], r["finding"] or "未核查", r["rectification"],
                            r["accountability"], r["closed_at"].strftime("%Y-%m-%d %H:%M") if r["closed_at"] else "未办结",
                            "是" if r["overdue"] else "否"]))
        for cell in ws[ws.max_row]:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
            cell.border = border
    ws.append(["合计", totals_text(ticket_type, total)])
    ws.merge_cells(f"B{ws.max_row}:{last}{ws.max_row}")
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.append([])
    ws.append(["填报单位（盖章）：", "", "", "", "填报人：", "", "", "审核人：", "", "", "填报日期："])
    for col, w in zip(range(1, width + 1), (6, 20, 17, 10, 24, 36, 22, 30, 10, 30, 24, 17, 9), strict=True):
        ws.column_dimensions[get_column_letter(col)].width = w
    ws.freeze_panes = "C5"
    ws.print_title_rows = "3:4"
    ws.page_setup.orientation = "landscape"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def type_label(ticket_type: str) -> str:
    return TYPE_LABELS.get(ticket_type, ticket_type)
