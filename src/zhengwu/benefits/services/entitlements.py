"""The holder's side of 免申即享: 确认享受 / 放弃 (one tap, idempotent, lock_version), staff's 标记已发放,
and the in-app message for each new entitlement whose holder has an account (the platform's
站内消息, ``cases.Notification``; holders without an account see it in 我可享受的政策 once registered).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from zhengwu.accounts.models import Applicant
from zhengwu.cases.models import Notification
from zhengwu.core import audit

from ..models import EligibilityRun, Entitlement, Policy
from ..queries import holder_key, may_manage
from . import StaleEntitlement

NOTIFY_CHUNK = 2000


def message_for(policy: Policy) -> tuple[str, str]:
    if policy.mode == Policy.Mode.DIRECT:
        return (f"政策已为您兑现：{policy.name}"[:100],
                f"经与基础库信息比对，您符合“{policy.name}”的享受条件，已为您直接兑现，无需申请。"
                f"{policy.amount_text}。详见“我可享受的政策”。")
    return (f"您可享受政策：{policy.name}"[:100],
            f"经与基础库信息比对，您符合“{policy.name}”的享受条件。{policy.amount_text}。"
            f"请在“我可享受的政策”中一键确认享受，无需提交材料。")


def notify_new(run: EligibilityRun) -> int:
    """One 站内消息 per entitlement this run created whose holder has an account: one query joins
    the run's new entitlements to the applicants (by blind index or USCC), streamed in chunks."""
    policy = run.policy
    title, body = message_for(policy)
    field = "id_number_index" if policy.kind == Policy.Kind.PERSON else "uscc"
    holders = Applicant.objects.filter(kind=policy.kind)
    user_of = holders.filter(**{field: OuterRef("subject_key")}).values("user_id")[:1]
    rows = (Entitlement.objects.filter(policy=policy, run_id=run.pk, notified_at__isnull=True,
                                       subject_key__in=holders.values(field))
            .annotate(user=Subquery(user_of)).values_list("pk", "user"))
    sent, chunk = 0, []
    for row in rows.iterator(chunk_size=NOTIFY_CHUNK):
        chunk.append(row)
        if len(chunk) == NOTIFY_CHUNK:
            sent += _notify_chunk(chunk, title, body)
            chunk = []
    return sent + (_notify_chunk(chunk, title, body) if chunk else 0)


def _notify_chunk(chunk: list[tuple[int, int]], title: str, body: str) -> int:
    with transaction.atomic():
        Notification.objects.bulk_create([Notification(recipient_id=u, title=title, body=body) for _, u in chunk])
        Entitlement.objects.filter(pk__in=[pk for pk, _ in chunk]).update(notified_at=timezone.now())
    return len(chunk)


def _lock_own(user, pk: int, expected_lock) -> Entitlement:
    key = holder_key(user)
    ent = Entitlement.objects.select_for_update().select_related("policy").filter(pk=pk).first()
    if ent is None or key is None or ent.subject_key != key[1] or ent.policy.kind != key[0] \
            or ent.policy.state == Policy.State.DRAFT:
        raise PermissionDenied("这不是您的政策享受记录")
    return ent


def _version(expected_lock) -> int:
    try:
        return int(expected_lock)
    except (TypeError, ValueError):
        return -1


@transaction.atomic
def decide(user, pk: int, expected_lock, action: str) -> tuple[Entitlement, bool]:
    """确认享受 (``confirm``) or 放弃 (``waive``) by the holder. Returns (entitlement, changed): a
    repeated tap on a state already reached changes nothing and is not an error."""
    ent = _lock_own(user, pk, expected_lock)
    target = {"confirm": Entitlement.State.CONFIRMED, "waive": Entitlement.State.WAIVED}.get(action)
    if target is None:
        raise ValidationError({"action": ["操作：应为 确认享受 或 放弃"]})
    if ent.state == target:
        return ent, False
    if ent.lock_version != _version(expected_lock):
        raise StaleEntitlement(StaleEntitlement.message, code="stale")
    if ent.policy.mode == Policy.Mode.DIRECT:
        raise ValidationError({"action": ["该政策已直接兑现，无需确认"]})
    if ent.policy.state != Policy.State.PUBLISHED:
        raise ValidationError({"action": ["该政策已停止，不能再确认享受"]})
    if ent.state != Entitlement.State.PENDING:
        raise ValidationError({"action": [f"当前状态为“{ent.get_state_display()}”，不能{'确认享受' if action == 'confirm' else '放弃'}"]})
    before = ent.state
    ent.state, ent.decided_at = target, timezone.now()
    ent.lock_version += 1
    ent.save(update_fields=["state", "decided_at", "lock_version"])
    audit.record(f"benefits.entitlement_{action}", actor=user, obj=ent, before={"state": before},
                 after={"state": target, "policy": ent.policy_id})
    return ent, True


@transaction.atomic
def grant_confirmed(user, policy: Policy) -> int:
    """标记已发放: every 已确认 entitlement of the policy becomes 已发放 (after the payment batch)."""
    if user is not None and not may_manage(user, policy):
        raise PermissionDenied("仅该政策主管部门的事项管理员、部门管理员可以标记发放")
    n = Entitlement.objects.filter(policy=policy, state=Entitlement.State.CONFIRMED).update(
        state=Entitlement.State.GRANTED, decided_at=timezone.now(), lock_version=F("lock_version") + 1)
    audit.record("benefits.entitlement_grant", actor=user, obj=policy, after={"granted": n})
    return n
