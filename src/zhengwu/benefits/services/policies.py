"""政策管理: create and edit a policy with its rules (lock_version against lost updates), publish,
stop. Every change is audited; bad input is a ``ValidationError`` naming the field in Chinese."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.org.models import Department
from zhengwu.org.permissions import staff_departments

from .. import rules
from ..models import Policy
from ..queries import POLICY_ROLES, may_manage
from . import StalePolicy

TEXT_LIMITS = {"description": ("政策内容", 4000), "legal_basis": ("政策依据", 2000), "amount_text": ("享受标准", 200)}


def _validated(user, data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = ["政策名称：不能为空"]
    elif len(name) > 100:
        errors["name"] = ["政策名称：最多100个字"]
    kind = data.get("kind")
    if kind not in Policy.Kind.values:
        errors["kind"] = ["享受对象：应为 个人 或 企业"]
    mode = data.get("mode")
    if mode not in Policy.Mode.values:
        errors["mode"] = ["兑现方式：应为 确认后享受 或 直接兑现"]
    values = {"name": name, "kind": kind, "mode": mode}
    for key, (label, limit) in TEXT_LIMITS.items():
        text = str(data.get(key) or "").strip()
        if len(text) > limit:
            errors[key] = [f"{label}：最多{limit}个字"]
        values[key] = text
    pool = Department.objects.all() if user is None else staff_departments(user, POLICY_ROLES)
    dep_id = str(data.get("department") or "")
    department = pool.filter(pk=int(dep_id)).first() if dep_id.isdigit() else None
    if department is None:
        errors["department"] = ["主管部门：请选择您管理范围内的部门"]
    values["department"] = department
    if kind in Policy.Kind.values:
        try:
            values["rules"] = rules.validate(kind, data.get("rules"))
        except rules.RuleError as exc:
            errors["rules"] = exc.messages
    if errors:
        raise ValidationError(errors)
    return values


def _require(user, policy: Policy | None = None) -> None:
    """``user`` None: the system itself (demo data, commands), never a request."""
    if user is None:
        return
    if policy is not None and not may_manage(user, policy):
        raise PermissionDenied("仅该政策主管部门的事项管理员、部门管理员可以维护政策")
    if policy is None and not staff_departments(user, POLICY_ROLES).exists():
        raise PermissionDenied("仅事项管理员、部门管理员可以维护政策")


def snapshot(p: Policy) -> dict:
    return {"name": p.name, "department": p.department_id, "kind": p.kind, "mode": p.mode, "state": p.state,
            "rules": p.rules, "amount_text": p.amount_text}


def _unique_name(name: str, exclude_pk: int | None) -> None:
    if Policy.objects.exclude(pk=exclude_pk).filter(name=name).exists():
        raise ValidationError({"name": ["政策名称：已有同名政策"]})


@transaction.atomic
def create_policy(user, data: dict) -> Policy:
    _require(user)
    values = _validated(user, data)
    _unique_name(values["name"], None)
    policy = Policy.objects.create(created_by=user, **values)
    audit.record("benefits.policy_create", actor=user, obj=policy, after=snapshot(policy))
    return policy


def _lock(pk: int, expected_lock) -> Policy:
    policy = Policy.objects.select_for_update().filter(pk=pk).first()
    if policy is None:
        raise Policy.DoesNotExist("政策不存在")
    try:
        expected = int(expected_lock)
    except (TypeError, ValueError):
        expected = -1
    if policy.lock_version != expected:
        raise StalePolicy(StalePolicy.message, code="stale")
    return policy


@transaction.atomic
def update_policy(user, pk: int, expected_lock, data: dict) -> Policy:
    policy = _lock(pk, expected_lock)
    _require(user, policy)
    values = _validated(user, data)
    _unique_name(values["name"], policy.pk)
    if policy.state != Policy.State.DRAFT and values["kind"] != policy.kind:
        raise ValidationError({"kind": ["享受对象：政策发布后不能修改享受对象"]})
    before = snapshot(policy)
    for k, v in values.items():
        setattr(policy, k, v)
    policy.lock_version += 1
    policy.save()
    audit.record("benefits.policy_update", actor=user, obj=policy, before=before, after=snapshot(policy))
    return policy


@transaction.atomic
def set_state(user, pk: int, expected_lock, target: str) -> Policy:
    """发布 (draft or closed → published) or 停止 (published → closed)."""
    policy = _lock(pk, expected_lock)
    _require(user, policy)
    allowed = {Policy.State.PUBLISHED: {Policy.State.DRAFT, Policy.State.CLOSED},
               Policy.State.CLOSED: {Policy.State.PUBLISHED}}
    if policy.state not in allowed.get(target, set()):
        raise ValidationError({"state": [f"状态：“{policy.get_state_display()}”的政策不能"
                                         f"{'发布' if target == Policy.State.PUBLISHED else '停止'}"]})
    rules.validate(policy.kind, policy.rules)  # a stored rule set is always valid; this guards imports
    before = policy.state
    policy.state = target
    if target == Policy.State.PUBLISHED and policy.published_at is None:
        policy.published_at = timezone.now()
    policy.lock_version += 1
    policy.save(update_fields=["state", "published_at", "lock_version", "updated_at"])
    audit.record(f"benefits.policy_{'publish' if target == Policy.State.PUBLISHED else 'close'}", actor=user,
                 obj=policy, before={"state": before}, after={"state": target})
    return policy
