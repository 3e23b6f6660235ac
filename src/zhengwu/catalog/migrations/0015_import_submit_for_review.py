"""导入并提交审核 (ADR 0060): ImportJob.submit, and ItemVersion.import_job — the import batch that
submitted a version, so that another 事项管理员 can approve the batch at once."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0014_demo_guides_clock_stops"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="submit",
            field=models.BooleanField(default=False, help_text="变更生成待审核版本（提交人为导入人），由另一位事项管理员审核发布",
                                      verbose_name="导入并提交审核"),
        ),
        migrations.AddField(
            model_name="itemversion",
            name="import_job",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to="catalog.importjob", verbose_name="导入批次"),
        ),
    ]
