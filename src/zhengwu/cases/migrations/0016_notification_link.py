"""站内消息 may point to a page (``link``, ``link_label``): the 办结 message links the e-licence the case
issued. Two columns with a constant default: no table rewrite on PostgreSQL (11+)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0015_tolerated_due_from_completion'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='link',
            field=models.CharField(blank=True, default='', max_length=200, verbose_name='链接'),
        ),
        migrations.AddField(
            model_name='notification',
            name='link_label',
            field=models.CharField(blank=True, default='', max_length=20, verbose_name='链接文字'),
        ),
    ]
