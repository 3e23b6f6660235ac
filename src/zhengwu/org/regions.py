"""Region codes as a reader knows them (行政区划名称): 410105 → 金水区（410105）."""

from __future__ import annotations

from zhengwu.core import identifiers

from .models import Region


def region_namer():
    """A function code → "name（code）", the name that of the code's region or, for a code below the
    regions the platform holds (a street's 410105001000), of its nearest ancestor; the code alone
    when none is known. Reads the region table once (a few thousand rows) per namer."""
    names = dict(Region.objects.values_list("code", "name"))

    def name(code: str) -> str:
        code = str(code or "")
        full = code.ljust(12, "0") if code.isdigit() and len(code) <= 12 else ""
        probe = full or None
        while probe:
            if probe in names:
                return f"{names[probe]}（{code}）"
            try:
                probe = identifiers.region_parent_code(probe)
            except (KeyError, ValueError):
                probe = None
        return code

    return name
