"""The write path of one 事项导入: planned rows written batch by batch, each batch one
transaction with bulk inserts/updates — new departments (kind 其他) and base items, items, guide
versions and materials. If a batch fails in the database, it is rolled back and its rows are
written one by one, so one row's problem costs only that row (每行要么全部写入，要么完全不写).

The bulk SQL (``COPY`` / multi-row ``INSERT``, ``executemany`` updates) is
:mod:`zhengwu.speedups.bulkinsert`. Part of the import (:mod:`zhengwu.catalog.services.imports`
is the entry point).
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.utils import timezone

from zhengwu.org.models import Department, Region
from zhengwu.speedups.bulkinsert import BulkInserter, Row, update_rows

from .. import rules
from ..denorm import HEADLINE_FIELDS, copy_headline
from ..models import BaseItem, ItemVersion, Material, ServiceItem
from ..models.items import ItemStatus, VersionState
from .import_catalogue import VERSION_FIELD_OF
from .import_plan import ITEM_ONLY, NEW, NEW_VERSION, UPDATE_OPEN, Plan
from .import_report import ImportReport

log = logging.getLogger("zhengwu.catalog.services.imports")

# Version fields copied from the version a new one replaces (the import sets the guide's own).
_COPY_EXCLUDE = {"id", "service_item", "number", "state", "created_by", "edited_by", "created_at", "submitted_at",
                 "submitted_by", "reviewed_by", "review_note", "published_at", "change_note", "import_job"}
_MATERIAL_COPY_EXCLUDE = {"id", "version", "seq", "name"}


class Writer:
    """Writes planned rows batch by batch; a batch that fails is retried row by row."""

    def __init__(self, region: Region, *, as_draft: bool, actor, file_name: str, report: ImportReport,
                 submit: bool = False, job=None):
        self.region = region
        self.as_draft = as_draft or submit
        # 导入并提交审核 (ADR 0060): versions 待审核, submitted by the importer, tagged with the job.
        self.submit = submit
        self.job_id = getattr(job, "pk", None)
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

    def write(self, batch: list[Plan]) -> None:
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
                    self.report.fail(plan.row)
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
        r.revised += counts["revised"]
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

    def _write(self, batch: list[Plan], created: list) -> dict[str, Any]:
        now = timezone.now()
        counts: dict[str, Any] = {"created": 0, "updated": 0, "new_versions": 0, "revised": 0, "base_items": 0,
                                  "departments": [], "item_ids": []}

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

        state = (VersionState.PENDING if self.submit else VersionState.DRAFT if self.as_draft
                 else VersionState.PUBLISHED)
        published_at = None if self.as_draft else now
        reviewer_id = None if self.as_draft else self.actor_id
        stamp = {"state": state, "created_by_id": self.actor_id, "edited_by_id": self.actor_id,
                 "reviewed_by_id": reviewer_id, "published_at": published_at, "change_note": self.note}
        submission = {"submitted_by_id": self.actor_id if self.submit else None,
                      "submitted_at": now if self.submit else None,
                      "import_job_id": self.job_id if self.submit else None}
        stamp.update(submission)
        new_status = (ItemStatus.PENDING if self.submit else ItemStatus.DRAFT if self.as_draft
                      else ItemStatus.PUBLISHED)

        # 2. New items: version 1 first (the item's headline columns are copied from it).
        new_pairs: list[tuple[Row, Row, Plan]] = []
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
                status=new_status)
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
                counts["revised"] += 1
                if not self.as_draft and it.published_version_id:
                    superseded.append(it.published_version_id)
            elif p.kind == UPDATE_OPEN:
                version, source_materials = sources[it.open_version_id]
                self._apply_guide(version, p, version)
                version.state, version.published_at, version.change_note = state, published_at, self.note
                version.edited_by_id = self.actor_id
                version.__dict__.update(submission)
                if reviewer_id is not None:
                    version.reviewed_by_id = reviewer_id
                open_updates.append(version)
                counts["revised"] += 1
                if p.materials_given:
                    open_material_replace.append(version.pk)
                    materials.append((version, self._materials(p, source_materials)))
            item_updates.append((self._item_update(p, version, now), version))
        self.versions.insert(versions)
        if open_updates:
            fields = [f.name for f in self._version_fields] + ["state", "published_at", "edited_by", "reviewed_by",
                                                                "change_note", "submitted_by", "submitted_at",
                                                                "import_job"]
            update_rows(ItemVersion, open_updates, fields)
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
            update_rows(ServiceItem, [Row(id=item.id, published_version_id=v.id) for item, v, _ in new_pairs],
                         ["published_version"])
        with_headline, without_headline = [], []
        for obj, version in item_updates:
            if version is not None and not self.as_draft:
                obj.published_version_id = version.id
            (with_headline if getattr(obj, "_zw_headline", False) else without_headline).append(obj)
        if with_headline:
            update_rows(ServiceItem, with_headline, [*_ITEM_UPDATE_FIELDS, *HEADLINE_FIELDS])
        if without_headline:
            update_rows(ServiceItem, without_headline, _ITEM_UPDATE_FIELDS)
        counts["created"] = len(new_pairs)
        counts["updated"] = len(item_updates)
        counts["item_ids"] = [item.id for item, _, _ in new_pairs] + [obj.pk for obj, _ in item_updates]
        return counts

    def _apply_guide(self, version: Any, p: Plan, source: ItemVersion | None) -> None:
        for k, f in VERSION_FIELD_OF.items():
            if k == "fees" and source is not None and p.fees_same:
                continue  # same text in the cell: keep the stored list as it is (it may carry more keys)
            setattr(version, f, p.guide[k])

    def _materials(self, p: Plan, source_materials: list[Material]) -> list[Row]:
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

    def _sources(self, plans: list[Plan]) -> dict[int, tuple[ItemVersion, list[Material]]]:
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

    def _item_update(self, p: Plan, version: Any, now) -> Row:
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
        if version is not None and (not self.as_draft or self.submit):
            obj.status = rules.item_status_after("submit" if self.submit else "approve", current=it.status,
                                                 has_published=bool(it.published_version_id))
        return obj


_ITEM_UPDATE_FIELDS = ["department", "implementation_code", "handling_code", "handling_name", "base_item",
                       "code_recognised", "status", "lock_version", "published_version", "updated_at"]


def _db_reason(exc: Exception) -> str:
    text = str(exc).lower()
    if "unique" in text or "duplicate" in text:
        return "与已有数据重复（可能有人同时修改了这些事项），请重新导入"
    return "数据库错误，请稍后重新导入"
