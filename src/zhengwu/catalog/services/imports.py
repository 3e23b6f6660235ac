"""The write path of 事项导入 (bulk import of a 实施清单 spreadsheet) and of 事项导出.

:func:`import_items` takes the bytes of an .xlsx/.csv and a region and brings the region's
catalogue in line with the file:

1. read and check every row (:mod:`zhengwu.catalog.importer`, pure) — a bad cell fails its row;
2. load the region's departments, items (with the guide each row is compared with), base items
   and version numbers into dicts, once — no query per row;
3. resolve every row against them: which item it is (by 实施编码, else by 实施主体 + 事项名称),
   whether it is new, changed or unchanged, and the cross-field rules on the final values
   (承诺时限 ≤ 法定时限, 即办件/承诺件, codes) — a failing row is excluded before anything is written;
4. write the good rows in batches, each batch one transaction with bulk inserts/updates: new
   departments (kind 其他) and base items, items, guide versions and materials. If a batch fails
   in the database, it is rolled back and its rows are written one by one, so one row's problem
   costs only that row (每行要么全部写入，要么完全不写);
5. one audit event for the whole import (counts, file name, SHA-256).

A changed row makes a new published version (the previous one becomes 已替代, the item's
headline columns follow, see :func:`zhengwu.catalog.denorm.copy_headline`); with ``as_draft``
it makes (or updates) a draft version for review instead. An unchanged row writes nothing.

Imports of one region are serialised through :class:`~zhengwu.catalog.models.ImportJob` (one
``running`` job per region), so the same file submitted twice at once cannot duplicate items:
the second run finds the first one's items and reports them unchanged.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connections, router, transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.org.models import Department, Region
from zhengwu.org.permissions import grants, has_role, is_sysadmin
from zhengwu.speedups.bulkinsert import BulkInserter, Row

from .. import importer, rules
from ..denorm import HEADLINE_FIELDS, copy_headline
from ..importer import COLUMN_BY_KEY, COLUMNS, GUIDE_KEYS, ImportFileError, Issue, ParsedRow
from ..models import BaseItem, ImportJob, ItemVersion, Material, ServiceItem
from ..models.items import ItemStatus, VersionState

log = logging.getLogger(__name__)

BATCH_SIZE = 2000
BATCH_SIZE_POSTGRES = 5000
# The page runs files up to this many rows at once; bigger ones go to the background worker.
SYNC_ROW_LIMIT = 5000
# Rows listed in a stored report (the counts always cover every row).
MAX_LISTED_ISSUES = 2000
# A running job that has shown no progress for this long is taken to have died.
STALE_AFTER_SECONDS = 15 * 60

AUDIT_ACTION = "catalog.items.import"
# Version fields the import writes (the others are copied from the version it replaces).
_VERSION_FIELD_OF = {k: k for k in GUIDE_KEYS if k != "materials"}
_COPY_EXCLUDE = {"id", "service_item", "number", "state", "created_by", "created_at", "submitted_at",
                 "reviewed_by", "review_note", "published_at", "change_note"}
_MATERIAL_COPY_EXCLUDE = {"id", "version", "seq", "name"}


# -- the report ----------------------------------------------------------------------------------
@dataclass
class ImportReport:
    """What an import did; stored on the job (JSON) and printed by the command."""

    file_name: str = ""
    sha256: str = ""
    size: int = 0
    kind: str = ""
    encoding: str = ""
    region_code: str = ""
    region_name: str = ""
    as_draft: bool = False
    columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    new_versions: int = 0
    created_departments: list[str] = field(default_factory=list)
    created_base_items: int = 0
    flagged_rows: int = 0
    errors: list[dict] = field(default_factory=list)
    errors_total: int = 0
    warnings: list[dict] = field(default_factory=list)
    warnings_total: int = 0
    fatal: str = ""
    seconds: float = 0.0
    # Seconds per phase (read, resolve, write, finish): what `make bench` looks at.
    timings: dict = field(default_factory=dict)

    def add_error(self, issue: Issue) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_LISTED_ISSUES:
            self.errors.append(issue.as_dict())

    def add_warning(self, issue: Issue) -> None:
        self.warnings_total += 1
        if len(self.warnings) < MAX_LISTED_ISSUES:
            self.warnings.append(issue.as_dict())

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ImportReport:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in (data or {}).items() if k in names})

    def summary(self) -> dict[str, Any]:
        """The audit event's content: counts and the file's identity, no row data."""
        return {
            "file_name": self.file_name, "sha256": self.sha256, "size": self.size, "region": self.region_code,
            "as_draft": self.as_draft, "rows": self.rows, "created": self.created, "updated": self.updated,
            "unchanged": self.unchanged, "failed": self.failed, "new_versions": self.new_versions,
            "created_departments": self.created_departments, "created_base_items": self.created_base_items,
            "flagged_rows": self.flagged_rows,
        }

    def lines(self) -> list[str]:
        """The report as text (the command prints it)."""
        mode = "（导入为草稿，待审核后发布）" if self.as_draft else ""
        out = [f"文件：{self.file_name}（{self.kind.upper()}{'，' + self.encoding if self.encoding else ''}，"
               f"SHA-256 {self.sha256[:16]}…）",
               f"区划：{self.region_name}（{self.region_code}）{mode}"]
        if self.fatal:
            out.append(f"导入失败：{self.fatal}")
            return out
        out.append(f"共 {self.rows} 行：新增 {self.created}，更新 {self.updated}，无变化 {self.unchanged}，"
                   f"失败 {self.failed}；新版本 {self.new_versions} 个；用时 {self.seconds:.1f} 秒")
        if self.ignored_columns:
            out.append(f"未识别的列（已忽略）：{'、'.join(self.ignored_columns)}")
        if self.created_departments:
            out.append(f"新建部门 {len(self.created_departments)} 个：{'、'.join(self.created_departments)}")
        if self.created_base_items:
            out.append(f"新建基本目录事项 {self.created_base_items} 个")
        if self.flagged_rows:
            out.append(f"编码不是国家标准格式、已按原样保存并标记的行：{self.flagged_rows} 行")
        if self.errors_total:
            out.append(f"失败的行（{self.errors_total} 处问题）：")
            out.extend(f"  第{e['row']}行 【{e['column']}】 {e['message']}" + (f"（填写的是：{e['value']}）" if e['value'] else "")
                       for e in self.errors)
            if self.errors_total > len(self.errors):
                out.append(f"  ……另有 {self.errors_total - len(self.errors)} 处未列出")
        if self.warnings_total:
            out.append(f"提示（{self.warnings_total} 处）：")
            out.extend(f"  第{w['row']}行 【{w['column']}】 {w['message']}（{w['value']}）" for w in self.warnings[:50])
            if self.warnings_total > 50:
                out.append(f"  ……另有 {self.warnings_total - 50} 处未列出")
        return out


# -- what is already there -------------------------------------------------------------------------
@dataclass
class _Item:
    """An existing item as the import sees it (loaded once, compared in memory)."""

    pk: int
    department_id: int
    name: str
    handling_name: str
    implementation_code: str
    handling_code: str
    base_item_id: int | None
    code_recognised: bool
    status: str
    published_version_id: int | None
    lock_version: int
    base_code: str | None = None
    max_number: int = 0
    open_version_id: int | None = None
    open_state: str = ""
    compare_version_id: int | None = None
    guide: dict[str, Any] | None = None


_AMBIGUOUS = object()


class _Ref:
    """An existing row known only by its key (base items: the import never changes them)."""

    __slots__ = ("pk",)

    def __init__(self, pk: int):
        self.pk = pk


class _Catalogue:
    """The region's departments, items and base items, keyed the ways rows find them."""

    def __init__(self, region: Region, as_draft: bool):
        self.region = region
        # Departments of the region by name (unique by region + name).
        self.departments: dict[str, Department] = {
            d.name: d for d in Department.objects.filter(region=region).only("pk", "name", "region_id")
        }
        self.items_by_key: dict[tuple[int, str, str], _Item] = {}
        self.items_by_code: dict[tuple[str, str], Any] = {}
        rows = ServiceItem.objects.filter(region=region).values_list(
            "pk", "department_id", "name", "handling_name", "implementation_code", "handling_code", "base_item_id",
            "code_recognised", "status", "published_version_id", "lock_version", "base_item__code")
        items: dict[int, _Item] = {}
        open_numbers: dict[int, int] = {}
        for r in rows.iterator(chunk_size=5000):
            it = _Item(*r)
            items[it.pk] = it
            self.items_by_key[(it.department_id, it.name, it.handling_name)] = it
            if it.implementation_code:
                key = (it.implementation_code, it.handling_name)
                self.items_by_code[key] = _AMBIGUOUS if key in self.items_by_code else it
        self.items = items
        # Items of the region whose department belongs to another region (e.g. a street's):
        # rows name that department, and export → import must find it.
        foreign = {it.department_id for it in items.values()} - {d.pk for d in self.departments.values()}
        if foreign:
            for d in Department.objects.filter(pk__in=list(foreign)).only("pk", "name", "region_id").order_by("pk"):
                self.departments.setdefault(d.name, d)
        # Version numbers, open versions and the latest version of every item, in one pass.
        latest: dict[int, tuple[int, int]] = {}
        versions = ItemVersion.objects.filter(service_item__region=region).values_list(
            "pk", "service_item_id", "number", "state")
        for pk, item_id, number, state in versions.iterator(chunk_size=10000):
            it = items.get(item_id)
            if it is None:
                continue
            if number > it.max_number:
                it.max_number = number
                latest[item_id] = (number, pk)
            if state in rules.OPEN_STATES and (it.open_version_id is None or number > open_numbers[item_id]):
                it.open_version_id, it.open_state = pk, state
                open_numbers[item_id] = number
        for it in items.values():
            # The guide a row is compared with (and a new version copies).
            if as_draft and it.open_version_id:
                it.compare_version_id = it.open_version_id
            elif it.published_version_id:
                it.compare_version_id = it.published_version_id
            elif it.pk in latest:
                it.compare_version_id = latest[it.pk][1]
        self._load_guides([it for it in items.values() if it.compare_version_id])
        if as_draft:
            # A draft may rename an item that keeps its published name meanwhile: the next
            # import of the same file must find the item by the draft's name too.
            for it in items.values():
                if it.compare_version_id == it.open_version_id and it.guide and it.guide["name"] != it.name:
                    self.items_by_key.setdefault((it.department_id, it.guide["name"], it.handling_name), it)
        self.base_by_code: dict[str, Any] = {}
        self.base_by_name: dict[str, Any] = {}

    def load_base_items(self, rows: list[ParsedRow]) -> None:
        """The base items rows may refer to: by the file's 基本编码 (and their 主项 codes), and
        code-less ones by the file's names — not the whole 基本目录."""
        codes, names = set(), set()
        for row in rows:
            v = row.values
            code = v.get("base_code")
            if code:
                codes.add(code)
                if len(code) == 12:
                    codes.add(code[:9] + "000")
            if v.get("main_item"):
                names.add(v["main_item"])
                names.add(v["name"])
        # Plain SQL: for 100,000 codes the ORM's preparation of the IN lists costs seconds.
        connection = connections[router.db_for_read(BaseItem)]
        qn = connection.ops.quote_name
        table = qn(BaseItem._meta.db_table)
        with connection.cursor() as cursor:
            for chunk in _chunked(sorted(codes), 900):
                where, params = _in_clause(connection, qn("code"), chunk)
                cursor.execute(f"SELECT {qn('id')}, {qn('code')} FROM {table} WHERE {where}", params)
                for pk, code in cursor.fetchall():
                    self.base_by_code[code] = _Ref(pk)
            for chunk in _chunked(sorted(names), 900):
                where, params = _in_clause(connection, qn("name"), chunk)
                cursor.execute(f"SELECT {qn('id')}, {qn('name')} FROM {table} WHERE {qn('code')} IS NULL AND {where} "
                               f"ORDER BY {qn('id')} DESC", params)
                for pk, name in cursor.fetchall():
                    self.base_by_name[name] = _Ref(pk)  # the oldest wins (rows come newest first)

    def _load_guides(self, items: list[_Item]) -> None:
        by_version = {it.compare_version_id: it for it in items}
        for version_id, guide in load_guides(list(by_version)):
            by_version[version_id].guide = guide


def load_guides(version_ids: list[int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(version id, guide as the import sees it — :data:`GUIDE_KEYS` with materials as names)
    for many versions: plain SQL in chunks, the JSON of 收费 decoded here."""
    connection = connections[router.db_for_read(ItemVersion)]
    qn = connection.ops.quote_name
    version_table, material_table = qn(ItemVersion._meta.db_table), qn(Material._meta.db_table)
    keys = list(_VERSION_FIELD_OF)
    columns = ", ".join(qn(ItemVersion._meta.get_field(_VERSION_FIELD_OF[k]).column) for k in keys)
    for chunk in _chunked(version_ids, 5000):
        where, params = _in_clause(connection, qn("id"), chunk)
        guides: dict[int, dict[str, Any]] = {}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {qn('id')}, {columns} FROM {version_table} WHERE {where}", params)
            for row in cursor.fetchall():
                guide = dict(zip(keys, row[1:]))
                if isinstance(guide["fees"], str):
                    guide["fees"] = json.loads(guide["fees"])
                guide["materials"] = []
                guides[row[0]] = guide
            where, params = _in_clause(connection, qn("version_id"), chunk)
            cursor.execute(f"SELECT {qn('version_id')}, {qn('name')} FROM {material_table} WHERE {where} "
                           f"ORDER BY {qn('version_id')}, {qn('seq')}, {qn('id')}", params)
            for version_id, name in cursor.fetchall():
                guides[version_id]["materials"].append(name)
        yield from guides.items()


def _in_clause(connection, column: str, values: list) -> tuple[str, list]:
    """``column IN (…)``; on PostgreSQL ``= ANY(%s)`` with one array parameter (a long list of
    placeholders is slow to bind there)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _chunked(seq: list, size: int) -> Iterator[list]:
    for start in range(0, len(seq), size):
        yield seq[start:start + size]


# -- one row's plan ------------------------------------------------------------------------------------
NEW, NEW_VERSION, UPDATE_OPEN, ITEM_ONLY = "new", "new_version", "update_open", "item_only"


@dataclass
class _Plan:
    row: ParsedRow
    kind: str
    department: Department
    guide: dict[str, Any]
    base_item: BaseItem | None
    implementation_code: str
    handling_code: str
    handling_name: str
    code_recognised: bool
    item: _Item | None = None
    materials_given: bool = False
    fees_same: bool = False


# -- the import ------------------------------------------------------------------------------------------
def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def department_scope(user, region: Region) -> set[int] | None:
    """Departments of ``region`` the user may import into: ``None`` = all (and may create new
    ones); a set = only these (a 事项管理员 granted for one department)."""
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


def import_items(data: bytes, file_name: str, region: Region, *, as_draft: bool = False, actor=None,
                 allowed_departments: set[int] | None = None, job: ImportJob | None = None,
                 progress: Callable[[int], None] | None = None, batch_size: int | None = None) -> ImportReport:
    """Import a 实施清单 file into ``region``; returns the report (never raises for bad rows).

    ``allowed_departments``: ``None`` lets the import use and create any department of the
    region; a set of department ids restricts rows to those departments.
    """
    started = time.monotonic()
    report = ImportReport(file_name=file_name, sha256=file_digest(data), size=len(data), region_code=region.code,
                          region_name=region.name, as_draft=as_draft)
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
            if row.errors:
                _fail(report, row)
            else:
                parsed.append(row)
    except ImportFileError as exc:
        report.fatal = exc.message
        report.seconds = time.monotonic() - started
        return report

    report.timings["read"] = round(time.monotonic() - started, 2)
    mark = time.monotonic()
    catalogue = _Catalogue(region, as_draft)
    catalogue.load_base_items(parsed)
    report.timings["preload"] = round(time.monotonic() - mark, 2)
    mark = time.monotonic()
    plans = _resolve(parsed, catalogue, report, as_draft=as_draft, allowed_departments=allowed_departments)
    del parsed
    report.timings["resolve"] = round(time.monotonic() - mark, 2)
    mark = time.monotonic()

    writer = _Writer(region, as_draft=as_draft, actor=actor, file_name=file_name, report=report)
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


def _fail(report: ImportReport, row: ParsedRow) -> None:
    report.failed += 1
    for issue in row.errors:
        report.add_error(issue)


def _resolve(rows: list[ParsedRow], cat: _Catalogue, report: ImportReport, *, as_draft: bool,
             allowed_departments: set[int] | None) -> list[_Plan]:
    """Decide for every row what it does; rows that break a rule are reported, not planned."""
    plans: list[_Plan] = []
    seen_names: dict[tuple[str, str, str], int] = {}
    seen_codes: dict[tuple[str, str], int] = {}
    claimed: dict[int, int] = {}
    unchanged = 0
    for row in rows:
        v = row.values
        dept_name, name = v["department"], v["name"]
        handling_name = v.get("handling_name", "")
        code = v.get("implementation_code", "")

        # Duplicates inside the file.
        name_key = (dept_name, name, handling_name)
        if name_key in seen_names:
            row.error("name", f"与第{seen_names[name_key]}行重复：同一实施主体下的事项名称相同，同一事项只能出现一次", name)
        if code and (code, handling_name) in seen_codes:
            row.error("implementation_code", f"与第{seen_codes[(code, handling_name)]}行的实施编码相同，同一事项只能出现一次", code)
        if row.errors:
            _fail(report, row)
            continue
        seen_names[name_key] = row.row
        if code:
            seen_codes[(code, handling_name)] = row.row

        # 实施主体.
        dept = cat.departments.get(dept_name)
        if dept is None:
            if allowed_departments is not None:
                row.error("department", f"实施主体“{dept_name}”不是您可以管理的部门：只有全区划的事项管理员可以导入新部门", dept_name)
                _fail(report, row)
                continue
            dept = Department(name=dept_name, region=cat.region, kind=Department.Kind.OTHER, uscc=None)
            cat.departments[dept_name] = dept
        elif allowed_departments is not None and dept.pk not in allowed_departments:
            row.error("department", f"实施主体“{dept_name}”不在您的管理范围内：您只能导入本部门的事项", dept_name)
            _fail(report, row)
            continue

        # Which item: by 实施编码, else by 实施主体 + 事项名称 (+ 业务办理项名称).
        item = None
        if code:
            found = cat.items_by_code.get((code, handling_name))
            if found is _AMBIGUOUS:
                row.error("implementation_code", "该实施编码对应了多个已有事项，无法确定更新哪一个，请先在事项管理中处理重复", code)
                _fail(report, row)
                continue
            item = found
        if item is None and dept.pk is not None:
            item = cat.items_by_key.get((dept.pk, name, handling_name))
        if item is not None and item.pk in claimed:
            row.error("name", f"与第{claimed[item.pk]}行对应的是同一个已有事项（实施编码或名称相同），同一事项只能出现一次", name)
            _fail(report, row)
            continue
        if dept.pk is not None:
            holder = cat.items_by_key.get((dept.pk, name, handling_name))
            if holder is not None and holder is not item:
                row.error("name", f"“{dept_name}”已有名为“{name}”的事项（实施编码不同），不能重名", name)
                _fail(report, row)
                continue

        current = item.guide if item is not None else None  # None: new item (or one without a version)
        guide = importer.target_guide(row, current)
        codes = {
            "base_code": v.get("base_code") or (item.base_code or "" if item else ""),
            "implementation_code": code or (item.implementation_code if item else ""),
            "handling_code": v.get("handling_code") or (item.handling_code if item else ""),
        }
        same_guide = current is not None and (
            guide == current or importer.guide_signature(guide) == importer.guide_signature(current))
        if same_guide and _same_identity(item, dept, codes, v):
            # Unchanged: nothing is written, so nothing needs checking (the common re-import).
            claimed[item.pk] = row.row
            unchanged += 1
            continue
        recognised = importer.check_target(row, guide, codes)
        if row.errors:
            _fail(report, row)
            continue

        base = _base_item_for(row, item, cat, guide)
        base_id = base.pk if base is not None else None
        kind = NEW
        if item is not None:
            if not same_guide:
                problem = _version_problem(item, as_draft)
                if problem:
                    row.error("name", problem, name)
                    _fail(report, row)
                    continue
                kind = UPDATE_OPEN if _updates_open_version(item, as_draft) else NEW_VERSION
            elif (dept.pk != item.department_id or codes["implementation_code"] != item.implementation_code
                  or codes["handling_code"] != item.handling_code or base_id != item.base_item_id
                  or base_id is None and base is not None or recognised != item.code_recognised):
                kind = ITEM_ONLY
            else:
                claimed[item.pk] = row.row
                unchanged += 1
                continue
            claimed[item.pk] = row.row
        for w in row.warnings:
            report.add_warning(w)
        if not recognised:
            report.flagged_rows += 1
        plans.append(_Plan(
            row=row, kind=kind, department=dept, guide=guide, base_item=base,
            implementation_code=codes["implementation_code"], handling_code=codes["handling_code"],
            handling_name=handling_name, code_recognised=recognised, item=item,
            materials_given="materials" in row.values or "materials" in row.blank,
            fees_same=current is not None and importer.format_fees(current["fees"]) == importer.format_fees(guide["fees"]),
        ))
    report.unchanged = unchanged
    return plans


def _same_identity(item: _Item, dept: Department, codes: dict[str, str], values: dict[str, Any]) -> bool:
    """The row names the item's department, codes and base item as they are."""
    if (dept.pk != item.department_id or codes["implementation_code"] != item.implementation_code
            or codes["handling_code"] != item.handling_code):
        return False
    if values.get("base_code"):
        return values["base_code"] == item.base_code
    return bool(item.base_item_id) or not values.get("main_item")


def _version_problem(item: _Item, as_draft: bool) -> str:
    if item.open_state == VersionState.PENDING and (as_draft or not item.published_version_id):
        return "该事项有正在审核中的版本，请先审核或撤回后再导入修改"
    if not as_draft and item.status == ItemStatus.DISABLED:
        return "该事项已停用，不能通过导入发布新版本；请先启用事项，或使用“导入为草稿”"
    return ""


def _updates_open_version(item: _Item, as_draft: bool) -> bool:
    """Change the open draft in place (as draft, or publishing a never-published item's draft)."""
    if item.open_version_id is None or item.open_state == VersionState.PENDING:
        return False
    return as_draft or not item.published_version_id


def _base_item_for(row: ParsedRow, item: _Item | None, cat: _Catalogue, guide: dict) -> Any:
    """The 基本目录事项 of a row: found by 基本编码 (or, without one, by name when 主项名称 is given);
    created when missing. Existing base items are never changed by an import."""
    v = row.values
    code = v.get("base_code", "")
    main = v.get("main_item", "")
    if code:
        base = cat.base_by_code.get(code)
        if base is None:
            recognised = rules.check_item_code(code, "base", "基本编码")[1]
            base = _new_base(code, v["name"], guide, recognised,
                             _parent_for(code if recognised else "", main, v["name"], cat, guide))
            cat.base_by_code[code] = base
        return base
    if item is not None and item.base_item_id:
        return _Ref(item.base_item_id)
    if main:
        base = cat.base_by_name.get(v["name"])
        if base is None:
            base = _new_base(None, v["name"], guide, True, _parent_for("", main, v["name"], cat, guide))
            cat.base_by_name[v["name"]] = base
        return base
    return None


class _Defaults:
    """Builds :class:`Row` objects with a model's field defaults (no database needed)."""

    def __init__(self, model):
        self.model = model
        self._defaults = None

    def new(self, **values) -> Row:
        if self._defaults is None:
            self._defaults = {f.attname: f.get_default() for f in self.model._meta.concrete_fields if not f.primary_key}
        row = Row(**self._defaults)
        row.__dict__.update(values)
        return row


_BASE_DEFAULTS = _Defaults(BaseItem)


def _new_base(code: str | None, name: str, guide: dict, recognised: bool, parent: Any) -> Row:
    """A base item to create (inserted by the batch of the first row that needs it)."""
    base = _BASE_DEFAULTS.new(code=code, name=name, item_type=guide["item_type"],
                              legal_basis=guide.get("legal_basis") or "", code_recognised=recognised)
    # A parent created by this import gets its key when its batch writes it (see _Writer).
    base._zw_parent = parent if isinstance(parent, Row) else None
    if isinstance(parent, _Ref):
        base.parent_id = parent.pk
    return base


def _parent_for(code: str, main: str, name: str, cat: _Catalogue, guide: dict) -> Any:
    """The 主项 of a 子项: by the national code's 主项 part (子项 000), else by name."""
    if not main or main == name:
        return None
    if code and code[9:] != "000":
        parent_code = code[:9] + "000"
        parent = cat.base_by_code.get(parent_code)
        if parent is None:
            parent = _new_base(parent_code, main, {"item_type": guide["item_type"]}, True, None)
            cat.base_by_code[parent_code] = parent
        return parent
    parent = cat.base_by_name.get(main)
    if parent is None:
        parent = _new_base(None, main, {"item_type": guide["item_type"]}, True, None)
        cat.base_by_name[main] = parent
    return parent


# -- writing ------------------------------------------------------------------------------------------
class _Writer:
    """Writes planned rows batch by batch; a batch that fails is retried row by row."""

    def __init__(self, region: Region, *, as_draft: bool, actor, file_name: str, report: ImportReport):
        self.region = region
        self.as_draft = as_draft
        self.actor_id = getattr(actor, "pk", None)
        self.note = f"批量导入：{file_name}"[:500]
        self.report = report
        self.touched_item_ids: list[int] = []
        self._version_fields = [f for f in ItemVersion._meta.concrete_fields if f.name not in _COPY_EXCLUDE]
        self._material_fields = [f for f in Material._meta.concrete_fields if f.name not in _MATERIAL_COPY_EXCLUDE]
        connection = connections[router.db_for_write(ServiceItem)]
        self.items = BulkInserter(ServiceItem, connection)
        self.versions = BulkInserter(ItemVersion, connection)
        self.materials = BulkInserter(Material, connection)
        self.bases = BulkInserter(BaseItem, connection)

    def write(self, batch: list[_Plan]) -> None:
        if not batch:
            return
        created: list = []
        try:
            with transaction.atomic():
                self._relax_commit()
                counts = self._write(batch, created)
        except DatabaseError as exc:
            log.warning("import batch failed, retrying row by row: %s", exc)
            self._reset(created)
            for plan in batch:
                created = []
                try:
                    with transaction.atomic():
                        self._relax_commit()
                        counts = self._write([plan], created)
                except DatabaseError as row_exc:
                    self._reset(created)
                    plan.row.error("name", f"写入数据库失败：{_db_reason(row_exc)}", plan.row.values.get("name", ""))
                    _fail(self.report, plan.row)
                    continue
                self._count(counts)
            return
        self._count(counts)

    def _relax_commit(self) -> None:
        """PostgreSQL: a batch's commit does not wait for its WAL flush. The import's final
        audit event commits normally, which flushes every batch before it, so the report is
        only shown once everything is durable; a crash mid-import loses at most the last
        batches of a run that is reported as failed and is re-run as a whole."""
        if self.items.postgres:
            with self.items.connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")

    def _count(self, counts: dict[str, Any]) -> None:
        r = self.report
        r.created += counts["created"]
        r.updated += counts["updated"]
        r.new_versions += counts["new_versions"]
        r.created_base_items += counts["base_items"]
        r.created_departments.extend(counts["departments"])
        self.touched_item_ids.extend(counts["item_ids"])

    @staticmethod
    def _reset(created: list) -> None:
        """Objects inserted by a rolled-back transaction do not exist: forget their keys."""
        for obj in created:
            obj.pk = None
            if hasattr(obj, "_state"):
                obj._state.adding = True

    def _write(self, batch: list[_Plan], created: list) -> dict[str, Any]:
        now = timezone.now()
        counts: dict[str, Any] = {"created": 0, "updated": 0, "new_versions": 0, "base_items": 0, "departments": [],
                                  "item_ids": []}

        # 1. Departments and base items that rows of this batch need (kind 其他, no USCC).
        depts = list({id(p.department): p.department for p in batch if p.department.pk is None}.values())
        if depts:
            Department.objects.bulk_create(depts)
            created.extend(depts)
            counts["departments"] = [d.name for d in depts]
        bases = {id(p.base_item): p.base_item for p in batch if p.base_item is not None and p.base_item.pk is None}
        parents = {id(b._zw_parent): b._zw_parent for b in bases.values()
                   if b._zw_parent is not None and b._zw_parent.pk is None}
        for group in (parents, {k: b for k, b in bases.items() if k not in parents}):
            objs = list(group.values())
            if objs:
                for b in objs:
                    if b._zw_parent is not None:
                        b.parent_id = b._zw_parent.pk
                created.extend(objs)
                self.bases.insert(objs)
                counts["base_items"] += len(objs)

        state = VersionState.DRAFT if self.as_draft else VersionState.PUBLISHED
        published_at = None if self.as_draft else now
        reviewer_id = None if self.as_draft else self.actor_id
        stamp = {"state": state, "created_by_id": self.actor_id, "reviewed_by_id": reviewer_id,
                 "published_at": published_at, "change_note": self.note}

        # 2. New items: version 1 first (the item's headline columns are copied from it).
        new_pairs: list[tuple[Row, Row, _Plan]] = []
        for p in batch:
            if p.kind != NEW:
                continue
            v = self.versions.new(number=1, **stamp)
            self._apply_guide(v, p, None)
            item = self.items.new(
                region_id=self.region.pk, department_id=p.department.pk,
                base_item_id=p.base_item.pk if p.base_item is not None else None,
                implementation_code=p.implementation_code, handling_code=p.handling_code,
                handling_name=p.handling_name, code_recognised=p.code_recognised,
                status=ItemStatus.DRAFT if self.as_draft else ItemStatus.PUBLISHED)
            copy_headline(v, item)
            new_pairs.append((item, v, p))
        linked = False
        if new_pairs and not self.as_draft and self.versions.postgres:
            # PostgreSQL: keys come from the sequence before the rows exist, so a new item is
            # written already pointing at its version 1 (the foreign key is checked at commit).
            for (item, v, _), pk in zip(new_pairs, self.versions.allocate_keys(len(new_pairs))):
                v.id = item.published_version_id = pk
            linked = True
        self.items.insert([item for item, _, _ in new_pairs])

        # 3. Versions: version 1 of new items, version N+1 of changed items, open drafts in place.
        versions: list[Row] = []
        materials: list[tuple[Any, list[Row]]] = []
        plain_materials: list[tuple[Row, list[str]]] = []  # new items: names only, defaults elsewhere
        for item, v, p in new_pairs:
            v.service_item_id = item.id
            versions.append(v)
            plain_materials.append((v, p.guide["materials"]))
        changed = [p for p in batch if p.kind in (NEW_VERSION, UPDATE_OPEN, ITEM_ONLY)]
        sources = self._sources([p for p in changed if p.kind != ITEM_ONLY])
        superseded: list[int] = []
        open_updates: list[ItemVersion] = []
        open_material_replace: list[int] = []
        item_updates: list[tuple[ServiceItem, Any]] = []
        for p in changed:
            it = p.item
            version: Any = None
            if p.kind == NEW_VERSION:
                source, source_materials = sources.get(it.compare_version_id, (None, []))
                version = self.versions.new(service_item_id=it.pk, number=it.max_number + 1)
                if source is not None:
                    for f in self._version_fields:
                        setattr(version, f.attname, getattr(source, f.attname))
                version.__dict__.update(stamp)
                self._apply_guide(version, p, source)
                versions.append(version)
                materials.append((version, self._materials(p, source_materials)))
                counts["new_versions"] += 1
                if not self.as_draft and it.published_version_id:
                    superseded.append(it.published_version_id)
            elif p.kind == UPDATE_OPEN:
                version, source_materials = sources[it.open_version_id]
                self._apply_guide(version, p, version)
                version.state, version.published_at, version.change_note = state, published_at, self.note
                if reviewer_id is not None:
                    version.reviewed_by_id = reviewer_id
                open_updates.append(version)
                if p.materials_given:
                    open_material_replace.append(version.pk)
                    materials.append((version, self._materials(p, source_materials)))
            item_updates.append((self._item_update(p, version, now), version))
        self.versions.insert(versions)
        if open_updates:
            fields = [f.name for f in self._version_fields] + ["state", "published_at", "reviewed_by", "change_note"]
            _update_rows(ItemVersion, open_updates, fields)
        if open_material_replace:
            Material.objects.filter(version_id__in=open_material_replace).delete()
        material_rows = []
        for version, mats in materials:
            for m in mats:
                m.version_id = version.id
                material_rows.append(m)
        self.materials.insert(material_rows, returning=False)
        if plain_materials:
            make = self.materials.maker("version_id", "seq", "name")
            self.materials.insert_values([make(v.id, i, name) for v, names in plain_materials
                                          for i, name in enumerate(names, start=1)])
        if superseded:
            ItemVersion.objects.filter(pk__in=superseded, state=VersionState.PUBLISHED).update(state=VersionState.SUPERSEDED)

        # 4. Items: new ones point at their published version 1; changed ones get their new state.
        if new_pairs and not self.as_draft and not linked:
            _update_rows(ServiceItem, [Row(id=item.id, published_version_id=v.id) for item, v, _ in new_pairs],
                         ["published_version"])
        with_headline, without_headline = [], []
        for obj, version in item_updates:
            if version is not None and not self.as_draft:
                obj.published_version_id = version.id
            (with_headline if getattr(obj, "_zw_headline", False) else without_headline).append(obj)
        if with_headline:
            _update_rows(ServiceItem, with_headline, [*_ITEM_UPDATE_FIELDS, *HEADLINE_FIELDS])
        if without_headline:
            _update_rows(ServiceItem, without_headline, _ITEM_UPDATE_FIELDS)
        counts["created"] = len(new_pairs)
        counts["updated"] = len(item_updates)
        counts["item_ids"] = [item.id for item, _, _ in new_pairs] + [obj.pk for obj, _ in item_updates]
        return counts

    def _apply_guide(self, version: Any, p: _Plan, source: ItemVersion | None) -> None:
        for k, f in _VERSION_FIELD_OF.items():
            if k == "fees" and source is not None and p.fees_same:
                continue  # same text in the cell: keep the stored list as it is (it may carry more keys)
            setattr(version, f, p.guide[k])
        if p.guide["materials"] and hasattr(version, "no_materials"):
            version.no_materials = False

    def _materials(self, p: _Plan, source_materials: list[Material]) -> list[Row]:
        """The new version's materials: as the file lists them, each keeping the details
        (必要性, 形式, 份数, 来源, files …) of the same material in the version it replaces."""
        names = p.guide["materials"] if p.materials_given else [m.name for m in source_materials]
        by_key: dict[str, Material] = {}
        for m in source_materials:
            by_key.setdefault(rules.material_key(m.name), m)
        out = []
        for i, name in enumerate(names, start=1):
            m = self.materials.new(name=name, seq=i)
            old = by_key.get(rules.material_key(name))
            if old is not None:
                for f in self._material_fields:
                    setattr(m, f.attname, getattr(old, f.attname))
            out.append(m)
        return out

    def _sources(self, plans: list[_Plan]) -> dict[int, tuple[ItemVersion, list[Material]]]:
        """The full versions (and materials) that changed rows copy from, one query each."""
        ids = set()
        for p in plans:
            it = p.item
            if p.kind == UPDATE_OPEN:
                ids.add(it.open_version_id)
            elif it.compare_version_id:
                ids.add(it.compare_version_id)
        if not ids:
            return {}
        versions = ItemVersion.objects.in_bulk(list(ids))
        mats: dict[int, list[Material]] = {i: [] for i in ids}
        for m in Material.objects.filter(version_id__in=list(ids)).order_by("version_id", "seq", "pk"):
            mats[m.version_id].append(m)
        return {pk: (v, mats[pk]) for pk, v in versions.items()}

    def _item_update(self, p: _Plan, version: Any, now) -> Row:
        """The item's new values (:data:`_ITEM_UPDATE_FIELDS`, plus the headline columns when they
        change), written for the whole batch with one ``executemany``."""
        it = p.item
        obj = Row(id=it.pk, department_id=p.department.pk, implementation_code=p.implementation_code,
                   handling_code=p.handling_code, handling_name=p.handling_name,
                   base_item_id=p.base_item.pk if p.base_item is not None else None,
                   code_recognised=p.code_recognised, status=it.status, lock_version=it.lock_version + 1,
                   published_version_id=it.published_version_id, updated_at=now)
        # The headline columns follow the version the public sees: a published one, or the draft
        # of an item that has never been published.
        if version is not None and (not self.as_draft or not it.published_version_id):
            for f in HEADLINE_FIELDS:
                setattr(obj, f, None)
            copy_headline(version, obj)
            obj._zw_headline = True
        if version is not None and not self.as_draft:
            obj.status = rules.item_status_after("approve", current=it.status,
                                                 has_published=bool(it.published_version_id))
        return obj


_ITEM_UPDATE_FIELDS = ["department", "implementation_code", "handling_code", "handling_name", "base_item",
                       "code_recognised", "status", "lock_version", "published_version", "updated_at"]


def _update_rows(model, objs: list, fields: list[str]) -> None:
    """``UPDATE … WHERE id = %s`` for each object through one ``executemany``.

    Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per field and row, which costs
    ~10 ms a row here (SQLite allows 999 parameters a statement); a prepared statement run many
    times costs a few microseconds a row on SQLite and is pipelined by psycopg on PostgreSQL.
    """
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(f) for f in fields]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(meta.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f in columns)} "
           f"WHERE {qn(meta.pk.column)} = %s")
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _db_reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "unique" in text or "duplicate" in text:
        return "与已有数据重复（可能有人同时修改了这些事项），请重新导入"
    return "数据库错误，请稍后重新导入"


ANALYZE_AFTER_ROWS = 10_000


def _refresh_statistics(report: ImportReport) -> None:
    """PostgreSQL plans by table statistics; right after 100,000 rows arrive they still describe
    the old, small tables (autovacuum catches up later), and lists, exports and the next import
    would scan whole tables. A big import refreshes them (a sampled ANALYZE, a few seconds)."""
    connection = connections[router.db_for_write(ServiceItem)]
    if connection.vendor != "postgresql" or report.created + report.updated < ANALYZE_AFTER_ROWS:
        return
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in (ServiceItem, ItemVersion, Material, BaseItem))
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")


# Imports touching up to this many items re-index them for search at once; bigger ones hand the
# work to the background worker (indexing costs about a millisecond an item).
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


def submit_job(*, region: Region, data: bytes, file_name: str, as_draft: bool = False, user=None,
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
                    file_size=len(data), as_draft=as_draft, source=source,
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
                              fatal=f"您没有{job.region.name}（{job.region.code}）的事项管理权限，不能向该区划导入事项")
        _finish(job, ImportJob.Status.FAILED, result=report.as_dict(), error=report.fatal)
        return report
    try:
        report = import_items(
            data, job.file_name, job.region, as_draft=job.as_draft, actor=user,
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


# -- export ---------------------------------------------------------------------------------------------
EXPORT_HEADER = [c.title for c in COLUMNS]


def export_rows(region: Region, *, include_disabled: bool = False, chunk: int = 2000) -> Iterator[list[Any]]:
    """The region's items in the import layout, one list per item (department order, then name).

    The guide is the one the public sees (the published version; the latest version of an item
    never published) — the same one an import compares with, so export → import is a no-op.
    """
    qs = ServiceItem.objects.filter(region=region)
    if not include_disabled:
        qs = qs.exclude(status=ItemStatus.DISABLED)
    # values_list over joins: department and base item names come with the item, no query per row.
    items = list(qs.order_by("department__sort_order", "department__name", "name", "handling_name", "pk").values_list(
        "pk", "department__name", "implementation_code", "handling_name", "handling_code", "base_item__code",
        "base_item__parent__name", "published_version_id"))
    unpublished = [r[0] for r in items if r[7] is None]
    latest: dict[int, int] = {}
    for start in range(0, len(unpublished), 5000):
        for item_id, pk in (ItemVersion.objects.filter(service_item_id__in=unpublished[start:start + 5000])
                            .order_by("service_item_id", "number").values_list("service_item_id", "pk")):
            latest[item_id] = pk
    for start in range(0, len(items), chunk):
        part = items[start:start + chunk]
        version_ids = [r[7] or latest.get(r[0]) for r in part]
        guides = dict(load_guides([v for v in version_ids if v]))
        for (pk, dept, impl, handling_name, handling_code, base_code, main, _), vid in zip(part, version_ids):
            guide = guides.get(vid)
            if guide is None:
                continue
            yield importer.export_cells({
                **guide, "department": dept, "base_code": base_code or "", "implementation_code": impl,
                "main_item": main or "", "handling_name": handling_name, "handling_code": handling_code,
            })


def export_items(region: Region, target, *, fmt: str = "xlsx", include_disabled: bool = False) -> int:
    """Write the region's items to ``target`` (a path or a binary file); returns the row count."""
    rows = export_rows(region, include_disabled=include_disabled)
    if fmt == "csv":
        if isinstance(target, (str, bytes)) or hasattr(target, "__fspath__"):
            with open(target, "wb") as f:
                return importer.write_csv(f, EXPORT_HEADER, rows)
        return importer.write_csv(target, EXPORT_HEADER, rows)
    return importer.write_xlsx(target, EXPORT_HEADER, rows, sheet_name=f"{region.name}实施清单")
