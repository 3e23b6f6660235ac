"""Workbench forms of the registers: what staff post, as the dicts the services take (the checks
are the services'), and the values an editor starts from."""

from __future__ import annotations

from django.core.exceptions import ValidationError

ITEM_FIELDS = ("department", "name", "code", "legal_basis", "check_method", "check_content", "service_item")
INSPECTOR_FIELDS = ("department", "name", "cert_number", "field", "status", "valid_until", "username")
OBJECT_FIELDS = ("uscc", "name", "category", "industry", "region_code", "address", "risk_level")


def posted(post, fields: tuple[str, ...], *, active: bool = True) -> dict:
    data = {f: (post.get(f) or "").strip() for f in fields}
    if active:
        data["is_active"] = post.get("is_active") == "on"
    return data


def item_initial(item) -> dict:
    return {"department": str(item.department_id), "name": item.name, "code": item.code,
            "legal_basis": item.legal_basis, "check_method": item.check_method,
            "check_content": item.check_content, "service_item": str(item.service_item_id or ""),
            "is_active": item.is_active}


def inspector_initial(i) -> dict:
    return {"department": str(i.department_id), "name": i.name, "cert_number": i.cert_number, "field": i.field,
            "status": i.status, "valid_until": i.valid_until.isoformat(),
            "username": i.user.username if i.user_id else ""}


def object_initial(o) -> dict:
    return {"uscc": o.uscc or "", "name": o.name, "category": o.category, "industry": o.industry,
            "region_code": o.region_code, "address": o.address, "risk_level": o.risk_level,
            "is_active": o.is_active}


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    """A service's refusal as {field: [messages]} (``__all__`` for the form as a whole)."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}
