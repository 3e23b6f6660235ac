"""Monitoring for the operator (issue 32): /metrics (content, access), the probes /api/v1/live and
/api/v1/ready, the worker heartbeat, the version in the API, the admin and the CLI."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

import zhengwu
from zhengwu.core import heartbeat, probes


def _metrics(client, **extra):
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    return response.content.decode()


def _sample(text: str, name: str, **labels) -> float | None:
    for line in text.splitlines():
        if not line.startswith(name + "{") and not line.startswith(name + " "):
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0])) if "{" in line else {}
        if all(found.get(k) == v for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


@pytest.mark.django_db
def test_metrics_count_requests_by_route_name_never_by_path(client, make_staff):
    before = _sample(_metrics(client), "zhengwu_http_requests_total", route="api:case_detail", method="GET",
                     status="4xx") or 0
    client.force_login(make_staff())
    for case_id in (987654321, 987654322):
        client.get(f"/api/v1/cases/{case_id}")
    client.get("/api/v1/ping")
    client.get("/no-such-page/410105199001011234/")
    text = _metrics(client)
    assert _sample(text, "zhengwu_http_requests_total", route="api:case_detail", method="GET", status="4xx") >= before + 2
    assert _sample(text, "zhengwu_http_requests_total", route="api:ping", method="GET", status="2xx") >= 1
    assert _sample(text, "zhengwu_http_request_duration_seconds_count", route="api:ping", method="GET") >= 1
    assert _sample(text, "zhengwu_http_requests_total", route="unmatched", status="4xx") >= 1
    # Neither the ids of the URLs nor the ID number in the unmatched path appear anywhere.
    assert "987654321" not in text and "410105199001011234" not in text
    assert "/api/v1/cases" not in text


@pytest.mark.django_db
def test_metrics_count_server_errors(client, monkeypatch):
    def broken(request):
        raise RuntimeError("boom")

    monkeypatch.setattr("zhengwu.core.probes.readiness", broken)
    before = _sample(_metrics(client), "zhengwu_http_errors_total", route="api:ready", method="GET") or 0
    client.raise_request_exception = False
    assert client.get("/api/v1/ready").status_code == 500
    assert _sample(_metrics(client), "zhengwu_http_errors_total", route="api:ready", method="GET") == before + 1


@pytest.mark.django_db
def test_metrics_show_task_queue_outboxes_workers_and_database(client):
    from django_tasks_db.models import DBTaskResult

    from zhengwu.core.models import FeedRecord

    now = timezone.now()
    for status in ("READY", "READY", "FAILED"):
        DBTaskResult.objects.create(status=status, task_path="zhengwu.x.y", args_kwargs={}, queue_name="default",
                                    backend_name="default", priority=0, run_after=now,
                                    finished_at=now if status == "FAILED" else None)
    FeedRecord.objects.create(feed="cases", object_type="case", object_id="1", event="created", status="failed",
                              next_attempt_at=now, created_at=now)
    heartbeat.beat("host-a", 4242, now - dt.timedelta(minutes=5), now=now - dt.timedelta(seconds=3))
    text = _metrics(client)
    assert _sample(text, "zhengwu_tasks", queue="default", status="ready") == 2
    assert _sample(text, "zhengwu_tasks", queue="default", status="failed") == 1
    assert _sample(text, "zhengwu_task_failures_last_hour") == 1
    assert _sample(text, "zhengwu_outbox_backlog", outbox="feeds", status="failed") == 1
    assert _sample(text, "zhengwu_workers", what="alive") == 1
    assert 2 <= _sample(text, "zhengwu_workers", what="heartbeat_age_seconds") < 60
    assert _sample(text, "zhengwu_db", alias="default", what="probe_seconds") >= 0
    assert _sample(text, "zhengwu_db", alias="default", what="conn_max_age_seconds") is not None
    assert _sample(text, "zhengwu_build_info", version=zhengwu.__version__) == 1
    from django.db import connection

    if connection.vendor == "postgresql":  # the server's view of this database's connections
        assert _sample(text, "zhengwu_db", alias="default", what="server_connections") >= 1
    # Every source read, the SMS outbox of the cases app among them (registered from its ready()).
    assert "zhengwu_outbox_backlog" in text
    assert _sample(text, "zhengwu_metrics_source_up", source="zhengwu_outbox_backlog") == 1
    assert 'zhengwu_metrics_source_up{source="zhengwu_db"} 1.0' in text


@pytest.mark.django_db
def test_sms_backlog_is_registered_by_the_cases_app(client):
    from zhengwu.cases.models import SmsMessage
    from zhengwu.core.metrics import _BACKLOGS

    assert "sms" in _BACKLOGS
    SmsMessage.objects.create(phone="13800138000", body="您的办件已受理", gateway="local", status="queued")
    text = _metrics(client)
    assert _sample(text, "zhengwu_outbox_backlog", outbox="sms", status="queued") == 1
    assert "13800138000" not in text


@pytest.mark.django_db
def test_a_failing_source_is_reported_not_a_500(client, monkeypatch):
    from zhengwu.core import metrics

    def broken():
        raise RuntimeError("down")

    monkeypatch.setitem(metrics._GAUGES, "zhengwu_broken", metrics.GaugeSource("zhengwu_broken", "x", (), broken))
    text = _metrics(client)
    assert _sample(text, "zhengwu_metrics_source_up", source="zhengwu_broken") == 0
    assert _sample(text, "zhengwu_metrics_source_up", source="zhengwu_tasks") == 1


@pytest.mark.django_db
def test_metrics_are_refused_outside_the_allowed_networks_without_the_token(client, settings):
    settings.ZHENGWU_METRICS_TOKEN = "s3cret-token-for-prometheus"
    response = client.get("/metrics", REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "无权读取监控指标" in response.json()["detail"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="10.20.30.40", HTTP_AUTHORIZATION="Bearer s3cret-token-for-prometheus")
    assert ok.status_code == 200 and b"zhengwu_http_requests_total" in ok.content
    # A configured network lets the scraper in without a token; loopback is allowed by default.
    settings.ZHENGWU_METRICS_ALLOW = ["10.20.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    settings.ZHENGWU_METRICS_ALLOW = ["127.0.0.1/32", "::1/128"]
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    # Read-only: other methods get a JSON 405.
    post = client.post("/metrics", REMOTE_ADDR="127.0.0.1")
    assert post.status_code == 405 and post.json()["detail"] == "只支持 GET 请求"
    # An empty token never matches an empty bearer.
    settings.ZHENGWU_METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_liveness_answers_without_the_database(client):
    # No django_db mark: any query here would fail the test.
    response = client.get("/api/v1/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": zhengwu.__version__}


@pytest.mark.django_db
def test_ready_when_database_cache_worker_and_migrations_are_fine(client):
    heartbeat.beat("host-a", 1, timezone.now())
    response = client.get("/api/v1/ready")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["version"] == zhengwu.__version__
    assert set(body["checks"]) == {"database", "cache", "worker", "migrations"}
    assert all(c["ok"] for c in body["checks"].values())


@pytest.mark.django_db
def test_not_ready_when_the_worker_heartbeat_is_stale(client, settings):
    settings.ZHENGWU_READY_WORKER_SECONDS = 60
    now = timezone.now()
    heartbeat.beat("host-a", 1, now - dt.timedelta(hours=1), now=now - dt.timedelta(seconds=300))
    response = client.get("/api/v1/ready")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert "后台任务进程心跳超时" in body["detail"]
    assert body["checks"]["worker"]["ok"] is False and body["checks"]["database"]["ok"] is True
    # Checking workers can be switched off (web-only deployments watched otherwise).
    settings.ZHENGWU_READY_WORKER_SECONDS = 0
    assert client.get("/api/v1/ready").status_code == 200


@pytest.mark.django_db
def test_not_ready_without_any_worker_or_with_a_broken_cache_or_pending_migrations(client, monkeypatch):
    body = client.get("/api/v1/ready").json()
    assert body["status"] == "unavailable" and "没有后台任务进程在运行" in body["detail"]
    heartbeat.beat("host-a", 1, timezone.now())

    from django.core.cache import cache

    monkeypatch.setattr(cache, "get", lambda *a, **k: None)
    response = client.get("/api/v1/ready")
    assert response.status_code == 503 and "缓存不可用" in response.json()["detail"]
    monkeypatch.undo()

    monkeypatch.setattr(probes, "_migrations_applied", False)
    monkeypatch.setattr("django.db.migrations.executor.MigrationExecutor.migration_plan", lambda self, t: [("x", 1)])
    response = client.get("/api/v1/ready")
    assert response.status_code == 503 and "数据库迁移未完成" in response.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_heartbeat_thread_beats_and_forgets_itself():
    from zhengwu.core.models import WorkerHeartbeat

    beater = heartbeat.Beater(every=0.05)
    beater.start()
    try:
        first = WorkerHeartbeat.objects.get(hostname=beater.hostname, pid=beater.pid).last_seen
        deadline = timezone.now() + dt.timedelta(seconds=5)
        while timezone.now() < deadline:
            if WorkerHeartbeat.objects.get(pid=beater.pid).last_seen > first:
                break
        assert WorkerHeartbeat.objects.get(pid=beater.pid).last_seen > first
    finally:
        beater.stop()
        beater.join(2)
    assert not WorkerHeartbeat.objects.filter(pid=beater.pid).exists()


@pytest.mark.django_db
def test_old_heartbeats_of_dead_workers_are_pruned():
    from zhengwu.core.models import WorkerHeartbeat

    now = timezone.now()
    heartbeat.beat("gone", 7, now - dt.timedelta(days=3), now=now - dt.timedelta(days=2))
    heartbeat.beat("host-b", 8, now, now=now)
    assert list(WorkerHeartbeat.objects.values_list("hostname", flat=True)) == ["host-b"]


def test_probes_are_exempt_from_the_https_redirect(settings):
    patterns = [re.compile(p) for p in settings.SECURE_REDIRECT_EXEMPT]
    for path in ("api/v1/health", "api/v1/live", "api/v1/ready", "metrics"):
        assert any(p.search(path) for p in patterns), path


@pytest.mark.django_db
def test_version_in_the_api_and_the_admin(client, make_staff):
    assert client.get("/api/v1/version").json() == {"version": zhengwu.__version__}
    assert client.get("/api/v1/health").json() == {"status": "ok"}  # as it always was
    admin = make_staff(is_superuser=True, is_staff=True)
    client.force_login(admin)
    page = client.get("/admin/").content.decode()
    assert f"zhengwu 版本：{zhengwu.__version__}" in page


def test_version_from_the_command_line(capsys):
    from importlib import metadata

    from zhengwu.cli import main

    assert zhengwu.__version__ == metadata.version("zhengwu")
    for argv in (["zhengwu", "--version"], ["zhengwu", "version"]):
        main(argv)
        assert capsys.readouterr().out.strip() == f"zhengwu {zhengwu.__version__}"
