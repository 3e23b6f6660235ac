"""基础库批量导入: stream a 人口库/法人库 file into the registry, with its data-quality report.

The file is read one row at a time (:mod:`.reader`), checked and encrypted in chunks
(:mod:`..registry_chunks`, optionally in worker processes), and written to a *temporary staging table* —
``COPY`` on PostgreSQL, ``executemany`` on SQLite. Nothing reaches the registry until the whole
file has been read: duplicates within the file (every occurrence after the first) are then found
in the staging table with one window query and removed, and a single
``INSERT … SELECT … ON CONFLICT (key) DO UPDATE`` upserts the rest in one transaction. A file
that turns out to be malformed half-way (wrong encoding, broken .xlsx) therefore writes nothing.
A refresh is a re-import: existing rows are updated (counted), rows not in the file stay.

Progress and the summary live on :class:`~zhengwu.datashare.models.ImportBatch`; the full list of
problems (row number, column, rule, masked value) is a CSV report saved through the default
storage (encrypted at rest).
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from typing import IO, Any

from django.core.files import File
from django.db import connection, transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.cell_safety import csv_writer
from zhengwu.datashare import registry_rules as rules
from zhengwu.datashare.models import ImportBatch, LegalEntityRecord, PersonRecord

from ..registry_chunks import init_worker, process_chunk, stage_columns
from .reader import ImportFileError, iter_rows

__all__ = ["ImportFileError", "run_import", "start_batch", "fail_batch"]

CHUNK_ROWS = 5000
FIRST_PROBLEMS = 50
PROGRESS_SECONDS = 2.0
REPORT_HEADER = ["行号", "列", "问题", "内容（已遮蔽）", "处理"]
CODE_LABELS = {
    "invalid_id": "身份证号不正确", "invalid_uscc": "统一社会信用代码不正确", "duplicate": "文件内重复",
    "missing": "必填项缺失", "bad_date": "日期不正确", "bad_region": "区划代码格式不正确",
    "unknown_region": "区划代码不在代码表中（已导入）", "mismatch": "与身份证号不一致（已导入）",
    "bad_value": "取值不正确", "too_long": "内容过长", "other": "其他",
}


def _model(kind: str):
    return PersonRecord if kind == rules.PERSON else LegalEntityRecord


def _key(kind: str) -> str:
    return "id_number_index" if kind == rules.PERSON else "uscc"


def start_batch(kind: str, file_name: str, user=None, **summary: Any) -> ImportBatch:
    if kind not in (rules.PERSON, rules.LEGAL):
        raise ValueError(kind)
    with transaction.atomic():
        batch = ImportBatch.objects.create(kind=kind, file_name=file_name[:200], started_by=user,
                                           summary={"phase": "排队中", **summary})
        audit.record("datashare.registry_import.start", actor=user, obj=batch,
                     after={"kind": kind, "file_name": batch.file_name})
    return batch


def fail_batch(batch: ImportBatch, message: str) -> None:
    summary = dict(batch.summary or {}, error=message, phase="失败")
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.FAILED, summary=summary, rows_loaded=0,
                                                   finished_at=timezone.now())
    batch.refresh_from_db()


class _Report:
    """The problem list: counts, the first few for the summary, every row in a temporary CSV."""

    def __init__(self):
        self.tmp = tempfile.NamedTemporaryFile("w+", encoding="utf-8-sig", newline="", suffix=".csv", delete=False)
        self.writer = csv_writer(self.tmp)
        self.writer.writerow(REPORT_HEADER)
        self.counts: Counter[str] = Counter()
        self.first: list[list[Any]] = []
        self.bad_rows = 0
        self.warned_rows = 0

    def add(self, items: list[tuple], *, loaded: bool) -> None:
        last = None
        for row_no, column, message, value, code in items:
            self.counts[code] += 1
            self.writer.writerow([row_no, column, message, value, "已导入（请核实）" if loaded else "未导入"])
            if len(self.first) < FIRST_PROBLEMS:
                self.first.append([row_no, column, message, value, loaded])
            if row_no != last:
                if loaded:
                    self.warned_rows += 1
                else:
                    self.bad_rows += 1
                last = row_no

    def close(self) -> str:
        self.tmp.close()
        return self.tmp.name


def _chunks(rows: Iterator[tuple[int, list[Any]]], kind: str, cols: dict[str, int], size: int, stats: dict):
    chunk: list[tuple[int, list[Any]]] = []
    for row_no, cells in rows:
        if rules.is_blank(cells):
            continue
        stats["rows"] += 1
        chunk.append((row_no, cells))
        if len(chunk) >= size:
            yield kind, cols, chunk
            chunk = []
    if chunk:
        yield kind, cols, chunk


def _parallel(chunks, workers: int):
    """process_chunk over the chunks in ``workers`` processes, in order, at most two chunks per
    worker in flight (the file is never read ahead further). A crashed worker raises
    BrokenProcessPool instead of hanging."""
    import multiprocessing
    from collections import deque
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=init_worker) as ex:
        pending: deque = deque()
        for chunk in chunks:
            pending.append(ex.submit(process_chunk, chunk))
            if len(pending) >= workers * 2:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def run_import(batch: ImportBatch, f: IO[bytes], *, workers: int = 1, chunk_rows: int = CHUNK_ROWS) -> ImportBatch:
    """Load the file into the registry of ``batch.kind``. A refused file marks the batch failed
    (Chinese message in ``summary["error"]``) and raises :class:`ImportFileError`."""
    try:
        rows = iter_rows(f, batch.file_name)
    except ImportFileError as exc:
        fail_batch(batch, exc.message)
        raise
    return import_rows(batch, rows, workers=workers, chunk_rows=chunk_rows)


def import_rows(batch: ImportBatch, rows: Iterator[tuple[int, list[Any]]], *, workers: int = 1,
                chunk_rows: int = CHUNK_ROWS) -> ImportBatch:
    """:func:`run_import` from rows already read: ``(row number, cells)``, the header row first
    (the bench feeds generated rows here, through the same checks, encryption and upsert)."""
    kind = batch.kind
    started = time.monotonic()
    report = _Report()
    stage = f"zw_stage_{batch.pk}"
    stats = {"rows": 0}
    ImportBatch.objects.filter(pk=batch.pk).update(summary=dict(batch.summary or {}, phase="读取校验"))
    try:
        header = next(rows, None)
        if header is None:
            raise ImportFileError("文件是空的")
        try:
            cols = rules.header_map(kind, header[1])
        except rules.HeaderError as exc:
            raise ImportFileError(exc.message) from None
        if workers > 1:
            results = _parallel(_chunks(rows, kind, cols, chunk_rows, stats), workers)
        else:
            results = map(process_chunk, _chunks(rows, kind, cols, chunk_rows, stats))
        _create_stage(stage, kind)
        staged_count = 0
        last_progress = time.monotonic()
        for staged, bad, warned in results:
            _copy_stage(stage, kind, staged)
            staged_count += len(staged)
            report.add(bad, loaded=False)
            report.add(warned, loaded=True)
            if time.monotonic() - last_progress > PROGRESS_SECONDS:
                last_progress = time.monotonic()
                ImportBatch.objects.filter(pk=batch.pk).update(rows_total=stats["rows"], rows_bad=report.bad_rows)
        if stats["rows"] == 0:
            raise ImportFileError("文件中除列名外没有数据行")
        ImportBatch.objects.filter(pk=batch.pk).update(
            rows_total=stats["rows"], rows_bad=report.bad_rows, summary=dict(batch.summary or {}, phase="写入库中"))
        column = "统一社会信用代码" if kind == rules.LEGAL else "身份证号"
        _remove_duplicates(stage, kind, lambda dups: report.add(
            [(r, column, f"与第{first}行重复（保留第一次出现的行）", label, "duplicate") for r, label, first in dups],
            loaded=False))
        with transaction.atomic():
            inserted, updated = _upsert(stage, kind, batch.pk)
            batch.status = ImportBatch.Status.DONE
            batch.rows_total = stats["rows"]
            batch.rows_loaded = inserted + updated
            batch.rows_bad = report.bad_rows
            batch.finished_at = timezone.now()
            batch.summary = {
                **{k: v for k, v in (batch.summary or {}).items() if k in ("token", "source")},
                "phase": "完成", "inserted": inserted, "updated": updated, "staged": staged_count,
                "warned_rows": report.warned_rows, "counts": dict(report.counts),
                "first_problems": report.first, "seconds": round(time.monotonic() - started, 1),
            }
            batch.save(update_fields=["status", "rows_total", "rows_loaded", "rows_bad", "finished_at", "summary"])
            audit.record("datashare.registry_import.done", actor=batch.started_by, obj=batch,
                         after={"kind": kind, "rows": stats["rows"], "inserted": inserted, "updated": updated,
                                "bad": report.bad_rows})
        from django.core.cache import cache

        cache.delete(f"datashare:registry_counts:{kind}")  # the browse page's counts by region
    except ImportFileError as exc:
        fail_batch(batch, exc.message)
        raise
    except BaseException:
        fail_batch(batch, "导入中断（系统错误），库中数据未改变，请重试或联系系统管理员")
        raise
    finally:
        _drop_stage(stage)
        path = report.close()
        if batch.status == ImportBatch.Status.DONE:
            _save_report(batch, path)
        os.unlink(path)
    return batch


def _save_report(batch: ImportBatch, path: str) -> None:
    with open(path, "rb") as fh:
        name = f"{batch.kind}-{batch.pk}-质量报告.csv"
        batch.report_file.save(name, File(fh, name=name), save=False)
    ImportBatch.objects.filter(pk=batch.pk).update(report_file=batch.report_file.name)


# -- staging table ----------------------------------------------------------------------------------
DATE_COLUMNS = {"birth_date", "established_on"}


def _create_stage(stage: str, kind: str) -> None:
    cols = ", ".join(f"{c} {'date' if c in DATE_COLUMNS else 'text'}" for c in stage_columns(kind))
    with connection.cursor() as c:
        c.execute(f"DROP TABLE IF EXISTS {stage}")
        c.execute(f"CREATE TEMPORARY TABLE {stage} (row_no integer, label text, {cols})")


def _drop_stage(stage: str) -> None:
    try:
        with connection.cursor() as c:
            c.execute(f"DROP TABLE IF EXISTS {stage}")
    except Exception:  # noqa: BLE001 - a broken connection drops its temporary tables anyway
        pass


def _copy_stage(stage: str, kind: str, staged: list[tuple]) -> None:
    if not staged:
        return
    names = ", ".join(("row_no", "label", *stage_columns(kind)))
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            with c.cursor.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
                for row in staged:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * (len(stage_columns(kind)) + 2))
            c.executemany(f"INSERT INTO {stage} ({names}) VALUES ({marks})",
                          [tuple(v.isoformat() if hasattr(v, "isoformat") else v for v in row) for row in staged])


def _remove_duplicates(stage: str, kind: str, report) -> None:
    """Rows whose key appeared on an earlier row: handed to ``report`` in slices (never all in
    memory), then removed from the stage."""
    key = _key(kind)
    window = (f"SELECT row_no, label, min(row_no) OVER (PARTITION BY {key}) AS first_row FROM {stage}")
    found = False
    with connection.cursor() as c:
        c.execute(f"SELECT row_no, label, first_row FROM ({window}) t WHERE row_no > first_row ORDER BY row_no")
        while rows := c.fetchmany(10_000):
            found = True
            report([tuple(r) for r in rows])
        if found:
            c.execute(f"DELETE FROM {stage} WHERE row_no IN (SELECT row_no FROM ({window}) t WHERE row_no > first_row)")


def _upsert(stage: str, kind: str, batch_id: int) -> tuple[int, int]:
    """(inserted, updated): one INSERT … SELECT … ON CONFLICT DO UPDATE from the stage."""
    model = _model(kind)
    table = model._meta.db_table
    key = _key(kind)
    cols = stage_columns(kind)
    now = timezone.now()
    insert_cols = ", ".join((*cols, "batch_id", "updated_at") + (("alive",) if kind == rules.PERSON else ()))
    select_cols = ", ".join((*cols, "%s", "%s") + (("%s",) if kind == rules.PERSON else ()))
    params: list[Any] = [batch_id, connection.ops.adapt_datetimefield_value(now)]
    if kind == rules.PERSON:
        params.append(True)
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in (*cols, "batch_id", "updated_at") if c != key)
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute(
                f"WITH up AS (INSERT INTO {table} ({insert_cols}) SELECT {select_cols} FROM {stage} ORDER BY {key}"
                f" ON CONFLICT ({key}) DO UPDATE SET {sets} RETURNING (xmax = 0) AS inserted)"
                f" SELECT count(*) FILTER (WHERE inserted), count(*) FROM up", params)
            inserted, total = c.fetchone()
            return inserted, total - inserted
        c.execute(f"SELECT count(*) FROM {stage} s WHERE EXISTS (SELECT 1 FROM {table} t WHERE t.{key} = s.{key})")
        updated = c.fetchone()[0]
        c.execute(f"SELECT count(*) FROM {stage}")
        total = c.fetchone()[0]
        c.execute(f"INSERT INTO {table} ({insert_cols}) SELECT {select_cols} FROM {stage} WHERE true"
                  f" ON CONFLICT ({key}) DO UPDATE SET {sets}", params)
        return total - updated, updated


def read_report(batch: ImportBatch, limit: int | None = None) -> list[list[str]]:
    """The report's rows (without header), read back through the storage."""
    if not batch.report_file:
        return []
    with batch.report_file.open("rb") as fh:
        text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
        out = []
        for i, row in enumerate(csv.reader(text)):
            if i == 0:
                continue
            if limit is not None and len(out) >= limit:
                break
            out.append(row)
        text.detach()
        return out
