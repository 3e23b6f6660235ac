"""用证 pages: the holder's 用证记录 (/my/licences/uses/), the clerk's view of a licence a case
used (audited), and the 电子证照指标 figures page with its Excel export.

The pages compose only: reads and the audit come from :mod:`.use` and :mod:`.figures`.
"""

from __future__ import annotations

import datetime as dt
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from zhengwu.workbench.views import allowed_if, staff_required

from . import figures as svc
from . import use

PAGE_SIZE = 30


@login_required
def my_uses(request):
    """用证记录: who used the logged-in holder's licences, when, for which case (own only)."""
    applicant = getattr(request.user, "applicant", None)
    if applicant is None:
        raise PermissionDenied("仅限已注册的个人或法人查看本人的用证记录")
    page = Paginator(use.uses_for_holder(applicant), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "licenses/use/my_uses.html", {"applicant": applicant, "page": page})


@staff_required
def use_licence(request, pk: int):
    """The licence that stood in for a material of a case, for staff who may open the case."""
    u = use.staff_licence_view(request.user, pk)
    return render(request, "licenses/use/use_licence.html", {
        "use": u, "licence": u.licence, "case": u.case, "validity": use.validity_text(u.licence)})


class MonthsForm(forms.Form):
    start = forms.CharField(label="开始月份", required=False)
    end = forms.CharField(label="结束月份", required=False)

    @staticmethod
    def _month(value: str, label: str) -> dt.date:
        try:
            year, month = (int(x) for x in value.split("-")[:2])
            return dt.date(year, month, 1)
        except (ValueError, TypeError):
            raise forms.ValidationError(f"{label}格式不正确，应为 年-月（如 2026-01）") from None

    def clean(self):
        data = super().clean()
        default_start, default_end = svc.default_months()
        for name, label, default in (("start", "开始月份", default_start), ("end", "结束月份", default_end)):
            value = (data.get(name) or "").strip()
            try:
                data[name] = self._month(value, label) if value else default
            except forms.ValidationError as exc:
                self.add_error(name, exc)
        if not self.errors:
            for name, message in svc.check_months(data["start"], data["end"]).items():
                self.add_error(name, message)
        return data


viewers_only = allowed_if(svc.may_view, refused="仅领导、效能监察人员和部门管理员可以查看电子证照指标")


def _report(request):
    form = MonthsForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, svc.licence_figures(request.user, start=form.cleaned_data["start"], end=form.cleaned_data["end"])


@viewers_only
def figures(request):
    form, report = _report(request)
    ctx = {"form": form, "report": report, "definitions": _definitions(),
           "start": request.GET.get("start", ""), "end": request.GET.get("end", "")}
    if report is None:
        return render(request, "licenses/use/figures.html", ctx, status=400)
    ctx.update(start=f"{report.start:%Y-%m}", end=f"{report.end:%Y-%m}")
    return render(request, "licenses/use/figures.html", ctx)


@viewers_only
def figures_export(request):
    """The same table as an .xlsx workbook (电子证照指标 + 指标口径)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from zhengwu.core.spreadsheets import safe_row

    form, report = _report(request)
    if report is None:
        return HttpResponse("；".join(m for msgs in form.errors.values() for m in msgs), status=400,
                            content_type="text/plain; charset=utf-8")
    wb = Workbook()
    ws = wb.active
    ws.title = "电子证照指标"
    ws.append(safe_row([f"电子证照指标  统计期：{report.start:%Y-%m} 至 {report.end:%Y-%m}"]))
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(safe_row(["部门", "月份", *(svc.DEFINITIONS[k][0] for k in svc.COLUMNS)]))
    for r in report.rows:
        ws.append(safe_row([r.department, f"{r.month:%Y-%m}", r.issued, r.uses, r.exempted]))
    t = report.total
    ws.append(safe_row(["合计", "", t.issued, t.uses, t.exempted]))
    ws.column_dimensions["A"].width = 28
    defs = wb.create_sheet("指标口径")
    for label, definition in svc.DEFINITIONS.values():
        defs.append(safe_row([label, definition]))
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (f"attachment; filename=licence-figures-{report.start:%Y%m}-{report.end:%Y%m}.xlsx")
    return response


def _definitions() -> list[tuple[str, str]]:
    """(label, 口径): the registry's formula for a figure it holds (用证次数), one definition."""
    from zhengwu.insights.registry import formula_or

    return [(label, formula_or(f"licenses.{k}", text)) for k, (label, text) in svc.DEFINITIONS.items()]
