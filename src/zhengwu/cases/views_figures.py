"""办件指标 page (/workbench/cases/figures/) for leaders and staff, and its Excel export.

The page only composes: the figures come from :func:`zhengwu.cases.services.figures.case_figures`
over :func:`~zhengwu.cases.services.figures.cases_in_view` (the viewer's scope); the table the
page shows and the workbook it exports are built by the same :func:`figure_table`.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode

from zhengwu.workbench.views import allowed_if

from .services import figures as svc

COLUMNS = ["accepted", "concluded", "on_time_rate", "overdue", "avg_workdays", "instant_rate", "full_online_rate",
           "avg_visits", "deemed_accepted", "extended", "additional_supplements"]
RATES = {"on_time_rate", "instant_rate", "full_online_rate"}
# column → the 办件明细 (drill-down) of the cases it counts: a rate leads to its numerator's cases
DRILL = {"accepted": "accepted", "concluded": "concluded", "on_time_rate": "concluded_on_time", "overdue": "overdue",
         "full_online_rate": "full_online"}


class PeriodForm(forms.Form):
    group_by = forms.ChoiceField(label="统计维度", choices=[(k, v[2]) for k, v in svc.GROUPS.items()],
                                 initial="department", required=False)
    start = forms.DateField(label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": "开始日期格式不正确，应为 年-月-日"})
    end = forms.DateField(label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": "结束日期格式不正确，应为 年-月-日"})

    def clean(self):
        data = super().clean()
        default_start, default_end = svc.default_period()
        data["group_by"] = data.get("group_by") or "department"
        data["start"] = data.get("start") or default_start
        data["end"] = data.get("end") or default_end
        for field, message in svc.check_period(data["start"], data["end"]).items():
            self.add_error(field, message)
        return data


@dataclass
class Cell:
    value: float | int | None
    text: str
    url: str | None = None  # the cases behind the number


def _cell(key: str, value) -> Cell:
    if value is None:
        return Cell(None, "—")
    if key in RATES:
        return Cell(value, f"{value * 100:.1f}%")
    if isinstance(value, float):
        return Cell(value, f"{value:g}")
    return Cell(value, str(value))


def figure_table(report: svc.FiguresReport) -> dict:
    """Headers, rows and total as display cells (the page) and raw values (the export)."""
    headers = [("", report.group_label, "", "")] + [(k, *svc.DEFINITIONS[k]) for k in COLUMNS]

    base = reverse("cases:figure_cases")
    period = {"start": f"{report.start:%Y-%m-%d}", "end": f"{report.end:%Y-%m-%d}"}

    def cells(f: svc.CaseFigures, group: dict) -> list[Cell]:
        out = []
        for k in COLUMNS:
            cell = _cell(k, getattr(f, k))
            if k in DRILL and cell.value is not None:
                cell.url = f"{base}?{urlencode({'what': DRILL[k], **period, **group})}"
            out.append(cell)
        return out

    def group(key) -> dict:
        if report.group_by == "window" and key is None:
            return {"window": "none"}
        return {report.group_by: key}

    return {
        "headers": headers,
        "rows": [{"label": r.label, "cells": cells(r.figures, group(r.key)), "figures": r.figures}
                 for r in report.rows],
        "total": {"label": "合计", "cells": cells(report.total, {}), "figures": report.total},
    }


# Who may see the 办件指标 (the page, its export and its drill-down: views_figure_cases).
viewers_only = allowed_if(svc.may_view, refused="仅工作人员和领导可以查看办件指标")


def _report(request):
    form = PeriodForm(request.GET)  # every field is optional: an empty query means this month by department
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    report = svc.case_figures(svc.cases_in_view(request.user), group_by=data["group_by"], start=data["start"],
                              end=data["end"])
    return form, report


@viewers_only
def figures(request):
    form, report = _report(request)
    context = {"form": form, "report": report, "groups": [(k, v[2]) for k, v in svc.GROUPS.items()],
               "definitions": [(k, *svc.DEFINITIONS[k]) for k in COLUMNS]}
    if report is None:  # the form shows what is wrong with the period
        context.update(group_by=request.GET.get("group_by") or "department", start=request.GET.get("start", ""),
                       end=request.GET.get("end", ""))
        return render(request, "cases/figures/figures.html", context, status=400)
    context.update(table=figure_table(report), group_by=report.group_by, start=f"{report.start:%Y-%m-%d}",
                   end=f"{report.end:%Y-%m-%d}")
    return render(request, "cases/figures/figures.html", context)


@viewers_only
def figures_export(request):
    """The same table as an .xlsx workbook: a 办件指标 sheet and a 指标口径 sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from zhengwu.core.spreadsheets import safe_row

    form, report = _report(request)
    if report is None:
        return HttpResponse("；".join(m for msgs in form.errors.values() for m in msgs), status=400,
                            content_type="text/plain; charset=utf-8")
    table = figure_table(report)
    wb = Workbook()
    ws = wb.active
    ws.title = "办件指标"
    ws.append(safe_row([f"办件指标（按{report.group_label}）  统计期：{report.start:%Y-%m-%d} 至 {report.end:%Y-%m-%d}"]))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(safe_row(h[1] + (f"（{h[2]}）" if h[2] and h[2] != "%" else "") for h in table["headers"]))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for row in [*table["rows"], table["total"]]:
        ws.append(safe_row([row["label"], *[c.value for c in row["cells"]]]))
        for key, cell in zip(COLUMNS, ws[ws.max_row][1:], strict=True):
            if key in RATES:
                cell.number_format = "0.0%"
            elif key in ("avg_workdays", "avg_visits"):
                cell.number_format = "0.0#"
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 40
    for letter in "BCDEFGHIJKL":
        ws.column_dimensions[letter].width = 14
    ws.freeze_panes = "B3"
    notes = wb.create_sheet("指标口径")
    notes.append(["指标", "单位", "口径"])
    from zhengwu.insights.templatetags.figures import figure_formula

    for k in COLUMNS:  # a figure the registry holds: its 口径 there (one definition)
        label, unit, definition = svc.DEFINITIONS[k]
        notes.append(safe_row([label, unit, figure_formula("cases", k, definition)]))
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["C"].width = 100
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = f"case-figures-{report.group_by}-{report.start:%Y%m%d}-{report.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
