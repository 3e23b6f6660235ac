"""交换监控 (数据管理员): calls, errors and p95 latency per day, consumer and resource, unusual
volume highlighted; the roll-up can be run at once (it also runs every 10 minutes)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.core import audit
from zhengwu.org.models import Department, Role
from zhengwu.workbench.views import roles_required

from .models import DataResource
from .services import monitoring

data_admin = roles_required(Role.DATA_ADMIN, what="数据管理员")
MAX_RANGE_DAYS = 366
ROW_LIMIT = 500


def _date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return default


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@data_admin
def dashboard(request):
    today = timezone.localdate()
    errors = []
    end = _date(request.GET.get("end"), today)
    start = _date(request.GET.get("start"), end - dt.timedelta(days=6))
    if start > end:
        errors.append("日期范围：开始日期不能晚于结束日期，已改为查看结束日期前7天")
        start = end - dt.timedelta(days=6)
    if (end - start).days > MAX_RANGE_DAYS:
        errors.append("日期范围：最长一年，已从结束日期向前截取一年")
        start = end - dt.timedelta(days=MAX_RANGE_DAYS)
    consumer_id, resource_id = _int(request.GET.get("consumer")), _int(request.GET.get("resource"))
    flagged_only = request.GET.get("flagged") == "1"
    qs = monitoring.daily_rows(start, end, consumer_id=consumer_id, resource_id=resource_id,
                               flagged_only=flagged_only)
    days = monitoring.by_day(qs)
    peak = max((d["calls"] for d in days), default=0)
    for d in days:
        d["width"] = round(100 * d["calls"] / peak) if peak else 0
    chart = {"x": [f"{d['day']:%m-%d}" for d in days], "y": ["次", "毫秒"],
             "series": [{"name": "调用次数", "type": "bar", "data": [d["calls"] for d in days]},
                        {"name": "失败次数", "type": "bar", "data": [d["errors"] for d in days]},
                        {"name": "最高P95耗时", "type": "line", "axis": 1,
                         "data": [round(float(d["p95_max"]), 1) for d in days]}]}
    consumers = Department.objects.filter(pk__in=monitoring.daily_rows(start, end).values("consumer_id")).order_by("name")
    resources = DataResource.objects.filter(pk__in=monitoring.daily_rows(start, end).values("resource_id")).order_by("name")
    return render(request, "datashare/monitoring/dashboard.html", {
        "start": start, "end": end, "rows": list(qs[:ROW_LIMIT]), "limit": ROW_LIMIT, "totals": monitoring.totals(qs),
        "days": days, "chart": chart, "consumers": consumers, "resources": resources, "consumer_id": consumer_id,
        "resource_id": resource_id, "flagged_only": flagged_only, "errors": errors})


@require_POST
@data_admin
def rollup_now(request):
    result = monitoring.rollup()
    audit.record("datashare.monitoring.rollup", actor=request.user, after={"result": result})
    messages.success(request, result)
    return redirect("datashare:monitoring")
