"""JSON API of the plans part of 监管, mounted by api.py under /api/v1/inspections/.

- ``GET plans/{number}/public`` (no login): what the public plan page shows — inputs digest, seed,
  algorithm, the draws with their redraw reasons, the current result;
- ``POST plans/{pk}/publish|draw|redraw`` (staff session): the plan page's actions, with the
  plan's ``lock_version``; refusals are JSON with Chinese messages (the API root's handlers).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from ninja import Router

from zhengwu.accounts.api_auth import SessionAuth
from zhengwu.core import errors
from zhengwu.core.schemas import ERRORS, Schema

from . import draw_rules, plan_rules
from .models import InspectionPlan
from .services import plans as svc

router = Router(tags=["互联网+监管"])


class InspectionDrawOut(Schema):
    seq: int
    seed: str
    algorithm: str
    inputs_digest: str
    result_digest: str
    reason: str
    is_current: bool
    drawn_at: datetime
    export_url: str


class InspectionAssignedOut(Schema):
    object_id: int
    object_name: str
    uscc: str | None = None
    inspectors: list[str]


class InspectionPlanPublicOut(Schema):
    number: str
    name: str
    department: str
    state: str
    state_label: str
    algorithm: str
    inputs_digest: str
    seed: str
    published_at: datetime | None = None
    inputs_url: str
    draws: list[InspectionDrawOut]
    result: list[InspectionAssignedOut]


class InspectionPlanActIn(Schema):
    lock_version: int | None = None
    reason: str = ""


class InspectionPlanActOut(Schema):
    number: str
    state: str
    lock_version: int
    draw_seq: int | None = None


@router.get("/plans/{number}/public", auth=None, response={200: InspectionPlanPublicOut, **ERRORS},
            summary="抽查计划公示（抽查条件摘要、随机种子、抽取记录和结果）")
def plan_public(request, number: str):
    plan = InspectionPlan.objects.select_related("department").filter(
        number=number, published_at__isnull=False).first()
    if plan is None:
        raise errors.NotFound("抽查计划不存在或尚未公布")
    draws = list(plan.draws.order_by("seq"))
    current = next((d for d in draws if d.is_current), None)
    base = f"/inspections/plans/{plan.number}/"
    return {"number": plan.number, "name": plan.name, "department": plan.department.name, "state": plan.state,
            "state_label": plan_rules.STATE_LABELS.get(plan.state, plan.state), "algorithm": draw_rules.ALGORITHM,
            "inputs_digest": plan.inputs_digest, "seed": plan.seed, "published_at": plan.published_at,
            "inputs_url": base + "inputs.json",
            "draws": [{"seq": d.seq, "seed": d.seed, "algorithm": d.algorithm, "inputs_digest": d.inputs_digest,
                       "result_digest": d.result_digest, "reason": d.reason, "is_current": d.is_current,
                       "drawn_at": d.drawn_at, "export_url": f"{base}draws/{d.seq}.json"} for d in draws],
            "result": [{"object_id": r["object"].pk, "object_name": r["object"].name, "uscc": r["object"].uscc,
                        "inspectors": [f"{i.name}（{i.cert_number}）" for i in r["inspectors"]]}
                       for r in svc.result_rows(current)]}


@router.post("/plans/{pk}/{action}", auth=SessionAuth(), response={200: InspectionPlanActOut, **ERRORS},
             summary="抽查计划：公布（publish）、抽取（draw）、重新抽取（redraw，须填原因）")
def plan_act(request, pk: int, action: str, payload: InspectionPlanActIn):
    plan = svc.get_visible(request.user, pk)
    if action == "publish":
        plan = svc.publish(plan, request.user, payload.lock_version)
        seq = None
    elif action == "draw":
        seq = svc.draw(plan, request.user, payload.lock_version).seq
    elif action == "redraw":
        seq = svc.redraw(plan, request.user, payload.reason, payload.lock_version).seq
    else:
        raise ValidationError({"action": ["操作：只能是 publish、draw 或 redraw"]})
    plan.refresh_from_db()
    return {"number": plan.number, "state": plan.state, "lock_version": plan.lock_version, "draw_seq": seq}
