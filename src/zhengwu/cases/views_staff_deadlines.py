"""延长办理期限 on the staff side (行政许可法第四十二条第一款): the request panel of the case page,
and the 延期审批 page where 本行政机关负责人 (领导) approve or decline the requests of their
departments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhengwu.org.models import Role
from zhengwu.org.permissions import scope
from zhengwu.workbench.views import roles_required

from . import forms_staff as f
from . import queries, rules
from .models import Case, Extension
from .rules import State
from .services import deadlines


def case_context(user, case: Case, bound: dict) -> dict:
    """What the staff case page shows about the extension: its record and, for the handler of a
    case in review, the request form."""
    extensions = queries.rows_of(queries.CASE_EXTENSIONS, case) if case.accepted_on else []
    ctx = {"extensions": extensions, "extension_basis": rules.EXTENSION_BASIS,
           "extension_workdays": rules.EXTENSION_WORKDAYS,
           # 行政许可法第三十二条: past the five working days the application is accepted by law.
           "acceptance_overdue": case.state == State.SUBMITTED and rules.deemed_accepted(_today(), case.acceptance_due)}
    if case.state == State.IN_REVIEW and not extensions and deadlines.may_request_extension(user, case):
        ctx["extension_form"] = bound.get("extension") or f.ExtensionRequestForm(
            initial={"lock_version": case.lock_version}, auto_id="extension_%s")
    return ctx


@require_POST
@roles_required(Role.WINDOW, Role.APPROVER, what="审批人员或窗口人员")
def extension_request(request, pk: int):
    from .views_staff import CASE_RELATED, _render_case, _service_call

    case = queries.staff_case(request.user, pk)
    form = f.ExtensionRequestForm(request.POST, auto_id="extension_%s")
    if form.is_valid():
        d = form.cleaned_data
        if _service_call(request, form, lambda: deadlines.request_extension(request.user, case, d["lock_version"],
                                                                            d["reason"])):
            messages.success(request, "已提交延长办理期限申请，待本行政机关负责人批准")
            return redirect("cases:staff_case", pk=case.pk)
    return _render_case(request, Case.objects.select_related(*CASE_RELATED).get(pk=case.pk),
                        bound={"extension": form})


def pending_extensions(user):
    """延长办理期限 requests waiting for ``user`` as 本行政机关负责人 (领导 of the case's department)."""
    cases = scope(Case.objects.all(), user, [Role.LEADER])
    return (Extension.objects.filter(status=Extension.Status.REQUESTED, case__in=cases)
            .select_related("case__service_item", "case__department", "requested_by").order_by("requested_at", "pk"))


@roles_required(Role.LEADER, what="领导（本行政机关负责人）")
def extension_list(request, bound: dict | None = None, status: int = 200):
    """延期审批: requests waiting for 本行政机关负责人, oldest first (a page of 50)."""
    rows = list(pending_extensions(request.user)[:50])
    bound = bound or {}
    for e in rows:
        e.form = bound.get(e.pk) or f.ExtensionDecisionForm(initial={"lock_version": e.case.lock_version},
                                                            auto_id=f"decide_{e.pk}_%s")
        e.overdue = e.case.due_date is not None and _today() > e.case.due_date
    return render(request, "cases/staff/extensions.html", {"rows": rows, "basis": rules.EXTENSION_BASIS,
                                                           "workdays": rules.EXTENSION_WORKDAYS}, status=status)


def _today():
    from django.utils import timezone

    return timezone.localdate()


@require_POST
@roles_required(Role.LEADER, what="领导（本行政机关负责人）")
def extension_decide(request, pk: int):
    extension = get_object_or_404(pending_extensions(request.user), pk=pk)
    form = f.ExtensionDecisionForm(request.POST, auto_id=f"decide_{pk}_%s")
    if form.is_valid():
        d = form.cleaned_data
        try:
            deadlines.decide_extension(request.user, extension.case, d["lock_version"], d["decision"] == "approve",
                                       d["note"])
        except ValidationError as exc:
            f.apply_service_errors(form, exc)
        else:
            done = "已批准，办理期限延长并已告知申请人" if d["decision"] == "approve" else "已不予批准"
            messages.success(request, f"办件 {extension.case.number}：{done}")
            return redirect("cases:staff_extensions")
    return extension_list(request, bound={pk: form}, status=400)
