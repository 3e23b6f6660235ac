"""Demo catalogue of 河南省郑州市金水区 (实施清单 + 办事指南 + 一件事), as compact Python data.

Each department module holds ``ITEMS = {"部门简称": [x(...), ...]}``; ``bundles.BUNDLES`` lists the
一件事. Records give only what differs from the department defaults in :mod:`.common`; the loader
(:mod:`zhengwu.catalog.demo`) expands them into complete guides.

Item codes are derived from a record's position in its department's list (主项 = department
number + sequence), so **append new items at the end of a department's list**.
"""

from . import bundles, common, economy, market, others, police, social, urban, welfare

# Order matters: item codes follow each department's list, filled in this order.
MODULES = (police, social, market, urban, welfare, economy, others)


def all_items() -> dict[str, list[dict]]:
    """Department short name → its item records, in department order of appearance."""
    out: dict[str, list[dict]] = {}
    for module in MODULES:
        for dept, items in module.ITEMS.items():
            out.setdefault(dept, []).extend(items)
    return out


__all__ = ["all_items", "bundles", "common"]
