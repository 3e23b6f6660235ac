"""The audit chain: appended events verify; any tampering is found at the right link."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from zhengwu.core import audit
from zhengwu.core.models import AuditEvent


def _tamper(sql: str, params: list) -> None:
    """What a DBA with write access could do behind the application's back."""
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")  # bypass the append-only trigger
        cur.execute(sql, params)


@pytest.fixture
def chain(db):
    for i in range(5):
        audit.record("test.action", object_type="test", object_id=i, after={"n": i, "名称": "测试"})
    return list(AuditEvent.objects.order_by("seq"))


def test_untouched_chain_verifies(chain):
    result = audit.verify()
    assert result.ok and result.checked == 5
    call_command("audit", "verify")


# (``seq`` is global and increasing but not necessarily 1..n — on PostgreSQL it comes from a
# sequence that a rolled-back test does not reset — so the tests name events by position.)
def test_edited_event_is_found(chain):
    seq = chain[2].seq
    _tamper("UPDATE core_auditevent SET after = %s WHERE seq = %s", ['{"n": 99, "名称": "测试"}', seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == seq and "篡改" in result.reason
    with pytest.raises(CommandError, match=f"第 {seq} 条"):
        call_command("audit", "verify")


def test_edited_actor_is_found(chain):
    _tamper("UPDATE core_auditevent SET actor = %s WHERE seq = %s", ["someone-else", chain[1].seq])
    assert audit.verify().broken_seq == chain[1].seq


def test_deleted_event_is_found(chain):
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [chain[3].seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == chain[3].seq


def test_deleted_last_event_is_found(chain):
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [chain[4].seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == chain[4].seq


def test_rehashed_forgery_breaks_the_next_link(chain):
    """Editing an event and recomputing its own hash still breaks the following event (even
    with the audit key; without it, the edited event itself fails: test_audit_anchoring.py)."""
    event = AuditEvent.objects.get(seq=chain[1].seq)
    event.after = {"n": 42}
    forged = audit.compute_mac(event.prev_hash, event)
    _tamper("UPDATE core_auditevent SET after = %s, hash = %s WHERE seq = %s", ['{"n": 42}', forged, event.seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == chain[2].seq


def test_application_cannot_edit_or_delete(chain):
    event = chain[0]
    event.action = "changed"
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_database_refuses_update_on_postgresql(chain):
    from django.db import DatabaseError

    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditevent SET actor = 'x' WHERE seq = %s", [chain[0].seq])


# -- partitioned chains (ADR 0007) ----------------------------------------------------------------
def _spread(n_chains: int, per_chain: int = 3) -> list[AuditEvent]:
    """Events on several chains, interleaved in ``seq`` order, as concurrent writers leave them."""
    from zhengwu.core.models import AuditHead

    for c in range(1, n_chains + 1):
        AuditHead.objects.get_or_create(pk=c)
    events = []
    conn = transaction.get_connection()
    for i in range(per_chain):
        for c in range(1, n_chains + 1):
            conn._zw_audit_chain = c  # the head this connection prefers (as after its last write)
            events.append(audit.record("test.action", object_type="test", object_id=f"{c}-{i}", after={"i": i}))
    return events


def test_chains_interleave_and_verify(db):
    events = _spread(3)
    assert {e.chain for e in events} == {1, 2, 3}
    seqs = [e.seq for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    # each event links to the previous event of its own chain
    last: dict[int, AuditEvent] = {}
    for e in events:
        prev = last.get(e.chain)
        assert e.prev_seq == (prev.seq if prev else e.prev_seq) and e.prev_hash == (prev.hash if prev else e.prev_hash)
        last[e.chain] = e
    result = audit.verify()
    assert result.ok and result.checked == len(events) and result.chains == 3
    call_command("audit", "verify")


@pytest.mark.parametrize("position", [0, 4, 7])
def test_tampering_in_any_chain_is_found(db, position):
    events = _spread(3)
    target = events[position]
    _tamper("UPDATE core_auditevent SET object_id = %s WHERE seq = %s", ["forged", target.seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == target.seq and result.broken_chain == target.chain


def test_deleted_event_in_a_chain_is_found(db):
    events = _spread(3)
    victim = events[4]  # the middle event of chain 2
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [victim.seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == victim.seq and "删除" in result.reason


def test_truncated_chain_tail_is_found(db):
    events = _spread(3)
    victim = [e for e in events if e.chain == 3][-1]
    _tamper("DELETE FROM core_auditevent WHERE seq = %s", [victim.seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == victim.seq and result.broken_chain == 3


def test_event_moved_to_another_chain_is_found(db):
    events = _spread(2)
    moved = events[2]  # chain 1's second event
    _tamper("UPDATE core_auditevent SET chain = 2 WHERE seq = %s", [moved.seq])
    assert not audit.verify().ok


def test_events_from_before_the_partitioning_still_verify(db):
    """Events written by the single-chain code (chain 1, no prev_seq, seq 1..n) verify, and new
    events continue chain 1 from the old head."""
    from zhengwu.core.models import AuditHead

    AuditHead.objects.update_or_create(pk=1, defaults={"seq": 0, "hash": audit.GENESIS})
    prev, head_hash = audit.GENESIS, audit.GENESIS
    base = (AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0)
    assert base == 0  # a fresh test database
    for i in range(1, 4):
        e = AuditEvent(seq=i, chain=1, prev_seq=None, at=audit.timezone.now(), actor="system", action="legacy",
                       object_type="test", object_id=str(i), ip="", before=None, after={"i": i}, prev_hash=prev)
        e.hash = audit.compute_hash(prev, e)
        e.save()
        prev = head_hash = e.hash
    AuditHead.objects.filter(pk=1).update(seq=3, hash=head_hash)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT setval('core_auditevent_seq_seq', 4, false)")
    transaction.get_connection()._zw_audit_chain = 1
    new = audit.record("test.action", object_type="test", object_id="new")
    assert new.chain == 1 and new.prev_seq == 3 and new.prev_hash == head_hash
    assert audit.verify().ok
    _tamper("DELETE FROM core_auditevent WHERE seq = 2", [])
    result = audit.verify()
    assert not result.ok and result.broken_seq == 2


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_use_different_chains():
    """Two open transactions append at the same time without waiting for each other."""
    import threading

    from django.db import connections

    from zhengwu.core.models import AuditHead

    for c in range(1, 5):
        AuditHead.objects.get_or_create(pk=c)
    first_holds = threading.Event()
    release = threading.Event()
    chains = {}

    def writer(name, hold):
        try:
            with transaction.atomic():
                chains[name] = audit.record("test.action", object_type="test", object_id=name).chain
                chains[name + "-again"] = audit.record("test.action", object_type="test", object_id=name).chain
                if hold:
                    first_holds.set()
                    release.wait(10)
        finally:
            connections.close_all()

    a = threading.Thread(target=writer, args=("a", True))
    a.start()
    assert first_holds.wait(10)
    b = threading.Thread(target=writer, args=("b", False))
    b.start()
    b.join(5)
    assert not b.is_alive(), "the second writer waited for the first one's head"
    release.set()
    a.join(10)
    assert chains["a"] == chains["a-again"] and chains["b"] == chains["b-again"] and chains["a"] != chains["b"]
    assert audit.verify().ok
