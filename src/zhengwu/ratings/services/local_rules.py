"""本地评价规则 (local rules): read them, and let the system administrator change them."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from zhengwu.core import audit
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

from .. import rules
from ..models import RatingRules
from .base import _invalid, _rule


def get_rules() -> RatingRules:
    obj = RatingRules.objects.filter(pk=1).first()
    if obj is None:
        obj, _ = RatingRules.objects.get_or_create(pk=1)
    return obj


RULE_FIELDS = ("default_enabled", "default_after_days", "rectify_workdays", "red_count", "black_count", "min_ratings",
               "weight_satisfaction", "weight_active", "weight_rectify", "bad_penalty",
               "weight_on_time", "overdue_penalty", "complaint_penalty")


@transaction.atomic
def update_rules(actor, **values) -> RatingRules:
    if not has_role(actor, Role.SYSADMIN):
        raise PermissionDenied("只有系统管理员可以修改本地评价规则")
    obj = RatingRules.objects.select_for_update().get(pk=get_rules().pk)
    before = {f: getattr(obj, f) for f in RULE_FIELDS}
    if "bad_levels" in values:
        # 差评 levels are not a local rule (国办发〔2019〕51号: 不满意、非常不满意); the national set
        # itself is accepted and changes nothing, anything else is refused with the reason.
        try:
            rules.check_bad_levels(values.pop("bad_levels"))
        except rules.RuleError as exc:
            raise _rule(exc) from None
    for name, value in values.items():
        if name not in RULE_FIELDS:
            raise _invalid(name, f"未知的规则项：{name}")
        setattr(obj, name, value)
    if not 1 <= int(obj.rectify_workdays) <= 60:
        raise _invalid("rectify_workdays", "差评整改时限应为 1 至 60 个工作日")
    if not 1 <= int(obj.default_after_days) <= 365:
        raise _invalid("default_after_days", "默认好评期限应为 1 至 365 天")
    if min(obj.weight_satisfaction, obj.weight_active, obj.weight_rectify, obj.bad_penalty, obj.weight_on_time,
           obj.overdue_penalty, obj.complaint_penalty) < 0:
        raise _invalid("weight_satisfaction", "权重和扣分不能为负数")
    if obj.weight_satisfaction + obj.weight_active + obj.weight_rectify <= 0:
        raise _invalid("weight_satisfaction", "三项权重之和必须大于 0")
    obj.updated_by = actor
    obj.save()
    audit.record("ratings.rules.update", actor=actor, obj=obj, before=before,
                 after={f: getattr(obj, f) for f in RULE_FIELDS})
    return obj

