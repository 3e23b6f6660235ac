"""Workbench pages of 效能监察: the halls a person supervises, a hall's live page (its numbers
refreshed from the JSON API by static/zhengwu/queueing-supervision.js), the figures with charts
and their Excel export. Pages only compose: reads go through services.supervision and figures."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from zhengwu.org.permissions import has_role
from zhengwu.workbench.views import allowed_if

from . import figures
from . import supervision_rules as rules
from .services import supervision


def _supervises(user) -> bool:
    return has_role(user, *supervision.ROLES)


# Every page of 效能监察: 督办人员, 领导 and 系统管理员 only (a link to one asks the same check).
supervisors_only = allowed_if(_supervises, refused="仅督办人员、领导和系统管理员可以查看效能监察")


def _hall(request, hall_id: int):
    hall = supervision.halls_for(request.user).filter(pk=hall_id).first()
    if hall is None:
        raise Http404("大厅不存在或不在您的管辖范围")
    return hall


@supervisors_only
def index(request):
    halls = list(supervision.halls_for(request.user)[:200])
    if len(halls) == 1:
        return redirect("queueing:supervision_live", hall_id=halls[0].pk)
    return render(request, "queueing/supervision/index.html", {"halls": halls})


@supervisors_only
def live(request, hall_id: int):
    hall = _hall(request, hall_id)
    data = supervision.live(hall)
    return render(request, "queueing/supervision/live.html", {
        "hall": hall, "data": data,
        "config": {"url": reverse("api:queueing_supervision_live", kwargs={"hall_id": hall.pk}),
                   "every": 15000}})


def _query(request):
    today = timezone.localdate()
    start, end = rules.parse_range(request.GET.get("start"), request.GET.get("end"), today)
    return start, end, rules.parse_group(request.GET.get("by"))


@supervisors_only
def figures_page(request, hall_id: int):
    hall = _hall(request, hall_id)
    ctx = {"hall": hall, "groups": rules.GROUPS, "by": request.GET.get("by") or "business_type",
           "start": request.GET.get("start") or "", "end": request.GET.get("end") or ""}
    try:
        start, end, by = _query(request)
    except rules.RuleError as exc:
        return render(request, "queueing/supervision/figures.html", {**ctx, "error": exc.message}, status=400)
    rep = figures.report(hall, start=start, end=end, by=by)
    headers = [figures.HEADERS[c] for c in figures.COLUMNS]
    rows = [{"label": r["label"], "cells": [figures.cell_text(c, r[c]) for c in figures.COLUMNS]} for r in rep.rows]
    total = {"label": "合计", "cells": [figures.cell_text(c, rep.total[c]) for c in figures.COLUMNS]}
    chart = {"hours": [r["label"] for r in rep.by_hour], "hour_tickets": [r["tickets"] for r in rep.by_hour],
             "hour_wait": [r["avg_wait"] for r in rep.by_hour],
             "days": [r["label"] for r in rep.by_day], "day_tickets": [r["tickets"] for r in rep.by_day],
             "day_wait": [r["avg_wait"] for r in rep.by_day]}
    return render(request, "queueing/supervision/figures.html", {
        **ctx, "report": rep, "rows": rows, "total": total, "headers": headers, "chart": chart, "by": by,
        "start": start.isoformat(), "end": end.isoformat(),
        "definitions": _definitions(),
        "export_query": f"start={start.isoformat()}&end={end.isoformat()}&by={by}"})


@supervisors_only
def export(request, hall_id: int):
    hall = _hall(request, hall_id)
    try:
        start, end, by = _query(request)
    except rules.RuleError as exc:
        return render(request, "queueing/supervision/figures.html", {
            "hall": hall, "groups": rules.GROUPS, "by": request.GET.get("by") or "", "error": exc.message,
            "start": request.GET.get("start") or "", "end": request.GET.get("end") or ""}, status=400)
    wb = figures.workbook(figures.report(hall, start=start, end=end, by=by))
    tmp = tempfile.TemporaryFile()
    wb.save(tmp)
    tmp.seek(0)
    return FileResponse(tmp, as_attachment=True, filename=f"hall-{hall.pk}-{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
                        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def _definitions() -> list[tuple[str, str]]:
    """(label, 口径): the registry's formula for a figure it holds (平均等待时间), one definition."""
    from zhengwu.insights.registry import formula_or

    return [(figures.HEADERS[k], formula_or(f"queueing.{k}", v)) for k, v in rules.DEFINITIONS.items()]
