"""The workbench menu: domain apps register their entries, the shell shows what a role may use.

An app registers in its ``AppConfig.ready``::

    from zhengwu.workbench.menu import MenuEntry, register
    register(MenuEntry("事项管理", "catalog:wb_items", roles={"item_admin"}, icon="card-checklist", order=20))
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from zhengwu.org.permissions import roles_of


@dataclass(frozen=True)
class MenuEntry:
    label: str
    url_name: str
    roles: frozenset[str] | set[str] = field(default_factory=frozenset)  # empty: every staff member
    icon: str = ""  # an icon of the SVG sprite (zhengwu.core.icons, tools/icon_sprite.py), not an emoji
    order: int = 100
    description: str = ""
    # Waiting work shown on the home page card: count(user, cap) → how many, at most ``cap`` (a
    # bounded query: COUNT over the first ``cap`` rows, never the whole table).
    count: Callable[..., int] | None = field(default=None, compare=False)
    count_label: str = "件待办"


_entries: list[MenuEntry] = []


def register(entry: MenuEntry) -> None:
    if all(e.url_name != entry.url_name for e in _entries):
        _entries.append(entry)


def entries_for(user) -> list[dict]:
    mine = roles_of(user)
    result = []
    for e in sorted(_entries, key=lambda e: (e.order, e.label)):
        if e.roles and not (set(e.roles) & mine):
            continue
        try:
            url = reverse(e.url_name)
        except NoReverseMatch:
            continue
        result.append({"label": e.label, "url": url, "icon": e.icon, "description": e.description,
                       "entry": e})
    return result


COUNT_CAP = 999  # a card says "999+" beyond this: nobody works through more in one sitting


def with_counts(entries: list[dict], user) -> list[dict]:
    """The home page's cards with their waiting-work counts (one bounded query per counted card)."""
    out = []
    for item in entries:
        entry = item.get("entry")
        count = entry.count(user, COUNT_CAP + 1) if entry is not None and entry.count is not None else None
        text = "" if count is None else (f"{COUNT_CAP}+" if count > COUNT_CAP else str(count))
        out.append({**item, "count": count, "count_text": text,
                    "count_label": entry.count_label if entry is not None else ""})
    return out
