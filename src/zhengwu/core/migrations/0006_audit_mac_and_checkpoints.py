"""Anchoring the audit chain (ADR 0020): ``scheme`` on events (0 = the plain SM3 of every event
written so far, 1 = HMAC-SM3 with the audit key), the append-only ``AuditCheckpoint`` table, and
triggers that let a chain head only move forward.

PostgreSQL refuses, by trigger: an UPDATE of a head that lowers ``seq``, changes ``id`` or changes
``hash`` at the same ``seq``; any DELETE of a head; any UPDATE or DELETE of a checkpoint (as
migration 0002 does for events). SQLite gets the UPDATE triggers only: Django empties the tables of
a test database with ``DELETE`` there (PostgreSQL uses ``TRUNCATE``, which row triggers do not
see), and SQLite has no users to keep out; the signed checkpoints catch a deleted head on both.

Adding ``scheme`` with a constant default does not rewrite the events table on PostgreSQL and
fires no UPDATE trigger.
"""

from django.db import migrations, models

PG_FORWARD = """
CREATE OR REPLACE FUNCTION zhengwu_audit_head_forward_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION USING MESSAGE = '审计链头不能删除（第 ' || OLD.id || ' 条链）';
    END IF;
    IF NEW.id <> OLD.id OR NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash) THEN
        RAISE EXCEPTION USING MESSAGE = '审计链头只能向前移动（第 ' || OLD.id || ' 条链：第 ' || OLD.seq || ' 条 → 第 ' || NEW.seq || ' 条）';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_audithead_forward_only
    BEFORE UPDATE OR DELETE ON core_audithead
    FOR EACH ROW EXECUTE FUNCTION zhengwu_audit_head_forward_only();
CREATE OR REPLACE FUNCTION zhengwu_audit_checkpoint_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '审计检查点只能追加，不能修改或删除';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER core_auditcheckpoint_append_only
    BEFORE UPDATE OR DELETE ON core_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION zhengwu_audit_checkpoint_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only ON core_auditcheckpoint;
DROP FUNCTION IF EXISTS zhengwu_audit_checkpoint_append_only();
DROP TRIGGER IF EXISTS core_audithead_forward_only ON core_audithead;
DROP FUNCTION IF EXISTS zhengwu_audit_head_forward_only();
"""
SQLITE_FORWARD = [
    """CREATE TRIGGER core_audithead_forward_only BEFORE UPDATE ON core_audithead FOR EACH ROW
    WHEN NEW.id <> OLD.id OR NEW.seq < OLD.seq OR (NEW.seq = OLD.seq AND NEW.hash <> OLD.hash)
    BEGIN SELECT RAISE(ABORT, '审计链头只能向前移动'); END""",
    """CREATE TRIGGER core_auditcheckpoint_append_only BEFORE UPDATE ON core_auditcheckpoint FOR EACH ROW
    BEGIN SELECT RAISE(ABORT, '审计检查点只能追加，不能修改'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS core_auditcheckpoint_append_only",
    "DROP TRIGGER IF EXISTS core_audithead_forward_only",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("core", "0005_audit_action_index")]

    operations = [
        migrations.CreateModel(
            name="AuditCheckpoint",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("n", models.PositiveIntegerField(unique=True, verbose_name="序号")),
                ("at", models.DateTimeField(verbose_name="时间")),
                ("events", models.BigIntegerField(verbose_name="记录数")),
                ("document", models.TextField(verbose_name="签名文本")),
            ],
            options={"verbose_name": "审计链检查点", "verbose_name_plural": "审计链检查点", "ordering": ["n"]},
        ),
        migrations.AddField(
            model_name="auditevent",
            name="scheme",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="摘要算法"),
        ),
        migrations.RunPython(forward, backward),
    ]
