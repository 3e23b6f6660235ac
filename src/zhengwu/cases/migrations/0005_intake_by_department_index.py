"""受理队列 per department: the oldest waiting cases of each of a 窗口 scope's departments are read
from this partial index (cases.queries._oldest_waiting). Without it, a department's read walked
all its cases in submission order looking for the waiting ones (city bench: 6 ms a page for a
district whose 30 departments had nothing waiting)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0004_case_indexes_used_only"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(condition=models.Q(state="submitted"), fields=["department", "submitted_at", "id"],
                               name="case_intake_by_department"),
        ),
    ]
