"""Public pages of 双随机、一公开 (no login): a plan's inputs digest, seed, algorithm, the draws with
their redraw reasons, the current result, and the files anyone downloads to re-run the draw."""

from __future__ import annotations

from django.http import FileResponse, Http404
from django.shortcuts import render

from . import draw_rules, plan_rules
from .models import InspectionPlan
from .services import plans as svc


def _public_plan(number: str) -> InspectionPlan:
    """A plan once published stays public, also when it is later cancelled."""
    plan = (InspectionPlan.objects.select_related("department", "region")
            .filter(number=number, published_at__isnull=False).first())
    if plan is None:
        raise Http404("抽查计划不存在或尚未公布")
    return plan


def plan_list(request):
    rows = list(InspectionPlan.objects.filter(published_at__isnull=False).select_related("department")
                .order_by("-published_at", "-pk")[:200])
    return render(request, "inspections/plans/public_list.html", {"rows": rows, "labels": plan_rules.STATE_LABELS})


def plan_page(request, number: str):
    plan = _public_plan(number)
    draws = list(plan.draws.order_by("seq"))
    current = next((d for d in draws if d.is_current), None)
    return render(request, "inspections/plans/public.html", {
        "plan": plan, "draws": draws, "current": current, "rows": svc.result_rows(current),
        "items": list(plan.items.all()), "joint": list(plan.joint_departments.all()),
        "filter": plan.object_filter or {}, "algorithm": draw_rules.ALGORITHM,
        "state_label": plan_rules.STATE_LABELS.get(plan.state)})


def _file(rel: str, download_name: str):
    path = svc.public_file(rel)
    if path is None:
        raise Http404("文件不存在")
    handle = open(path, "rb")  # noqa: SIM115  (the FileResponse closes it)
    response = FileResponse(handle, content_type="application/json; charset=utf-8", as_attachment=True,
                            filename=download_name)
    response["Cache-Control"] = "public, max-age=300"
    return response


def inputs_download(request, number: str):
    plan = _public_plan(number)
    return _file(svc.inputs_file(plan), f"{plan.number}-inputs.json")


def draw_download(request, number: str, seq: int):
    plan = _public_plan(number)
    drawn = plan.draws.filter(seq=seq).first()
    if drawn is None or not drawn.export_path:
        raise Http404("抽取记录不存在")
    return _file(drawn.export_path, f"{plan.number}-{seq}.json")
