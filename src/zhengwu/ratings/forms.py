"""Reading the rating form (pages) into service arguments; errors keyed by field."""

from __future__ import annotations

from . import rules


def rating_input(post, kind: str, *, with_phone: bool = False) -> dict:
    dims = {}
    for name in rules.dimensions_for(kind):
        value = post.get(f"dim_{name}", "")
        if value:
            dims[name] = value
    out = {"level": post.get("level", ""), "dims": dims, "tags": post.getlist("tags"),
           "comment": post.get("comment", "")}
    if with_phone:
        out["phone"] = post.get("phone", "")
    return out


def errors_of(exc) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: list(v) for k, v in exc.message_dict.items()}
    return {"__all__": list(getattr(exc, "messages", [str(exc)]))}


# Errors the form shows next to their field; the dimensions' (``dims``, ``dims.<name>``) under the
# scores; any other (``__all__``, a token …) on top. Each message is shown once.
INLINE_FIELDS = frozenset({"level", "tags", "comment", "phone"})


def _is_dims(key: str) -> bool:
    return key == "dims" or key.startswith("dims.")


def form_context(kind: str, data=None, errors=None) -> dict:
    dims = rules.dimensions_for(kind)
    data = data or {}
    errors = errors or {}
    return {
        "levels": sorted(rules.LEVELS.items(), reverse=True),
        "dims": [(name, label, data.get(f"dim_{name}", "")) for name, label in dims.items()],
        "tags_good": rules.TAGS_GOOD, "tags_bad": rules.bad_problems_for(kind), "bad_levels": rules.BAD_LEVELS,
        "data": data, "errors": errors,
        "dim_errors": [m for k, msgs in errors.items() if _is_dims(k) for m in msgs],
        "error_list": [m for k, msgs in errors.items() if k not in INLINE_FIELDS and not _is_dims(k) for m in msgs],
        "selected_tags": data.getlist("tags") if hasattr(data, "getlist") else [],
    }
