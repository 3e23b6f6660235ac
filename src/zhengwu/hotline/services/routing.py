"""How tickets are routed: keyword rules (派单规则) and training the dispatch model."""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhengwu.core import audit
from zhengwu.org.permissions import is_sysadmin

from .base import _category, _department, _text, is_centre


# -- keyword rules (派单规则) ------------------------------------------------------------------------------
@transaction.atomic
def save_rule(user, data: dict):
    """Add a dispatch rule: all keywords present → this category and/or department."""
    from ..models import KeywordRule

    if not (is_centre(user) or is_sysadmin(user)):
        raise PermissionDenied("仅派单中心可以维护派单规则")
    words = " ".join(re.split(r"[\s,，、]+", _text(data.get("keywords"), "keywords", "关键词"))).strip()
    category = _category(data.get("category")) if data.get("category") else None
    department = _department(data.get("department")) if data.get("department") else None
    if category is None and department is None:
        raise ValidationError({"category": "派单规则须指定分类或承办单位（至少一项）"})
    try:
        priority = int(data.get("priority") or 100)
    except (TypeError, ValueError):
        raise ValidationError({"priority": "优先级应为整数"}) from None
    rule = KeywordRule.objects.create(keywords=words, category=category, department=department, priority=priority,
                                      note=_text(data.get("note"), "note", "说明", required=False))
    audit.record("hotline.rule.add", actor=user, obj=rule, after={"keywords": words, "category": category.path if category else "",
                                                                 "department": department.name if department else ""})
    from .. import classifier

    classifier.invalidate()
    return rule


@transaction.atomic
def toggle_rule(user, rule_id: int):
    from ..models import KeywordRule

    if not (is_centre(user) or is_sysadmin(user)):
        raise PermissionDenied("仅派单中心可以维护派单规则")
    rule = KeywordRule.objects.select_for_update().get(pk=rule_id)
    rule.is_active = not rule.is_active
    rule.save(update_fields=["is_active"])
    audit.record("hotline.rule.toggle", actor=user, obj=rule, after={"is_active": rule.is_active})
    from .. import classifier

    classifier.invalidate()
    return rule


# -- training from the workbench / command ---------------------------------------------------------------
def train_model(user, data: bytes, file_name: str, *, test_share: float = 0.2, spec: str | None = None):
    """Read a history file, train, save a new version and activate it (see :mod:`zhengwu.hotline.classifier`)."""
    from .. import classifier

    samples = classifier.read_samples(data, file_name)
    trained = classifier.train(samples, test_share=test_share, spec=spec)
    row = classifier.save_version(trained, source=file_name, user=user)
    classifier.invalidate()
    return row, trained
