"""Reading 实施清单事项 for the workbench: the guide fields, the open version, the publication
checklist, 变更历史 and the reviewer's diff, and who may edit or review (and approve: 双人复核).

The write path is :mod:`zhengwu.catalog.services.items` (which re-exports these names).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from zhengwu.core.models import AuditEvent
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

from .. import review_rules, rules
from ..models import ItemVersion, ServiceItem

# The 办事指南 content of a version (what an editor changes and a new draft copies).
GUIDE_FIELDS: tuple[str, ...] = (
    "name", "popular_name", "keywords", "item_type", "legal_basis", "service_object", "themes",
    "acceptance_conditions", "case_type", "statutory_days", "promised_days", "visits", "channels",
    "online_depth", "allows_commitment", "commitment_check_days", "allows_tolerance", "no_materials", "process_steps", "locations",
    "office_hours", "consult_phone", "complaint_phone", "fees", "results", "result_licence_type", "special_procedures",
    "supports_appointment", "supports_express", "supports_online_payment", "tongban_scope", "form_schema",
    "change_note",
)
# The item's own fields (not versioned): codes, the 业务办理项 name and the 最低实名等级 an online
# application needs (an access rule, not guide text: it applies once saved).
ITEM_FIELDS: tuple[str, ...] = ("base_code", "implementation_code", "handling_code", "handling_name",
                                "min_real_name_level")
# ``licence_type`` is the reference; ``license_type`` its name kept with the row (ADR 0035). A
# caller may give either: a name alone is linked to the type of that name (services.items).
MATERIAL_FIELDS: tuple[str, ...] = (
    "name", "necessity", "form", "copies", "source", "source_department", "licence_type", "license_type",
    "acceptance_standard", "note",
)
EDITOR_ROLES = (Role.ITEM_ADMIN, Role.DEPT_ADMIN)
REVIEWER_ROLES = (Role.ITEM_ADMIN,)

AUDIT_TYPE = "catalog.serviceitem"


# -- reading ------------------------------------------------------------------------------------
def open_version(item: ServiceItem) -> ItemVersion | None:
    """The version being worked on (草稿, 待审核 or 退回修改), if any."""
    return item.versions.filter(state__in=rules.OPEN_STATES).order_by("-number").first()


def guide_of(version: ItemVersion) -> dict[str, Any]:
    return {f: getattr(version, f) for f in GUIDE_FIELDS}


def codes_of(item: ServiceItem) -> dict[str, str]:
    """The item's own fields (:data:`ITEM_FIELDS`) as the editor shows them and the audit records them."""
    return {
        "base_code": (item.base_item.code or "") if item.base_item_id else "",
        "implementation_code": item.implementation_code,
        "handling_code": item.handling_code,
        "handling_name": item.handling_name,
        "min_real_name_level": item.min_real_name_level,
    }


def materials_of(version: ItemVersion) -> list[dict[str, Any]]:
    return [{"id": m.pk, **{f: getattr(m, f) for f in MATERIAL_FIELDS}}
            for m in version.materials.select_related("licence_type")]


def publication_check(item: ServiceItem, version: ItemVersion) -> rules.GuideCheck:
    """What would stop ``version`` from being published (shown as a checklist to editors)."""
    return rules.check_guide(guide_of(version), materials=materials_of(version), codes=codes_of(item),
                             for_publication=True)


def history(item: ServiceItem, limit: int = 200) -> tuple[list[ItemVersion], list[AuditEvent]]:
    """变更历史: all versions (newest first) and the item's latest audit events."""
    # select_related: the history table shows who edited and who reviewed each version.
    versions = list(item.versions.select_related("created_by", "edited_by", "submitted_by", "reviewed_by")
                    .order_by("-number"))
    events = list(AuditEvent.objects.filter(object_type=AUDIT_TYPE, object_id=str(item.pk)).order_by("-seq")[:limit])
    return versions, events


def can_edit(user, item: ServiceItem) -> bool:
    return has_role(user, *EDITOR_ROLES, department=item.department)


def can_review(user, item: ServiceItem) -> bool:
    return has_role(user, *REVIEWER_ROLES, department=item.department)


def review_refusal(user, version: ItemVersion | None) -> str | None:
    """Why ``user`` may not approve ``version`` although they review the item (双人复核: they
    submitted it or changed it last, ADR 0059); None when they may. The service refuses the same."""
    if version is None:
        return None
    return review_rules.self_review_refusal(getattr(user, "pk", None), submitted_by=version.submitted_by_id,
                                            edited_by=version.edited_by_id,
                                            four_eyes=settings.ZHENGWU_CATALOG_FOUR_EYES)


# How the reviewer reads a part of a structured guide field (收费, 审批结果, 办理流程 …): a key's label,
# "" for the part that names the row (printed first, bare).
_PART_LABELS = {"name": "", "title": "", "step": "", "amount": "金额", "standard": "收费标准", "rule": "计费规则",
                "basis": "依据", "reductions": "减免", "condition": "条件", "percent": "减收%", "waive": "免收",
                "type": "类型", "sample": "样本", "days": "时限", "role": "岗位", "note": "说明", "description": "说明"}


def _meaningful(value: Any) -> Any:
    """The value without empty parts: a key added with an empty value ('sample': '') is no change."""
    if isinstance(value, dict):
        return {k: m for k, v in value.items() if (m := _meaningful(v)) not in (None, "", [], {})}
    if isinstance(value, list):
        return [_meaningful(v) for v in value]
    return value


def readable(value: Any) -> Any:
    """A guide field's value as the reviewer reads it: rows one per line, a row's parts labelled
    (工本费；金额 20.00；依据 …), not Python's [{'name': …}]."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        parts = []
        for k, v in value.items():
            text = readable(v)
            if text in (None, "", "否") and k != "waive":
                continue
            label = _PART_LABELS.get(k, k)
            parts.append(f"{label} {text}" if label else str(text))
        return "；".join(parts)
    if isinstance(value, list):
        return "\n".join(str(readable(v)) for v in value) if value else None
    return value


def version_diff(old: ItemVersion | None, new: ItemVersion) -> list[tuple[str, Any, Any]]:
    """(field label, before, after) for every guide field that differs — shown to the reviewer."""
    out = []
    for f in GUIDE_FIELDS:
        if f == "change_note":
            continue
        before = getattr(old, f) if old is not None else None
        after = getattr(new, f)
        if _meaningful(before) != _meaningful(after):
            out.append((ItemVersion._meta.get_field(f).verbose_name, readable(before), readable(after)))
    def rows(v):
        return [tuple(getattr(m, f) for f in MATERIAL_FIELDS if f != "licence_type") for m in v.materials.all()] \
            if v is not None else []

    if rows(old) != rows(new):
        out.append(("申请材料", "、".join(r[0] for r in rows(old)) or "（无）", "、".join(r[0] for r in rows(new)) or "（无）"))
    return out
