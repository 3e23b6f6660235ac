"""Workbench pages of 秒批: 事项管理员 set an item's rules; 审批人员/部门管理员 review the cases decided
automatically (复核). Writes go through :mod:`zhengwu.cases.services.instant`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.org.models import Role
from zhengwu.org.permissions import is_sysadmin, roles_of, scope
from zhengwu.workbench.views import roles_required

from . import instant_rules
from .models import InstantRule
from .services import instant
from .views_staff import scoped_items

ROLES = (Role.ITEM_ADMIN, Role.APPROVER, Role.DEPT_ADMIN)


def _errors(exc: ValidationError) -> list[str]:
    return [m for msgs in exc.message_dict.values() for m in msgs] if hasattr(exc, "error_dict") else exc.messages


@roles_required(*ROLES, what="事项管理员、审批人员或部门管理员")
def instant_home(request):
    """秒批规则 (事项管理员) and 秒批复核 (审批人员、部门管理员) on one page, by role."""
    mine = roles_of(request.user) | ({r.value for r in Role} if is_sysadmin(request.user) else set())
    ctx: dict = {"sources": list(instant_rules.FACTS), "operators": instant_rules.OPERATORS, "errors": []}
    if Role.ITEM_ADMIN in mine:
        items = scoped_items(request.user, [Role.ITEM_ADMIN])
        ctx["items"] = items[:500]
        ctx["rules"] = scope(InstantRule.objects.all(), request.user, [Role.ITEM_ADMIN],
                             department_field="service_item__department").select_related("service_item")[:200]
        chosen = request.POST.get("item") or request.GET.get("item") or ""
        item = items.filter(pk=int(chosen)).first() if chosen.isdigit() else None
        ctx["item"] = item
        ctx["rule"] = InstantRule.objects.filter(service_item=item).first() if item else None
        if request.method == "POST" and request.POST.get("op") == "save_rule":
            if item is None:
                ctx["errors"].append("事项：请选择本部门的已发布事项")
            else:
                lock = request.POST.get("lock_version", "")
                try:
                    instant.save_rule(request.user, item, text=request.POST.get("rules_text", ""),
                                      basis=request.POST.get("basis", ""), enabled=request.POST.get("enabled") == "on",
                                      expected_lock=int(lock) if lock.isdigit() else None)
                except (ValidationError, PermissionDenied) as exc:
                    ctx["errors"] += _errors(exc) if isinstance(exc, ValidationError) else [str(exc)]
                    ctx["typed"] = {"rules_text": request.POST.get("rules_text", ""), "basis": request.POST.get("basis", ""),
                                    "enabled": request.POST.get("enabled") == "on"}
                else:
                    messages.success(request, f"已保存“{item.name}”的秒批规则")
                    return redirect(f"{request.path}?item={item.pk}")
    if mine & {Role.APPROVER, Role.DEPT_ADMIN}:
        ctx["reviews"] = instant.pending_reviews(request.user)
    return render(request, "cases/staff/instant.html", ctx, status=400 if ctx["errors"] else 200)


@require_POST
@roles_required(Role.APPROVER, Role.DEPT_ADMIN, what="审批人员或部门管理员")
def instant_review(request, pk: int):
    confirmed = request.POST.get("op") == "confirm"
    try:
        instant.review(request.user, pk, confirmed=confirmed, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(_errors(exc)))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "已记录复核：" + ("无误" if confirmed else "有异议"))
    return redirect("cases:staff_instant")
