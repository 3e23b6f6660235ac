"""ImportJob.create_departments: an import creates departments only when asked (walk #12); the
background worker reads the choice from the job."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0012_version_edited_submitted_by"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="create_departments",
            field=models.BooleanField(default=False, help_text="批量建库时使用：文件中本区划没有的实施主体按“其他”类别新建",
                                      verbose_name="新建机构库中没有的实施主体"),
        ),
    ]
