"""The policy form and its rules editor (one row per condition: 条件 = field and comparison, 取值,
上限) read from and rendered to plain POST fields; no script needed."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from . import rules
from .models import Policy

EXTRA_ROWS = 3  # blank condition rows under the existing ones (a blank row is ignored)
MAX_ROWS = rules.MAX_CONDITIONS + EXTRA_ROWS


def condition_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Option groups of the 条件 select: ("个人（人口库）", [("age:gte", "年龄 不小于"), …]), …"""
    labels = dict(Policy.Kind.choices)
    return [(labels[kind], [(f"{name}:{op}", f"{f.label} {op_label}") for name, f in fields.items()
                            for op, op_label in f.ops.items()])
            for kind, fields in rules.FIELDS.items()]


def _rows_from_post(post) -> list[dict]:
    rows = []
    for i in range(MAX_ROWS):
        choice = post.get(f"cond-{i}-what", "").strip()
        if not choice:
            continue
        name, _, op = choice.partition(":")
        rows.append({"field": name, "op": op, "value": post.get(f"cond-{i}-value", "").strip(),
                     "value2": post.get(f"cond-{i}-value2", "").strip()})
    return rows


def policy_data(post) -> dict:
    return {
        "name": post.get("name", ""), "department": post.get("department", ""), "kind": post.get("kind", ""),
        "mode": post.get("mode", ""), "description": post.get("description", ""),
        "legal_basis": post.get("legal_basis", ""), "amount_text": post.get("amount_text", ""),
        "rules": _rows_from_post(post),
    }


def initial(policy: Policy) -> dict:
    return {"name": policy.name, "department": str(policy.department_id), "kind": policy.kind, "mode": policy.mode,
            "description": policy.description, "legal_basis": policy.legal_basis,
            "amount_text": policy.amount_text, "rules": list(policy.rules)}


def editor_rows(conditions: list[dict]) -> list[dict]:
    """The rows the editor shows: each condition, then blank ones."""
    rows = []
    for c in conditions:
        value = c.get("value", "")
        if c.get("field") == "alive":
            value = "在世" if value in (True, "true", "在世") else "已故" if value in (False, "false", "已故") else value
        rows.append({"what": f"{c.get('field', '')}:{c.get('op', '')}", "value": value, "value2": c.get("value2", "")})
    rows += [{"what": "", "value": "", "value2": ""}] * EXTRA_ROWS
    return [dict(r, i=i) for i, r in enumerate(rows)]


def errors_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": exc.messages}
