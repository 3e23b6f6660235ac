# The 签发人 of a licence (the official whose decision issued it). Numbered 0004 and depending on
# 0002: 0003 is another change's; the dependency is to be set to 0003 when both are merged.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('licenses', '0002_seals'),
    ]

    operations = [
        migrations.AddField(
            model_name='licence',
            name='signatory',
            field=models.CharField(blank=True, default='', max_length=100, verbose_name='签发人'),
        ),
    ]
