"""Prometheus metrics at ``/metrics`` (prometheus_client).

Two kinds:

- **per request** (counted by zhengwu.core.observability in every web process): requests, latency
  and 5xx errors by route name, method and status class. With several web processes (gunicorn
  workers) set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory writable by them: each process
  then writes its counts there and a scrape of any process sums them all (prometheus_client's
  multiprocess mode; ``zhengwu serve`` empties the directory at start and tells it when a worker exits).
- **read at scrape time** from the database, the same whichever process answers: the task queue
  (django-tasks database backend), worker heartbeats, outbox backlogs, database connections and a
  query latency probe. The core knows no domain app: apps add their gauges from ``ready()`` with
  :func:`register_gauge` or :func:`register_backlog` (the SMS outbox of cases does).

Who may read it: addresses in ``ZHENGWU_METRICS_ALLOW`` (CIDRs; 127.0.0.1 and ::1 by default), or
anyone presenting ``Authorization: Bearer <ZHENGWU_METRICS_TOKEN>``. Otherwise 403 in JSON.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .errors import error_json

log = logging.getLogger("zhengwu.metrics")

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter("zhengwu_http_requests", "处理的 HTTP 请求数（按路由名、方法、状态类别）",
                   ["route", "method", "status"])
LATENCY = Histogram("zhengwu_http_request_duration_seconds", "HTTP 请求处理耗时（秒）",
                    ["route", "method", "status"], buckets=BUCKETS)
ERRORS = Counter("zhengwu_http_errors", "以 5xx 结束的 HTTP 请求数（服务端错误）", ["route", "method"])


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in METHODS else "OTHER"
    status_class = f"{status // 100}xx"
    REQUESTS.labels(route, method, status_class).inc()
    LATENCY.labels(route, method, status_class).observe(seconds)
    if status >= 500:
        ERRORS.labels(route, method).inc()


# -- gauges read at scrape time ----------------------------------------------------------------------
@dataclass(frozen=True)
class GaugeSource:
    """A gauge family computed when /metrics is read. ``collect()`` yields (label values, value)."""

    name: str
    documentation: str
    labels: tuple[str, ...]
    collect: Callable[[], Iterable[tuple[tuple[str, ...], float]]]


_GAUGES: dict[str, GaugeSource] = {}
_BACKLOGS: dict[str, Callable[[], dict[str, int]]] = {}


def register_gauge(source: GaugeSource) -> None:
    _GAUGES[source.name] = source


def register_backlog(outbox: str, counts: Callable[[], dict[str, int]]) -> None:
    """An outbox whose unsent rows the operator watches: ``counts()`` returns {status: rows}.
    Shown as ``zhengwu_outbox_backlog{outbox=…, status=…}``."""
    _BACKLOGS[outbox] = counts


def _task_rows():
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    rows = (DBTaskResult.objects.filter(status__in=["READY", "RUNNING", "FAILED"]).order_by()
            .values("queue_name", "status").annotate(n=Count("id")))
    return [((r["queue_name"], r["status"].lower()), r["n"]) for r in rows]


def _task_failures_last_hour():
    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    since = timezone.now() - dt.timedelta(hours=1)
    yield (), DBTaskResult.objects.filter(status="FAILED", finished_at__gte=since).count()


def _workers():
    from django.utils import timezone

    from . import heartbeat

    window = settings.ZHENGWU_READY_WORKER_SECONDS or 4 * heartbeat.interval()
    yield ("alive",), heartbeat.alive(window)
    last = heartbeat.freshest()
    if last is not None:
        yield ("heartbeat_age_seconds",), round((timezone.now() - last.last_seen).total_seconds(), 3)


def _database():
    from django.db import connections

    for alias in connections:
        conn = connections[alias]
        yield (alias, "conn_max_age_seconds"), conn.settings_dict.get("CONN_MAX_AGE") or 0
        yield (alias, "connections_open_this_process"), int(conn.connection is not None)
        started = time.perf_counter()
        with conn.cursor() as cur:
            cur.execute("SELECT 1")
        yield (alias, "probe_seconds"), round(time.perf_counter() - started, 6)
        if conn.vendor == "postgresql":
            with conn.cursor() as cur:
                cur.execute("SELECT count(*), count(*) FILTER (WHERE state = 'active') FROM pg_stat_activity "
                            "WHERE datname = current_database()")
                total, active = cur.fetchone()
            yield (alias, "server_connections"), total
            yield (alias, "server_connections_active"), active


def _backlogs():
    for outbox, counts in sorted(_BACKLOGS.items()):
        for status, n in sorted(counts().items()):
            yield (outbox, status), n


def _feed_backlog() -> dict[str, int]:
    from django.db.models import Count

    from .models import FeedRecord

    rows = FeedRecord.objects.exclude(status="sent").order_by().values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def _build_info():
    import zhengwu

    yield (zhengwu.__version__,), 1


for _source in (
    GaugeSource("zhengwu_build_info", "版本信息", ("version",), _build_info),
    GaugeSource("zhengwu_tasks", "后台任务数（待执行 ready、执行中 running、失败 failed，按队列）",
                ("queue", "status"), _task_rows),
    GaugeSource("zhengwu_task_failures_last_hour", "最近一小时失败的后台任务数", (), _task_failures_last_hour),
    GaugeSource("zhengwu_workers", "后台任务进程：心跳新鲜的进程数 alive、最新心跳距今秒数", ("what",), _workers),
    GaugeSource("zhengwu_db", "数据库：连接保持秒数、本进程连接、SELECT 1 耗时、服务端连接数", ("alias", "what"), _database),
    GaugeSource("zhengwu_outbox_backlog", "发件箱积压（未送出的记录，按发件箱和状态）", ("outbox", "status"), _backlogs),
):
    register_gauge(_source)
register_backlog("feeds", _feed_backlog)


class _ScrapeCollector:
    """Every registered gauge; one failing source is reported in zhengwu_metrics_source_up, not a 500."""

    def describe(self):
        return []

    def collect(self):
        up = GaugeMetricFamily("zhengwu_metrics_source_up", "监控指标来源是否读取成功（1 成功，0 失败）",
                               labels=["source"])
        for source in list(_GAUGES.values()):
            family = GaugeMetricFamily(source.name, source.documentation, labels=list(source.labels))
            try:
                for labels, value in source.collect():
                    family.add_metric(list(labels), float(value))
            except Exception:
                log.exception("监控指标 %s 读取失败", source.name)
                up.add_metric([source.name], 0)
                continue
            up.add_metric([source.name], 1)
            yield family
        yield up


def _request_registry():
    from prometheus_client import REGISTRY

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


def exposition() -> bytes:
    scrape = CollectorRegistry(auto_describe=False)
    scrape.register(_ScrapeCollector())
    return generate_latest(_request_registry()) + generate_latest(scrape)


# -- access --------------------------------------------------------------------------------------------
def allowed(request) -> bool:
    from .middleware import client_ip

    token = settings.ZHENGWU_METRICS_TOKEN
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip().encode(), token.encode()):
        return True
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    for cidr in settings.ZHENGWU_METRICS_ALLOW:
        try:
            if address in ipaddress.ip_network(cidr, strict=False):
                return True
        except ValueError:
            log.warning("ZHENGWU_METRICS_ALLOW 中的网段无效：%s", cidr)
    return False


FORBIDDEN = ("无权读取监控指标：请求来源不在允许的网段（ZHENGWU_METRICS_ALLOW）内，"
             "且未提供有效的访问令牌（Authorization: Bearer，ZHENGWU_METRICS_TOKEN）")


@csrf_exempt  # read-only; a POST gets the JSON 405 below rather than the CSRF page
def metrics_view(request):
    if not allowed(request):
        return error_json(request.path, 403, FORBIDDEN)
    if request.method not in ("GET", "HEAD"):
        return error_json(request.path, 405, "只支持 GET 请求")
    response = HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
