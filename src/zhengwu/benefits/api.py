"""The 免申即享 JSON API (/api/v1/benefits/): the logged-in applicant's entitlements (我可享受的政策)
with the explanation of each, and 确认享受 / 放弃 with the row's version.

Session authentication (CSRF-checked for unsafe methods). ``ValidationError`` → 400, a stale
version → 409, another holder's entitlement → 404 (the API root's handlers, ``zhengwu/api.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.core.exceptions import PermissionDenied
from ninja import Router

from zhengwu.accounts.api_auth import SessionAuth
from zhengwu.core import errors
from zhengwu.core.schemas import ERRORS, Schema

from . import queries
from .services import entitlements as ent_svc

PREFIX = "/benefits/"
router = Router(auth=SessionAuth(), tags=["免申即享"])


class BenefitNotFound(errors.NotFound):
    message = "没有这项政策享受记录"


class BenefitReasonOut(Schema):
    label: str
    actual: str
    ok: bool


class BenefitEntitlementOut(Schema):
    id: int
    policy: str
    department: str
    mode: str
    amount_text: str
    state: str
    state_label: str
    lock_version: int
    created_at: dt.datetime
    decided_at: dt.datetime | None
    explanation: list[BenefitReasonOut]


class BenefitDecisionIn(Schema):
    lock_version: int


def _out(e) -> dict:
    return {"id": e.pk, "policy": e.policy.name, "department": e.policy.department.name, "mode": e.policy.mode,
            "amount_text": e.policy.amount_text, "state": e.state, "state_label": e.get_state_display(),
            "lock_version": e.lock_version, "created_at": e.created_at, "decided_at": e.decided_at,
            "explanation": e.explanation}


def _applicant(request):
    if getattr(request.user, "applicant", None) is None:
        raise PermissionDenied("仅限已注册的个人或法人申请人")


@router.get("/mine", response={200: list[BenefitEntitlementOut], **ERRORS}, summary="我可享受的政策")
def mine(request):
    _applicant(request)
    return [_out(e) for e in queries.my_entitlements(request.user).order_by("-created_at", "-pk")[:200]]


@router.post("/mine/{pk}/{action}", response={200: BenefitEntitlementOut, **ERRORS},
             summary="确认享受（confirm）或放弃（waive）；重复提交不重复处理")
def decide(request, pk: int, action: Literal["confirm", "waive"], body: BenefitDecisionIn):
    _applicant(request)
    if not queries.my_entitlements(request.user).filter(pk=pk).exists():
        raise BenefitNotFound()
    ent, _ = ent_svc.decide(request.user, pk, body.lock_version, action)
    return _out(queries.my_entitlement(request.user, ent.pk))
