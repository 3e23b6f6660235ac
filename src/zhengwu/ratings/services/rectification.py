"""差评整改 (rectification): 核实, 整改, 回访 and 督办 by the responsible department (谁办理谁负责),
on the state table of :data:`zhengwu.ratings.rules.MACHINE`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.services import reveal_pii
from zhengwu.core.transitions import Lifecycle, actor_name
from zhengwu.org.permissions import has_role

from .. import rules
from ..models import Rating, Rectification, RectificationEvent
from ..rules import RState
from .aggregate import _bump_rating
from .base import RECTIFY_ROLES, SUPERVISE_ROLES, Stale, _invalid, _rule


def may_rectify(user, rect: Rectification) -> bool:
    return has_role(user, *RECTIFY_ROLES, department=rect.department)


def may_supervise(user, department=None, region_code: str | None = None) -> bool:
    return has_role(user, *SUPERVISE_ROLES, department=department, region_code=region_code)


# The rectification state table (rules.MACHINE) bound to its model (zhengwu.core.transitions).
LIFECYCLE = Lifecycle(rules.MACHINE, Rectification, stale=Stale, audit_prefix="rectification",
                      version_field="version")


def _locked(rect_id: int, version: int | None) -> Rectification:
    return LIFECYCLE.lock(rect_id, version,
                          Rectification.objects.select_related("rating", "department__region"))


def _move(rect: Rectification, user, action: str, label: str, target: str, note: str = "", fields=()) -> None:
    """Move ``rect`` to ``target`` (decided by the rules' after_* check): history, the daily
    aggregate and audit in the caller's transaction."""
    if target == RState.CLOSED and not rect.closed_at:
        rect.closed_at = timezone.now()

    def bump(before, target):
        # Only 办结 can complete a rectification, and nothing leaves 办结: counted once, here.
        if not rect.rating.excluded and target == RState.CLOSED and before != RState.CLOSED:
            done = rules.is_rectified(target, rect.measures, rect.real_name, rect.callback_satisfied)
            _bump_rating(rect.rating, bad_rectified=int(done), bad_real_done=int(done and rect.real_name))

    LIFECYCLE.move(rect, action, None, user, target=target, fields=("closed_at", *fields),
                   history=lambda before, target: RectificationEvent.objects.create(
                       rectification=rect, action=action, label=label, from_state=before, to_state=target,
                       actor=user, actor_name=actor_name(user), note=note),
                   then=bump, audit_after={"note": note[:200]})


def _require_rectifier(user, rect: Rectification) -> None:
    if not may_rectify(user, rect):
        raise PermissionDenied("只有责任部门的部门管理员或审批人员可以办理该差评整改")


@transaction.atomic
def verify(user, rect: Rectification, version: int, *, valid: bool, reason: str = "") -> Rectification:
    rect = _locked(rect.pk, version)
    _require_rectifier(user, rect)
    try:
        target = rules.after_verify(rect.state, bool(valid), reason, rect.real_name)
    except rules.RuleError as exc:
        raise _rule(exc) from None
    rect.verified_valid = bool(valid)
    rect.verify_reason = (reason or "").strip()
    _move(rect, user, "verify", "核实属实" if valid else "核实不属实", target, rect.verify_reason,
          fields=["verified_valid", "verify_reason"])
    return rect


@transaction.atomic
def rectify(user, rect: Rectification, version: int, *, measures: str) -> Rectification:
    rect = _locked(rect.pk, version)
    _require_rectifier(user, rect)
    try:
        target = rules.after_rectify(rect.state, measures, rect.real_name)
    except rules.RuleError as exc:
        raise _rule(exc) from None
    rect.measures = measures.strip() if not rect.measures else f"{rect.measures}\n——\n{measures.strip()}"
    _move(rect, user, "rectify", "登记整改", target, measures.strip(), fields=["measures"])
    return rect


@transaction.atomic
def callback(user, rect: Rectification, version: int, *, reached: bool, satisfied: bool | None = None,
             note: str = "") -> Rectification:
    rect = _locked(rect.pk, version)
    _require_rectifier(user, rect)
    try:
        target = rules.after_callback(rect.state, bool(reached), satisfied if reached else None,
                                      rect.callback_attempts, rect.verified_valid)
    except rules.RuleError as exc:
        raise _rule(exc) from None
    rect.callback_attempts += 1
    rect.callback_reached = bool(reached)
    rect.callback_satisfied = satisfied if reached else None
    rect.callback_note = (note or "").strip()
    fields = ["callback_attempts", "callback_reached", "callback_satisfied", "callback_note"]
    if reached and not rect.called_back:
        rect.called_back = True
        fields.append("called_back")
    if target == RState.REOPENED:
        rect.reopen_count += 1
        fields.append("reopen_count")
    if reached:
        label = "回访满意" if satisfied else "回访不满意，重新整改"
    else:
        label = "回访未联系上" + ("（多次联系未果，办结）" if target == RState.CLOSED else "")
    _move(rect, user, "callback", label, target, rect.callback_note, fields=fields)
    return rect


@transaction.atomic
def urge(user, rect: Rectification, *, note: str = "") -> Rectification:
    """督办: a supervisor presses the department on an open (usually overdue) rectification."""
    rect = _locked(rect.pk, None)
    if not may_supervise(user, department=rect.department):
        raise PermissionDenied("只有督办人员可以督办")
    if not rect.is_open:
        raise _invalid("note", "该差评整改已办结，无需督办")
    note = (note or "").strip() or "请尽快办理"
    if len(note) > 500:
        raise _invalid("note", "督办意见不能超过 500 字")
    rect.urge_count += 1
    rect.last_urged_at = timezone.now()
    rect.save(update_fields=["urge_count", "last_urged_at", "updated_at"])
    RectificationEvent.objects.create(rectification=rect, action="urge", label="督办", from_state=rect.state,
                                      to_state=rect.state, actor=user, actor_name=actor_name(user), note=note)
    audit.record("rectification.urge", actor=user, obj=rect, after={"note": note[:200], "count": rect.urge_count})
    return rect


def reveal_phone(user, rating: Rating, purpose: str = "差评回访") -> str:
    """The rater's phone for a callback: only the responsible department, audited."""
    rect = getattr(rating, "rectification", None)
    if rect is None or not may_rectify(user, rect):
        raise PermissionDenied("只有责任部门办理差评回访时可以查看评价人电话")
    if rating.phone:
        return reveal_pii(user, rating, "phone", purpose)
    if rating.applicant_id:
        return reveal_pii(user, rating.applicant, "phone", purpose)
    return ""

