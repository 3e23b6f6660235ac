"""事项导出: a region's items in the import layout (.xlsx or .csv), so that export → import
changes nothing. :mod:`zhengwu.catalog.services.imports` re-exports these names.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from zhengwu.org.models import Region

from .. import importer
from ..importer import COLUMNS
from ..models import ItemVersion, ServiceItem
from ..models.items import ItemStatus
from .import_catalogue import load_guides

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