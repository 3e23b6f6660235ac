"""Public pages of 双随机、一公开 (no login): a plan's inputs digest, seed, algorithm, the draws with
their redraw reasons, the current result, and the files anyone downloads to re-run the draw."""

from __future__ import annotations

import json

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


VERIFY_MAX_BYTES = 5 * 1024 * 1024  # an export of a city's draw is well under this


def verify_page(request):
    """在线复核: anyone uploads a draw's export file and the platform re-runs the published
    algorithm on its inputs and seed (the same check as ``zhengwu inspections verify-draw``)."""
    context: dict = {"algorithm": draw_rules.ALGORITHM}
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            context["error"] = "导出文件：请选择从抽查计划公示页下载的抽取结果文件（.json）"
        elif upload.size > VERIFY_MAX_BYTES:
            context["error"] = f"导出文件：不能超过 {VERIFY_MAX_BYTES // 1024 // 1024} MB"
        else:
            try:
                data = json.loads(upload.read().decode("utf-8"))
            except (UnicodeDecodeError, ValueError):
                context["error"] = "导出文件：不是 JSON 文件，请上传从公示页“抽取记录”下载的 .json 文件"
            else:
                try:
                    diffs = draw_rules.verify_export(data)
                except draw_rules.DrawRefused as exc:
                    diffs = [exc.message]
                context.update(checked=True, diffs=diffs[:50], more=max(0, len(diffs) - 50), name=upload.name,
                               plan=data.get("plan", {}) if isinstance(data, dict) else {},
                               drawn=data.get("draw", {}) if isinstance(data, dict) else {},
                               seed=data.get("seed") if isinstance(data, dict) else None,
                               count=len(data.get("result") or []) if isinstance(data, dict) else 0)
    return render(request, "inspections/plans/public_verify.html", context, status=400 if "error" in context else 200)
