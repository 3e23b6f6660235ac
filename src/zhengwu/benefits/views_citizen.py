"""个人中心 · 我可享受的政策: the entitlements the platform found for the logged-in person (by the
身份证号's blind index) or enterprise (by the 统一社会信用代码), each with the rules that matched;
确认享受 / 放弃 in one tap."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from . import forms, queries
from .services import entitlements as ent_svc


def _applicant_only(request):
    if getattr(request.user, "applicant", None) is None:
        raise PermissionDenied("仅限已注册的个人或法人申请人查看")


def _render(request, errors: list[str] | None = None, status: int = 200):
    rows = list(queries.my_entitlements(request.user).order_by("-created_at", "-pk")[:200])
    return render(request, "benefits/citizen/mine.html", {"rows": rows, "errors": errors or []}, status=status)


@login_required
def mine(request):
    _applicant_only(request)
    return _render(request)


@require_POST
@login_required
def decide(request, pk: int, action: str):
    _applicant_only(request)
    queries.my_entitlement(request.user, pk)  # 404 for anything not the holder's
    try:
        ent, changed = ent_svc.decide(request.user, pk, request.POST.get("lock_version"), action)
    except ValidationError as exc:
        return _render(request, [m for ms in forms.errors_of(exc).values() for m in ms], status=400)
    if changed:
        messages.success(request, f"已{'确认享受' if action == 'confirm' else '放弃'}“{ent.policy.name}”")
    return redirect("benefits:mine")
