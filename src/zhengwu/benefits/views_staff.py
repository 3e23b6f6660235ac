"""Workbench pages of 免申即享 (政策管理): the policies of one's departments, the policy form with its
rules editor, a policy's page (rules, 资格比对 runs with progress, counts by state, the masked list),
发布/停止, 资格比对, 标记已发放, 导出 Excel. Writes go through ``benefits.services``; reads through
:mod:`.queries` (scoped to the departments the user's grants cover)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.org.regions import region_namer

from zhengwu.core import audit
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role, staff_departments
from zhengwu.workbench.views import roles_required

from . import export, forms, queries, rules
from .listing import subjects
from .models import EligibilityRun, Entitlement, Policy
from .queries import POLICY_ROLES, POLICY_WHAT
from .services import entitlements as ent_svc
from .services import policies as policy_svc
from .services import runs as run_svc


@roles_required(*POLICY_ROLES, what=POLICY_WHAT)
def policy_list(request):
    rows = list(queries.staff_policies(request.user).order_by("-created_at", "-pk")[:200])
    return render(request, "benefits/staff/policy_list.html", {"rows": rows})


def _form(request, policy: Policy | None):
    if request.method == "POST":
        data = forms.policy_data(request.POST)
        try:
            if policy is None:
                policy = policy_svc.create_policy(request.user, data)
                messages.success(request, f"已新增政策“{policy.name}”（草稿）")
            else:
                policy = policy_svc.update_policy(request.user, policy.pk, request.POST.get("lock_version"), data)
                messages.success(request, f"已保存政策“{policy.name}”")
            return redirect("benefits:staff_policy", pk=policy.pk)
        except ValidationError as exc:
            errors = forms.errors_of(exc)
            if getattr(exc, "code", None) == "stale":
                errors = {"__all__": exc.messages}
        lock = request.POST.get("lock_version", "")
    else:
        data = forms.initial(policy) if policy is not None else {"kind": Policy.Kind.PERSON, "mode": Policy.Mode.CONFIRM,
                                                                  "rules": []}
        errors, lock = {}, (policy.lock_version if policy is not None else "")
    departments = staff_departments(request.user, POLICY_ROLES).filter(is_active=True).order_by("sort_order", "name")
    return render(request, "benefits/staff/policy_form.html", {
        "policy": policy, "data": data, "errors": errors, "lock_version": lock, "departments": departments,
        "kinds": Policy.Kind.choices, "modes": Policy.Mode.choices, "choices": forms.condition_choices(),
        "rows": forms.editor_rows(data.get("rules") or []),
    }, status=400 if errors else 200)


@roles_required(*POLICY_ROLES, what=POLICY_WHAT)
def policy_new(request):
    return _form(request, None)


@roles_required(*POLICY_ROLES, what=POLICY_WHAT)
def policy_edit(request, pk: int):
    return _form(request, queries.staff_policy(request.user, pk))


def _detail(request, policy: Policy, *, errors: list[str] | None = None, status: int = 200):
    state = request.GET.get("state", "")
    try:
        after = int(request.GET.get("after") or 0)
    except ValueError:
        after = 0
    rows, nxt = queries.entitlement_page(policy, state, after)
    names = subjects(policy, rows)
    for r in rows:
        r.name, r.number, r.region = names.get(r.subject_pk, ("（基础库中已无此记录）", "", ""))
    if rows:  # the page shows (masked) registry data of these people
        audit.record("benefits.results_view", actor=request.user, obj=policy,
                     after={"state": state, "after": after, "rows": len(rows)})
    runs = queries.latest_runs(policy)
    active = any(r.state in (EligibilityRun.State.QUEUED, EligibilityRun.State.RUNNING) for r in runs)
    return render(request, "benefits/staff/policy_detail.html", {
        "policy": policy, "described": rules.describe_all(policy.kind, policy.rules, region_namer()), "runs": runs, "active": active,
        "counts": queries.state_counts(policy), "states": Entitlement.State.choices, "state": state,
        "rows": rows, "next": nxt, "errors": errors or [],
        "may_manage": queries.may_manage(request.user, policy),
        "may_export_full": has_role(request.user, Role.DEPT_ADMIN, department=policy.department),
    }, status=status)


@roles_required(*POLICY_ROLES, what=POLICY_WHAT)
def policy_detail(request, pk: int):
    return _detail(request, queries.staff_policy(request.user, pk))


def _messages(exc: ValidationError) -> list[str]:
    return [m for ms in forms.errors_of(exc).values() for m in ms]


@require_POST
@roles_required(*POLICY_ROLES, what=POLICY_WHAT)
def policy_state(request, pk: int, target: str):
    policy = queries.staff_policy(request.user, pk)
    if target not in (Policy.State.PUBLISHED, Policy.State.CLOSED):
        target = ""
    try:
        policy = policy_svc.set_state(request.user, policy.pk, request.POST.get("lock_version"), target)
    except ValidationError as exc:
        return _detail(request, queries.staff_policy(request.user, pk), errors=_messages(exc), status=400)
    messages.success(request, f"政策已{'发布' if target == Policy.State.PUBLISHED else '停止'}")
    return redirect("benefits:staff_policy", pk=policy.pk)


@require_POST
@roles_required(*POLICY_ROLES, what=POLICY_WHAT)
def policy_run(request, pk: int):
    policy = queries.staff_policy(request.user, pk)
    try:
        run = run_svc.request_run(request.user, policy.pk)
    except ValidationError as exc:
        return _detail(request, policy, errors=_messages(exc), status=400)
    messages.success(request, f"资格比对已{'排队' if run.state == EligibilityRun.State.QUEUED else '在进行'}，"
                              "后台任务完成后本页显示结果")
    return redirect("benefits:staff_policy", pk=policy.pk)


@require_POST
@roles_required(*POLICY_ROLES, what=POLICY_WHAT)
def policy_grant(request, pk: int):
    policy = queries.staff_policy(request.user, pk)
    n = ent_svc.grant_confirmed(request.user, policy)
    messages.success(request, f"已将 {n} 条已确认记录标记为已发放")
    return redirect("benefits:staff_policy", pk=policy.pk)


@roles_required(*POLICY_ROLES, what=POLICY_WHAT)
def policy_export(request, pk: int):
    policy = queries.staff_policy(request.user, pk)
    full = request.GET.get("full") == "1"
    if full and not has_role(request.user, Role.DEPT_ADMIN, department=policy.department):
        raise PermissionDenied("仅该政策主管部门的部门管理员可以导出未脱敏名单")
    state = request.GET.get("state", "")
    body, n = export.to_xlsx(policy, state, full=full)
    audit.record("benefits.export", actor=request.user, obj=policy, after={"rows": n, "state": state, "full": full})
    response = HttpResponse(body, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''policy-{policy.pk}.xlsx"
    response["Cache-Control"] = "private, no-store"
    return response
