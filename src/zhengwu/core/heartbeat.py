"""Worker heartbeats: each ``zhengwu worker`` process runs a :class:`Beater` thread that refreshes its
:class:`~zhengwu.core.models.WorkerHeartbeat` row every ``ZHENGWU_HEARTBEAT_SECONDS`` (15 s). The
readiness probe (``/api/v1/ready``) and ``/metrics`` read the freshest one: no fresh heartbeat
means no worker is taking tasks (imports, notifications, feeds, periodic jobs stand still)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

log = logging.getLogger("zhengwu.worker")

# Rows not refreshed for this long belong to workers that died without a clean stop.
PRUNE_AFTER = dt.timedelta(days=1)


def interval() -> float:
    return float(getattr(settings, "ZHENGWU_HEARTBEAT_SECONDS", 15))


def beat(hostname: str, pid: int, started_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """Record that this worker is alive now (one row per host and process)."""
    from .models import WorkerHeartbeat

    now = now or timezone.now()
    n = WorkerHeartbeat.objects.filter(hostname=hostname, pid=pid).update(last_seen=now, started_at=started_at)
    if not n:
        WorkerHeartbeat.objects.update_or_create(hostname=hostname, pid=pid,
                                                 defaults={"started_at": started_at, "last_seen": now})
        WorkerHeartbeat.objects.filter(last_seen__lt=now - PRUNE_AFTER).delete()


def forget(hostname: str, pid: int) -> None:
    from .models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(hostname=hostname, pid=pid).delete()


def freshest():
    """The most recent heartbeat row, or None when no worker ever beat."""
    from .models import WorkerHeartbeat

    return WorkerHeartbeat.objects.order_by("-last_seen").first()


def alive(max_age: float, now: dt.datetime | None = None) -> int:
    """How many workers beat within the last ``max_age`` seconds."""
    from .models import WorkerHeartbeat

    now = now or timezone.now()
    return WorkerHeartbeat.objects.filter(last_seen__gte=now - dt.timedelta(seconds=max_age)).count()


class Beater(threading.Thread):
    """The worker's heartbeat thread. The first beat is written before ``start()`` returns, so a
    worker that cannot reach the database fails at once rather than looking alive."""

    def __init__(self, every: float | None = None):
        super().__init__(name="zhengwu-heartbeat", daemon=True)
        self.every = every if every is not None else interval()
        self.hostname = socket.gethostname()[:255]
        self.pid = os.getpid()
        self.started_at = timezone.now()
        self.stopped = threading.Event()

    def start(self) -> None:
        beat(self.hostname, self.pid, self.started_at)
        super().start()

    def run(self) -> None:
        while not self.stopped.wait(self.every):
            try:
                close_old_connections()
                beat(self.hostname, self.pid, self.started_at)
            except Exception:  # the database may be briefly away: the next beat tries again
                log.exception("后台任务进程心跳写入失败")
            finally:
                close_old_connections()

    def stop(self) -> None:
        self.stopped.set()
        try:
            forget(self.hostname, self.pid)
        except Exception:
            log.warning("后台任务进程心跳记录未能删除（%s:%s）", self.hostname, self.pid)
