"""What is already there, as one 事项导入 sees it: the region's departments, items (with the
guide each row is compared with), base items and version numbers, loaded into dicts once — no
query per row.

Part of the import (:mod:`zhengwu.catalog.services.imports` is the entry point).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connections, router

from zhengwu.org.models import Department, Region
from zhengwu.speedups.bulkinsert import in_clause

from .. import rules
from ..importer import GUIDE_KEYS, ParsedRow
from ..models import BaseItem, ItemVersion, Material, ServiceItem

# Version fields the import writes (the others are copied from the version it replaces).
VERSION_FIELD_OF = {k: k for k in GUIDE_KEYS if k != "materials"}
# Version fields no column carries that the rules on a row's guide need: 网上办理深度 四级 requires
# 网上办理 among the 办理形式 (rules.check_guide), so a file cannot drop it unnoticed until approval.
CONTEXT_KEYS = ("online_depth",)


@dataclass
class ExistingItem:
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


AMBIGUOUS = object()


class Ref:
    """An existing row known only by its key (base items: the import never changes them)."""

    __slots__ = ("pk",)

    def __init__(self, pk: int):
        self.pk = pk


class Catalogue:
    """The region's departments, items and base items, keyed the ways rows find them."""

    def __init__(self, region: Region, as_draft: bool):
        self.region = region
        # Departments of the region by name (unique by region + name).
        self.departments: dict[str, Department] = {
            d.name: d for d in Department.objects.filter(region=region).only("pk", "name", "region_id")
        }
        self.items_by_key: dict[tuple[int, str, str], ExistingItem] = {}
        self.items_by_code: dict[tuple[str, str], Any] = {}
        rows = ServiceItem.objects.filter(region=region).values_list(
            "pk", "department_id", "name", "handling_name", "implementation_code", "handling_code", "base_item_id",
            "code_recognised", "status", "published_version_id", "lock_version", "base_item__code")
        items: dict[int, ExistingItem] = {}
        open_numbers: dict[int, int] = {}
        for r in rows.iterator(chunk_size=5000):
            it = ExistingItem(*r)
            items[it.pk] = it
            self.items_by_key[(it.department_id, it.name, it.handling_name)] = it
            if it.implementation_code:
                key = (it.implementation_code, it.handling_name)
                self.items_by_code[key] = AMBIGUOUS if key in self.items_by_code else it
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
            if row.errors:  # a bad row is not imported: it needs no base item
                continue
            v = row.values
            code = v.get("base_code")
            if code:
                codes.add(code)
                if len(code) == 12:
                    codes.add(code[:9] + "000")
            if v.get("main_item"):
                names.add(v["main_item"])
                names.add(v["name"])
        # Plain SQL: the ORM prepares every value of an IN list one by one, too slow for the codes
        # of a whole file.
        connection = connections[router.db_for_read(BaseItem)]
        qn = connection.ops.quote_name
        table = qn(BaseItem._meta.db_table)
        with connection.cursor() as cursor:
            for chunk in chunked(sorted(codes), 900):
                where, params = in_clause(connection, qn("code"), chunk)
                cursor.execute(f"SELECT {qn('id')}, {qn('code')} FROM {table} WHERE {where}", params)
                for pk, code in cursor.fetchall():
                    self.base_by_code[code] = Ref(pk)
            for chunk in chunked(sorted(names), 900):
                where, params = in_clause(connection, qn("name"), chunk)
                cursor.execute(f"SELECT {qn('id')}, {qn('name')} FROM {table} WHERE {qn('code')} IS NULL AND {where} "
                               f"ORDER BY {qn('id')} DESC", params)
                for pk, name in cursor.fetchall():
                    self.base_by_name[name] = Ref(pk)  # the oldest wins (rows come newest first)

    def _load_guides(self, items: list[ExistingItem]) -> None:
        by_version = {it.compare_version_id: it for it in items}
        for version_id, guide in load_guides(list(by_version)):
            by_version[version_id].guide = guide


def load_guides(version_ids: list[int]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(version id, guide as the import sees it — :data:`GUIDE_KEYS` with materials as names, and
    :data:`CONTEXT_KEYS`) for many versions: plain SQL in chunks, the JSON of 收费 and 办理形式
    decoded here."""
    connection = connections[router.db_for_read(ItemVersion)]
    qn = connection.ops.quote_name
    version_table, material_table = qn(ItemVersion._meta.db_table), qn(Material._meta.db_table)
    # CONTEXT_KEYS: read with the guide for the rules across columns, never written by the import.
    keys = [*VERSION_FIELD_OF, *CONTEXT_KEYS]
    columns = ", ".join(qn(ItemVersion._meta.get_field(VERSION_FIELD_OF.get(k, k)).column) for k in keys)
    for chunk in chunked(version_ids, 5000):
        where, params = in_clause(connection, qn("id"), chunk)
        guides: dict[int, dict[str, Any]] = {}
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {qn('id')}, {columns} FROM {version_table} WHERE {where}", params)
            for row in cursor.fetchall():
                guide = dict(zip(keys, row[1:]))
                for key in ("fees", "channels"):  # JSON columns come as text from a raw query
                    if isinstance(guide[key], str):
                        guide[key] = json.loads(guide[key])
                guide["materials"] = []
                guides[row[0]] = guide
            where, params = in_clause(connection, qn("version_id"), chunk)
            cursor.execute(f"SELECT {qn('version_id')}, {qn('name')} FROM {material_table} WHERE {where} "
                           f"ORDER BY {qn('version_id')}, {qn('seq')}, {qn('id')}", params)
            for version_id, name in cursor.fetchall():
                guides[version_id]["materials"].append(name)
        yield from guides.items()


def chunked(seq: list, size: int) -> Iterator[list]:
    for start in range(0, len(seq), size):
        yield seq[start:start + size]
