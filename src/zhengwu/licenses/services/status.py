"""注销、吊销 and 过期: a licence's status moves by the table in :mod:`zhengwu.licenses.rules`.

Staff of the issuing department act from the licence's page (``lock_version`` against lost
updates, a reason required); another domain's service ends a licence for a case with
:func:`cancel_for_case` / :func:`revoke_for_case`; the job ``licenses.expire`` marks licences past
their last day, in batches over the (status, valid_until) index. Nothing is ever deleted.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.statemachine import TransitionRefused
from zhengwu.core.transitions import actor_name

from .. import rules
from ..models import Licence, LicenceEvent
from . import StaleLicence
from .issuing import ACT_ROLES

KINDS = {"cancel": LicenceEvent.Kind.CANCEL, "revoke": LicenceEvent.Kind.REVOKE}


def may_act(user, licence: Licence) -> bool:
    from zhengwu.org.permissions import has_role

    return has_role(user, *ACT_ROLES, department=licence.issuer)


def _end(user, licence: Licence, action: str, actor: rules.Actor, reason: str, case=None) -> Licence:
    """Move a locked licence by ``action`` (cancel/revoke) with its event and audit."""
    try:
        target = rules.MACHINE.check(licence.status, action, actor)
    except TransitionRefused as exc:
        raise ValidationError(exc.message, code="transition") from None
    label = rules.MACHINE.label(action)
    problem = rules.reason_problem(reason, label)
    if problem:
        raise ValidationError({"reason": [problem]})
    before = licence.status
    licence.status, licence.status_reason = target, reason.strip()
    licence.status_changed_at = timezone.now()
    licence.lock_version += 1
    licence.save(update_fields=["status", "status_reason", "status_changed_at", "lock_version"])
    LicenceEvent.objects.create(licence=licence, kind=KINDS[action], actor=user if getattr(user, "pk", None) else None,
                                actor_name=actor_name(user), reason=reason.strip()[:300], case=case)
    audit.record(f"licenses.{action}", actor=user, obj=licence, before={"status": before},
                 after={"status": str(target), "reason": reason.strip()[:300], "case": getattr(case, "pk", None)})
    return licence


def _locked(pk: int, expected_lock: int | None) -> Licence:
    licence = Licence.objects.select_for_update().select_related("issuer__region", "type").filter(pk=pk).first()
    if licence is None:
        raise Licence.DoesNotExist("证照不存在")
    if expected_lock is not None and licence.lock_version != int(expected_lock):
        raise StaleLicence(StaleLicence.message, code="stale")
    return licence


@transaction.atomic
def end_by_staff(user, pk: int, expected_lock: int, action: str, reason: str) -> Licence:
    """注销 (``cancel``) or 吊销 (``revoke``) by staff of the issuing department."""
    if action not in KINDS:
        raise ValidationError(f"未知的证照操作：{action}")
    licence = _locked(pk, expected_lock)
    if not may_act(user, licence):
        raise PermissionDenied("仅颁发部门的审批人员或部门管理员可以注销、吊销证照")
    return _end(user, licence, action, rules.Actor.STAFF, reason)


def cancel(user, pk: int, expected_lock: int, reason: str) -> Licence:
    return end_by_staff(user, pk, expected_lock, "cancel", reason)


def revoke(user, pk: int, expected_lock: int, reason: str) -> Licence:
    return end_by_staff(user, pk, expected_lock, "revoke", reason)


@transaction.atomic
def cancel_for_case(case, licence: Licence, reason: str, user=None) -> Licence:
    """注销 on application (a concluded 注销 case of the holder), by the issuing department."""
    locked = _locked(licence.pk, None)
    if locked.issuer_id != case.department_id:
        raise PermissionDenied("只能由颁发部门的办件注销该证照")
    return _end(user, locked, "cancel", rules.Actor.CASE, reason, case=case)


@transaction.atomic
def revoke_for_case(case, licence: Licence, reason: str, user=None) -> Licence:
    """吊销 decided in a case (e.g. a 行政处罚 of the issuing department)."""
    locked = _locked(licence.pk, None)
    if locked.issuer_id != case.department_id:
        raise PermissionDenied("只能由颁发部门的办件吊销该证照")
    return _end(user, locked, "revoke", rules.Actor.CASE, reason, case=case)


# -- 过期 (the job) -----------------------------------------------------------------------------
EXPIRE_BATCH = 500
EXPIRE_MAX_BATCHES = 400  # 200,000 a run; the next run takes the rest


def expire_due(today: dt.date | None = None, batch: int = EXPIRE_BATCH, max_batches: int = EXPIRE_MAX_BATCHES) -> str:
    """Mark 有效 licences whose ``valid_until`` has passed as 已过期: one short transaction per
    batch (read by the (status, valid_until) index, rows locked, one event each, one audit
    event per batch)."""
    today = today or timezone.localdate()
    total = 0
    for _ in range(max_batches):
        with transaction.atomic():
            ids = list(Licence.objects.select_for_update(skip_locked=True)
                       .filter(status=rules.Status.VALID, valid_until__lt=today)
                       .order_by("valid_until", "pk").values_list("pk", flat=True)[:batch])
            if not ids:
                break
            now = timezone.now()
            Licence.objects.filter(pk__in=ids, status=rules.Status.VALID).update(
                status=rules.Status.EXPIRED, status_reason="有效期届满", status_changed_at=now,
                lock_version=F("lock_version") + 1)
            LicenceEvent.objects.bulk_create([
                LicenceEvent(licence_id=pk, kind=LicenceEvent.Kind.EXPIRE, actor_name="系统", reason="有效期届满")
                for pk in ids])
            audit.record("licenses.expire", object_type="licenses.licence", object_id="batch",
                         after={"count": len(ids), "ids": ids, "before": today.isoformat()})
        total += len(ids)
        if len(ids) < batch:
            break
    return f"已过期 {total} 件"
