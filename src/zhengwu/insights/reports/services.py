"""The one write path of the 月报/年报: requesting a report, generating it, the monthly job.

- :func:`request_report` queues a run (a second request for a period whose report is queued or
  generating gets that run back; the partial unique constraint ``insights_one_pending_report``
  makes it so under concurrent requests too);
- :func:`run_queued` (the worker's job ``insights.reports``, every minute) generates the queued
  runs, each claimed with one conditional UPDATE (several workers never generate one run twice),
  and from the 1st of a month queues last month's report (in January, last year's too);
- :func:`build` generates one report now (``zhengwu report month 2026-11``, the bench).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.org.permissions import is_sysadmin, roles_of

from ..models import ReportRun
from ..rules import PeriodError
from . import rules
from .excel import to_xlsx
from .pdf import to_pdf
from .tables import compute

log = logging.getLogger("zhengwu.insights.reports")
REPORT_ROLES = ("leader", "supervisor", "data_admin")
PENDING = (ReportRun.Status.QUEUED, ReportRun.Status.RUNNING)
STALE_AFTER = dt.timedelta(hours=1)  # a run “generating” this long was cut off (a worker stopped)


def may_use(user) -> bool:
    return is_sysadmin(user) or bool(roles_of(user) & set(REPORT_ROLES))


def check_period(kind: str, period: str, today: dt.date | None = None) -> rules.Period:
    """The period, or ``ValidationError`` naming the field (``kind`` or ``period``, as the request
    names them) and the rule."""
    try:
        return rules.parse(kind, period, today or timezone.localdate())
    except PeriodError as exc:
        raise ValidationError({"kind" if exc.field == "kind" else "period": [exc.message]}) from None


def _pending(kind: str, period: str) -> ReportRun | None:
    return ReportRun.objects.filter(kind=kind, period=period, status__in=PENDING).first()


def _queue(period: rules.Period, user, trigger: str) -> tuple[ReportRun, bool]:
    found = _pending(period.kind, period.text)
    if found is not None:
        return found, False
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(kind=period.kind, period=period.text, trigger=trigger,
                                           requested_by=user if getattr(user, "pk", None) else None)
            audit.record("insights.report_queued", actor=user, obj=run,
                         after={"kind": run.kind, "period": run.period, "trigger": trigger})
    except IntegrityError:  # another request queued it between our look and our insert
        found = _pending(period.kind, period.text)
        if found is None:
            raise
        return found, False
    return run, True


def request_report(kind: str, period: str, user) -> tuple[ReportRun, bool]:
    """Queue the report of ``period`` for ``user`` (leader, supervisor, data admin): (run, created).
    The worker generates it within a minute or so."""
    if not may_use(user):
        raise PermissionDenied("仅领导、督办人员和数据管理员可以申请统计报告")
    p = check_period(kind, period)
    return _queue(p, user, ReportRun.Trigger.REQUEST)


def _claim(run: ReportRun) -> bool:
    now = timezone.now()
    claimed = ReportRun.objects.filter(pk=run.pk, status=ReportRun.Status.QUEUED).update(
        status=ReportRun.Status.RUNNING, started_at=now)
    if claimed:
        run.status, run.started_at = ReportRun.Status.RUNNING, now
    return claimed == 1


def _generate(run: ReportRun, today: dt.date | None = None) -> ReportRun:
    """Compute and write the files of a claimed (running) run; it ends done or failed."""
    t = time.monotonic()
    today = today or timezone.localdate()
    try:
        period = rules.parse(run.kind, run.period, today)
        report = compute(period, today)
        xlsx, pdf = to_xlsx(report), to_pdf(report)
        stem = f"{run.kind}-{run.period}-{run.pk}"
        run.xlsx_file.save(f"{stem}.xlsx", ContentFile(xlsx), save=False)
        run.pdf_file.save(f"{stem}.pdf", ContentFile(pdf), save=False)
        run.xlsx_size, run.xlsx_sha256 = len(xlsx), hashlib.sha256(xlsx).hexdigest()
        run.pdf_size, run.pdf_sha256 = len(pdf), hashlib.sha256(pdf).hexdigest()
        run.data_until, run.status, run.error = report.data_until, ReportRun.Status.DONE, ""
    except Exception as exc:  # the run records why; the worker goes on with the next one
        log.exception("统计报告 %s %s 生成失败", run.kind, run.period)
        run.status = ReportRun.Status.FAILED
        run.error = f"{getattr(exc, 'message', None) or type(exc).__name__}: {exc}"[:1000]
    run.finished_at = timezone.now()
    run.seconds = round(time.monotonic() - t, 3)
    run.save()
    return run


def build(kind: str, period: str, *, today: dt.date | None = None) -> ReportRun:
    """Generate the report of ``period`` now (the CLI, the bench): a queued run of that period is
    taken over; one being generated elsewhere is refused."""
    p = check_period(kind, period, today)
    run, _ = _queue(p, None, ReportRun.Trigger.COMMAND)
    if not _claim(run):
        raise ValidationError({"period": [f"{rules.title(p.kind, p.text)}正在生成中，请稍后再试"]})
    return _generate(run, today)


def build_month(period: str) -> ReportRun:
    return build("month", period)


def build_year(period: str) -> ReportRun:
    return build("year", period)


def queue_scheduled(today: dt.date | None = None) -> list[ReportRun]:
    """From the 1st of each month: last month's report (and in January last year's), unless one
    of it is already queued, generating or made, or the schedule already tried it (a failed
    scheduled run is not retried in a loop: a person requests it again)."""
    today = today or timezone.localdate()
    queued = []
    for p in rules.due_by_schedule(today):
        made = ReportRun.objects.filter(kind=p.kind, period=p.text).filter(
            Q(status__in=[*PENDING, ReportRun.Status.DONE]) | Q(trigger=ReportRun.Trigger.SCHEDULE))
        if made.exists():
            continue
        run, created = _queue(p, None, ReportRun.Trigger.SCHEDULE)
        if created:
            queued.append(run)
    return queued


def fail_stale(now: dt.datetime | None = None) -> int:
    """Runs left “generating” by a stopped worker: failed, so the period can be requested again."""
    now = now or timezone.now()
    return ReportRun.objects.filter(status=ReportRun.Status.RUNNING, started_at__lt=now - STALE_AFTER).update(
        status=ReportRun.Status.FAILED, finished_at=now, error="生成中断：超过1小时未完成（工作进程可能已停止），请重新申请")


def run_queued(today: dt.date | None = None) -> str:
    """The worker's job: fail stale runs, queue the scheduled reports, generate the queued ones."""
    stale = fail_stale()
    scheduled = queue_scheduled(today)
    done = failed = 0
    for run in ReportRun.objects.filter(status=ReportRun.Status.QUEUED).order_by("created_at", "pk"):
        if not _claim(run):
            continue
        _generate(run, today)
        if run.status == ReportRun.Status.DONE:
            done += 1
        else:
            failed += 1
    return f"定时排队 {len(scheduled)}，生成 {done}，失败 {failed}，中断 {stale}"
