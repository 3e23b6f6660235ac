"""Retention jobs (保存期限): expired sessions, old 站内消息 and SMS outbox rows, login logs no
younger than six months (等保); in batches, idempotent, audited with counts."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengwu.core import retention, schedule
from zhengwu.core.models import AuditEvent
from zhengwu.core.retention_rules import MIN_LOG_DAYS, RetentionError, check_log_retention

SRC = Path(__file__).resolve().parents[2] / "src"


def _aged(model, days: int, field: str = "created_at", **kw):
    obj = model.objects.create(**kw)
    model.objects.filter(pk=obj.pk).update(**{field: timezone.now() - dt.timedelta(days=days)})
    return obj


def test_the_jobs_are_registered():
    for name in ("retention.sessions", "retention.login_logs", "cases.retention"):
        assert schedule.job(name) is not None, name


def test_old_notifications_and_sms_are_deleted_in_batches_and_audited(db, make_citizen, settings):
    from zhengwu.cases.models import Notification, SmsMessage
    from zhengwu.cases.services.retention import prune_notifications

    settings.ZHENGWU_RETAIN_NOTIFICATIONS_DAYS = 30
    user = make_citizen()
    old = [_aged(Notification, 31, recipient=user, title="旧消息", body="…") for _ in range(5)]
    new = _aged(Notification, 29, recipient=user, title="新消息", body="…")
    old_sms = _aged(SmsMessage, 400, phone="13800000000", body="旧短信", gateway="local")
    new_sms = _aged(SmsMessage, 1, phone="13800000001", body="新短信", gateway="local")
    with CaptureQueriesContext(connection) as q:
        message = prune_notifications(batch=2)
    deletes = [x["sql"] for x in q.captured_queries
               if x["sql"].startswith("DELETE") and "cases_notification" in x["sql"]]
    assert len(deletes) == 3  # 5 rows, 2 per statement
    assert "站内消息 删除 5 条" in message and "短信发件箱 删除 1 条" in message
    assert not Notification.objects.filter(pk__in=[n.pk for n in old]).exists()
    assert Notification.objects.filter(pk=new.pk).exists() and SmsMessage.objects.filter(pk=new_sms.pk).exists()
    assert not SmsMessage.objects.filter(pk=old_sms.pk).exists()
    event = AuditEvent.objects.get(action="retention.notifications")
    assert event.after == {"站内消息": 5, "短信发件箱": 1, "days": 30}
    # Idempotent: a second run deletes nothing and writes no audit event.
    assert prune_notifications() == "站内消息 删除 0 条；短信发件箱 删除 0 条"
    assert AuditEvent.objects.filter(action="retention.notifications").count() == 1


def test_expired_sessions_are_cleared(db):
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    live, dead = SessionStore(), SessionStore()
    live["x"], dead["x"] = 1, 2
    live.create()
    dead.create()
    Session.objects.filter(session_key=dead.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    assert retention.clear_sessions() == "过期会话 删除 1 条"
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]
    assert AuditEvent.objects.get(action="retention.sessions").after == {"过期会话": 1}


def test_login_logs_are_kept_at_least_six_months(db, settings):
    from axes.models import AccessFailureLog, AccessLog

    settings.ZHENGWU_RETAIN_LOG_DAYS = 200
    kw = {"user_agent": "t", "ip_address": "10.0.0.1", "username": "u", "http_accept": "*/*", "path_info": "/"}
    old = _aged(AccessLog, 201, "attempt_time", **kw)
    kept = _aged(AccessLog, 199, "attempt_time", **kw)
    _aged(AccessFailureLog, 365, "attempt_time", locked_out=False, **kw)
    assert retention.prune_login_logs() == "登录日志 删除 1 条；登录失败日志 删除 1 条"
    assert list(AccessLog.objects.values_list("pk", flat=True)) == [kept.pk] != [old.pk]
    # A period below 180 days set after startup: the job refuses, in Chinese, and deletes nothing.
    settings.ZHENGWU_RETAIN_LOG_DAYS = 30
    with pytest.raises(RetentionError, match="至少保存 180 天"):
        retention.prune_login_logs()
    assert AccessLog.objects.filter(pk=kept.pk).exists()


@pytest.mark.parametrize("days", [0, 1, MIN_LOG_DAYS - 1])
def test_log_retention_below_six_months_is_refused(days):
    with pytest.raises(RetentionError, match="GB/T 22239-2019"):
        check_log_retention(days, "ZHENGWU_RETAIN_LOG_DAYS")
    assert check_log_retention(MIN_LOG_DAYS, "X") == MIN_LOG_DAYS


def test_startup_refuses_a_short_log_retention(tmp_path):
    env = {**os.environ, "ZHENGWU_DATA_DIR": str(tmp_path), "ZHENGWU_RETAIN_LOG_DAYS": "90",
           "PYTHONPATH": str(SRC), "DJANGO_SETTINGS_MODULE": "zhengwu.settings"}
    proc = subprocess.run([sys.executable, "-c", "import zhengwu.settings"], env=env, capture_output=True, text=True)
    assert proc.returncode != 0 and "ZHENGWU_RETAIN_LOG_DAYS=90 不允许" in proc.stderr
    env["ZHENGWU_RETAIN_LOG_DAYS"] = "180"
    assert subprocess.run([sys.executable, "-c", "import zhengwu.settings"], env=env).returncode == 0
