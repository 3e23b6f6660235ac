"""The holder's side of 免申即享: 确认享受 / 放弃 (one tap, idempotent, lock_version), staff's 标记已发放,
and the in-app message for each new entitlement whose holder has an account (the platform's
站内消息, ``cases.Notification``; holders without an account see it in 我可享受的政策 once registered).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
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
    """One 站内消息 per entitlement this run created whose holder has an account."""
    policy = run.policy
    title, body = message_for(policy)
    sent, after = 0, 0
    while True:
        chunk = list(Entitlement.objects.filter(policy=policy, run_id=run.pk, notified_at__isnull=True, pk__gt=after)
                     .order_by("pk").values_list("pk", "subject_key")[:NOTIFY_CHUNK])
        if not chunk:
            return sent
        after = chunk[-1][0]
        keys = {k: pk for pk, k in chunk}
        if policy.kind == Policy.Kind.PERSON:
            holders = Applicant.objects.filter(kind="person", id_number_index__in=list(keys))
            users = dict(holders.values_list("id_number_index", "user_id"))
        else:
            users = dict(Applicant.objects.filter(kind="legal", uscc__in=list(keys)).values_list("uscc", "user_id"))
        if not users:
            continue
        with transaction.atomic():
            Notification.objects.bulk_create([Notification(recipient_id=u, title=title, body=body)
                                              for u in users.values()])
            Entitlement.objects.filter(pk__in=[keys[k] for k in users]).update(notified_at=timezone.now())
        sent += len(users)


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
