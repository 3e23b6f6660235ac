"""账号认领: an entity applicant made by a 设立登记 准予 awaits its 法定代表人/经营者's claim.

Entities made before this migration are found by their ``accounts.entity_registered`` audit event
and a login without a usable password (nobody has set one since): they await their claim too.
"""

from django.db import migrations, models


def mark_unclaimed_entities(apps, schema_editor):
    Applicant = apps.get_model("accounts", "Applicant")
    AuditEvent = apps.get_model("core", "AuditEvent")
    made = (AuditEvent.objects.filter(action="accounts.entity_registered", object_type="accounts.applicant")
            .values_list("object_id", flat=True))
    ids = [int(pk) for pk in made if str(pk).isdigit()]
    for start in range(0, len(ids), 500):
        (Applicant.objects.filter(pk__in=ids[start:start + 500], kind="legal", user__password__startswith="!")
         .update(awaiting_claim=True))


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0005_phone_codes_agents"),
        ("core", "0005_audit_action_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="applicant",
            name="awaiting_claim",
            field=models.BooleanField(default=False, verbose_name="待认领"),
        ),
        migrations.AddField(
            model_name="applicant",
            name="claimed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="认领时间"),
        ),
        migrations.RunPython(mark_unclaimed_entities, migrations.RunPython.noop),
    ]
