"""Figures by the rule (issue 30): 差评 levels fixed (no local bad_levels); 差评整改率 counts 整改完成
(bad_rectified), 实名差评回访整改率 回访 and 整改 both done (bad_real_done); 主动评价率 counts rated
events on the event's day (Rating.event_day, RatingDaily.rated). The counters of existing rows are
recomputed from the ratings and rectifications."""

from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone


def _key(day, kind, department_id, window_id, staff_id, item_id, region_id) -> str:
    # the key of services.aggregate._daily_key, as of this migration
    return f"{day:%Y%m%d}|{department_id}|{window_id or ''}|{staff_id or ''}|{item_id or ''}|{region_id}|{kind}"


def _add(RatingDaily, day, kind, department_id, window_id, staff_id, item_id, region_id, region_code, **deltas):
    from django.db.models import F

    key = _key(day, kind, department_id, window_id, staff_id, item_id, region_id)
    row, _ = RatingDaily.objects.get_or_create(key=key, defaults=dict(
        day=day, kind=kind, department_id=department_id, window_id=window_id, staff_id=staff_id, item_id=item_id,
        region_id=region_id, region_code=region_code))
    RatingDaily.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in deltas.items()})


def recompute(apps, schema_editor):
    Rating = apps.get_model("ratings", "Rating")
    RatingDaily = apps.get_model("ratings", "RatingDaily")
    Rectification = apps.get_model("ratings", "Rectification")
    WindowVisit = apps.get_model("ratings", "WindowVisit")
    RateableEvent = apps.get_model("ratings", "RateableEvent")
    first = Rating.objects.filter(followup_of__isnull=True)
    first.filter(kind="window").update(event_day=Subquery(
        WindowVisit.objects.filter(pk=OuterRef("visit_id")).values("day")[:1]))
    first.filter(kind="hotline").update(event_day=Subquery(
        RateableEvent.objects.filter(kind="hotline", ref=OuterRef("source_ref")).values("day")[:1]))
    Case = apps.get_model("cases", "Case")  # one set-based update of this app's rows, here only
    first.filter(kind="case").update(event_day=Subquery(
        Case.objects.filter(pk=OuterRef("case_id"))
        .annotate(d=TruncDate("concluded_at", tzinfo=timezone.get_current_timezone())).values("d")[:1]))
    RatingDaily.objects.update(rated=0, bad_rectified=0, bad_real_done=0)
    rated = (first.filter(is_default=False, excluded=False, event_day__isnull=False)
             .values("event_day", "kind", "department_id", "window_id", "staff_id", "item_id", "region_id",
                     "region_code").annotate(n=Count("pk")).order_by())
    for r in rated.iterator():
        _add(RatingDaily, r["event_day"], r["kind"], r["department_id"], r["window_id"],
             r["staff_id"] if r["kind"] == "window" else None, r["item_id"], r["region_id"], r["region_code"],
             rated=r["n"])
    closed = Rectification.objects.filter(state="closed", rating__excluded=False).exclude(measures="").select_related(
        "rating")
    for x in closed.iterator(chunk_size=2000):
        if x.real_name and not x.callback_satisfied:
            continue  # closed without the rater confirming (多次联系未果): not 整改完成
        r = x.rating
        _add(RatingDaily, r.day, r.kind, r.department_id, r.window_id, r.staff_id, r.item_id, r.region_id,
             r.region_code, bad_rectified=1, bad_real_done=int(x.real_name))


class Migration(migrations.Migration):

    dependencies = [
        ('ratings', '0001_initial'),
    ]

    operations = [
        migrations.RenameField(
            model_name='ratingdaily',
            old_name='bad_closed',
            new_name='bad_rectified',
        ),
        migrations.RenameField(
            model_name='ratingdaily',
            old_name='bad_real_called',
            new_name='bad_real_done',
        ),
        migrations.RemoveField(
            model_name='ratingrules',
            name='bad_levels',
        ),
        migrations.AddField(
            model_name='rating',
            name='event_day',
            field=models.DateField(blank=True, help_text='办结日、现场服务日或工单办结日：主动评价率按此日计入', null=True, verbose_name='评价事件日期'),
        ),
        migrations.AddField(
            model_name='ratingdaily',
            name='rated',
            field=models.IntegerField(default=0),
        ),
        migrations.RunPython(recompute, migrations.RunPython.noop),
    ]
