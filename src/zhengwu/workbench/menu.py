"""The workbench menu: domain apps register their entries, the shell shows what a role may use.

An app registers in its ``AppConfig.ready``::

    from zhengwu.workbench.menu import MenuEntry, register
    register(MenuEntry("事项管理", "catalog:wb_items", roles={"item_admin"}, icon="card-checklist", order=20))

Entries are shown in groups (菜单分组): an entry's ``group`` when it names one, else the group of its
app (the URL namespace, :data:`NAMESPACE_GROUPS`). A person with more than :data:`FLAT_MAX` entries
gets one drop-down per group in the navbar and headed sections on the home page; fewer stay flat.
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
    group: str = ""  # a group of GROUPS; empty: the group of the app (NAMESPACE_GROUPS)
    roles: frozenset[str] | set[str] = field(default_factory=frozenset)  # empty: every staff member
    icon: str = ""  # an icon of the SVG sprite (zhengwu.core.icons, tools/icon_sprite.py), not an emoji
    order: int = 100
    description: str = ""
    # Waiting work shown on the home page card: count(user, cap) → how many, at most ``cap`` (a
    # bounded query: COUNT over the first ``cap`` rows, never the whole table).
    count: Callable[..., int] | None = field(default=None, compare=False)
    count_label: str = "件待办"
    # A further condition on the user (e.g. "is registered as an inspector"), checked after the roles.
    when: Callable[..., bool] | None = field(default=None, compare=False)


# The groups in the order shown, and the group of each app's entries.
GROUPS: tuple[str, ...] = ("政务服务", "事项管理", "好差评", "12345热线", "电子证照", "数据共享", "监管",
                           "统计分析", "其他")
NAMESPACE_GROUPS: dict[str, str] = {
    "cases": "政务服务", "queueing": "政务服务", "catalog": "事项管理", "ratings": "好差评",
    "hotline": "12345热线", "licenses": "电子证照", "datashare": "数据共享", "inspections": "监管",
}
FLAT_MAX = 10  # up to this many entries the navbar lists them one by one

_entries: list[MenuEntry] = []


def group_of(entry: MenuEntry) -> str:
    if entry.group:
        return entry.group
    return NAMESPACE_GROUPS.get(entry.url_name.split(":", 1)[0], "其他")


def register(entry: MenuEntry) -> None:
    if all(e.url_name != entry.url_name for e in _entries):
        _entries.append(entry)


def entries_for(user) -> list[dict]:
    mine = roles_of(user)
    result = []
    for e in sorted(_entries, key=lambda e: (e.order, e.label)):
        if e.roles and not (set(e.roles) & mine):
            continue
        if e.when is not None and not e.when(user):
            continue
        try:
            url = reverse(e.url_name)
        except NoReverseMatch:
            continue
        result.append({"label": e.label, "url": url, "icon": e.icon, "description": e.description,
                       "group": group_of(e), "entry": e})
    return result


def grouped(entries: list[dict]) -> list[tuple[str, list[dict]]]:
    """[(group, its entries)] in the order of :data:`GROUPS`, empty groups left out; one group
    "" holding everything when there are no more than :data:`FLAT_MAX` entries."""
    if len(entries) <= FLAT_MAX:
        return [("", entries)] if entries else []
    order = {g: i for i, g in enumerate(GROUPS)}
    by_group: dict[str, list[dict]] = {}
    for item in entries:
        by_group.setdefault(item["group"], []).append(item)
    return sorted(by_group.items(), key=lambda kv: order.get(kv[0], len(GROUPS)))


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
