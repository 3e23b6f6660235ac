"""Periodic jobs (定时任务): each app registers what must run every so often; ``zhengwu worker``
runs the due ones in a background thread, and ``zhengwu schedule run`` does the same from cron.

    from zhengwu.core.schedule import Job, register
    register(Job("hotline.escalate", dt.timedelta(minutes=10), "zhengwu.hotline.services.escalate_overdue",
                 "12345 自动督办：超过签收或办结时限的工单"))

Several workers may run at once: a job is claimed with one conditional UPDATE on its
``ScheduledJob`` row (started before ``now - every`` or never), so exactly one of them runs it
per period, on SQLite and PostgreSQL alike. A failing job is logged and recorded on its row; the
others still run.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management import call_command
from django.db import close_old_connections
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

log = logging.getLogger("zhengwu.schedule")


@dataclass(frozen=True)
class Job:
    name: str
    every: dt.timedelta
    target: str  # a dotted path to a callable taking no arguments, or "command:<name> [args…]"
    label: str

    def run(self) -> str:
        if self.target.startswith("command:"):
            name, *args = self.target.removeprefix("command:").split()
            out = io.StringIO()
            call_command(name, *args, stdout=out, stderr=out)
            return out.getvalue().strip()[-500:]
        fn: Callable = import_string(self.target)
        result = fn()
        return "" if result is None else str(result)[:500]


_jobs: dict[str, Job] = {}


def register(job: Job) -> None:
    _jobs[job.name] = job


def job(name: str) -> Job | None:
    return _jobs.get(name)


def jobs() -> list[Job]:
    return sorted(_jobs.values(), key=lambda j: j.name)


@dataclass
class Outcome:
    name: str
    ran: bool
    ok: bool = True
    message: str = ""


def _claim(job: Job, now: dt.datetime, force: bool) -> bool:
    from .models import ScheduledJob

    ScheduledJob.objects.get_or_create(name=job.name)
    due = Q(last_started_at__isnull=True) | Q(last_started_at__lte=now - job.every)
    qs = ScheduledJob.objects.filter(name=job.name)
    if not force:
        qs = qs.filter(due)
    return qs.update(last_started_at=now) == 1


def run_due(now: dt.datetime | None = None, *, only: str | None = None, force: bool = False) -> list[Outcome]:
    """Run every registered job whose period has passed (``only``: just that one; ``force``:
    regardless of its period). Returns what ran and how it went."""
    from .models import ScheduledJob

    outcomes = []
    for job in jobs():
        if only and job.name != only:
            continue
        started = now or timezone.now()
        if not _claim(job, started, force):
            outcomes.append(Outcome(job.name, ran=False))
            continue
        t = time.monotonic()
        try:
            message, ok = job.run(), True
        except Exception as exc:  # one job's failure must not stop the others
            log.exception("定时任务 %s 失败", job.name)
            message, ok = f"{type(exc).__name__}: {exc}"[:500], False
        ScheduledJob.objects.filter(name=job.name).update(
            last_finished_at=timezone.now(), last_ok=ok, last_message=message,
            last_seconds=round(time.monotonic() - t, 3))
        outcomes.append(Outcome(job.name, ran=True, ok=ok, message=message))
    return outcomes


class Runner(threading.Thread):
    """The worker's scheduler thread: every ``tick`` seconds, run what is due."""

    def __init__(self, tick: float = 30.0):
        super().__init__(name="zhengwu-schedule", daemon=True)
        self.tick = tick
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                for o in run_due():
                    if o.ran:
                        log.info("定时任务 %s %s %s", o.name, "完成" if o.ok else "失败", o.message[:200])
            except Exception:  # the database may be briefly unavailable: try again next tick
                log.exception("定时任务调度失败")
            finally:
                close_old_connections()
            self.stopped.wait(self.tick)

    def stop(self) -> None:
        self.stopped.set()
