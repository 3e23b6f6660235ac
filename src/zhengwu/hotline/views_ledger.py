"""Workbench pages of the 效能投诉台账 and the 办不成事台账 (督办人员 record, 领导 and 纪检监察 read): the ledger with
its filters, totals and Excel export, and the form that records a ticket's 核查结论 and 处理结果."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from zhengwu.org.models import Department, Window
from zhengwu.workbench.views import roles_required

from . import ledger, ledger_rules, services

WHO = "督办人员、领导或纪检监察人员"
URL_NAMES = {"efficiency": "hotline:ledger_efficiency", "cannot_do": "hotline:ledger_cannot_do"}


def _type(kind: str) -> str:
    ticket_type = ledger_rules.ledger_type(kind)
    if ticket_type is None:
        raise Http404("没有这个台账")
    return ticket_type


def _departments():
    return list(Department.objects.filter(is_active=True).order_by("region__code", "sort_order", "name")
                .values_list("pk", "name"))


def _tabs(current: str) -> list[tuple[str, str, bool]]:
    return [(reverse(URL_NAMES[t]), label, t == current) for t, label in ledger_rules.LEDGERS.items()]


@roles_required(*ledger.LEDGER_ROLES, what=WHO)
def ledger_page(request, kind: str):
    ticket_type = _type(kind)
    today = timezone.localdate()
    f = ledger.parse_filters(request.GET, today)
    dept_name = ""
    if f.department:
        dept_name = Department.objects.filter(pk=f.department).values_list("name", flat=True).first() or ""
    if request.GET.get("export") == "xlsx":
        try:
            rows = ledger.export_rows(request.user, ticket_type, f)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
            return redirect(f"{request.path}?{urlencode(f.as_query())}")
        data = ledger.to_xlsx(ticket_type, f, rows, ledger.totals(request.user, ticket_type, f),
                              department_name=dept_name)
        resp = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        resp["Content-Disposition"] = (f'attachment; filename="hotline-ledger-{kind}-{f.start:%Y%m%d}-{f.end:%Y%m%d}.xlsx"')
        return resp
    tickets, nxt = ledger.page(request.user, ticket_type, f, request.GET.get("before"))
    total = ledger.totals(request.user, ticket_type, f)
    query = f.as_query()
    return render(request, "hotline/ledger.html", {
        "kind": kind, "ticket_type": ticket_type, "title": ledger_rules.LEDGERS[ticket_type], "tabs": _tabs(ticket_type),
        "rows": ledger.rows_for(request.user, ticket_type, tickets), "next": nxt, "f": f, "query": urlencode(query),
        "total": total, "total_text": ledger.totals_text(ticket_type, total), "departments": _departments(),
        "findings": [*ledger_rules.FINDINGS.items(), ("none", "未核查")], "handled_choices": ledger_rules.HANDLED_CHOICES,
        "may_record": _may_record_any(request.user), "columns": ledger.COLUMNS,
        "filtered": any([f.department, f.finding, f.handled]),
    })


def _may_record_any(user) -> bool:
    from zhengwu.org.permissions import has_role

    return has_role(user, *services.ledger.RECORDER_ROLES)


def _ticket(request, ticket_type: str, pk: int):
    t = (ledger.scoped(request.user, ticket_type).select_related(*ledger.RELATED).defer(*ledger.DEFER)
         .filter(pk=pk).first())
    if t is None:
        raise Http404("台账中没有这张工单，或无权查看")
    return t


@roles_required(*ledger.LEDGER_ROLES, what=WHO)
def ledger_record(request, kind: str, pk: int):
    """The 核查结论 and 处理结果 of one ticket: the form (督办人员), read-only for 领导 and 纪检监察."""
    ticket_type = _type(kind)
    t = _ticket(request, ticket_type, pk)
    back = request.GET.get("back") or request.POST.get("back") or ""
    back_url = reverse(URL_NAMES[ticket_type]) + (f"?{back}" if back else "")
    outcome = ledger.outcome_of(t)
    values = {k: getattr(outcome, k, "") or "" for k in (
        "finding", "rectification", "accountability", "accountability_note", "resolution", "resolution_note",
        "subject_item", "subject_department_id", "subject_window_id")} if outcome else {}
    values["lock_version"] = outcome.lock_version if outcome else 0
    status = 200
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in (
            "finding", "rectification", "accountability", "accountability_note", "resolution", "resolution_note",
            "subject_item", "subject_department", "subject_window")}
        try:
            services.record_outcome(request.user, t, request.POST.get("lock_version"), data)
        except ValidationError as exc:
            for m in exc.messages:
                messages.error(request, m)
            values = {**data, "subject_department_id": data["subject_department"],
                      "subject_window_id": data["subject_window"], "lock_version": request.POST.get("lock_version")}
            status = 409 if getattr(exc, "code", "") == "stale" else 400
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            status = 403
        else:
            messages.success(request, f"工单 {t.number} 的核查结论和处理结果已登记")
            return redirect(back_url)
    return render(request, "hotline/ledger_record.html", {
        "t": t, "kind": kind, "ticket_type": ticket_type, "title": ledger_rules.LEDGERS[ticket_type],
        "row": ledger.rows_for(request.user, ticket_type, [t])[0], "v": values, "back": back, "back_url": back_url,
        "may_record": services.ledger.may_record(request.user, t), "departments": _departments(),
        "windows": list(Window.objects.filter(is_active=True).select_related("hall").order_by("hall_id", "number")[:300]),
        "findings": ledger_rules.FINDINGS.items(), "accountability": ledger_rules.ACCOUNTABILITY.items(),
        "resolutions": ledger_rules.RESOLUTIONS.items(), "outcome": outcome,
    }, status=status)
