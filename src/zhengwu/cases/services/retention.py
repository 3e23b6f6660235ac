"""保存期限 of the applicants' notifications (docs/backup.md): the daily job ``cases.retention``
deletes 站内消息 and SMS outbox rows older than ``ZHENGWU_RETAIN_NOTIFICATIONS_DAYS`` (365),
in batches (:func:`zhengwu.core.retention.delete_in_batches`), and audits the counts."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

from zhengwu.core.retention import delete_in_batches, finish
from zhengwu.core.retention_rules import check_days, cutoff

from ..models import Notification, SmsMessage


def prune_notifications(*, batch: int | None = None) -> str:
    days = check_days(settings.ZHENGWU_RETAIN_NOTIFICATIONS_DAYS, "ZHENGWU_RETAIN_NOTIFICATIONS_DAYS")
    before = cutoff(timezone.now(), days)
    kw = {"batch": batch} if batch else {}
    counts = {
        "站内消息": delete_in_batches(Notification.objects.filter(created_at__lt=before), **kw),
        "短信发件箱": delete_in_batches(SmsMessage.objects.filter(created_at__lt=before), **kw),
    }
    return finish("notifications", counts, days=days)
