"""The one write path of the 政务信息资源目录: register and edit a resource with its 信息项, submit
it for review, publish it (a frozen :class:`ResourceSnapshot`, version + 1), withdraw it.

Who: the provider department's staff (部门管理员) and 数据管理员 edit; only 数据管理员 review,
publish and withdraw. Every edit carries the ``lock_version`` the form was read at (lost
updates are refused) and leaves an audit event.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.org.models import Department, Role
from zhengwu.org.permissions import has_role

from .. import catalogue_rules as rules
from ..models import DataResource, InfoSystem, ResourceField, ResourceSnapshot

EDITOR_ROLES = (Role.DATA_ADMIN, Role.DEPT_ADMIN)
REVIEWER_ROLES = (Role.DATA_ADMIN,)
RESOURCE_FIELDS = ("code", "name", "summary", "category", "share_type", "share_condition", "no_share_basis",
                   "open_type", "update_cycle", "format", "registry")
ITEM_FIELDS = ("seq", "key", "name", "data_type", "length", "share_type", "personal")


def can_edit(user, department: Department) -> bool:
    return has_role(user, *EDITOR_ROLES, department=department)


def can_review(user, department: Department) -> bool:
    return has_role(user, *REVIEWER_ROLES, department=department)


def _check_edit(user, department: Department) -> None:
    if not can_edit(user, department):
        raise PermissionDenied(f"您无权编辑“{department.name}”的信息资源")


def _check_lock(resource: DataResource, lock_version) -> None:
    try:
        given = int(lock_version)
    except (TypeError, ValueError):
        raise ValidationError("缺少版本锁，请刷新页面后重试") from None
    if given != resource.lock_version:
        raise ValidationError("该资源已被他人修改，请刷新页面后重新编辑")


def _clean_fields(items: Sequence[Mapping]) -> list[dict]:
    rows = []
    for i, f in enumerate(items, start=1):
        length = f.get("length")
        rows.append({
            "seq": i, "key": str(f.get("key") or "").strip(), "name": str(f.get("name") or "").strip(),
            "data_type": str(f.get("data_type") or "字符型").strip(),
            "length": int(length) if length not in (None, "") and str(length).strip().isdigit() else length or None,
            "share_type": str(f.get("share_type") or "").strip(),
            "personal": f.get("personal") in (True, "1", "true", "on", "是", 1),
        })
    return rows


def validate(data: Mapping, fields: Sequence[Mapping], *, exclude_pk: int | None = None) -> dict:
    """The cleaned resource values; ValidationError naming each field and rule."""
    clean = {k: str(data.get(k) or "").strip() for k in RESOURCE_FIELDS}
    clean["share_type"] = clean["share_type"] or "unconditional"
    clean["open_type"] = clean["open_type"] or "closed"
    errors: dict[str, list[str]] = {}
    if err := rules.code_error(clean["code"]):
        errors["code"] = [err]
    elif DataResource.objects.filter(code=clean["code"]).exclude(pk=exclude_pk).exists():
        errors["code"] = [f"资源代码“{clean['code']}”已被使用"]
    if not clean["name"]:
        errors["name"] = ["资源名称不能为空"]
    elif len(clean["name"]) > 200:
        errors["name"] = ["资源名称不能超过200字"]
    for field, message in rules.sharing_errors(clean["share_type"], clean["share_condition"],
                                               clean["no_share_basis"], clean["open_type"],
                                               clean["registry"]).items():
        errors[field] = [message]
    if problems := rules.field_errors(fields, clean["share_type"]):
        errors["fields"] = problems
    if errors:
        raise ValidationError(errors)
    return clean


def _provider(data: Mapping) -> Department:
    value = data.get("provider")
    if isinstance(value, Department):
        return value
    dept = Department.objects.filter(pk=value).first() if str(value or "").isdigit() else None
    if dept is None:
        raise ValidationError({"provider": ["请选择提供方部门"]})
    return dept


def _system(data: Mapping, provider: Department) -> InfoSystem | None:
    value = data.get("source_system")
    if value in (None, ""):
        return None
    if isinstance(value, InfoSystem):
        return value
    system = InfoSystem.objects.filter(pk=value).first() if str(value).isdigit() else None
    if system is None:
        raise ValidationError({"source_system": ["来源系统不存在"]})
    return system


def _write_fields(resource: DataResource, fields: list[dict]) -> None:
    resource.fields.all().delete()
    ResourceField.objects.bulk_create([ResourceField(resource=resource, **f) for f in fields])


def _summary(resource: DataResource) -> dict:
    return {"code": resource.code, "name": resource.name, "status": resource.status,
            "share_type": resource.share_type, "open_type": resource.open_type, "version": resource.version}


@transaction.atomic
def create_resource(actor, data: Mapping, fields: Sequence[Mapping]) -> DataResource:
    provider = _provider(data)
    _check_edit(actor, provider)
    items = _clean_fields(fields)
    clean = validate(data, items)
    resource = DataResource(provider=provider, source_system=_system(data, provider), **clean)
    try:
        with transaction.atomic():
            resource.save()
    except IntegrityError:
        raise ValidationError({"code": [f"资源代码“{clean['code']}”已被使用"]}) from None
    _write_fields(resource, items)
    audit.record("datashare.resource.create", actor=actor, obj=resource, after=_summary(resource))
    return resource


@transaction.atomic
def update_resource(actor, pk: int, lock_version, data: Mapping, fields: Sequence[Mapping]) -> DataResource:
    resource = DataResource.objects.select_for_update().select_related("provider").get(pk=pk)
    _check_edit(actor, resource.provider)
    _check_lock(resource, lock_version)
    if resource.status not in rules.EDITABLE:
        raise ValidationError("待审核的资源不能修改，请等待审核结果或由数据管理员退回")
    provider = _provider({**data, "provider": data.get("provider") or resource.provider_id})
    if provider != resource.provider:
        _check_edit(actor, provider)
    before = _summary(resource)
    items = _clean_fields(fields)
    clean = validate(data, items, exclude_pk=resource.pk)
    for k, v in clean.items():
        setattr(resource, k, v)
    resource.provider = provider
    resource.source_system = _system(data, provider)
    resource.status = rules.DRAFT  # a revision of a published resource: its last snapshot stays public
    resource.lock_version += 1
    resource.save()
    _write_fields(resource, items)
    audit.record("datashare.resource.update", actor=actor, obj=resource, before=before, after=_summary(resource))
    return resource


def snapshot_data(resource: DataResource) -> dict:
    """What a published version freezes (metadata only; never any person's data)."""
    return {
        **{k: getattr(resource, k) for k in RESOURCE_FIELDS},
        "provider_id": resource.provider_id, "provider": resource.provider.name,
        "source_system": resource.source_system.name if resource.source_system_id else "",
        "fields": [{k: getattr(f, k) for k in ITEM_FIELDS} for f in resource.fields.order_by("seq")],
    }


@transaction.atomic
def transition(actor, pk: int, lock_version, action: str, note: str = "") -> DataResource:
    """submit / approve (publish) / reject / withdraw."""
    resource = DataResource.objects.select_for_update(of=("self",)) \
        .select_related("provider", "source_system").get(pk=pk)
    if action == "submit":
        _check_edit(actor, resource.provider)
    elif not can_review(actor, resource.provider):
        raise PermissionDenied("只有数据管理员可以审核、发布或撤销信息资源")
    _check_lock(resource, lock_version)
    try:
        target = rules.next_status(resource.status, action)
    except ValueError as exc:
        raise ValidationError(str(exc)) from None
    if action in ("reject", "withdraw") and not note.strip():
        raise ValidationError({"note": ["请填写退回或撤销的原因"]})
    if action == "submit":
        validate({**{k: getattr(resource, k) for k in RESOURCE_FIELDS}}, list(resource.fields.values()),
                 exclude_pk=resource.pk)
        if not resource.fields.exists():
            raise ValidationError({"fields": ["至少登记一个信息项才能提交审核"]})
    before = _summary(resource)
    resource.status = target
    resource.lock_version += 1
    if action == "approve":
        resource.version += 1
        resource.published_at = timezone.now()
        ResourceSnapshot.objects.create(resource=resource, version=resource.version, data=snapshot_data(resource),
                                        published_by=actor)
    resource.save()
    audit.record(f"datashare.resource.{action}", actor=actor, obj=resource, before=before,
                 after={**_summary(resource), **({"note": note.strip()} if note.strip() else {})})
    return resource


def latest_snapshot(resource: DataResource) -> ResourceSnapshot | None:
    return resource.snapshots.order_by("-version").first()
