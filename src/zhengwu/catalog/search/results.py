"""What a result shows: item rows read without the ORM, objects attached to hits, highlighting."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from .sql import fetch, placeholders, quoted_table


@dataclass
class Hit:
    kind: str  # "item" | "bundle"
    pk: int
    score: float
    matched: list[str] = field(default_factory=list)
    obj: object = None  # the ServiceItem / Bundle, loaded with its department and region


class _Ref:
    """A related row reduced to the columns a result shows (department, region, base item)."""

    __slots__ = ("pk", "name", "short_name", "code")

    def __init__(self, pk=None, name="", short_name="", code=""):
        self.pk, self.name, self.short_name, self.code = pk, name, short_name, code

    def __str__(self) -> str:
        return self.name or self.code or ""


class ItemRow:
    """A search result item: the headline columns of a ServiceItem and its department, region and
    base item, read in one joined query without building ORM instances (the result list is on
    every search's critical path). Attribute names match ServiceItem's, so templates and the API
    treat both alike."""

    COLUMNS = ("id", "name", "popular_name", "status", "item_type", "service_object", "case_type",
               "statutory_days", "promised_days", "visits", "online_depth", "implementation_code",
               "handling_code", "handling_name", "department_id", "region_id", "base_item_id")

    def __init__(self, row: tuple) -> None:
        for col, value in zip(self.COLUMNS, row, strict=False):
            setattr(self, col, value)
        n = len(self.COLUMNS)
        self.pk = self.id
        self.department = _Ref(self.department_id, row[n], row[n + 1])
        self.region = _Ref(self.region_id, row[n + 3], code=row[n + 2])
        self.base_item = _Ref(self.base_item_id, code=row[n + 4] or "") if self.base_item_id else None

    _choices: dict[str, dict] = {}

    def _label(self, field_name: str) -> str:
        choices = ItemRow._choices.get(field_name)
        if choices is None:
            from ..models import ServiceItem

            choices = ItemRow._choices[field_name] = dict(ServiceItem._meta.get_field(field_name).flatchoices)
        value = getattr(self, field_name)
        return str(choices.get(value, value))

    def get_item_type_display(self) -> str:
        return self._label("item_type")

    def get_service_object_display(self) -> str:
        return self._label("service_object")

    def get_case_type_display(self) -> str:
        return self._label("case_type")

    def __str__(self) -> str:
        return self.name


def item_rows(ids: Sequence[int]) -> dict[int, ItemRow]:
    """Published items by id as :class:`ItemRow` (one query)."""
    from zhengwu.org.models import Department, Region

    from ..models import BaseItem, ServiceItem
    from ..models.items import ItemStatus

    if not ids:
        return {}
    cols = ", ".join(f"i.{c}" for c in ItemRow.COLUMNS)
    sql = (f"SELECT {cols}, d.name, d.short_name, r.code, r.name, b.code "
           f"FROM {quoted_table(ServiceItem)} i JOIN {quoted_table(Department)} d ON d.id = i.department_id "
           f"JOIN {quoted_table(Region)} r ON r.id = i.region_id LEFT JOIN {quoted_table(BaseItem)} b ON b.id = i.base_item_id "
           f"WHERE i.id IN ({placeholders(ids)}) AND i.status = %s")
    return {row[0]: ItemRow(row) for row in fetch(sql, [*ids, ItemStatus.PUBLISHED])}


def attach_objects(item_hits: list[Hit], bundle_hits: list[Hit]) -> None:
    """Load the hits' rows; drop any that stopped being published meanwhile."""
    from ..models import Bundle

    if item_hits:
        items = item_rows([h.pk for h in item_hits])
        for h in item_hits:
            h.obj = items.get(h.pk)
    if bundle_hits:
        bundles = Bundle.objects.filter(pk__in=[h.pk for h in bundle_hits], status=Bundle.Status.PUBLISHED) \
            .select_related("region").in_bulk()
        for h in bundle_hits:
            h.obj = bundles.get(h.pk)



def highlight(text: str, words: Sequence[str]) -> str:
    """HTML of ``text`` with ``words`` wrapped in <mark> (escaped; longest words win)."""
    from django.utils.html import escape

    if not text:
        return ""
    words = [w for w in words if w and w in text]
    if not words:
        return str(escape(text))
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(str(escape(text[last:m.start()])))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(str(escape(text[last:])))
    # Words matched side by side read as one highlight (two <mark>s in a row show a gap like a space).
    return "".join(out).replace("</mark><mark>", "")
