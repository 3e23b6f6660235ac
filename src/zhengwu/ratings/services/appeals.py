"""申诉: a department appeals a 差评 it holds malicious; a supervisor decides. An upheld appeal
takes the rating out of every figure (it stays in the history) and tells the upper level."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.transitions import actor_name
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

from .. import rules
from ..models import Appeal, OutboxRecord, Rating, Rectification, RectificationEvent
from ..rules import Channel, RState
from .aggregate import _bump_rating, bump_rated_event, contribution
from .base import _invalid
from .rectification import _move, may_supervise


@transaction.atomic
def file_appeal(user, rating: Rating, *, reason: str) -> Appeal:
    if not has_role(user, Role.DEPT_ADMIN, department=rating.department):
        raise PermissionDenied("只有被评价部门的部门管理员可以提出申诉")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise _invalid("reason", "申诉理由至少 10 个字，请写明恶意差评的事实和依据")
    if rating.excluded:
        raise _invalid("reason", "该评价已因申诉成立被剔除")
    if not rating.is_bad:
        raise _invalid("reason", "只能对差评提出申诉")
    Rating.objects.select_for_update().filter(pk=rating.pk).first()
    if Appeal.objects.filter(rating=rating, state=Appeal.State.PENDING).exists():
        raise _invalid("reason", "该评价已有待审核的申诉")
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(rating=rating, department=rating.department,
                                           region_code=rating.region_code, reason=reason, filed_by=user)
    except IntegrityError:
        raise _invalid("reason", "该评价已有待审核的申诉") from None
    rect = getattr(rating, "rectification", None)
    if rect is not None:
        RectificationEvent.objects.create(rectification=rect, action="appeal", label="提出申诉", from_state=rect.state,
                                          to_state=rect.state, actor=user, actor_name=actor_name(user), note=reason)
    audit.record("rating.appeal", actor=user, obj=appeal, after={"rating": rating.pk})
    return appeal


@transaction.atomic
def decide_appeal(user, appeal: Appeal, *, upheld: bool, note: str = "") -> Appeal:
    appeal = Appeal.objects.select_for_update().select_related("rating", "department__region").get(pk=appeal.pk)
    if not may_supervise(user, department=appeal.department):
        raise PermissionDenied("只有督办人员可以审核申诉")
    if appeal.state != Appeal.State.PENDING:
        raise _invalid("upheld", f"该申诉已审核（{appeal.get_state_display()}）")
    note = (note or "").strip()
    if not note:
        raise _invalid("note", "请填写审核意见")
    appeal.state = Appeal.State.UPHELD if upheld else Appeal.State.REJECTED
    appeal.decided_by = user
    appeal.decided_at = timezone.now()
    appeal.decision_note = note
    appeal.save()
    rating = Rating.objects.select_for_update().get(pk=appeal.rating_id)
    rect = Rectification.objects.filter(rating=rating).first()
    if upheld and not rating.excluded:
        _bump_rating(rating, sign=-1, **contribution(rating, rect))
        _bump_rating(rating, excluded=1)
        bump_rated_event(rating, -1)
        rating.excluded = True
        rating.excluded_at = timezone.now()
        rating.save(update_fields=["excluded", "excluded_at"])
        OutboxRecord.objects.get_or_create(rating=rating, kind="exclude", defaults=dict(
            implementation_code=rating.item.implementation_code if rating.item_id else "",
            case_number=rating.source_ref, channel_code=rules.UPSTREAM_CHANNEL[Channel(rating.channel)],
            level=rating.level, rated_at=rating.rated_at, applicant_type=rating.applicant_type))
    if rect is not None:
        RectificationEvent.objects.create(rectification=rect, action="appeal_decided",
                                          label="申诉成立，评价剔除" if upheld else "申诉不成立",
                                          from_state=rect.state, to_state=rect.state, actor=user,
                                          actor_name=actor_name(user), note=note)
        if upheld and rect.is_open:
            _move(rect, user, "close_excluded", "申诉成立，整改办结", RState.CLOSED, note)
    audit.record("rating.appeal_decide", actor=user, obj=appeal,
                 after={"state": appeal.state, "rating": rating.pk, "note": note[:200]})
    return appeal

