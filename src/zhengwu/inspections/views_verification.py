"""Workbench pages of 告知承诺 后核查: the department's queue (待核查 / 即将到期 / 已超期 / 已核查)
and a check's page, where 属实 / 不属实 is recorded. Pages only compose: writes go through
:mod:`zhengwu.inspections.services.verification`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.core import calendar
from zhengwu.workbench.views import roles_required

from . import verification_rules as rules
from .services import verification as svc

WHAT = "部门管理员、审批人员、督办人员和领导"
ROLES = svc.STAFF_ROLES + svc.BUREAU_ROLES


@roles_required(*ROLES, what=WHAT)
def queue(request):
    counts = svc.tab_counts(request.user)
    tab = request.GET.get("tab", "")
    if tab not in rules.QUEUES:  # the most urgent tab that holds something
        tab = next((t for t, n in counts.items() if n), rules.QUEUE_PENDING)
    page = Paginator(svc.queue(request.user, tab), 50).get_page(request.GET.get("page"))
    tabs = [(key, label, counts.get(key)) for key, label in rules.QUEUES.items()]
    return render(request, "inspections/verification/queue.html", {
        "tab": tab, "tabs": tabs, "page": page, "today": timezone.localdate(),
        "department_days": svc.department_days(request.user), "default_days": rules.DEFAULT_CHECK_DAYS})


@require_POST
@roles_required("dept_admin", what="部门管理员")
def department_days(request):
    raw = (request.POST.get("days") or "").strip()
    try:
        department_id = int(request.POST.get("department", ""))
        days = int(raw) if raw else None
    except ValueError:
        messages.error(request, "核查期限须填写1至365的整数（工作日）；留空恢复默认30个工作日")
        return redirect("inspections:verification_queue")
    try:
        value = svc.set_department_days(request.user, department_id, days)
    except ValidationError as exc:
        messages.error(request, "；".join(m for msgs in exc.message_dict.values() for m in msgs))
    else:
        messages.success(request, f"已设定本部门告知承诺核查期限：受理后{value}个工作日（事项办事指南另有设定的从其设定；"
                                  "只影响此后受理的办件）")
    return redirect("inspections:verification_queue")


def _render_check(request, check, errors=None, data=None, status=200):
    today = timezone.localdate()
    bucket = rules.queue_of(check.state, check.due_date, today, rules.soon_limit(calendar.get_calendar(), today))
    return render(request, "inspections/verification/check.html", {
        "check": check, "case": check.case, "bucket": bucket, "bucket_label": rules.QUEUES[bucket],
        "may_record": check.state == rules.PENDING and svc.may_record(request.user, check),
        "errors": errors or {}, "data": data or {}, "outcomes": rules.OUTCOMES.items()}, status=status)


def _visible(request, pk: int):
    return get_object_or_404(svc.visible_checks(request.user).select_related(
        "case__service_item", "department", "checked_by"), pk=pk)


@roles_required(*ROLES, what=WHAT)
def check_detail(request, pk: int):
    return _render_check(request, _visible(request, pk))


@require_POST
@roles_required(*svc.STAFF_ROLES, what="核查部门的部门管理员、审批人员")
def check_record(request, pk: int):
    check = _visible(request, pk)
    data = {"outcome": request.POST.get("outcome", ""), "finding": request.POST.get("finding", "")}
    try:
        lock = int(request.POST.get("lock_version", ""))
    except ValueError:
        lock = -1
    try:
        svc.record_finding(request.user, check.pk, lock, data["outcome"], data["finding"])
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"form": exc.messages}
        return _render_check(request, _visible(request, pk), errors=errors, data=data, status=400)
    messages.success(request, "已记录核查结论" + ("，已启动撤销审批决定" if data["outcome"] == rules.FAILED else ""))
    return redirect("inspections:verification_check", pk=check.pk)
