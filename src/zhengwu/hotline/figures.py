"""Figures of the hotline (办结率, 按时办结率, 签收及时率, 满意率, 退单率, 重复诉求率, 平均办理时长)
per department, category, region or period, the hot-spot view, and the Excel export.

One grouped aggregate per request over the period's tickets (index ``ticket_created``); the
formulas are the pure ones in :mod:`zhengwu.hotline.rules`. Scope: the centre, supervisors and
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

from . import rules
from .models import Ticket
from .rules import State

FIGURE_ROLES = (Role.HOTLINE, Role.SUPERVISOR, Role.LEADER)
DEPT_FIGURE_ROLES = (Role.DEPT_ADMIN,)
DIMENSIONS = {"department": "承办单位", "category": "分类", "region": "区划", "month": "月份", "day": "日期"}
COLUMNS = [("received", "受理量"), ("closed", "办结量"), ("close_rate", "办结率%"), ("on_time_rate", "按时办结率%"),
           ("claim_on_time_rate", "签收及时率%"), ("satisfaction_rate", "满意率%"), ("return_rate", "退单率%"),
           ("repeat_rate", "重复诉求率%"), ("avg_handle_hours", "平均办理时长（小时）")]


def scoped(user):
    """The tickets whose figures this person may see: the region for the centre, supervisors and
    leaders; their departments' tickets for department administrators."""
    from zhengwu.org.permissions import is_sysadmin, roles_of

    qs = Ticket.objects.all()
    if is_sysadmin(user) or roles_of(user) & set(FIGURE_ROLES):
        return scope(qs, user, FIGURE_ROLES, department_field=None, region_code_field="region_code")
    return scope(qs, user, DEPT_FIGURE_ROLES, department_field="lead_department")


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(start, dt.time.min, tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _group_expr(dimension: str):
    return {
        "department": ("lead_department_id", "lead_department__name"),
        "category": ("category_id", "category__path"),
        "region": ("region_id", "region__name"),
        "month": (TruncMonth("created_at"), None),
        "day": (TruncDate("created_at"), None),
    }[dimension]


def table(user, dimension: str, start: dt.date, end: dt.date) -> list[dict]:
    """One row per group: the label, the raw counts and the figures."""
    if dimension not in DIMENSIONS:
        dimension = "department"
    lo, hi = period_bounds(start, end)
    qs = scoped(user).filter(created_at__gte=lo, created_at__lt=hi).exclude(state=State.CANCELLED)
    key, label = _group_expr(dimension)
    done = [State.CLOSED, State.ARCHIVED]
    dispatched = Q(dispatched_at__isnull=False) | Q(state__in=done)
    group = {"g": key} if not isinstance(key, str) else {"g": F(key)}
    values = ["g"] + (["lbl"] if label else [])
    if label:
        group["lbl"] = F(label)
    rows = (qs.annotate(**group).values(*values).annotate(
        received=Count("pk"),
        dispatched=Count("pk", filter=dispatched & ~Q(state=State.MERGED)),
        closed=Count("pk", filter=Q(state__in=done)),
        closed_on_time=Count("pk", filter=Q(state__in=done, closed_on_time=True)),
        claimed=Count("pk", filter=Q(claimed_at__isnull=False)),
        claimed_on_time=Count("pk", filter=Q(claimed_on_time=True)),
        callbacked=Count("pk", filter=Q(callback_reached=True, satisfaction__isnull=False)),
        satisfied=Count("pk", filter=Q(callback_reached=True, satisfaction__gte=3)),
        returned=Count("pk", filter=Q(return_count__gt=0)),
        repeated=Count("pk", filter=Q(is_repeat=True)),
        handle_hours_sum=Sum("handle_hours", filter=Q(state__in=done, handle_hours__isnull=False)),
        handle_count=Count("pk", filter=Q(state__in=done, handle_hours__isnull=False)),
    ).order_by("g"))
    out = []
    for r in rows:
        g = r["g"]
        if label:
            name = r["lbl"] or ("未派单" if dimension == "department" else "未分类")
        elif isinstance(g, dt.datetime):
            name = timezone.localtime(g).strftime("%Y-%m") if dimension == "month" else g.strftime("%Y-%m-%d")
        else:
            name = g.strftime("%Y-%m" if dimension == "month" else "%Y-%m-%d") if g else ""
        c = rules.Counts(**{k: r[k] or 0 for k in rules.Counts.__dataclass_fields__})
        f = rules.figures(c)
        out.append({"key": g, "label": name, **f.__dict__})
    out.sort(key=lambda x: (-x["received"], x["label"]) if dimension in ("department", "category", "region") else x["label"])
    return out


def hot_spots(user, today: dt.date | None = None) -> dict:
    """Categories and places (街道) rising this week (Monday to today) against the same days last week."""
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
        labels = {str(pk): name for pk, name in model.objects.filter(pk__in=ids).values_list(
            "pk", "path" if dim == "categories" else "name")}
        out[dim] = rules.hot_spots(this, last, labels)
    out["this_week"] = (this_start, today)
    out["last_week"] = (last_start, last_start + dt.timedelta(days=days - 1))
    return out


def to_xlsx(rows: list[dict], dimension: str, start: dt.date, end: dt.date) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zhengwu.core.spreadsheets import safe_row

    wb = Workbook()
    ws = wb.active
    ws.title = "12345热线指标"
    ws.append([f"12345热线工单指标（按{DIMENSIONS.get(dimension, dimension)}，{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(safe_row([DIMENSIONS.get(dimension, dimension)] + [t for _, t in COLUMNS]))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append(safe_row([r["label"]] + [r[k] for k, _ in COLUMNS]))
    ws.column_dimensions["A"].width = 36
    for col in "BCDEFGHIJ":
        ws.column_dimensions[col].width = 14
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
