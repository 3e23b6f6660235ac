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


def test_edited_event_is_found(chain):
    _tamper("UPDATE core_auditevent SET after = %s WHERE seq = 3", ['{"n": 99, "名称": "测试"}'])
    result = audit.verify()
    assert not result.ok and result.broken_seq == 3 and "篡改" in result.reason
    with pytest.raises(CommandError, match="第 3 条"):
        call_command("audit", "verify")


def test_edited_actor_is_found(chain):
    _tamper("UPDATE core_auditevent SET actor = %s WHERE seq = 2", ["someone-else"])
    assert audit.verify().broken_seq == 2


def test_deleted_event_is_found(chain):
    _tamper("DELETE FROM core_auditevent WHERE seq = 4", [])
    result = audit.verify()
    assert not result.ok and result.broken_seq == 4


def test_deleted_last_event_is_found(chain):
    _tamper("DELETE FROM core_auditevent WHERE seq = 5", [])
    result = audit.verify()
    assert not result.ok and result.broken_seq == 5


def test_rehashed_forgery_breaks_the_next_link(chain):
    """Editing an event and recomputing its own hash still breaks the following event."""
    event = AuditEvent.objects.get(seq=2)
    event.after = {"n": 42}
    forged = audit.compute_hash(event.prev_hash, event)
    _tamper("UPDATE core_auditevent SET after = %s, hash = %s WHERE seq = 2", ['{"n": 42}', forged])
    result = audit.verify()
    assert not result.ok and result.broken_seq == 3


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
        cur.execute("UPDATE core_auditevent SET actor = 'x' WHERE seq = 1")
