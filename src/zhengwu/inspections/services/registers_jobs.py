"""Background jobs of the 检查对象名录库 (``RegisterJob``): 同步法人库 and imports too big to run while
the page waits. A city's 法人库 (millions of records) takes longer than a web request may.

Starting happens in the request: the permission checks, the region scope, the header of an
uploaded file, a second sync over an overlapping region refused; the job is then enqueued after
the commit (``tasks_registers.run_register_job``, run by ``zhengwu worker``). The form's one-time
token makes a double submission show the first job. The task claims a queued job once: a task
delivered again for a job that is running or finished does nothing. Each chunk's writes, the
job's progress and its counts commit together.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.errors import NotFound
from zhengwu.org.permissions import is_sysadmin

from .. import registers_rules as rules
from ..models import RegisterJob
from . import registers_objects as osvc
from .registers import MAX_UPLOAD

log = logging.getLogger(__name__)

SYNC_IMPORT_MAX_BYTES = 256 * 1024  # about 2,000 rows: imported while the page waits
IMPORT_CHUNK = 2000
STALE_AFTER = dt.timedelta(minutes=15)  # a running job without progress this long has died
_PG_LOCK = 0x7A770026  # pg_advisory_xact_lock key: one sync start at a time (the overlap check)
ACTIVE = (RegisterJob.Status.QUEUED, RegisterJob.Status.RUNNING)


def _scopes(prefixes: tuple[str, ...] | None) -> list[str]:
    return [""] if prefixes is None else sorted(prefixes)


def _prefixes(scopes: list[str]) -> tuple[str, ...] | None:
    return None if "" in scopes else tuple(scopes)


def overlaps(a: list[str], b: list[str]) -> bool:
    """Do two sets of region prefixes share a region ("" covers every region)?"""
    return any(x.startswith(y) or y.startswith(x) for x in a for y in b)


def _enqueue(job: RegisterJob) -> None:
    from ..tasks_registers import run_register_job

    pk = job.pk
    transaction.on_commit(lambda: run_register_job.enqueue(pk))


def _submitted(user, token: str) -> RegisterJob | None:
    return RegisterJob.objects.filter(started_by=user, token=token).first() if token else None


def _create(user, token: str, **fields) -> tuple[RegisterJob, bool]:
    """The new job (audited, enqueued after the commit), or the one this token already made."""
    try:
        with transaction.atomic():
            job = RegisterJob.objects.create(started_by=user, token=token, **fields)
            audit.record("inspections.register_job.start", actor=user, obj=job,
                         after={"kind": job.kind, "region_prefix": job.region_prefix, "file": job.file_name})
    except IntegrityError:  # the same form submitted twice at once
        job = _submitted(user, token)
        if job is None:
            raise
        return job, False
    _enqueue(job)
    return job, True


def abandon_stale(now: dt.datetime | None = None) -> int:
    """Mark running jobs without progress for STALE_AFTER as failed (their worker died); checked
    whenever a job is started."""
    now = now or timezone.now()
    return RegisterJob.objects.filter(status=RegisterJob.Status.RUNNING, updated_at__lt=now - STALE_AFTER).update(
        status=RegisterJob.Status.FAILED, finished_at=now, updated_at=now,
        error=f"后台任务中断（超过{int(STALE_AFTER.total_seconds() // 60)}分钟没有进展，可能是后台进程重启）；"
              "已处理的部分已保存，请重新提交")


def start_sync(user, region_prefix: str = "", token: str = "") -> tuple[RegisterJob, bool]:
    """Queue 同步法人库 for ``user`` (their regions, or ``region_prefix`` inside them): (job, True),
    or (the job this token started before, False). PermissionDenied for a region outside theirs;
    ValidationError while a sync over an overlapping region is queued or running."""
    region_prefix = (region_prefix or "").strip()
    token = (token or "")[:64]
    job = _submitted(user, token)
    if job is not None:
        return job, False
    scopes = _scopes(osvc.sync_prefixes(user, region_prefix))
    with transaction.atomic():
        connection = transaction.get_connection()
        if connection.vendor == "postgresql":  # SQLite transactions are IMMEDIATE: already one at a time
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK])
        abandon_stale()
        for other in RegisterJob.objects.filter(kind=RegisterJob.Kind.SYNC, status__in=ACTIVE):
            if overlaps(other.scopes, scopes):
                where = f"区划{other.region_prefix}" if other.region_prefix else "全部管辖区划"
                raise ValidationError(
                    f"已有一个覆盖该区划的法人库同步任务（第{other.pk}号，{where}，{other.get_status_display()}），"
                    "请等它完成后再同步")
        return _create(user, token, kind=RegisterJob.Kind.SYNC, region_prefix=region_prefix, scopes=scopes)


def peek_header(upload) -> list[str]:
    """The first row of an uploaded .csv or .xlsx without reading the rest (ValidationError for a
    file that cannot be read)."""
    name = (getattr(upload, "name", "") or "").lower()
    upload.seek(0)
    try:
        if name.endswith(".csv"):
            first = upload.read(64 * 1024).split(b"\n", 1)[0].rstrip(b"\r")
            for enc in ("utf-8-sig", "gb18030"):
                try:
                    text = first.decode(enc)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ValidationError({"file": ["CSV文件应为UTF-8或GBK编码"]})
            header = next(csv.reader(io.StringIO(text)), [])
        elif name.endswith(".xlsx"):
            from openpyxl import load_workbook

            try:
                wb = load_workbook(upload, read_only=True, data_only=True)
                header = list(next(wb.worksheets[0].iter_rows(max_row=1, values_only=True), ()))
                wb.close()
            except Exception:  # noqa: BLE001 - any unreadable workbook is the same bad input
                raise ValidationError({"file": ["无法读取该Excel文件，请另存为 .xlsx 后重试"]}) from None
        else:
            raise ValidationError({"file": ["请上传 .xlsx 或 .csv 文件"]})
    finally:
        upload.seek(0)
    return [rules.cell(h) for h in header]


def start_import(user, upload, token: str = "") -> tuple[RegisterJob, bool]:
    """Queue the import of a big 检查对象 file: the header is checked now, the file is stored
    (encrypted at rest) and read by the task. (job, True), or (the job of this token, False)."""
    osvc._require(user)
    token = (token or "")[:64]
    job = _submitted(user, token)
    if job is not None:
        return job, False
    if upload.size > MAX_UPLOAD:
        raise ValidationError({"file": [f"文件不能超过{MAX_UPLOAD // 1024 // 1024}MB"]})
    header = peek_header(upload)
    if not any(header):
        raise ValidationError({"file": ["文件是空的"]})
    problem = rules.header_problem(header, rules.OBJECT_COLUMNS, rules.OBJECT_REQUIRED)
    if problem:
        raise ValidationError({"file": [problem]})
    scopes = _scopes(osvc.write_prefixes(user))
    abandon_stale()
    source = default_storage.save(f"inspections/uploads/{uuid.uuid4().hex}-objects.bin", upload)
    try:
        with transaction.atomic():
            job, created = _create(user, token, kind=RegisterJob.Kind.IMPORT, scopes=scopes,
                                   file_name=(upload.name or "")[:200], source=source)
    except BaseException:
        default_storage.delete(source)
        raise
    if not created:
        default_storage.delete(source)
    return job, created


# -- the task's side --------------------------------------------------------------------------
def _advance(job: RegisterJob, read: int, added: int = 0, updated: int = 0, closed: int = 0) -> None:
    RegisterJob.objects.filter(pk=job.pk).update(
        progress=F("progress") + read, added=F("added") + added, updated=F("updated") + updated,
        closed=F("closed") + closed, updated_at=timezone.now())


def _finish(job: RegisterJob, **fields) -> None:
    now = timezone.now()
    RegisterJob.objects.filter(pk=job.pk).update(status=RegisterJob.Status.DONE, finished_at=now, updated_at=now,
                                                 **fields)


def _fail(job: RegisterJob, message: str) -> None:
    now = timezone.now()
    RegisterJob.objects.filter(pk=job.pk).update(status=RegisterJob.Status.FAILED, error=message, finished_at=now,
                                                 updated_at=now)


def _run_sync(job: RegisterJob) -> None:
    prefixes = _prefixes(job.scopes)
    RegisterJob.objects.filter(pk=job.pk).update(total=osvc.registry_records(prefixes).count())
    result = osvc.sync_scope(prefixes, osvc.SYNC_CHUNK, on_chunk=lambda *counts: _advance(job, *counts))
    with transaction.atomic():
        _finish(job)
        audit.record("inspections.object_sync_registry", actor=job.started_by, object_type="inspections.inspectedobject",
                     after={**result, "region_prefix": job.region_prefix, "job": job.pk})


def _run_import(job: RegisterJob) -> None:
    if not job.source or not default_storage.exists(job.source.name):
        _fail(job, "上传的文件已不存在，请重新上传")
        return
    with default_storage.open(job.source.name, "rb") as fh:
        upload = SimpleUploadedFile(job.file_name or "objects.csv", fh.read())
    try:
        rows = osvc.read_object_rows(upload)
    except ValidationError as exc:
        _fail(job, "；".join(m for msgs in exc.message_dict.values() for m in msgs))
        return
    report = rules.check_object_rows(rows, _prefixes(job.scopes))
    RegisterJob.objects.filter(pk=job.pk).update(total=report.total, progress=report.rejected,
                                                 rejected=report.rejected, report=report.as_dict(),
                                                 updated_at=timezone.now())
    for i in range(0, len(report.good), IMPORT_CHUNK):
        chunk = report.good[i:i + IMPORT_CHUNK]
        with transaction.atomic():
            added, updated = osvc.write_rows(chunk)
            _advance(job, len(chunk), added, updated)
        report.added, report.updated = report.added + added, report.updated + updated
    with transaction.atomic():
        _finish(job, report=report.as_dict())
        audit.record("inspections.object_import", actor=job.started_by, object_type="inspections.inspectedobject",
                     after={"file": job.file_name, "added": report.added, "updated": report.updated,
                            "rejected": report.rejected, "job": job.pk})


def run(job_id: int) -> RegisterJob | None:
    """Run a queued job (the task's body). A job already claimed (running elsewhere, finished,
    failed) is left as it is; a deleted one is None."""
    now = timezone.now()
    claimed = RegisterJob.objects.filter(pk=job_id, status=RegisterJob.Status.QUEUED).update(
        status=RegisterJob.Status.RUNNING, started_at=now, updated_at=now)
    job = RegisterJob.objects.select_related("started_by").filter(pk=job_id).first()
    if job is None or not claimed:
        return job
    try:
        if job.kind == RegisterJob.Kind.SYNC:
            _run_sync(job)
        else:
            _run_import(job)
    except Exception:  # noqa: BLE001 - recorded on the job for the page; the traceback goes to the log
        log.exception("register job %s failed", job.pk)
        _fail(job, "后台任务出错（系统错误，已记录日志）；已处理的部分已保存，请稍后重新提交")
    finally:
        if job.source:
            default_storage.delete(job.source.name)
            RegisterJob.objects.filter(pk=job.pk).update(source="")
    job.refresh_from_db()
    return job


# -- reading ---------------------------------------------------------------------------------
def may_see(user, job: RegisterJob) -> bool:
    if user is None or is_sysadmin(user) or job.started_by_id == user.pk:
        return True
    prefixes = osvc.view_prefixes(user)
    return prefixes is None or overlaps(job.scopes, list(prefixes))


def job_for(user, pk: int) -> RegisterJob:
    """A job the user may see (NotFound otherwise, as for a job that does not exist)."""
    job = RegisterJob.objects.select_related("started_by").filter(pk=pk).first()
    if job is None or not may_see(user, job):
        raise NotFound("没有该后台任务，或不在您的管理范围内")
    return job


def latest_jobs(user, size: int = 10) -> list[RegisterJob]:
    rows = RegisterJob.objects.select_related("started_by").defer("report")[:200]
    return [j for j in rows if may_see(user, j)][:size]


def require_viewer(user) -> None:
    from zhengwu.org.permissions import roles_of

    from .registers import VIEW_ROLES

    if user is not None and not (roles_of(user) & set(VIEW_ROLES)) and not is_sysadmin(user):
        raise PermissionDenied("仅部门管理员、审批人员、督办人员、领导可以查看检查对象后台任务")
