"""Workbench forms of the registry: parse what staff post; the checks are the services' (rules).

The fields a type carries are edited as rows (``field-<n>-key``, ``-label``, ``-type``,
``-required``, ``-default``) and become ``fields_schema``; the PDF template's field order is a list of keys.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from . import rules

ROW_PREFIX = "field-"
EXTRA_ROWS = 3  # blank rows offered under the existing ones
MAX_ROWS = rules.MAX_FIELDS + EXTRA_ROWS


def schema_rows(post) -> list[dict]:
    """The field rows posted, in order (blank rows kept out by the service's clean-up)."""
    rows = []
    for i in range(MAX_ROWS):
        key = post.get(f"{ROW_PREFIX}{i}-key")
        if key is None and post.get(f"{ROW_PREFIX}{i}-label") is None:
            continue
        rows.append({"key": (key or "").strip(), "label": (post.get(f"{ROW_PREFIX}{i}-label") or "").strip(),
                     "type": post.get(f"{ROW_PREFIX}{i}-type") or "string",
                     "required": post.get(f"{ROW_PREFIX}{i}-required") == "on",
                     "default": (post.get(f"{ROW_PREFIX}{i}-default") or "").strip()})
    return rows


def type_data(post) -> dict:
    """What the type services take, from a POST."""
    order = [k.strip() for k in (post.get("field_order") or "").replace("，", ",").split(",") if k.strip()]
    return {
        "name": post.get("name", ""), "code": post.get("code", ""), "holder_kind": post.get("holder_kind", ""),
        "departments": post.getlist("departments"), "validity_years": (post.get("validity_years") or "").strip(),
        "fields_schema": schema_rows(post), "title": post.get("title", ""), "field_order": order,
        "seal_x": (post.get("seal_x") or "").strip(), "seal_y": (post.get("seal_y") or "").strip(),
        "is_active": post.get("is_active") == "on",
    }


def type_initial(t) -> dict:
    template = t.template or {}
    return {"name": t.name, "code": t.code, "holder_kind": t.holder_kind,
            "departments": [str(pk) for pk in t.departments.values_list("pk", flat=True)],
            "validity_years": "" if t.validity_years is None else str(t.validity_years),
            "fields_schema": list(t.fields_schema or []), "title": template.get("title", ""),
            "field_order": list(template.get("field_order") or []),
            "seal_x": "" if template.get("seal_x") is None else str(template["seal_x"]),
            "seal_y": "" if template.get("seal_y") is None else str(template["seal_y"]),
            "is_active": t.is_active}


def display_rows(data: dict) -> list[dict]:
    """The rows the editor shows: the posted/stored ones plus blank ones."""
    rows = list(data.get("fields_schema") or [])
    return rows + [{"key": "", "label": "", "type": "string", "required": False, "default": ""}] * EXTRA_ROWS


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    """A service's refusal as {field: [messages]} (``__all__`` for the form as a whole)."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}
