"""待办 inbox: the index of active steps carries the page's whole order (due date, then id), so
PostgreSQL reads a department's steps in order and stops after a page. With due_date alone it
joined every active step of the department to its case and sorted them (city bench, EXPLAIN
ANALYZE for one approver's department: 315 steps joined, 11 ms; with id: 21 read, 1.5 ms)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0005_intake_by_department_index"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="casestep", name="casestep_inbox"),
        migrations.AddIndex(
            model_name="casestep",
            index=models.Index(fields=["department", "role", "status", "due_date", "id"], name="casestep_inbox_order"),
        ),
    ]
