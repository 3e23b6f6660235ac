"""ItemVersion.edited_by / submitted_by: who changed a guide version last and who submitted it, so
that neither approves it (双人复核, ADR 0059).

Existing versions take their creator as last editor (the only editor recorded until now); who
submitted a version already pending is not known and stays empty.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_edited_by(apps, schema_editor):
    ItemVersion = apps.get_model("catalog", "ItemVersion")
    ItemVersion.objects.filter(edited_by__isnull=True, created_by__isnull=False).update(
        edited_by=models.F("created_by"))


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0011_searchterm_head_df"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="itemversion",
            name="edited_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="最后修改人"),
        ),
        migrations.AddField(
            model_name="itemversion",
            name="submitted_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="提交人"),
        ),
        migrations.RunPython(fill_edited_by, migrations.RunPython.noop, elidable=True),
    ]
