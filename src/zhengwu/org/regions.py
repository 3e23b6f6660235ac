"""Region codes as a reader knows them (行政区划名称): 410105 → 金水区（410105）."""

from __future__ import annotations

from zhengwu.core import identifiers

from .models import Region


def nearest_ancestor(code: str, known: dict):
    """``known``'s value for the closest region above ``code`` (12 digits) that it holds, or None."""
    parent_code = identifiers.region_parent_code(code)
    while parent_code and parent_code not in known:
        parent_code = identifiers.region_parent_code(parent_code)
    return known[parent_code] if parent_code else None


def region_namer():
    """A function code → "name（code）", the name that of the code's region or, for a code below the
    regions the platform holds (a street's 410105001000), of its nearest ancestor; the code alone
    when none is known. Reads the region table once (a few thousand rows) per namer."""
    names = dict(Region.objects.values_list("code", "name"))

    def name(code: str) -> str:
        code = str(code or "")
        if not (code.isdigit() and len(code) in (2, 4, 6, 9, 12)):
            return code
        full = code.ljust(12, "0")
        found = names.get(full) or nearest_ancestor(full, names)
        return f"{found}（{code}）" if found else code

    return name
