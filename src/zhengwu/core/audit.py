"""The audit chain (审计链): append events, verify the chains.

Every state change and every read of personal data writes one :class:`AuditEvent` inside the
caller's transaction. Events form hash chains — :data:`CHAINS` of them, so that concurrent
writers do not queue on one head row (ADR 0007): editing, deleting or re-ordering any stored
event breaks its chain at that event, and :func:`verify` names it. Each link is an HMAC-SM3
(GB/T 32905) with a key the database does not hold, and signed checkpoints of the heads are kept
outside the database (ADR 0020, :mod:`.audit_anchor`), so that write access to the database
alone is not enough to rewrite or cut a chain.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import functools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils import timezone

from .audit_anchor import AnchorError, load_anchors
from .middleware import current_request_ip
from .models import AuditEvent, AuditHead

GENESIS = "0" * 64


def _canonical(event: dict[str, Any]) -> bytes:
    return json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _event_fields(e: AuditEvent) -> dict[str, Any]:
    at = e.at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    fields = {
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
    if e.prev_seq is not None:  # partitioned chains (ADR 0007): the link is part of the content
        fields["chain"] = e.chain
        fields["prev_seq"] = e.prev_seq
    return fields


# How an event's ``hash`` was made (``AuditEvent.scheme``).
SCHEME_SM3 = 0  # SM3(prev_hash ‖ fields): the events written before ADR 0020
SCHEME_HMAC_SM3 = 1  # HMAC-SM3(ZHENGWU_AUDIT_KEY, prev_hash ‖ fields + scheme): every new event


def compute_hash(prev_hash: str, e: AuditEvent) -> str:
    """The unkeyed rule (``scheme`` 0): anyone can recompute it, so it is kept only to verify
    the events written before the chain was keyed."""
    h = hashes.Hash(hashes.SM3())
    h.update(prev_hash.encode("ascii"))
    h.update(_canonical(_event_fields(e)))
    return h.finalize().hex()


@functools.lru_cache(maxsize=4)
def _keyed(key: str) -> hmac.HMAC:
    """An HMAC-SM3 context holding the key, copied for each event (the key is set up once)."""
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) < 32:
        raise ImproperlyConfigured("ZHENGWU_AUDIT_KEY 无效：应为至少 32 字节随机数的 base64 编码")
    return hmac.HMAC(raw, hashes.SM3())


def compute_mac(prev_hash: str, e: AuditEvent, key: str | None = None) -> str:
    """The keyed rule (``scheme`` 1): HMAC-SM3 with the audit key (``settings.ZHENGWU_AUDIT_KEY``
    unless ``key`` is given), over the same content as :func:`compute_hash` and the scheme."""
    h = _keyed(key or settings.ZHENGWU_AUDIT_KEY).copy()
    h.update(prev_hash.encode("ascii"))
    fields = _event_fields(e)
    fields["scheme"] = SCHEME_HMAC_SM3
    h.update(_canonical(fields))
    return h.finalize().hex()


def _jsonable(value: Any) -> Any:
    """Round-trip through JSON so the hashed form equals what the database gives back."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))


# Number of chains (ADR 0007). The head rows 1..CHAINS are created by core's migration 0003; a
# writer locks the first head nobody else holds, so up to CHAINS audited transactions proceed
# side by side instead of queueing on one row.
CHAINS = 32
_SEQ_SQL = {
    "postgresql": "SELECT nextval('core_auditevent_seq_seq')",
    # SQLite runs one writer at a time (IMMEDIATE transactions): the next number is max + 1.
    "sqlite": "SELECT COALESCE(MAX(seq), 0) + 1 FROM core_auditevent",
}


_PG_LOCK_HEAD = (
    # The inner SELECT locks one head row (the hint first, else the first free one); nextval runs
    # in the outer SELECT, i.e. only after that row is locked, so ``seq`` increases along every
    # chain. One round trip for the head and the event's number.
    "SELECT h.id, h.seq, h.hash, nextval('core_auditevent_seq_seq') FROM ("
    "SELECT id, seq, hash FROM {table} ORDER BY (id = %s) DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED) h"
)


def _lock_head(connection) -> tuple[AuditHead, int]:
    """Lock a chain head for this transaction without waiting when one is free; return it with
    the new event's ``seq``.

    The head this connection used last comes first: a transaction that already holds it (an
    earlier event of the same transaction) gets it back at once, so one transaction holds one
    head. Otherwise the first head not locked by another transaction (``SKIP LOCKED``). Only
    when every head is busy does the writer wait — for the hinted head, holding no other head,
    so writers never wait on each other in a cycle.
    """
    hint = getattr(connection, "_zw_audit_chain", None) or 1
    head = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(_PG_LOCK_HEAD.format(table=connection.ops.quote_name(AuditHead._meta.db_table)), [hint])
            row = cur.fetchone()
        if row is not None:
            head, seq = AuditHead(id=row[0], seq=row[1], hash=row[2]), int(row[3])
            head._state.adding, head._state.db = False, connection.alias
    if head is None:
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=hint)
        seq = _next_seq(connection)
    connection._zw_audit_chain = head.pk
    return head, seq


def _next_seq(connection) -> int:
    with connection.cursor() as cur:
        cur.execute(_SEQ_SQL.get(connection.vendor, _SEQ_SQL["sqlite"]))
        return int(cur.fetchone()[0])


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
    The chain's head stays locked until that transaction ends, so a rolled-back change leaves
    no event and no gap in its chain.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    actor_name = getattr(actor, "get_username", lambda: str(actor))() if actor is not None else "system"
    connection = transaction.get_connection()
    # No savepoint inside the caller's transaction: a failed append fails the change.
    with transaction.atomic(savepoint=False):
        head, seq = _lock_head(connection)
        event = AuditEvent(
            seq=seq,
            chain=head.pk,
            prev_seq=head.seq,
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
            scheme=SCHEME_HMAC_SM3,
        )
        event.hash = compute_mac(head.hash, event)
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
    broken_chain: int | None = None
    chains: int = 0
    legacy: int = 0  # events under the unkeyed rule (written before ADR 0020)
    checkpoints: int = 0
    covered: int = 0  # events up to the latest checkpoint
    latest_checkpoint_at: str = ""
    checkpoint_source: str = ""


def _iter_events(chunk: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:chunk])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq


@dataclass
class _Tip:
    seq: int = 0
    hash: str = GENESIS
    count: int = 0  # events of this chain so far
    keyed: bool = False  # an event under the keyed rule has been seen


def verify(checkpoints: Path | str | None = None) -> VerifyResult:
    """Walk every chain (one pass over the events in ``seq`` order); report the first broken link.

    Per chain: each event must name the previous event of its chain (``prev_seq``; ``seq - 1``
    for events from before the partitioning) and that event's hash, and its own hash must match
    its content under its rule — the keyed one for every event after the chain's first keyed
    event and after the first checkpoint; each head must point at its chain's last event.
    Then the signed checkpoints (ADR 0020; ``checkpoints``: an auditor's file as well): every
    head they recorded must still be there with the same hash, with as many events before it.
    """
    try:
        anchors = load_anchors(Path(checkpoints) if checkpoints else None)
    except AnchorError as exc:
        return VerifyResult(False, 0, reason=str(exc))
    keyed_after, expected = anchors.keyed_after, anchors.expected
    at_checkpoint: dict[int, int] = {}  # a checkpointed seq -> events of its chain up to it
    tips: dict[int, _Tip] = {}
    checked = legacy = 0

    def broken(seq, reason, chain):
        return VerifyResult(False, checked, seq, reason, chain, len(tips), legacy, len(anchors.checkpoints))

    for e in _iter_events():
        tip = tips.setdefault(e.chain, _Tip())
        prev_seq = e.prev_seq if e.prev_seq is not None else e.seq - 1
        if prev_seq > tip.seq:
            return broken(prev_seq, f"缺少第 {prev_seq} 条（记录被删除）", e.chain)
        if prev_seq < tip.seq or e.prev_hash != tip.hash:
            return broken(e.seq, "前一条摘要不一致（前面的记录被删除或替换）", e.chain)
        if e.scheme == SCHEME_HMAC_SM3:
            ok, tip.keyed = compute_mac(tip.hash, e) == e.hash, True
        elif e.scheme == SCHEME_SM3:
            if tip.keyed or (keyed_after is not None and e.seq > keyed_after.get(e.chain, 0)):
                return broken(e.seq, "未加密钥的摘要出现在加密钥的记录之后（记录被改写）", e.chain)
            ok = compute_hash(tip.hash, e) == e.hash
            legacy += 1
        else:
            return broken(e.seq, f"未知的摘要算法 {e.scheme}（记录被篡改）", e.chain)
        if not ok:
            return broken(e.seq, "内容与摘要不符（记录被篡改）", e.chain)
        tip.seq, tip.hash = e.seq, e.hash
        tip.count += 1
        checked += 1
        if e.seq in expected:
            chain, h, n = expected[e.seq]
            if (chain, h) != (e.chain, e.hash):
                return broken(e.seq, f"与第 {n} 个检查点记录的摘要不符（检查点之前的记录被改写）", e.chain)
            at_checkpoint[e.seq] = tip.count
    heads = {h.pk: h for h in AuditHead.objects.all()}
    for chain in sorted(set(heads) | set(tips)):
        head, tip = heads.get(chain), tips.get(chain, _Tip())
        if head is None:
            if tip.seq:
                return broken(tip.seq, f"第 {chain} 条链的链头缺失", chain)
            continue
        if head.seq != tip.seq or head.hash != tip.hash:
            return broken(head.seq, f"链头记录到第 {head.seq} 条，实际只到第 {tip.seq} 条（末尾记录被删除）", chain)
    for seq, (chain, _, n) in sorted(expected.items()):
        if seq not in at_checkpoint:
            return broken(seq, f"第 {n} 个检查点记录的第 {chain} 条链第 {seq} 条不存在（记录被删除）", chain)
    for cp in anchors.checkpoints:
        count = sum(at_checkpoint[seq] for seq, _ in cp.heads.values())
        if count != cp.events:
            return broken(None, f"第 {cp.n} 个检查点时有 {cp.events} 条记录，现在为 {count} 条", None)
    latest = anchors.latest
    return VerifyResult(True, checked, chains=len(tips), legacy=legacy, checkpoints=len(anchors.checkpoints),
                        covered=latest.events if latest else 0, latest_checkpoint_at=latest.at if latest else "",
                        checkpoint_source=anchors.source)
