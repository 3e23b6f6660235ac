"""The outbox feed to the upper-level 好差评 system (上报): the payload of a record, and marking
records sent or failed."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

from ..models import OutboxRecord
from .base import _invalid


def outbox_payload(o: OutboxRecord) -> dict:
    return {"id": o.pk, "type": o.kind, "实施编码": o.implementation_code, "办件编号": o.case_number,
            "评价渠道": o.channel_code, "评价等级": o.level,
            "评价时间": timezone.localtime(o.rated_at).strftime("%Y-%m-%d %H:%M:%S"), "申请人类型": o.applicant_type}


@transaction.atomic
def mark_sent(actor, ids: list[int], receipt: str = "") -> int:
    """Mark outbox records as accepted by the upper-level system (after it confirmed them).

    ``actor``: a data administrator, or the upper-level system's 应用密钥 (scope ratings:feed).
    """
    from zhengwu.accounts.models import ApiKey

    key = actor if isinstance(actor, ApiKey) else None
    if key is None and not has_role(actor, Role.DATA_ADMIN, Role.SYSADMIN):
        raise PermissionDenied("只有数据管理员可以确认上报结果")
    ids = [int(i) for i in ids][:1000]
    if not ids:
        raise _invalid("ids", "请给出已被上级系统接收的记录编号")
    n = OutboxRecord.objects.filter(pk__in=ids, sent_at__isnull=True).update(
        sent_at=timezone.now(), receipt=(receipt or "")[:100], attempts=F("attempts") + 1)
    audit.record("ratings.outbox.sent", actor=None if key else actor, object_type="ratings.outboxrecord",
                 object_id="batch", after={"ids": ids[:50], "count": n, "receipt": receipt[:100],
                                           **({"api_key": str(key)} if key else {})})
    return n


@transaction.atomic
def mark_failed(ids: list[int], error: str) -> int:
    return OutboxRecord.objects.filter(pk__in=ids, sent_at__isnull=True).update(
        attempts=F("attempts") + 1, last_error=error[:300])

