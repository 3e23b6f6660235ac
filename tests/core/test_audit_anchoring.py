"""The audit chain anchored outside the database (ADR 0020): keyed links, signed checkpoints,
heads that only move forward. The attacker here can write anything to the database — as its
superuser, past the triggers — but reads neither the keys nor the data directory."""

import base64
import importlib
import json
import os
import stat

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from zhengwu.core import audit, audit_anchor, schedule
from zhengwu.core.models import AuditCheckpoint, AuditEvent, AuditHead

_migration = importlib.import_module("zhengwu.core.migrations.0006_audit_mac_and_checkpoints")


def _as_superuser(sql: str, params: list) -> None:
    """Write past the append-only triggers: PostgreSQL's superuser switches them off for the
    transaction; on SQLite, whoever opens the file can drop them (put back here afterwards)."""
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET LOCAL session_replication_role = replica")
            cur.execute(sql, params)
        else:
            for drop in _migration.SQLITE_BACKWARD:
                cur.execute(drop)
            cur.execute(sql, params)
            for create in _migration.SQLITE_FORWARD:
                cur.execute(create)


def _record(n: int, chain: int = 1) -> list[AuditEvent]:
    transaction.get_connection()._zw_audit_chain = chain
    return [audit.record("test.action", object_type="test", object_id=i, after={"n": i, "名称": "测试"})
            for i in range(n)]


def _legacy_events(n: int) -> list[AuditEvent]:
    """Events as the code before ADR 0020 wrote them (plain SM3, ``scheme`` 0), on chain 1."""
    head = AuditHead.objects.get_or_create(pk=1)[0]
    prev_seq, prev = head.seq, head.hash
    events = []
    for i in range(n):
        seq = audit._next_seq(connection)
        e = AuditEvent(seq=seq, chain=1, prev_seq=prev_seq, at=audit.timezone.now(), actor="system",
                       action="legacy", object_type="test", object_id=str(i), ip="", before=None,
                       after={"i": i}, prev_hash=prev)
        e.hash = audit.compute_hash(prev, e)
        e.save()
        events.append(e)
        prev_seq, prev = seq, e.hash
    AuditHead.objects.filter(pk=1).update(seq=prev_seq, hash=prev)
    return events


def _line(body: dict) -> str:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


OTHER_KEY = base64.b64encode(b"another-audit-key-0123456789abcd").decode()


# -- keyed links ----------------------------------------------------------------------------------
def test_new_events_carry_a_keyed_hash(db):
    e = _record(1)[0]
    assert e.scheme == audit.SCHEME_HMAC_SM3
    assert e.hash == audit.compute_mac(e.prev_hash, e) != audit.compute_hash(e.prev_hash, e)
    assert audit.verify().ok


@pytest.mark.parametrize("downgrade", [False, True], ids=["same-scheme", "marked-unkeyed"])
def test_event_rehashed_with_the_unkeyed_function_fails(db, downgrade):
    """The forgery test_audit_chain.py's chain once let through up to the next link: now the
    edited event itself fails, whether or not it is also marked as an old unkeyed event."""
    events = _record(4)
    victim = AuditEvent.objects.get(seq=events[2].seq)
    victim.after = {"n": 99}
    if downgrade:
        victim.scheme = audit.SCHEME_SM3
    forged = audit.compute_hash(victim.prev_hash, victim)
    _as_superuser("UPDATE core_auditevent SET after = %s, hash = %s, scheme = %s WHERE seq = %s",
                  ['{"n": 99}', forged, victim.scheme, victim.seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == victim.seq


def test_whole_chain_rewritten_unkeyed_is_caught_by_a_checkpoint(db):
    """Rewriting every event of a chain under the old unkeyed rule leaves no keyed event to
    compare with — but every event after the first checkpoint must be keyed."""
    _record(2, chain=1)
    call_command("audit", "checkpoint")  # chain 2 has no events yet
    AuditHead.objects.get_or_create(pk=2)
    events = _record(3, chain=2)
    assert {e.chain for e in events} == {2}
    prev = audit.GENESIS
    for e in AuditEvent.objects.filter(seq__in=[x.seq for x in events]).order_by("seq"):
        e.prev_hash, e.scheme = prev, audit.SCHEME_SM3
        e.hash = audit.compute_hash(prev, e)
        _as_superuser("UPDATE core_auditevent SET prev_hash = %s, hash = %s, scheme = 0 WHERE seq = %s",
                      [e.prev_hash, e.hash, e.seq])
        prev = e.hash
    _as_superuser("UPDATE core_audithead SET hash = %s WHERE id = 2", [prev])
    result = audit.verify()
    assert not result.ok and result.broken_seq == events[0].seq and "未加密钥" in result.reason


def test_event_remaced_with_a_wrong_key_fails(db):
    events = _record(3)
    victim = AuditEvent.objects.get(seq=events[1].seq)
    victim.actor = "someone-else"
    forged = audit.compute_mac(victim.prev_hash, victim, key=OTHER_KEY)
    _as_superuser("UPDATE core_auditevent SET actor = %s, hash = %s WHERE seq = %s",
                  ["someone-else", forged, victim.seq])
    result = audit.verify()
    assert not result.ok and result.broken_seq == victim.seq and "篡改" in result.reason


def test_chain_does_not_verify_under_another_key(db, settings):
    events = _record(2)
    settings.ZHENGWU_AUDIT_KEY = OTHER_KEY
    result = audit.verify()
    assert not result.ok and result.broken_seq == events[0].seq


def test_legacy_unkeyed_events_still_verify(db):
    """Events written before the chain was keyed verify by the old rule; new events continue
    their chain keyed; after the first checkpoint an unkeyed event is refused."""
    old = _legacy_events(3)
    transaction.get_connection()._zw_audit_chain = 1
    new = audit.record("test.action", object_type="test", object_id="new")
    assert new.chain == 1 and new.prev_seq == old[-1].seq and new.scheme == audit.SCHEME_HMAC_SM3
    result = audit.verify()
    assert result.ok and result.checked == 4 and result.legacy == 3
    call_command("audit", "checkpoint")
    assert audit.verify().ok
    late = _legacy_events(1)[0]  # an unkeyed event after the checkpoint: not from this code
    result = audit.verify()
    assert not result.ok and result.broken_seq == late.seq


def test_misconfigured_key_is_named(db, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.ZHENGWU_AUDIT_KEY = "not base64!"
    with pytest.raises(ImproperlyConfigured, match="ZHENGWU_AUDIT_KEY"):
        _record(1)


# -- checkpoints ----------------------------------------------------------------------------------
def test_checkpoint_is_written_to_the_file_and_the_table(db, capsys):
    _record(3, chain=1)
    _record(2, chain=2)
    call_command("audit", "checkpoint")
    row = AuditCheckpoint.objects.get()
    path = audit_anchor.checkpoint_path()
    assert path.read_text().splitlines() == [row.document]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(audit_anchor.audit_dir() / "signing.key").st_mode) == 0o600
    body = json.loads(row.document)
    heads = {h.pk: (h.seq, h.hash) for h in AuditHead.objects.filter(seq__gt=0)}
    assert {c: (s, h) for c, s, h in body["heads"]} == heads and body["events"] == row.events == 5
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "检查点 1 个" in out and "覆盖 5 条记录" in out


def test_checkpoints_link_to_each_other(db):
    _record(1)
    first = audit_anchor.take()
    _record(1)
    second = audit_anchor.take()
    assert (first.n, second.n) == (1, 2) and second.prev == audit_anchor.digest(first.line)
    result = audit.verify()
    assert result.ok and result.checkpoints == 2 and result.covered == 2


def test_cut_tail_with_a_reset_head_is_caught_by_a_checkpoint(db):
    """The attack ADR 7 left open: delete a chain's last events and move its head back."""
    events = _record(5)
    audit_anchor.take()
    keep = events[2]
    for e in events[3:]:
        _as_superuser("DELETE FROM core_auditevent WHERE seq = %s", [e.seq])
    _as_superuser("UPDATE core_audithead SET seq = %s, hash = %s WHERE id = 1", [keep.seq, keep.hash])
    result = audit.verify()
    assert not result.ok and result.broken_seq == events[-1].seq and "检查点" in result.reason
    with pytest.raises(CommandError, match="不存在"):
        call_command("audit", "verify")
    # The next hourly checkpoint raises the alarm instead of signing the cut chain.
    with pytest.raises(CommandError, match="第 1 条链的链头退回"):
        call_command("audit", "checkpoint")
    assert AuditCheckpoint.objects.count() == 1
    assert len(audit_anchor.checkpoint_path().read_text().splitlines()) == 1


def test_deleted_checkpoint_rows_are_found(db):
    """A superuser who also deletes the checkpoints from the table is caught by the file."""
    _record(2)
    audit_anchor.take()
    _as_superuser("DELETE FROM core_auditcheckpoint", [])
    result = audit.verify()
    assert not result.ok and "数据库缺少第 1 个检查点" in result.reason


def test_checkpoint_edited_in_the_table_is_found(db):
    _record(2)
    audit_anchor.take()
    row = AuditCheckpoint.objects.get()
    _as_superuser("UPDATE core_auditcheckpoint SET document = %s WHERE n = 1",
                  [row.document.replace('"events":2', '"events":1')])
    result = audit.verify()
    assert not result.ok and "不一致" in result.reason


def test_checkpoint_with_a_tampered_signature_fails(db):
    """Both copies changed alike (heads moved back, old signature kept, or a new one from
    another key): the signature does not hold."""
    events = _record(3)
    cp = audit_anchor.take()
    body = json.loads(cp.line)
    body["heads"] = [[1, events[1].seq, events[1].hash]]
    body["events"] = 2
    for sig in (body["sig"], base64.b64encode(audit_anchor.Ed25519PrivateKey.generate().sign(b"x")).decode()):
        body["sig"] = sig
        forged = _line(body)
        _as_superuser("UPDATE core_auditcheckpoint SET document = %s WHERE n = 1", [forged])
        audit_anchor.checkpoint_path().write_text(forged + "\n")
        result = audit.verify()
        assert not result.ok and "签名无效" in result.reason


def test_checkpoint_count_must_match_the_events_before_its_heads(db):
    """A checkpoint that counted other events than its heads hold (signed, so not an attacker's
    doing — a fault) is reported, not trusted."""
    _record(3)
    cp = audit_anchor.take()
    body = json.loads(cp.line)
    del body["sig"]
    body["events"] = 4
    body["sig"] = base64.b64encode(audit_anchor.signing_key().sign(audit_anchor._canonical(body))).decode()
    _as_superuser("UPDATE core_auditcheckpoint SET document = %s WHERE n = 1", [_line(body)])
    audit_anchor.checkpoint_path().write_text(_line(body) + "\n")
    result = audit.verify()
    assert not result.ok and "有 4 条记录，现在为 3 条" in result.reason


def test_checkpoint_file_missing_is_reported(db):
    _record(1)
    audit_anchor.take()
    audit_anchor.checkpoint_path().unlink()
    result = audit.verify()
    assert not result.ok and "不存在" in result.reason


def test_auditor_keeps_an_export_and_verifies_against_it(db, tmp_path, capsys):
    events = _record(4)
    kept = tmp_path / "审计员保存.txt"
    call_command("audit", "checkpoint", "--export", str(kept))
    text = kept.read_text()
    call_command("audit", "pubkey")
    pub_line = capsys.readouterr().out.splitlines()[-2]
    assert pub_line.startswith("public-key: ") and pub_line in text
    call_command("audit", "verify", "--checkpoints", str(kept))
    # On the auditor's own machine (a copy of the database, no data directory): still checked.
    audit_anchor.checkpoint_path().unlink()
    assert audit.verify(kept).ok
    # History cut before the auditor's checkpoint, head reset, the table's checkpoint removed.
    _as_superuser("DELETE FROM core_auditevent WHERE seq = %s", [events[-1].seq])
    _as_superuser("UPDATE core_audithead SET seq = %s, hash = %s WHERE id = 1",
                  [events[-2].seq, events[-2].hash])
    _as_superuser("DELETE FROM core_auditcheckpoint", [])
    with pytest.raises(CommandError, match="数据库缺少审计员保存的第 1 个检查点"):
        call_command("audit", "verify", "--checkpoints", str(kept))


def test_auditor_file_with_a_tampered_signature_or_key_fails(db, tmp_path):
    _record(2)
    cp = audit_anchor.take()
    pub = audit_anchor.signing_key().public_key()
    good = audit_anchor.export_document(cp, pub)
    body = json.loads(cp.line)
    sig = base64.b64decode(body["sig"])
    body["sig"] = base64.b64encode(bytes([sig[0] ^ 1]) + sig[1:]).decode()  # one bit flipped
    bad_sig = tmp_path / "bad-sig.txt"
    bad_sig.write_text(good.replace(cp.line, _line(body)))
    result = audit.verify(bad_sig)
    assert not result.ok and "签名无效" in result.reason
    other = audit_anchor.Ed25519PrivateKey.generate().public_key()
    bad_key = tmp_path / "bad-key.txt"
    bad_key.write_text(good.replace(audit_anchor.public_text(pub), audit_anchor.public_text(other)))
    result = audit.verify(bad_key)
    assert not result.ok and "公钥" in result.reason


def test_missing_checkpoints_file_argument_is_a_clear_error(db):
    with pytest.raises(CommandError, match="--checkpoints：找不到文件"):
        call_command("audit", "verify", "--checkpoints", "/nonexistent/kept.txt")


def test_signing_key_from_the_environment(db, settings):
    key = audit_anchor.Ed25519PrivateKey.generate()
    settings.ZHENGWU_AUDIT_SIGNING_KEY = base64.b64encode(key.private_bytes_raw()).decode()
    _record(1)
    cp = audit_anchor.take()
    assert cp.signed_by(key.public_key()) and not (audit_anchor.audit_dir() / "signing.key").exists()
    assert audit.verify().ok


def test_a_bad_signing_key_is_named_not_a_traceback(db, settings):
    settings.ZHENGWU_AUDIT_SIGNING_KEY = "not-a-key"
    with pytest.raises(CommandError, match="审计签名密钥无效"):
        call_command("audit", "checkpoint")
    with pytest.raises(CommandError, match="审计签名密钥无效"):
        call_command("audit", "pubkey")


def test_the_worker_takes_checkpoints_hourly(db):
    job = schedule.job("audit.checkpoint")
    assert job is not None and job.every.total_seconds() == 3600
    _record(2)
    [outcome] = schedule.run_due(only="audit.checkpoint", force=True)
    assert outcome.ok, outcome.message
    assert AuditCheckpoint.objects.count() == 1 and audit.verify().checkpoints == 1


# -- heads and checkpoints at the database -------------------------------------------------------
def test_heads_only_move_forward(db):
    events = _record(3)
    head = AuditHead.objects.get(pk=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditHead.objects.filter(pk=1).update(seq=events[0].seq, hash=events[0].hash)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditHead.objects.filter(pk=1).update(hash="f" * 64)  # same seq, another hash
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditHead.objects.filter(pk=1).update(id=99)
    assert AuditHead.objects.get(pk=1).seq == head.seq
    _record(1)  # appending still moves it forward
    assert audit.verify().ok


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_database_refuses_deleting_a_head_on_postgresql(db):
    _record(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditHead.objects.filter(pk=1).delete()


def test_checkpoints_cannot_be_changed(db):
    _record(1)
    audit_anchor.take()
    row = AuditCheckpoint.objects.get()
    with pytest.raises(RuntimeError):
        row.save()
    with pytest.raises(RuntimeError):
        row.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditCheckpoint.objects.filter(pk=row.pk).update(events=0)
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditCheckpoint.objects.filter(pk=row.pk).delete()


# -- the key file ---------------------------------------------------------------------------------
def test_an_old_keys_file_gets_the_audit_key_added(tmp_path, monkeypatch):
    from zhengwu import settings as zw_settings

    old = {"secret_key": "s" * 50, "pii_key": base64.b64encode(b"p" * 32).decode()}
    (tmp_path / "keys.json").write_text(json.dumps(old))
    monkeypatch.setattr(zw_settings, "DATA_DIR", tmp_path)
    keys = zw_settings._local_keys()
    assert {k: keys[k] for k in old} == old and len(base64.b64decode(keys["audit_key"])) == 32
    assert json.loads((tmp_path / "keys.json").read_text()) == keys
    assert stat.S_IMODE(os.stat(tmp_path / "keys.json").st_mode) == 0o600
    assert zw_settings._local_keys() == keys  # made once
