"""Partitioned audit chains (ADR 0007): ``chain`` and ``prev_seq`` on events, the global ``seq``
sequence on PostgreSQL, and the head rows 1..32.

Existing events keep ``chain`` 1 and no ``prev_seq`` (their predecessor is ``seq - 1``); head 1
keeps pointing at the last of them, so the old chain simply continues as chain 1. Adding the two
columns does not rewrite the table on PostgreSQL (a constant default, a nullable column).
"""

from django.db import migrations, models

CHAINS = 32  # zhengwu.core.audit.CHAINS at the time of this migration


def forward(apps, schema_editor):
    conn = schema_editor.connection
    if conn.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS core_auditevent_seq_seq AS bigint")
        schema_editor.execute(
            "SELECT setval('core_auditevent_seq_seq', COALESCE((SELECT MAX(seq) FROM core_auditevent), 0) + 1, false)")
    AuditHead = apps.get_model("core", "AuditHead")
    have = set(AuditHead.objects.values_list("pk", flat=True))
    AuditHead.objects.bulk_create([AuditHead(pk=i, seq=0, hash="0" * 64) for i in range(1, CHAINS + 1) if i not in have])


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS core_auditevent_seq_seq")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(default=1, verbose_name="链"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_seq",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="本链前一条序号"),
        ),
        migrations.RunPython(forward, backward),
    ]
