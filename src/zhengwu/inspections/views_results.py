"""Staff pages of the results part: 我的检查任务 (an inspector), the department's tasks, recording a
result, releasing a held result, an attachment. Thin: the work is in services.results*."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.core.transitions import Stale
from zhengwu.workbench.views import roles_required

from .forms_results import RecordForm
from .models import InspectionTask, Inspector
from .services import results as svc
from .services import results_queries as queries


def _task(pk: int) -> InspectionTask:
    task = InspectionTask.objects.select_related("plan", "plan__department", "plan__department__region", "draw",
                                                 "inspected").filter(pk=pk).first()
    if task is None:
        raise svc.TaskMissing()
    return task


@login_required
def my_tasks(request):
    """我的检查任务: an inspector with a platform account sees the tasks assigned to them."""
    if not Inspector.objects.filter(user=request.user).exists():
        raise PermissionDenied("您的账号未登记为执法人员，没有检查任务")
    page = Paginator(queries.my_tasks(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "inspections/results/my_tasks.html", {"page": page})


@roles_required("dept_admin", "approver", what="部门管理员、审批人员")
def department_tasks(request):
    state = request.GET.get("state", "")
    plan_id = request.GET.get("plan") or None
    plan_id = int(plan_id) if plan_id and str(plan_id).isdigit() else None
    page = Paginator(queries.department_tasks(request.user, plan_id=plan_id, state=state), 50).get_page(
        request.GET.get("page"))
    plans = queries.department_plans(request.user).filter(state__in=["drawn", "done"]).order_by("-period_start")[:200]
    return render(request, "inspections/results/department_tasks.html",
                  {"page": page, "state": state, "plan_id": plan_id, "plans": plans})


@login_required
def record(request, pk: int):
    task = _task(pk)
    if not svc.may_record(request.user, task):
        raise PermissionDenied("仅该任务的执法人员或本部门管理员、审批人员可以录入检查结果")
    staff = svc.is_department_staff(request.user, task.plan)
    status = 200
    if request.method == "POST":
        form = RecordForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                svc.record_result(task, request.user, d["result"], d["note"], d["checked_on"],
                                  files=request.FILES.getlist("files"), expected_version=d["version"],
                                  hold=bool(d["hold"]) and staff)
            except Stale as exc:
                form.add_error(None, exc.messages[0])
                status = 409
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    for field, errs in exc.message_dict.items():
                        form.add_error(field if field in form.fields else None, errs)
                else:
                    form.add_error(None, exc.messages)
                status = 400
            else:
                messages.success(request, "检查结果已录入" + ("，暂缓公示" if d["hold"] and staff else "并已公示"))
                return redirect("inspections:results_record", pk=task.pk)
        else:
            status = 400
    else:
        form = RecordForm(initial={"result": task.result, "checked_on": task.checked_on, "note": task.result_note,
                                   "version": task.lock_version})
    return render(request, "inspections/results/record.html", {
        "task": task, "form": form, "staff": staff, "refusal": svc._refusal(task),
        "attachments": task.attachments.all(), "assignments": task.assignments.select_related("inspector"),
        "checked_on_value": (form.data.get("checked_on", "") if form.is_bound
                             else (f"{task.checked_on:%Y-%m-%d}" if task.checked_on else ""))}, status=status)


@require_POST
@roles_required("dept_admin", "approver", what="部门管理员、审批人员")
def publish(request, pk: int):
    task = _task(pk)
    try:
        svc.publish(task, request.user, expected_version=request.POST.get("version") or None)
    except (ValidationError, Stale) as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, "检查结果已公示")
    return redirect("inspections:results_record", pk=task.pk)


@login_required
def attachment(request, pk: int, aid: int):
    task = _task(pk)
    handle, content_type, name = svc.open_attachment(request.user, task, aid)
    return FileResponse(handle, content_type=content_type, as_attachment=True, filename=name)
