"""Workbench pages of the 三张清单: 需求清单, 责任清单, 负面清单 and the report of needs nobody
has answered (with its Excel export)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.org.permissions import scope, staff_departments
from zhengwu.workbench.views import staff_required

from . import catalogue_io
from .models import DataNeed, NegativeEntry, ProvideDuty
from .services import catalogue as cat
from .services import lists as services
from .views_catalogue import XLSX, _messages_of, visible_resources

KINDS = {"needs": "需求清单", "duties": "责任清单", "negative": "负面清单"}


def _needs(user):
    return scope(DataNeed.objects.all(), user) | scope(DataNeed.objects.all(), user, department_field="provider")


def _flash(request, exc: ValidationError) -> None:
    for msgs in _messages_of(exc).values():
        for m in msgs:
            messages.error(request, m)


@staff_required
def lists(request, kind: str = "needs"):
    if kind not in KINDS:
        kind = "needs"
    if request.method == "POST":
        create = {"needs": services.create_need, "duties": services.create_duty,
                  "negative": services.create_negative}[kind]
        try:
            create(request.user, request.POST)
            messages.success(request, f"已登记到{KINDS[kind]}")
            return redirect("datashare:lists", kind=kind)
        except ValidationError as exc:
            _flash(request, exc)
    if kind == "needs":
        rows = _needs(request.user).select_related("department", "provider", "resource").order_by("-created_at")
    elif kind == "duties":
        rows = scope(ProvideDuty.objects.all(), request.user).select_related("department", "resource") \
            .order_by("done", "due_date")
    else:
        rows = scope(NegativeEntry.objects.all(), request.user).select_related("department", "resource") \
            .order_by("-created_at")
    return render(request, "datashare/catalogue/lists.html", {
        "kind": kind, "kinds": KINDS, "rows": rows[:300],
        "departments": staff_departments(request.user, cat.EDITOR_ROLES).order_by("sort_order", "name"),
        "all_departments": _all_departments(),
        "resources": visible_resources(request.user).order_by("code")[:500], "today": timezone.localdate()})


def _all_departments():
    from zhengwu.org.models import Department

    return Department.objects.filter(is_active=True).order_by("sort_order", "name")


@staff_required
@require_POST
def need_answer(request, pk: int):
    try:
        services.answer_need(request.user, pk, resource=request.POST.get("resource"),
                             decline=request.POST.get("decline") == "1", answer=request.POST.get("answer") or "")
        messages.success(request, "已响应该需求")
    except DataNeed.DoesNotExist:
        messages.error(request, "需求不存在")
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("datashare:lists", kind="needs")


@staff_required
@require_POST
def duty_done(request, pk: int):
    try:
        services.mark_duty_done(request.user, pk)
        messages.success(request, "已标记完成")
    except ProvideDuty.DoesNotExist:
        messages.error(request, "责任不存在")
    return redirect("datashare:lists", kind="duties")


@staff_required
def unanswered(request):
    try:
        days = max(0, min(int(request.GET.get("days") or 30), 3650))
    except ValueError:
        days = 30
    rows = services.unanswered_needs(days, queryset=_needs(request.user))
    if request.GET.get("format") == "xlsx":
        data = catalogue_io.export_table("未响应需求", ["需求部门", f"超过{days}天未响应的需求数", "最早提出时间"],
                                         [(r["department__name"], r["n"],
                                           timezone.localtime(r["oldest"]).strftime("%Y-%m-%d %H:%M"))
                                          for r in rows])
        return HttpResponse(data, content_type=XLSX,
                            headers={"Content-Disposition": 'attachment; filename="unanswered-needs.xlsx"'})
    return render(request, "datashare/catalogue/unanswered.html",
                  {"rows": rows, "days": days, "total": sum(r["n"] for r in rows)})
