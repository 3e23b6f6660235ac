"""The headline fields a ServiceItem copies from its current guide version (for lists/search)."""

from __future__ import annotations

HEADLINE_FIELDS = (
    "name", "popular_name", "keywords", "item_type", "service_object", "case_type",
    "statutory_days", "promised_days", "visits", "online_depth", "themes",
)


def copy_headline(version, item) -> list[str]:
    """Copy the headline fields of ``version`` onto ``item``; return the names that changed."""
    changed = []
    for f in HEADLINE_FIELDS:
        value = getattr(version, f)
        if getattr(item, f) != value:
            setattr(item, f, value)
            changed.append(f)
    return changed
