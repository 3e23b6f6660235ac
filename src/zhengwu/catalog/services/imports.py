"""The write path of 事项导入 (bulk import of a 实施清单 spreadsheet) and of 事项导出.

:func:`import_items` takes the bytes of an .xlsx/.csv and a region and brings the region's
catalogue in line with the file:

1. read and check every row (:mod:`zhengwu.catalog.importer`, pure) — a bad cell fails its row, which
   still goes through step 3 so that the report lists all of its problems;
2. (:mod:`.import_catalogue`) load the region's departments, items (with the guide each row is compared with), base items
   and version numbers into dicts, once — no query per row;
3. (:mod:`.import_plan`) resolve every row against them: which item it is (by 实施编码, else by 实施主体 + 事项名称),
   whether it is new, changed or unchanged, and the cross-field rules on the final values
   (承诺时限 ≤ 法定时限, 即办件/承诺件, codes) — a failing row is reported with every problem found and
   excluded before anything is written;
4. (:mod:`.import_write`) write the good rows in batches, each batch one transaction with bulk inserts/updates: new
   departments (kind 其他, only with ``create_departments``) and base items, items, guide versions and materials. If a batch fails
   in the database, it is rolled back and its rows are written one by one, so one row's problem
   costs only that row (每行要么全部写入，要么完全不写);
5. one audit event for the whole import (counts, file name, SHA-256).

A changed row makes a new published version (the previous one becomes 已替代, the item's
headline columns follow, see :func:`zhengwu.catalog.denorm.copy_headline`); with ``as_draft``
it makes (or updates) a draft version for review instead, and with ``submit`` (导入并提交审核) a
version 待审核 submitted by the importer, that another 事项管理员 approves (the publication check
runs then: :mod:`.import_review`). An unchanged row writes nothing. With 双人复核 on
(``ZHENGWU_CATALOG_FOUR_EYES``, the default) an import does not publish directly (ADR 0060).

Imports of one region are serialised through :class:`~zhengwu.catalog.models.ImportJob` (one
``running`` job per region), so the same file submitted twice at once cannot duplicate items:
the second run finds the first one's items and reports them unchanged.

This module is the entry point (the import, its jobs and the steps after it); the report is
:mod:`.import_report`, the export :mod:`.exports` — both re-exported here.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.org.models import Region
from zhengwu.org.permissions import grants, has_role, is_sysadmin

from .. import importer
from ..importer import COLUMN_BY_KEY, ImportFileError, ParsedRow
from ..models import BaseItem, ImportJob, ItemVersion, Material, ServiceItem
from .exports import EXPORT_HEADER, export_items, export_rows
from .import_catalogue import Catalogue, load_guides
from .import_plan import resolve
from .import_report import MAX_LISTED_ISSUES, ImportReport
from .import_write import Writer

__all__ = [
    "AUDIT_ACTION", "BATCH_SIZE", "PUBLISH_REFUSED", "BATCH_SIZE_POSTGRES", "EXPORT_HEADER", "MAX_LISTED_ISSUES", "STALE_AFTER_SECONDS",
    "SYNC_INDEX_LIMIT", "SYNC_ROW_LIMIT", "ImportBusy", "ImportReport", "department_scope", "export_items",
    "export_rows", "file_digest", "import_items", "load_guides", "publish_allowed", "run_job", "submit_job",
]

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
BATCH_SIZE_POSTGRES = 5000
# The page runs files up to this many rows at once; bigger ones go to the background worker.
SYNC_ROW_LIMIT = 5000
# A running job that has shown no progress for this long is taken to have died.
STALE_AFTER_SECONDS = 15 * 60

AUDIT_ACTION = "catalog.items.import"

# 双人复核 on: an import may not publish directly (ADR 0060).
PUBLISH_REFUSED = ("已启用办事指南双人复核，导入不能直接发布：请选择“导入为草稿”，或“导入并提交审核”"
                   "（由另一位事项管理员审核发布）；命令行用 --as-draft 或 --submit")


def publish_allowed() -> bool:
    """Whether an import may publish directly: only with 双人复核 off (``ZHENGWU_CATALOG_FOUR_EYES=0``)."""
    return not settings.ZHENGWU_CATALOG_FOUR_EYES


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def department_scope(user, region: Region) -> set[int] | None:
    """Departments of ``region`` the user may import into: ``None`` = all (and may create new
    ones when the import is asked to); a set = only these (a 事项管理员 granted for one department)."""
    if user is None or is_sysadmin(user):
        return None
    allowed: set[int] = set()
    for g in grants(user):
        if g.role != "item_admin" or not region.code.startswith(g.region_prefix):
            continue
        if g.department_ids is None:
            return None
        allowed |= set(g.department_ids)
    return allowed


def import_items(data: bytes, file_name: str, region: Region, *, as_draft: bool = False, submit: bool = False,
                 actor=None,
                 allowed_departments: set[int] | None = None, create_departments: bool = False,
                 job: ImportJob | None = None, progress: Callable[[int], None] | None = None,
                 batch_size: int | None = None) -> ImportReport:
    """Import a 实施清单 file into ``region``; returns the report (never raises for bad rows).

    ``allowed_departments``: ``None`` lets the import use any department of the region; a set of
    department ids restricts rows to those departments. A 实施主体 the region does not have fails
    its row, unless ``create_departments`` (bulk setup: ``--create-departments``, the page's
    checkbox, the bench loaders) creates it — only for an import not restricted to departments.

    ``submit`` (导入并提交审核) writes like ``as_draft`` but leaves the versions 待审核, submitted by
    ``actor`` and tagged with ``job``. A direct publication (neither of them) is refused while
    双人复核 is on: the report is ``fatal`` and nothing is written.
    """
    started = time.monotonic()
    as_draft = as_draft or submit
    report = ImportReport(file_name=file_name, sha256=file_digest(data), size=len(data), region_code=region.code,
                          region_name=region.name, as_draft=as_draft, submit=submit,
                          create_departments=create_departments, revised=0)
    if not as_draft and not publish_allowed():
        report.fatal = PUBLISH_REFUSED
        return report
    try:
        table = importer.open_table(data, file_name)
    except ImportFileError as exc:
        report.fatal = exc.message
        report.seconds = time.monotonic() - started
        return report
    report.kind, report.encoding = table.kind, table.encoding
    report.columns = [COLUMN_BY_KEY[k].title for k in table.headers]
    report.ignored_columns = table.ignored

    try:
        parsed: list[ParsedRow] = []
        for row in importer.parsed_rows(table):
            report.rows += 1
            # Rows with a bad cell go on too: the rules across columns, the file's duplicates and
            # the item they name are checked as well, so that the report lists every problem.
            parsed.append(row)
    except ImportFileError as exc:
        report.fatal = exc.message
        report.seconds = time.monotonic() - started
        return report

    report.timings["read"] = round(time.monotonic() - started, 2)
    mark = time.monotonic()
    catalogue = Catalogue(region, as_draft)
    catalogue.load_base_items(parsed)
    report.timings["preload"] = round(time.monotonic() - mark, 2)
    mark = time.monotonic()
    plans = resolve(parsed, catalogue, report, as_draft=as_draft, allowed_departments=allowed_departments,
                    create_departments=create_departments)
    del parsed
    report.timings["resolve"] = round(time.monotonic() - mark, 2)
    mark = time.monotonic()

    writer = Writer(region, as_draft=as_draft, submit=submit, actor=actor, file_name=file_name, report=report,
                    job=job)
    done = 0
    if batch_size is None:
        # SQLite holds its one write lock for a batch: keep batches short so that the web
        # processes' writes interleave. PostgreSQL locks rows, not the database: fewer, bigger
        # batches save their fixed costs.
        batch_size = BATCH_SIZE if writer.items.sqlite else BATCH_SIZE_POSTGRES
    for start in range(0, len(plans), batch_size):
        writer.write(plans[start:start + batch_size])
        done += len(plans[start:start + batch_size])
        if progress is not None:
            progress(done)
    report.timings["write"] = round(time.monotonic() - mark, 2)
    mark = time.monotonic()
    report.errors.sort(key=lambda e: e["row"])
    with transaction.atomic():
        audit.record(AUDIT_ACTION, actor=actor, object_type="catalog.importjob", object_id=job.pk if job else "",
                     after=report.summary())
    _refresh_statistics(report)
    _after_import(writer.touched_item_ids)
    report.timings["finish"] = round(time.monotonic() - mark, 2)
    report.seconds = round(time.monotonic() - started, 2)
    return report



ANALYZE_AFTER_ROWS = 10_000


def _refresh_statistics(report: ImportReport) -> None:
    """PostgreSQL plans by table statistics; right after 100,000 rows arrive they still describe
    the old, small tables (autovacuum catches up later), and lists, exports and the next import
    would scan whole tables. A big import refreshes them (a sampled ANALYZE)."""
    connection = connections[router.db_for_write(ServiceItem)]
    if connection.vendor != "postgresql" or report.created + report.updated < ANALYZE_AFTER_ROWS:
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (ServiceItem, ItemVersion, Material, BaseItem))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


# Imports touching up to this many items re-index them for search at once; bigger ones hand the
# work to the background worker, so that the request does not wait for the whole re-index.
SYNC_INDEX_LIMIT = 2000
INDEX_TASK_CHUNK = 5000


def _after_import(item_ids: list[int]) -> None:
    """Bring the search index up to date for the items the import wrote (the bulk writes send
    no model signals). A failure is logged: ``zhengwu reindex-items`` repairs the index."""
    if not item_ids:
        return
    try:
        if len(item_ids) <= SYNC_INDEX_LIMIT:
            from .. import search

            with transaction.atomic():
                search.index_items(item_ids)
        else:
            from ..tasks import index_items_task

            for start in range(0, len(item_ids), INDEX_TASK_CHUNK):
                index_items_task.enqueue(item_ids[start:start + INDEX_TASK_CHUNK])
    except Exception:  # the import itself is committed and stays
        log.exception("search index update after import failed")


# -- jobs: the record of an import and the per-region lock -------------------------------------------
class ImportBusy(Exception):
    """Another import of the same region is running (the job stays queued)."""


def submit_job(*, region: Region, data: bytes, file_name: str, as_draft: bool = False, submit: bool = False,
               create_departments: bool = False, user=None,
               source: str = ImportJob.Source.UPLOAD, idempotency_key: str | None = None,
               keep_file: bool = False) -> tuple[ImportJob, bool]:
    """Record an import job; ``(job, created)``. The same ``idempotency_key`` (a form submitted
    twice) returns the first job instead of a second one. ``keep_file`` stores the file for the
    background worker (Django storage; removed once the job has run)."""
    if idempotency_key:
        existing = ImportJob.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing, False
    try:
        estimated = importer.estimate_rows(data, file_name)
    except ImportFileError:
        estimated = 0
    job = ImportJob(region=region, file_name=(file_name or "未命名文件")[-255:], file_sha256=file_digest(data),
                    file_size=len(data), as_draft=as_draft or submit, submit=submit,
                    create_departments=create_departments, source=source,
                    requested_by=user if getattr(user, "pk", None) else None,
                    idempotency_key=idempotency_key or None, estimated_rows=min(estimated, 2**31 - 1))
    try:
        with transaction.atomic():
            if keep_file:
                job.file.save(job.file_name, ContentFile(data), save=False)
            job.save()
    except IntegrityError:
        if job.file:
            job.file.delete(save=False)
        if idempotency_key:
            return ImportJob.objects.get(idempotency_key=idempotency_key), False
        raise
    return job, True


def run_job(job: ImportJob, data: bytes | None = None, *, wait_seconds: float = 600) -> ImportReport:
    """Run a queued job now (in this process): take the region's lock, import, store the report.

    A job that has already run returns its stored report (a task delivered twice does nothing
    twice). Raises :class:`ImportBusy` if the region stays locked for ``wait_seconds``.
    """
    job.refresh_from_db()
    if job.is_finished:
        return ImportReport.from_dict(job.result)
    if data is None:
        with job.file.open("rb") as f:
            data = f.read()
    if not _acquire(job, wait_seconds):
        job.refresh_from_db()
        if job.is_finished:
            return ImportReport.from_dict(job.result)
        raise ImportBusy("该区划正有其他导入任务在进行，请稍后再试")
    user = job.requested_by
    if user is not None and not has_role(user, "item_admin", region_code=job.region.code):
        report = ImportReport(file_name=job.file_name, sha256=job.file_sha256, size=job.file_size,
                              region_code=job.region.code, region_name=job.region.name, as_draft=job.as_draft,
                              submit=job.submit, fatal=f"您没有{job.region.name}（{job.region.code}）的事项管理权限，不能向该区划导入事项")
        _finish(job, ImportJob.Status.FAILED, result=report.as_dict(), error=report.fatal)
        return report
    try:
        report = import_items(
            data, job.file_name, job.region, as_draft=job.as_draft, submit=job.submit,
            create_departments=job.create_departments, actor=user,
            allowed_departments=department_scope(user, job.region) if user is not None else None,
            job=job, progress=lambda n: _heartbeat(job, n),
        )
    except Exception:
        _finish(job, ImportJob.Status.FAILED, error="导入过程中出现系统错误，已写入的批次保留，请重新导入以完成剩余行")
        raise
    _finish(job, ImportJob.Status.FAILED if report.fatal else ImportJob.Status.DONE, result=report.as_dict(),
            error=report.fatal)
    return report


def _acquire(job: ImportJob, wait_seconds: float) -> bool:
    deadline = time.monotonic() + wait_seconds
    while True:
        now = timezone.now()
        # A job whose process died keeps "running" for ever: after a long silence it is failed.
        ImportJob.objects.filter(region_id=job.region_id, status=ImportJob.Status.RUNNING,
                                 heartbeat_at__lt=now - timezone.timedelta(seconds=STALE_AFTER_SECONDS)).update(
            status=ImportJob.Status.FAILED, finished_at=now, error="导入进程意外中断（长时间没有进展），请重新导入")
        try:
            with transaction.atomic():
                taken = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.QUEUED).update(
                    status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now)
        except IntegrityError:  # another job of this region is running
            taken = None
        if taken == 1:
            job.status, job.started_at, job.heartbeat_at = ImportJob.Status.RUNNING, now, now
            return True
        if taken == 0:  # not queued any more: ran (or is running) elsewhere
            return False
        if time.monotonic() >= deadline:
            return False
        time.sleep(1)


def _heartbeat(job: ImportJob, done: int) -> None:
    ImportJob.objects.filter(pk=job.pk).update(progress=done, heartbeat_at=timezone.now())


def _finish(job: ImportJob, status: str, *, result: dict | None = None, error: str = "") -> None:
    job.status, job.finished_at, job.error = status, timezone.now(), error[:2000]
    if result is not None:
        job.result = result
        job.progress = result.get("rows", job.progress)
    fields = ["status", "finished_at", "error", "result", "progress"]
    if job.file:
        try:
            job.file.delete(save=False)  # the SHA-256 and the report stay; the data does not
        except OSError:
            log.warning("could not remove import file %s", job.file.name)
        job.file = ""
        fields.append("file")
    job.save(update_fields=fields)

