"""Rateable events of concluded cases keep what a 默认好评 needs (case, item, window, applicant,
number), so that 默认好评 read no cases table. Cases concluded in the last 400 days before this
migration get their event row here (the daily aggregate already counts them)."""

import datetime as dt

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

BACKFILL_DAYS = 400


def backfill(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    RateableEvent = apps.get_model("ratings", "RateableEvent")
    since = timezone.now() - dt.timedelta(days=BACKFILL_DAYS)
    rows = (Case.objects.filter(state__in=("concluded", "delivered"), concluded_at__gte=since)
            .values_list("pk", "department_id", "region_id", "concluded_at", "service_item_id", "window_id",
                         "applicant_id", "number").order_by("pk"))
    batch = []
    for pk, dep, region, concluded_at, item, window, applicant, number in rows.iterator(chunk_size=5000):
        batch.append(RateableEvent(kind="case", ref=str(pk), department_id=dep, region_id=region,
                                   day=timezone.localdate(concluded_at), case_id=pk, item_id=item, window_id=window,
                                   applicant_id=applicant, source_ref=(number or "")[:64]))
        if len(batch) >= 5000:
            RateableEvent.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    RateableEvent.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    # Not one transaction: on PostgreSQL, adding the foreign-key columns to a table that has rows
    # leaves deferred trigger events that refuse the CREATE INDEX of the next statement in the same
    # transaction ("pending trigger events"). Each step commits; the backfill is idempotent.
    atomic = False

    dependencies = [
        ('accounts', '0002_api_keys'),
        ('cases', '0007_case_scope_indexes'),
        ('catalog', '0004_imports'),
        ('org', '0001_initial'),
        ('ratings', '0002_figures_by_rule'),
    ]

    operations = [
        migrations.AddField(
            model_name='rateableevent',
            name='applicant',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='accounts.applicant', verbose_name='申请人'),
        ),
        migrations.AddField(
            model_name='rateableevent',
            name='case',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cases.case', verbose_name='办件'),
        ),
        migrations.AddField(
            model_name='rateableevent',
            name='item',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.serviceitem', verbose_name='事项'),
        ),
        migrations.AddField(
            model_name='rateableevent',
            name='source_ref',
            field=models.CharField(blank=True, max_length=64, verbose_name='办件编号/工单号'),
        ),
        migrations.AddField(
            model_name='rateableevent',
            name='window',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='org.window', verbose_name='窗口'),
        ),
        migrations.AddIndex(
            model_name='rateableevent',
            index=models.Index(fields=['kind', 'day'], name='rateable_event_kind_day'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
