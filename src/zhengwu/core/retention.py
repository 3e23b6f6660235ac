"""Retention jobs (保存期限, docs/backup.md): delete rows past their period in batches, log and
audit how many.

- ``retention.sessions`` (daily): expired login sessions (what ``clearsessions`` does, in batches).
- ``retention.login_logs`` (daily): django-axes' login and login-failure logs older than
  ``ZHENGWU_RETAIN_LOG_DAYS`` (at least 180: :func:`.retention_rules.check_log_retention`).
- The cases app registers ``cases.retention`` (站内消息 and the SMS outbox) with
  :func:`delete_in_batches`; core imports no domain app.

The audit chain (``core_auditevent``) is append-only and never deleted: no job touches it.
Every job is idempotent (it deletes what is past its period; a second run finds nothing) and
never runs one huge DELETE: :data:`.retention_rules.BATCH` rows by primary key per statement,
each in its own short transaction.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from . import audit
from .retention_rules import BATCH, check_log_retention, cutoff

log = logging.getLogger("zhengwu.retention")


def delete_in_batches(queryset: models.QuerySet, *, batch: int = BATCH) -> int:
    """Delete the rows of ``queryset`` ``batch`` at a time, by primary key, each batch its own
    transaction (locks stay short; a crash keeps what was done). Returns the rows deleted."""
    model = queryset.model
    label = model._meta.label
    total = 0
    while True:
        pks = list(queryset.order_by("pk").values_list("pk", flat=True)[:batch])
        if not pks:
            return total
        with transaction.atomic():
            _, per_model = model._default_manager.filter(pk__in=pks).delete()
        total += per_model.get(label, 0)
        if len(pks) < batch:
            return total


def finish(job: str, counts: dict[str, int], **detail) -> str:
    """Log the counts; audit them when something was deleted (an empty run writes no event)."""
    deleted = sum(counts.values())
    log.info("保存期限任务 %s：删除 %s", job, counts)
    if deleted:
        audit.record(f"retention.{job}", object_type="retention", object_id=job, after={**counts, **detail})
    return "；".join(f"{k} 删除 {v} 条" for k, v in counts.items()) or "无需删除"


def clear_sessions() -> str:
    from django.contrib.sessions.models import Session

    n = delete_in_batches(Session.objects.filter(expire_date__lt=timezone.now()))
    return finish("sessions", {"过期会话": n})


def prune_login_logs() -> str:
    """Login logs past ZHENGWU_RETAIN_LOG_DAYS (never fewer than 180 days: refused here too, in
    case the setting was changed after startup)."""
    from axes.models import AccessFailureLog, AccessLog

    days = check_log_retention(settings.ZHENGWU_RETAIN_LOG_DAYS, "ZHENGWU_RETAIN_LOG_DAYS")
    before = cutoff(timezone.now(), days)
    counts = {
        "登录日志": delete_in_batches(AccessLog.objects.filter(attempt_time__lt=before)),
        "登录失败日志": delete_in_batches(AccessFailureLog.objects.filter(attempt_time__lt=before)),
    }
    return finish("login_logs", counts, days=days)
