"""双随机 figures (抽查覆盖率, 任务完成率, 问题发现率) by department and quarter, with a chart and
the Excel export."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.shortcuts import render

from zhengwu.org.permissions import scope
from zhengwu.workbench.views import allowed_if

from . import results_rules as rules
from .forms_results import PeriodForm
from .models import InspectionPlan
from .services import results_figures as svc

viewers_only = allowed_if(svc.may_view, refused="仅领导、督办人员和部门管理员可以查看双随机抽查指标")


def _report(request):
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    return form, svc.figures(request.user, start=d["start"], end=d["end"], department_id=d["department"])


def _departments(user):
    plans = scope(InspectionPlan.objects.all(), user, svc.VIEWER_ROLES, department_field="department")
    rows = plans.values_list("department_id", "department__name").distinct().order_by("department__name")
    return [{"pk": pk, "name": name} for pk, name in rows]


@viewers_only
def figures(request):
    form, report = _report(request)
    ctx = {"form": form, "definitions": _definitions(), "departments": _departments(request.user),
           "start": request.GET.get("start", ""), "end": request.GET.get("end", ""),
           "department_id": form.cleaned_data.get("department") if report else None, "fmt": rules.fmt_rate}
    if report is None:
        return render(request, "inspections/results/figures.html", ctx, status=400)
    rows, total = report
    d = form.cleaned_data
    ctx.update(rows=rows, total=total, chart=svc.chart(rows), start=f"{d['start']:%Y-%m-%d}",
               end=f"{d['end']:%Y-%m-%d}")
    return render(request, "inspections/results/figures.html", ctx)


@viewers_only
def figures_export(request):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zhengwu.core.spreadsheets import safe_row

    form, report = _report(request)
    if report is None:
        return HttpResponse("；".join(m for msgs in form.errors.values() for m in msgs), status=400,
                            content_type="text/plain; charset=utf-8")
    rows, total = report
    d = form.cleaned_data
    wb = Workbook()
    ws = wb.active
    ws.title = "双随机抽查指标"
    ws.append(safe_row([f"双随机抽查指标  统计期：{d['start']:%Y-%m-%d} 至 {d['end']:%Y-%m-%d}"]))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(safe_row(["部门", "期间", "名录库对象数", "已检查对象数", "抽查覆盖率（%）", "检查任务数", "已录入结果数",
                        "任务完成率（%）", "发现问题数", "问题发现率（%）"]))

    def num(v):
        return None if v is None else float(v)
    for r in [*rows, total]:
        ws.append(safe_row([r.department, r.period, r.objects, r.checked_objects, num(r.coverage), r.tasks, r.done,
                            num(r.completion), r.problems, num(r.problem_rate)]))
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 16
    defs = wb.create_sheet("指标口径")
    for label, definition in svc.DEFINITIONS.values():
        defs.append(safe_row([label, definition]))
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename=inspection-figures-{d['start']:%Y%m%d}-{d['end']:%Y%m%d}.xlsx"
    return response


def _definitions() -> list[tuple[str, str]]:
    """(label, 口径): the registry's formula for a figure it holds (抽查覆盖率), one definition."""
    from zhengwu.insights.registry import formula_or

    return [(label, formula_or(f"inspections.{k}", text)) for k, (label, text) in svc.DEFINITIONS.items()]
