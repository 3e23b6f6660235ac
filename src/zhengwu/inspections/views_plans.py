"""Workbench pages of 抽查计划: the list, the form (new / edit a draft), the plan page with its
actions (公布, 抽取, 重新抽取 with a reason, 撤销) and the result. Writes go through
:mod:`.services.plans`."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.org.models import Role
from zhengwu.org.permissions import staff_departments, staff_regions
from zhengwu.workbench.views import roles_required

from . import draw_rules, plan_rules
from .forms_plans import PlanForm
from .services import plans as svc
from .services import pool as pool_svc

plan_staff = roles_required(Role.DEPT_ADMIN, Role.APPROVER, Role.SUPERVISOR, Role.LEADER,
                            what="部门管理员、审批人员、督办人员或领导")
LIST_LIMIT = 200


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": exc.messages}


def _version(request) -> int | None:
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        return None


@plan_staff
def plan_list(request):
    rows = list(svc.visible(request.user)[:LIST_LIMIT])
    can_create = staff_departments(request.user, svc.PLAN_ROLES).exists()
    return render(request, "inspections/plans/list.html",
                  {"rows": rows, "limit": LIST_LIMIT, "can_create": can_create, "labels": plan_rules.STATE_LABELS})


def _form_page(request, plan=None):
    departments = staff_departments(request.user, svc.PLAN_ROLES).order_by("name")
    if plan is None and not departments.exists():
        raise PermissionDenied("仅部门管理员或审批人员可以制定抽查计划")
    regions = staff_regions(request.user, svc.PLAN_ROLES)
    status = 200
    if request.method == "POST":
        form = PlanForm(request.POST, departments=departments, regions=regions)
        if form.is_valid():
            try:
                if plan is None:
                    saved = svc.create_plan(request.user, form.service_data(),
                                            idempotency_key=request.POST.get("idempotency_key") or None)
                    messages.success(request, f"抽查计划 {saved.number} 已保存为草稿")
                else:
                    saved = svc.update_plan(request.user, plan.pk, _version(request), form.service_data())
                    messages.success(request, "抽查计划已修改")
            except ValidationError as exc:
                for field, msgs in _errors(exc).items():
                    for m in msgs:
                        form.add_error(field if field in form.fields else None, m)
            else:
                return redirect("inspections:plan", pk=saved.pk)
        status = 400
    else:
        form = PlanForm(initial=PlanForm.initial_of(plan) if plan else {"inspectors_per_object": 2},
                        departments=departments, regions=regions)
    key = request.POST.get("idempotency_key") or uuid.uuid4().hex
    return render(request, "inspections/plans/form.html", {"form": form, "plan": plan, "idempotency_key": key},
                  status=status)


@plan_staff
def plan_new(request):
    return _form_page(request)


@plan_staff
def plan_edit(request, pk: int):
    plan = svc.get_visible(request.user, pk)
    if not svc.may_manage(request.user, plan):
        raise PermissionDenied("仅牵头部门的部门管理员或审批人员可以修改抽查计划")
    if plan.state != plan_rules.DRAFT:
        messages.error(request, "抽查计划已公布，不能再修改")
        return redirect("inspections:plan", pk=pk)
    return _form_page(request, plan)


def _detail(request, plan, errors=None, status=200):
    draws = list(plan.draws.order_by("seq"))
    current = next((d for d in draws if d.is_current), None)
    manage = svc.may_manage(request.user, plan)
    actions = [a for a in plan_rules.MACHINE.allowed_actions(plan.state, plan_rules.STAFF)] if manage else []
    ctx = {"plan": plan, "draws": draws, "current": current, "rows": svc.result_rows(current),
           "actions": actions, "errors": errors or {}, "state_label": plan_rules.STATE_LABELS.get(plan.state),
           "items": list(plan.items.all()), "joint": list(plan.joint_departments.all()),
           "pool": list(plan.pool.select_related("department")), "filter": plan.object_filter or {}}
    if plan.state == plan_rules.DRAFT:
        eligible = ctx["eligible_objects"] = pool_svc.eligible_objects(plan).count()
        ctx["eligible_inspectors"] = pool_svc.eligible_inspectors(plan).count()
        try:
            ctx["sample"] = draw_rules.sample_size(plan.count, plan.ratio, eligible)
        except draw_rules.DrawRefused:
            ctx["sample"] = None
        ctx["count_over"] = bool(plan.count and plan.count > eligible > 0)
    return render(request, "inspections/plans/detail.html", ctx, status=status)


@plan_staff
def plan_detail(request, pk: int):
    return _detail(request, svc.get_visible(request.user, pk))


ACTIONS = {"publish": "抽查条件和随机种子已公布，可以抽取", "draw": "已抽取，结果已公开",
           "redraw": "已重新抽取，原因已公开", "cancel": "抽查计划已撤销"}


@require_POST
@plan_staff
def plan_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404("未知的操作")
    plan = svc.get_visible(request.user, pk)
    version = _version(request)
    try:
        if action == "publish":
            svc.publish(plan, request.user, version)
        elif action == "draw":
            svc.draw(plan, request.user, version)
        elif action == "redraw":
            svc.redraw(plan, request.user, request.POST.get("reason", ""), version)
        else:
            svc.cancel(plan, request.user, version)
    except ValidationError as exc:
        plan.refresh_from_db()
        return _detail(request, plan, {"action": [action], **_errors(exc)}, status=400)
    messages.success(request, ACTIONS[action])
    return redirect("inspections:plan", pk=pk)
