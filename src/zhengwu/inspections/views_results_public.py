"""The public 公示 pages (no login): published results with filters and keyset pagination, and
one plan's published results with its draws."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode

from zhengwu.org.models import Department

from .forms_results import PublicFilterForm
from .models import InspectionPlan
from .services import results_queries as queries


def _departments():
    ids = InspectionPlan.objects.exclude(state__in=["draft", "cancelled"]).values("department_id")
    return list(Department.objects.filter(pk__in=ids).order_by("name").values("pk", "name"))


def results(request):
    form = PublicFilterForm(request.GET)
    status = 200
    if form.is_valid():
        d = form.cleaned_data
        page = queries.public_results(department_id=d["department"], start=d["start"], end=d["end"],
                                      result=d["result"], cursor=d["after"] or "")
    else:
        status = 400
        page = queries.PublicPage([], None)
    next_url = None
    if page.next_cursor:
        params = {k: v for k, v in request.GET.items() if k != "after" and v}
        next_url = "?" + urlencode({**params, "after": page.next_cursor})
    return render(request, "inspections/results/public_list.html", {
        "form": form, "page": page, "next_url": next_url, "departments": _departments(),
        "first_url": "?" + urlencode({k: v for k, v in request.GET.items() if k != "after" and v}),
        "paged": bool(request.GET.get("after"))}, status=status)


def plan_results(request, pk: int):
    plan = (InspectionPlan.objects.select_related("department").exclude(state__in=["draft"])
            .filter(pk=pk).first())
    if plan is None:
        raise Http404("抽查计划不存在或尚未公布")
    page = queries.public_results(plan_id=plan.pk, cursor=request.GET.get("after", ""), size=100)
    return render(request, "inspections/results/public_plan.html", {
        "plan": plan, "page": page, "items": plan.items.all(), "joint": plan.joint_departments.all(),
        "draws": plan.draws.order_by("seq"),
        "next_url": "?" + urlencode({"after": page.next_cursor}) if page.next_cursor else None})
