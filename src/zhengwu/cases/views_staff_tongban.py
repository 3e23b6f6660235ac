"""Workbench pages of 跨域通办: 异地代收 (find an item of another region whose 通办范围 reaches this
window, then file it through the ordinary 窗口代录 pages), the cases received here, and the 代收/代办
figures. Every write goes through :mod:`zhengwu.cases.services.tongban` and ``applying``."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from zhengwu.catalog.models import ServiceItem
from zhengwu.org.models import Region, Role
from zhengwu.org.permissions import grants, is_sysadmin
from zhengwu.workbench.views import roles_required

from . import tongban_rules
from .services import tongban
from .tongban_session import SESSION_KEY, forget_item, session_item


@roles_required(Role.WINDOW, what="窗口人员")
def receive(request):
    """跨域代收: search the items other regions let this window receive; 代收 opens 窗口代录 with it."""
    if request.method == "POST":
        op = request.POST.get("op")
        if op == "cancel":
            forget_item(request)
            messages.info(request, "已取消异地代收")
            return redirect("cases:staff_tongban")
        item = ServiceItem.objects.filter(pk=request.POST.get("item") or 0).select_related(
            "region", "published_version", "department").first()
        if item is None:
            messages.error(request, "事项不存在")
            return redirect("cases:staff_tongban")
        try:
            tongban.check_may_receive(request.user, item)
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("cases:staff_tongban")
        request.session[SESSION_KEY] = item.pk
        return redirect("cases:staff_file")
    q = request.GET.get("q", "").strip()[:50]
    point = tongban.receiving_point(request.user)
    items = list(tongban.receivable_items(request.user, q)) if q else []
    return render(request, "cases/staff/tongban.html", {
        "q": q, "items": items, "point": point, "received": tongban.received_cases(request.user, limit=50),
        "scope_labels": tongban_rules.SCOPE_LABELS, "reach_labels": tongban_rules.REACH_LABELS,
        "current": session_item(request),
    })


def _month_start(today: dt.date) -> dt.date:
    return today.replace(day=1)


def _date(value: str, default: dt.date, field: str, errors: list[str]) -> dt.date:
    if not value:
        return default
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(f"{field}：日期格式应为 YYYY-MM-DD")
        return default


@roles_required(Role.WINDOW, Role.LEADER, Role.SUPERVISOR, Role.DATA_ADMIN, Role.DEPT_ADMIN, what="窗口人员、领导、督办或数据管理员")
def figures(request):
    """代收 and 代办 counts of the user's region in a period, by the other region and by reach."""
    today = timezone.localdate()
    errors: list[str] = []
    start = _date(request.GET.get("start", ""), _month_start(today), "开始日期", errors)
    end = _date(request.GET.get("end", ""), today, "结束日期", errors)
    if end < start:
        errors.append("结束日期不能早于开始日期")
        start, end = _month_start(today), today
    prefix = "" if is_sysadmin(request.user) else min((g.region_prefix for g in grants(request.user)), key=len, default="")
    data = tongban.figures(prefix, start, end)
    codes = {r["handling_region_code"] for r in data["received_by_region"]} | {
        r["receiving_region_code"] for r in data["handled_by_region"]}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
    labels = tongban_rules.REACH_LABELS
    rows = {
        "received_by_region": [(names.get(r["handling_region_code"], r["handling_region_code"]), r["n"])
                               for r in data["received_by_region"]],
        "handled_by_region": [(names.get(r["receiving_region_code"], r["receiving_region_code"]), r["n"])
                              for r in data["handled_by_region"]],
        "received_by_reach": [(labels.get(r["reach"], r["reach"]), r["n"]) for r in data["received_by_reach"]],
    }
    region = Region.objects.filter(code=prefix.ljust(12, "0")).first() if prefix else None
    return render(request, "cases/staff/tongban_figures.html", {
        "start": start, "end": end, "errors": errors, "data": data, "rows": rows, "region": region,
    }, status=400 if errors else 200)
