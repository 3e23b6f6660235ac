"""Application forms defined per item version as JSON Schema (申报表单).

A schema is a JSON Schema object (``type: object``) with Chinese ``title``s; we use the
``jsonschema`` library to validate and turn its errors into Chinese messages naming the field.
``x-prefill`` on a property names applicant data to fill in (name, uscc, legal_rep_name).
ID and phone numbers are never copied into form data (it is not encrypted): the case refers
to its applicant, whose personal data stays in encrypted columns.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

PREFILL_SOURCES = {"name", "uscc", "legal_rep_name"}

# A form field filled from a reused e-licence's 照面信息: the licence field of the same key, else the
# one named here (by key, for every item and licence type). A form's 住所 (``residence``) is the
# 营业执照's 住所（经营场所） (``shop_address``; a 个体工商户's 经营场所).
LICENCE_FIELD_ALIASES = {"residence": ("shop_address",)}


def check_schema(schema: dict) -> list[str]:
    if not schema:
        return []
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [f"表单定义不是有效的 JSON Schema：{exc.message}"]
    if schema.get("type") != "object":
        return ["表单定义的顶层 type 应为 object"]
    errors = []
    for key, prop in (schema.get("properties") or {}).items():
        if not prop.get("title"):
            errors.append(f"字段“{key}”缺少中文名称（title）")
        src = prop.get("x-prefill")
        if src and src not in PREFILL_SOURCES:
            errors.append(f"字段“{key}”的 x-prefill 不正确：只能是 {'、'.join(sorted(PREFILL_SOURCES))}")
    return errors


def _message(error, titles: dict[str, str]) -> tuple[str, str]:
    path = list(error.absolute_path)
    field = str(path[0]) if path else ""
    if error.validator == "required":
        field = error.message.split("'")[1] if "'" in error.message else field
        return field, f"{titles.get(field, field)}：必填"
    title = titles.get(field, field or "表单")
    v = error.validator_value
    rule = {
        "type": "格式不正确",
        "minLength": f"至少{v}个字",
        "maxLength": f"不能超过{v}个字",
        "minimum": f"不能小于{v}",
        "maximum": f"不能大于{v}",
        "exclusiveMinimum": f"应大于{v}",
        "pattern": "格式不正确",
        "enum": f"只能是：{'、'.join(map(str, v)) if isinstance(v, list) else v}",
        "format": "格式不正确",
    }.get(error.validator, "不符合要求")
    return field, f"{title}：{rule}"


def validate(schema: dict, data: dict[str, Any]) -> dict[str, list[str]]:
    """Field → Chinese messages; empty when the data is valid."""
    if not schema:
        return {}
    titles = {k: p.get("title", k) for k, p in (schema.get("properties") or {}).items()}
    errors: dict[str, list[str]] = {}
    for error in sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path)):
        field, message = _message(error, titles)
        errors.setdefault(field or "form", []).append(message)
    return errors


def prefill(schema: dict, applicant) -> dict[str, Any]:
    """Values the platform already knows (name, ID, enterprise data) for the form."""
    out: dict[str, Any] = {}
    for key, prop in ((schema or {}).get("properties") or {}).items():
        src = prop.get("x-prefill")
        if not src or applicant is None:
            continue
        value = getattr(applicant, src, "")
        if value:
            out[key] = value
    return out


def prefill_from_licences(schema: dict, faces: list[tuple[str, dict]], skip=()) -> dict[str, tuple[Any, str]]:
    """{form key: (value, licence type name)} from ``faces`` — (type name, 照面信息) of the licences the
    form reuses for its materials (only licences the applicant holds): a field whose key is a field of
    a licence (or :data:`LICENCE_FIELD_ALIASES`) and whose value fits the field. The first licence
    that has a value wins; ``skip``: keys filled otherwise (from the applicant's record)."""
    out: dict[str, tuple[Any, str]] = {}
    for key, prop in ((schema or {}).get("properties") or {}).items():
        if key in skip or not isinstance(prop, dict):
            continue
        for type_name, data in faces:
            value = next((data[k] for k in (key, *LICENCE_FIELD_ALIASES.get(key, ()))
                          if data.get(k) not in (None, "", [])), None)
            if value is not None and Draft202012Validator(prop).is_valid(value):
                out[key] = (value, type_name)
                break
    return out
