"""证照类型 maintenance: create and edit (lock_version against lost updates), with audit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhengwu.core import audit
from zhengwu.org.models import Department, Role
from zhengwu.org.permissions import has_role, staff_departments

from .. import rules
from ..models import LicenceType
from ..models.licences import HolderKind
from . import StaleType

TYPE_ROLES = (Role.ITEM_ADMIN, Role.DATA_ADMIN)


def may_manage_types(user) -> bool:
    return has_role(user, *TYPE_ROLES)


def _require(user) -> None:
    """``user`` None: the system itself (demo data, commands), never a request."""
    if user is not None and not may_manage_types(user):
        raise PermissionDenied("仅事项管理员、数据管理员可以维护证照类型")


def _validated(user, data: dict) -> dict:
    """The type's values from ``data`` or ``ValidationError`` naming each bad field in Chinese."""
    errors: dict[str, list[str]] = {}
    name = str(data.get("name") or "").strip()
    if not name:
        errors["name"] = ["证照名称不能为空"]
    elif len(name) > 100:
        errors["name"] = ["证照名称最多100个字"]
    code = str(data.get("code") or "").strip().upper()
    problem = rules.type_code_problem(code)
    if problem:
        errors["code"] = [problem]
    holder_kind = data.get("holder_kind")
    if holder_kind not in HolderKind.values:
        errors["holder_kind"] = ["持证主体类型应为 自然人 或 法人"]
    years = data.get("validity_years")
    if years in ("", None):
        years = None
    else:
        try:
            years = int(years)
        except (TypeError, ValueError):
            years = -1
        if not 1 <= years <= 100:
            errors["validity_years"] = ["有效期应为1–100的整数年，长期有效请留空"]
    schema = rules.clean_schema(list(data.get("fields_schema") or []))
    problems = rules.schema_problems(schema)
    if problems:
        errors["fields_schema"] = problems
    template = {
        "title": str(data.get("title") or "").strip(),
        "field_order": [k for k in (data.get("field_order") or []) if k],
        "seal_x": data.get("seal_x"), "seal_y": data.get("seal_y"),
    }
    if data.get("variants"):  # 版式变体 (rules.variant_problems): kept as given
        template["variants"] = data["variants"]
    for axis in ("seal_x", "seal_y"):
        value = template[axis]
        if value in ("", None):
            template.pop(axis)
            continue
        try:
            template[axis] = int(value)
        except (TypeError, ValueError):
            template[axis] = -1
    if not problems:
        t_problems = rules.template_problems(template, schema)
        if t_problems:
            errors["template"] = t_problems
    ids = [int(i) for i in data.get("departments") or [] if str(i).isdigit()]
    pool = Department.objects.all() if user is None else staff_departments(user, TYPE_ROLES)
    departments = list(pool.filter(pk__in=ids))
    if len(departments) != len(set(ids)):
        errors["departments"] = ["颁发部门中有不在您管理范围内的部门"]
    elif not departments:
        errors["departments"] = ["请至少选择一个颁发部门"]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "code": code, "holder_kind": holder_kind, "validity_years": years,
            "fields_schema": schema, "template": template, "is_active": bool(data.get("is_active", True)),
            "departments": departments}


def _unique(values: dict, exclude_pk: int | None) -> None:
    errors = {}
    others = LicenceType.objects.exclude(pk=exclude_pk) if exclude_pk else LicenceType.objects.all()
    if others.filter(code=values["code"]).exists():
        errors["code"] = ["证照类型代码已被其他证照类型使用"]
    if others.filter(name=values["name"]).exists():
        errors["name"] = ["证照名称已存在"]
    if errors:
        raise ValidationError(errors)


def _snapshot(t: LicenceType) -> dict:
    return {"name": t.name, "code": t.code, "holder_kind": t.holder_kind, "validity_years": t.validity_years,
            "fields": [f["key"] for f in t.fields_schema], "is_active": t.is_active,
            "departments": sorted(t.departments.values_list("pk", flat=True))}


@transaction.atomic
def create_type(user, data: dict) -> LicenceType:
    _require(user)
    values = _validated(user, data)
    _unique(values, None)
    departments = values.pop("departments")
    t = LicenceType.objects.create(**values)
    t.departments.set(departments)
    audit.record("licenses.type_create", actor=user, obj=t, after=_snapshot(t))
    return t


@transaction.atomic
def update_type(user, pk: int, expected_lock: int, data: dict) -> LicenceType:
    _require(user)
    t = LicenceType.objects.select_for_update().filter(pk=pk).first()
    if t is None:
        raise LicenceType.DoesNotExist("证照类型不存在")
    if t.lock_version != int(expected_lock):
        raise StaleType(StaleType.message, code="stale")
    if "variants" not in data:  # the editor does not show 版式变体: an edit keeps them
        data = {**data, "variants": (t.template or {}).get("variants") or []}
    values = _validated(user, data)
    _unique(values, t.pk)
    if t.code != values["code"] and t.licences.exists():
        raise ValidationError({"code": ["已有证照按该类型代码颁发，不能修改证照类型代码"]})
    before = _snapshot(t)
    departments = values.pop("departments")
    for k, v in values.items():
        setattr(t, k, v)
    t.lock_version += 1
    t.save()
    t.departments.set(departments)
    audit.record("licenses.type_update", actor=user, obj=t, before=before, after=_snapshot(t))
    return t
