"""The audit chain (审计链): append events, verify the chain.

Every state change and every read of personal data writes one :class:`AuditEvent` inside the
caller's transaction. Events form a hash chain (SM3, GB/T 32905): editing, deleting or
re-ordering any stored event breaks the chain at that event, and :func:`verify` names it.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives import hashes
from django.db import models, transaction
from django.utils import timezone

from .middleware import current_request_ip
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(event: dict[str, Any]) -> bytes:
    return json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _event_fields(e: AuditEvent) -> dict[str, Any]:
    at = e.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "seq": e.seq,
        "at": at,
        "actor_id": e.actor_id,
        "actor": e.actor,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "ip": e.ip,
        "before": e.before,
        "after": e.after,
    }


def compute_hash(prev_hash: str, e: AuditEvent) -> str:
    h = hashes.Hash(hashes.SM3())
    h.update(prev_hash.encode("ascii"))
    h.update(_canonical(_event_fields(e)))
    return h.finalize().hex()


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so the hashed form equals what the database gives back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


def record(
    action: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: dict | None = None,
    after: dict | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event. Call inside the transaction that makes the change.

    ``before``/``after`` must already be free of clear personal data (pass masked values).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_name = getattr(actor, "get_username", lambda: str(actor))() if actor is not None else "system"
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            seq=head.seq + 1,
            at=timezone.now(),
            actor_id=actor_id,
            actor=actor_name or "",
            action=action,
            object_type=object_type,
            object_id=str(object_id) if object_id != "" else "",
            ip=ip if ip is not None else (current_request_ip() or ""),
            before=_jsonable(before),
            after=_jsonable(after),
            prev_hash=head.hash,
        )
        event.hash = compute_hash(head.hash, event)
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _iter_events(chunk: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


def verify() -> VerifyResult:
    """Walk the chain from the first event; report the first broken link."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    for e in _iter_events():
        if e.seq != expected_seq:
            return VerifyResult(False, checked, expected_seq, f"缺少第 {expected_seq} 条（记录被删除）")
        if e.prev_hash != prev:
            return VerifyResult(False, checked, e.seq, "前一条摘要不一致（前面的记录被删除或替换）")
        if compute_hash(prev, e) != e.hash:
            return VerifyResult(False, checked, e.seq, "内容与摘要不符（记录被篡改）")
        prev = e.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    if head and (head.seq != checked or head.hash != prev):
        return VerifyResult(False, checked, checked + 1, f"链头记录到第 {head.seq} 条，实际只有 {checked} 条（末尾记录被删除）")
    return VerifyResult(True, checked)
