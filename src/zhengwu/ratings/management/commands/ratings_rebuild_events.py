"""``zhengwu ratings_rebuild_events --start 2026-01-01 --end 2026-12-31``: recompute the rateable
concluded cases (可评价事件) of a period in the daily aggregate from ``cases.Case`` — after an
import that bypassed the cases services, or to repair the counts."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone


class Command(BaseCommand):
    help = "按办结时间重新统计某一期间可评价的办件数（好差评日汇总）"

    def add_arguments(self, parser):
        parser.add_argument("--start", required=True, help="开始日期 YYYY-MM-DD")
        parser.add_argument("--end", required=True, help="结束日期 YYYY-MM-DD")

    def handle(self, *args, start, end, **opts):
        from django.db.models.functions import TruncDate

        from zhengwu.cases.models import Case
        from zhengwu.ratings.models import RatingDaily
        from zhengwu.ratings.queries import figures_changed
        from zhengwu.ratings.services import bump

        try:
            start_d, end_d = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
        except ValueError:
            raise CommandError("日期格式不正确：应为 YYYY-MM-DD") from None
        tz = timezone.get_current_timezone()
        lo = dt.datetime.combine(start_d, dt.time.min, tzinfo=tz)
        hi = dt.datetime.combine(end_d + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        with transaction.atomic():
            RatingDaily.objects.filter(kind="case", day__gte=start_d, day__lte=end_d).update(events=0)
            transaction.on_commit(figures_changed)  # even when no case is counted again
            rows = (Case.objects.filter(concluded_at__gte=lo, concluded_at__lt=hi)
                    .annotate(d=TruncDate("concluded_at", tzinfo=tz))
                    .values("d", "department_id", "window_id", "service_item_id", "region_id", "region__code")
                    .annotate(n=Count("id")).order_by())
            total = 0
            for r in rows.iterator():
                bump(day=r["d"], kind="case", department_id=r["department_id"], window_id=r["window_id"],
                     staff_id=None, item_id=r["service_item_id"], region_id=r["region_id"],
                     region_code=r["region__code"], events=r["n"])
                total += r["n"]
        self.stdout.write(self.style.SUCCESS(f"已重新统计 {start_d} 至 {end_d} 办结的办件 {total} 件。"))
