import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("datashare", "0001_base"),
    ]

    operations = [
        migrations.AddField(
            model_name="sharerequest",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, default=django.utils.timezone.now, verbose_name="修改时间"),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="sharegrant",
            name="key_shown_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="密钥领取时间"),
        ),
    ]
