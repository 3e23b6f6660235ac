"""Figures of the hotline (办结率, 直接办结率, 按时办结率, 一次办结率, 签收及时率, 回访率, 满意率, 退单率,
重复诉求率, 平均办理时长, 接通率) per department, category, 诉求类型, region or period, the hot-spot
view, and the Excel export.

Grouped aggregates per request (see :func:`report`); what each figure counts, over what and in
which period is written in :mod:`zhengwu.hotline.figure_rules`. Scope: the centre, supervisors and
leaders see their region; department staff their departments.
"""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from zhengwu.org.models import Role
from zhengwu.org.permissions import scope

from . import figure_rules, rules
from .models import CallVolume, Ticket
from .rules import State

FIGURE_ROLES = (Role.HOTLINE, Role.SUPERVISOR, Role.LEADER)
DEPT_FIGURE_ROLES = (Role.DEPT_ADMIN,)
DIMENSIONS = {"department": "承办单位", "category": "分类", "type": "诉求类型", "region": "区划", "month": "月份",
              "day": "日期"}
PERIOD_DIMENSIONS = ("month", "day")
COLUMNS = figure_rules.COLUMNS
DEFINITIONS = figure_rules.DEFINITIONS
DONE = [State.CLOSED.value, State.ARCHIVED.value]


def scoped(user):
    """The tickets whose figures this person may see: the region for the centre, supervisors and
    leaders; their departments' tickets for department administrators."""
    from zhengwu.org.permissions import is_sysadmin, roles_of

    qs = Ticket.objects.all()
    if is_sysadmin(user) or roles_of(user) & set(FIGURE_ROLES):
        return scope(qs, user, FIGURE_ROLES, department_field=None, region_code_field="region_code")
    return scope(qs, user, DEPT_FIGURE_ROLES, department_field="lead_department")


def sees_calls(user) -> bool:
    """The calls are the whole centre's: the centre, supervisors and leaders see them."""
    from zhengwu.org.permissions import is_sysadmin, roles_of

    return is_sysadmin(user) or bool(roles_of(user) & set(FIGURE_ROLES))


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _group_expr(dimension: str, when: str):
    """(the group key, its label column or None) of ``dimension``; periods by the ``when`` column."""
    return {
        "department": ("lead_department_id", "lead_department__name"),
        "category": ("category_id", "category__path"),
        "type": ("ticket_type", None),
        "region": ("region_id", "region__name"),
        "month": (TruncMonth(when), None),
        "day": (TruncDate(when), None),
    }[dimension]


def _grouped(qs, dimension: str, when: str, **aggregates) -> dict:
    """{group key: (label or None, {aggregate: value})} — one grouped query."""
    key, label = _group_expr(dimension, when)
    group = {"g": F(key) if isinstance(key, str) else key}
    if label:
        group["lbl"] = F(label)
    out = {}
    for r in qs.annotate(**group).values(*group).annotate(**aggregates).order_by():
        g = r.pop("g")
        if isinstance(g, dt.datetime):  # TruncMonth on a DateTimeField: the local month's first instant
            g = timezone.localtime(g).date()
        out[g] = (r.pop("lbl", None), r)
    return out


def _intake(qs, dimension):
    """Tickets registered in the period (受理 figures)."""
    dispatched = Q(dispatched_at__isnull=False, closed_directly=False) & ~Q(state=State.MERGED)
    return _grouped(
        qs, dimension, "created_at",
        received=Count("pk"),
        dispatched=Count("pk", filter=dispatched),
        dispatched_closed=Count("pk", filter=dispatched & Q(state__in=DONE)),
        direct_closed=Count("pk", filter=Q(closed_directly=True)),
        claimed=Count("pk", filter=Q(claimed_at__isnull=False)),
        claimed_on_time=Count("pk", filter=Q(claimed_on_time=True)),
        returned=Count("pk", filter=Q(return_count__gt=0)),
        repeated=Count("pk", filter=Q(is_repeat=True)),
    )


def _closing(qs, dimension):
    """Dispatched tickets closed (办结) in the period (办结 figures)."""
    return _grouped(
        qs, dimension, "closed_at",
        closed=Count("pk"),
        closed_on_time=Count("pk", filter=Q(closed_on_time=True)),
        first_time=Count("pk", filter=Q(reopen_count=0)),
        callbacked=Count("pk", filter=Q(callback_reached=True)),
        rated=Count("pk", filter=Q(satisfaction__isnull=False)),
        satisfied=Count("pk", filter=Q(satisfaction__gte=3)),
        handle_hours_sum=Sum("handle_hours"),
        handle_count=Count("handle_hours"),
    )


def _calls(dimension, start: dt.date, end: dt.date) -> dict:
    qs = CallVolume.objects.filter(day__gte=start, day__lte=end)
    if dimension == "month":
        qs = qs.annotate(g=TruncMonth("day"))
    else:
        qs = qs.annotate(g=F("day"))
    return {r["g"]: r for r in qs.values("g").annotate(calls_offered=Sum("offered"), calls_answered=Sum("answered"))
            .order_by()}


def _label(dimension: str, g, label) -> str:
    if dimension == "type":
        return rules.TYPE_LABELS.get(g, g or "")
    if dimension in PERIOD_DIMENSIONS:
        if g is None:
            return ""
        return g.strftime("%Y-%m" if dimension == "month" else "%Y-%m-%d")
    return label or ("未派单" if dimension == "department" else "未分类")


def _row(key, label: str, c: rules.Counts) -> dict:
    return {"key": key, "label": label, **rules.figures(c).__dict__, "counts": c.__dict__}


def clean_types(values) -> list[str]:
    """The 诉求类型 filter: known type codes (or their Chinese labels), each once, in the rules' order."""
    by_label = {label: t.value for t, label in rules.TYPE_LABELS.items()}
    wanted = {by_label.get(str(v).strip(), str(v).strip()) for v in values or () if str(v).strip()}
    return [t.value for t in rules.TYPE_LABELS if t.value in wanted]


def types_text(types: list[str] | None) -> str:
    return "、".join(rules.TYPE_LABELS[rules.TicketType(t)] for t in types or ())


def report(user, dimension: str, start: dt.date, end: dt.date, types: list[str] | None = None) -> dict:
    """The figures of the period by ``dimension``: {"rows": [...], "total": {...}}; each row holds the
    label, the figures (:data:`COLUMNS`) and the raw counts. Three grouped queries — tickets
    registered in the period (index ``ticket_created``), dispatched tickets closed in it (index
    ``ticket_closed``) and the call system's daily counts — merged by group.

    ``types``: only tickets of these 诉求类型 (codes of :data:`rules.TYPE_LABELS`; index
    ``ticket_type_created``). The calls are the whole line's, not a type's: with a type filter the
    接通率 is left out."""
    if dimension not in DIMENSIONS:
        dimension = "department"
    types = clean_types(types)
    lo, hi = period_bounds(start, end)
    base = scoped(user).exclude(state=State.CANCELLED)
    if types:
        base = base.filter(ticket_type__in=types)
    intake = _intake(base.filter(created_at__gte=lo, created_at__lt=hi), dimension)
    closing = _closing(base.filter(closed_at__gte=lo, closed_at__lt=hi, state__in=DONE, closed_directly=False),
                       dimension)
    calls_by_group = {}
    total_calls = {}
    if sees_calls(user) and not types:
        calls_by_group = _calls(dimension, start, end) if dimension in PERIOD_DIMENSIONS else {}
        total_calls = CallVolume.objects.filter(day__gte=start, day__lte=end).aggregate(
            calls_offered=Sum("offered"), calls_answered=Sum("answered"))
    names = rules.Counts.__dataclass_fields__
    rows, total = [], rules.Counts()
    for g in {*intake, *closing, *calls_by_group}:
        label = (intake.get(g) or closing.get(g) or (None, {}))[0]
        values = {**intake.get(g, (None, {}))[1], **closing.get(g, (None, {}))[1]}
        c = rules.Counts(**{k: values.get(k) or 0 for k in names if k in values})
        total = total + c
        calls = calls_by_group.get(g)
        if calls:
            c = c + rules.Counts(calls_offered=calls["calls_offered"] or 0, calls_answered=calls["calls_answered"] or 0)
        rows.append(_row(g, _label(dimension, g, label), c))
    if dimension in PERIOD_DIMENSIONS:
        rows.sort(key=lambda x: x["label"])
    else:
        rows.sort(key=lambda x: (-x["received"], -x["closed"], x["label"]))
    total = total + rules.Counts(calls_offered=total_calls.get("calls_offered") or 0,
                                 calls_answered=total_calls.get("calls_answered") or 0)
    return {"rows": rows, "total": _row(None, "合计", total), "dimension": dimension, "start": start, "end": end,
            "types": types}


def table(user, dimension: str, start: dt.date, end: dt.date, types: list[str] | None = None) -> list[dict]:
    """One row per group: the label, the raw counts and the figures (see :func:`report`)."""
    return report(user, dimension, start, end, types)["rows"]


def type_chart(rows: list[dict]) -> dict:
    """The chart spec (static/zhengwu/charts.js) of rows grouped by 诉求类型: 受理量 and 办结量 per
    type (bars, left axis), 办结率 and 满意率 (lines, right axis), in the rules' order of the types."""
    order = {t.value: i for i, t in enumerate(rules.TYPE_LABELS)}
    rows = sorted(rows, key=lambda r: order.get(r["key"], 99))
    return {"x": [r["label"] for r in rows], "y": ["件", "%"], "series": [
        {"name": "受理量", "type": "bar", "data": [r["received"] for r in rows]},
        {"name": "办结量", "type": "bar", "data": [r["closed"] for r in rows]},
        {"name": "办结率%", "type": "line", "axis": 1, "data": [r["close_rate"] for r in rows]},
        {"name": "满意率%", "type": "line", "axis": 1, "data": [r["satisfaction_rate"] for r in rows]},
    ]}


def hot_spots(user, today: dt.date | None = None) -> dict:
    """Categories and places (regions of any level) rising this week (Monday to today) against the same days last week."""
    today = today or timezone.localdate()
    last_start, this_start, _ = rules.week_bounds(today)
    days = (today - this_start).days + 1
    lo_last, hi_last = period_bounds(last_start, last_start + dt.timedelta(days=days - 1))
    lo_this, hi_this = period_bounds(this_start, today)
    qs = scoped(user).exclude(state__in=[State.CANCELLED])
    out = {}
    for dim, key, label in (("categories", "category_id", "category__path"), ("places", "region_id", "region__name")):
        def counts(lo, hi):
            return {str(r[key]): r["n"] for r in qs.filter(created_at__gte=lo, created_at__lt=hi)
                    .values(key).annotate(n=Count("pk")) if r[key] is not None}

        this, last = counts(lo_this, hi_this), counts(lo_last, hi_last)
        ids = [int(k) for k in this]
        model = qs.model._meta.get_field(key.removesuffix("_id")).related_model
        if dim == "categories":
            labels = {str(pk): path for pk, path in model.objects.filter(pk__in=ids).values_list("pk", "path")}
            kinds = None
        else:  # a place is a region of any level (区县 or 街道 …): say which
            rows = model.objects.filter(pk__in=ids).values_list("pk", "name", "level")
            labels = {str(pk): name for pk, name, _ in rows}
            kinds = {str(pk): rules.PLACE_KINDS.get(level, "") for pk, _, level in rows}
        out[dim] = rules.hot_spots(this, last, labels, kinds=kinds)
    out["this_week"] = (this_start, today)
    out["last_week"] = (last_start, last_start + dt.timedelta(days=days - 1))
    return out


def to_xlsx(rows: list[dict], dimension: str, start: dt.date, end: dt.date, total: dict | None = None,
            types: list[str] | None = None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from zhengwu.core.spreadsheets import safe_row

    wb = Workbook()
    ws = wb.active
    ws.title = "12345热线指标"
    only = f"，诉求类型：{types_text(types)}" if types else ""
    ws.append(safe_row([f"12345热线工单指标（按{DIMENSIONS.get(dimension, dimension)}，{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"
                        f"{only}）"]))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(safe_row([DIMENSIONS.get(dimension, dimension)] + [t for _, t in COLUMNS]))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows + ([total] if total else []):
        ws.append(safe_row([r["label"]] + [r[k] for k, _ in COLUMNS]))
    ws.column_dimensions["A"].width = 36
    for i in range(2, len(COLUMNS) + 2):
        ws.column_dimensions[get_column_letter(i)].width = 14
    notes = wb.create_sheet("指标说明")
    notes.append(["指标", "定义"])
    for _, title, words in DEFINITIONS:
        notes.append(safe_row([title, words]))
    notes.column_dimensions["A"].width = 22
    notes.column_dimensions["B"].width = 120
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


COMPLAINT_TYPES = (rules.TicketType.COMPLAINT.value, rules.TicketType.EFFICIENCY.value)


def complaints_by_department(start: dt.date, end: dt.date, department_ids) -> dict[int, int]:
    """投诉 and 效能投诉 tickets registered in the period, by the department that handles them (承办
    单位; the 红黑旗 of the ratings app deducts points for them). Cancelled tickets do not count."""
    ids = [d for d in department_ids if d is not None]
    if not ids:
        return {}
    lo, hi = period_bounds(start, end)
    rows = (Ticket.objects.filter(lead_department_id__in=ids, ticket_type__in=COMPLAINT_TYPES, created_at__gte=lo,
                                  created_at__lt=hi).exclude(state=State.CANCELLED)
            .values("lead_department_id").annotate(n=Count("pk")).order_by())
    return {r["lead_department_id"]: r["n"] for r in rows}
