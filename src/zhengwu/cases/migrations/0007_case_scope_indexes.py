"""办件查询 over wide scopes (ADR 21): the whole city's submitted cases in (submitted_at, id) order,
so that a 系统管理员's search reads one page of this index instead of sorting every case."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0006_inbox_index_with_id"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["submitted_at", "id"], name="case_submitted_order"),
        ),
    ]
