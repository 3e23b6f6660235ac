"""``zhengwu ratings_push``: push the outbox to the upper-level 好差评 system.

A pusher is a class with ``push(records: list[dict]) -> list[int]`` returning the ids the upper
system confirmed; configure it with ``ZHENGWU_RATINGS_PUSHER = "dotted.path.Class"``. Without
one nothing is marked sent: the records wait for a pusher or for ``POST /api/v1/ratings/outbox/ack``.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "将评价上报队列推送到上级好差评系统（未配置推送接口时不标记任何记录）"

    def add_arguments(self, parser):
        parser.add_argument("--limit", type=int, default=500)

    def handle(self, *args, limit, **opts):
        from zhengwu.ratings.models import OutboxRecord
        from zhengwu.ratings.services import mark_failed, outbox_payload

        path = getattr(settings, "ZHENGWU_RATINGS_PUSHER", "")
        pending = list(OutboxRecord.objects.filter(sent_at__isnull=True).order_by("pk")[:limit])
        if not path:
            self.stdout.write(f"未配置上级系统推送接口（ZHENGWU_RATINGS_PUSHER）：{len(pending)} 条待上报记录保持未发送。")
            return
        pusher = import_string(path)()
        records = [outbox_payload(o) for o in pending]
        try:
            accepted = set(pusher.push(records))
        except Exception as exc:  # the upper system is down: record the failure, mark nothing
            mark_failed([o.pk for o in pending], str(exc))
            raise CommandError(f"推送失败：{exc}") from None
        from django.db import transaction
        from django.utils import timezone

        with transaction.atomic():
            n = OutboxRecord.objects.filter(pk__in=accepted, sent_at__isnull=True).update(sent_at=timezone.now())
            mark_failed([o.pk for o in pending if o.pk not in accepted], "上级系统未确认")
        self.stdout.write(self.style.SUCCESS(f"已推送并确认 {n} 条，未确认 {len(pending) - n} 条。"))
