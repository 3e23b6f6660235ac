"""The one write path for 实施清单事项 and their 办事指南 versions.

Life of a version (the table is :data:`zhengwu.catalog.rules.VERSION_TRANSITIONS`)::

    create_item / start_new_draft → 草稿 ─submit_for_review→ 待审核 ─approve_and_publish→ 已发布
                                     ↑  ↖──withdraw───────────┘ │                         │
                                     └──── 退回修改 ←── reject ───┘          previous → 已替代

Every function here:

- checks the actor's role with :func:`zhengwu.org.permissions.has_role` for the item's
  department — 事项管理员 (``item_admin``) may do everything; 部门管理员 (``dept_admin``) may
  create and edit drafts of their own department and submit them; only 事项管理员 reviews,
  publishes, disables and enables (:class:`PermissionDenied` otherwise);
- locks the item row and compares the caller's ``lock_version`` (乐观锁): a stale number raises
  ``ValidationError("该事项已被他人修改，请刷新后重试")`` so that no concurrent edit is lost and a
  double click does nothing twice; every write bumps the number;
- runs in one transaction and writes an audit event (``catalog.item.*``) with before/after;
- records who changed a version last (``edited_by``) and who submitted it (``submitted_by``):
  neither may approve it (双人复核, :mod:`zhengwu.catalog.review_rules`, ADR 0059).

Refused transitions and bad input raise :class:`ValidationError` with Chinese messages; where a
message belongs to a field, the error is a dict keyed by the field name (``name``,
``promised_days``, ``materials`` …) so that forms can show it next to the field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.org.models import Department
from zhengwu.org.permissions import has_role

from .. import review_rules, rules
from ..denorm import copy_headline
from ..models import BaseItem, ItemVersion, Material, ServiceItem
from ..models.items import ItemStatus, VersionState
from .item_reads import (  # noqa: F401  (part of this module's interface)
    AUDIT_TYPE,
    EDITOR_ROLES,
    GUIDE_FIELDS,
    ITEM_FIELDS,
    MATERIAL_FIELDS,
    REVIEWER_ROLES,
    can_edit,
    can_review,
    codes_of,
    guide_of,
    history,
    materials_of,
    open_version,
    publication_check,
    review_refusal,
    version_diff,
)
from .material_files import (  # noqa: F401  (part of this write path's interface)
    MATERIAL_FILE_KINDS,
    MATERIAL_FILE_MAX_BYTES,
    MATERIAL_FILE_TYPES,
    attach_material_file,
)

STALE_MESSAGE = "该事项已被他人修改，请刷新后重试"


def _user(actor):
    """The actor as a user row to record, or None (a system actor)."""
    return actor if getattr(actor, "pk", None) else None


# -- helpers ------------------------------------------------------------------------------------
def _require(actor, roles: Sequence[str], department: Department, what: str) -> None:
    if not has_role(actor, *roles, department=department):
        who = "事项管理员" if tuple(roles) == tuple(REVIEWER_ROLES) else "事项管理员或本部门的部门管理员"
        raise PermissionDenied(f"您没有{what}的权限：仅{who}可以操作")


def _lock(item: ServiceItem | int, lock_version: int | str | None) -> ServiceItem:
    """Lock the item row for this transaction and check the caller's version (乐观锁)."""
    pk = item.pk if isinstance(item, ServiceItem) else item
    # select_related: permission checks read the department's region code; of=self because
    # PostgreSQL refuses FOR UPDATE on the nullable side (base_item) of an outer join.
    locked = (ServiceItem.objects.select_for_update(of=("self",))
              .select_related("department__region", "region", "base_item", "published_version").get(pk=pk))
    try:
        expected = int(lock_version)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValidationError(STALE_MESSAGE, code="stale") from None
    if expected != locked.lock_version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    return locked


def _open_version_locked(item: ServiceItem) -> ItemVersion:
    version = item.versions.select_for_update().filter(state__in=rules.OPEN_STATES).order_by("-number").first()
    if version is None:
        if item.published_version_id:
            raise ValidationError("该事项没有待处理的草稿：如需修改，请先“新建草稿”", code="no_draft")
        raise ValidationError("该事项没有可处理的版本", code="no_draft")
    return version


def _bump(item: ServiceItem, *fields: str) -> None:
    item.lock_version += 1
    item.save(update_fields=["lock_version", "updated_at", *fields])


def _full_clean(obj, fields: Sequence[str], prefix: str = "") -> None:
    """Model-level checks (lengths, choices, required) with the field's Chinese name in front."""
    exclude = [f.name for f in obj._meta.fields if f.name not in fields]
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors: dict[str, list[str]] = {}
        for name, messages in exc.message_dict.items():
            label = obj._meta.get_field(name).verbose_name if name in fields else ""
            errors[name] = [f"{prefix}{label}：{m}" if label else f"{prefix}{m}" for m in messages]
        raise ValidationError(errors) from None


def _split(data: Mapping[str, Any]) -> tuple[dict, dict]:
    guide, ident = {}, {}
    for key, value in data.items():
        if key in GUIDE_FIELDS:
            guide[key] = value
        elif key in ITEM_FIELDS:
            ident[key] = (value or "").strip() if isinstance(value, str) or value is None else value
        else:
            raise TypeError(f"unknown item field {key!r}")
    return guide, ident


def _normalise_guide(guide: dict) -> None:
    for key in ("channels", "themes", "process_steps", "fees", "results", "special_procedures"):
        if key in guide and guide[key] is None:
            guide[key] = []
    if "form_schema" in guide and guide["form_schema"] is None:
        guide["form_schema"] = {}
    for key in ("name", "popular_name", "keywords", "consult_phone", "complaint_phone", "office_hours"):
        if isinstance(guide.get(key), str):
            guide[key] = guide[key].strip()


def _check(guide: dict, ident: dict, materials: Sequence[Mapping] | None, *, for_publication: bool) -> rules.GuideCheck:
    result = rules.check_guide(guide, materials=materials, codes=ident, for_publication=for_publication)
    result.raise_if_errors()
    return result


def _clean_materials(version: ItemVersion, rows: Sequence[Mapping]) -> list[dict]:
    cleaned = []
    for i, row in enumerate(rows, start=1):
        unknown = set(row) - set(MATERIAL_FIELDS) - {"id", "seq", "blank_form", "sample"}
        if unknown:
            raise TypeError(f"unknown material fields {sorted(unknown)}")
        values = {f: row[f] for f in MATERIAL_FIELDS if f in row and row[f] is not None}
        if isinstance(values.get("name"), str):
            values["name"] = values["name"].strip()
        if "licence_type" in row or "license_type" in row:
            values.update(_material_licence(row, version, i))
        probe = Material(version=version, seq=i, **values)
        try:
            _full_clean(probe, [f for f in MATERIAL_FIELDS], prefix=f"第{i}项材料")
        except ValidationError as exc:
            raise ValidationError({"materials": [m for ms in exc.message_dict.values() for m in ms]}) from None
        cleaned.append({"id": row.get("id"), **values})
    names = [rules.material_key(r["name"]) for r in cleaned]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        first = next(r["name"] for r in cleaned if rules.material_key(r["name"]) in dupes)
        raise ValidationError({"materials": f"申请材料“{first}”重复填写了"})
    return cleaned


def _material_licence(row: Mapping, version: ItemVersion, i: int) -> dict:
    """可替代的电子证照 of a material row: the type (an instance or its id) or, from callers that
    still pass text, the type of that name (registered when none is — ADR 0035)."""
    from zhengwu.licenses.models import LicenceType

    from ..licence_links import type_for_name

    lt = row.get("licence_type")
    if lt is not None and not isinstance(lt, LicenceType):
        lt = LicenceType.objects.filter(pk=lt).first() if str(lt).isdigit() else None
        if lt is None:
            raise ValidationError({"materials": f"第{i}项材料：可替代的电子证照不存在，请重新选择"})
    if lt is None and (row.get("license_type") or "").strip():
        lt = type_for_name(row["license_type"], service_object=version.service_object,
                           department_name=row.get("source_department") or "")
    return {"licence_type": lt, "license_type": lt.name if lt is not None else ""}


def _write_materials(version: ItemVersion, rows: list[dict]) -> None:
    """Replace the version's materials; rows carrying the id of an existing material of this
    version update it in place (so its blank form and sample files stay)."""
    existing = {m.pk: m for m in version.materials.all()}
    keep: set[int] = set()
    for seq, row in enumerate(rows, start=1):
        values = {k: v for k, v in row.items() if k != "id"}
        current = existing.get(row.get("id")) if row.get("id") else None
        if current is not None and current.pk not in keep:
            for k, v in values.items():
                setattr(current, k, v)
            current.seq = seq
            current.save()
            keep.add(current.pk)
        else:
            Material.objects.create(version=version, seq=seq, **values)
    Material.objects.filter(pk__in=[pk for pk in existing if pk not in keep]).delete()


def _resolve_base_item(code: str, guide: Mapping, recognised: bool) -> BaseItem | None:
    if not code:
        return None
    base, _ = BaseItem.objects.get_or_create(code=code, defaults={
        "name": guide.get("name") or code, "item_type": guide.get("item_type") or "20",
        "legal_basis": guide.get("legal_basis") or "", "code_recognised": recognised,
    })
    return base


def _apply_identity(item: ServiceItem, ident: Mapping, guide: Mapping, check: rules.GuideCheck) -> list[str]:
    changed = []
    if "base_code" in ident:
        base_code = ident["base_code"]
        _, base_ok, _ = rules.check_item_code(base_code, "base", "基本编码")
        base = _resolve_base_item(base_code, guide, base_ok)
        if (base.pk if base else None) != item.base_item_id:
            item.base_item = base
            changed.append("base_item")
    for f in ("implementation_code", "handling_code", "handling_name"):
        if f in ident:
            value = ident[f] or ""
            if f in ("implementation_code", "handling_code") and value:
                value, ok, _ = rules.check_item_code(value, "implementation" if f == "implementation_code" else "handling", f)
            if getattr(item, f) != value:
                setattr(item, f, value)
                changed.append(f)
    if "min_real_name_level" in ident:
        level = ident["min_real_name_level"] or ""
        levels = dict(ServiceItem._meta.get_field("min_real_name_level").choices)
        if level and level not in levels:
            raise ValidationError({"min_real_name_level": f"最低实名等级不正确：只能是不限或{'、'.join(levels.values())}"})
        if item.min_real_name_level != level:
            item.min_real_name_level = level
            changed.append("min_real_name_level")
    if item.code_recognised != check.code_recognised:
        item.code_recognised = check.code_recognised
        changed.append("code_recognised")
    return changed


def _ensure_unique_name(item: ServiceItem, name: str, handling_name: str) -> None:
    clash = (ServiceItem.objects.filter(department_id=item.department_id, name=name, handling_name=handling_name)
             .exclude(pk=item.pk).exists())
    if clash:
        raise ValidationError({"name": f"“{item.department.name}”已有名为“{name}”的事项，请勿重复添加"})


def _snapshot(version: ItemVersion, keys: Sequence[str] | None = None) -> dict:
    return {f: getattr(version, f) for f in (keys or GUIDE_FIELDS)}


# -- writing -------------------------------------------------------------------------------------
def create_item(actor, *, department: Department, data: Mapping[str, Any],
                materials: Sequence[Mapping] | None = None, region=None) -> ServiceItem:
    """新增事项: a ServiceItem (草稿) with guide version 1 and its materials.

    ``data`` holds guide fields (:data:`GUIDE_FIELDS`) and identity fields (:data:`ITEM_FIELDS`).
    A second call with the same department + name is refused (no duplicate on double submit).
    """
    _require(actor, EDITOR_ROLES, department, "新增本部门事项")
    guide, ident = _split(data)
    _normalise_guide(guide)
    check = _check(guide, ident, materials, for_publication=False)
    with transaction.atomic():
        item = ServiceItem(region=region or department.region, department=department, status=ItemStatus.DRAFT)
        version = ItemVersion(number=1, state=VersionState.DRAFT, created_by=_user(actor), edited_by=_user(actor))
        for f in GUIDE_FIELDS:
            if f in guide:
                setattr(version, f, guide[f])
        _full_clean(version, [f for f in GUIDE_FIELDS])
        _apply_identity(item, ident, guide_of(version), check)
        copy_headline(version, item)
        _ensure_unique_name(item, item.name, item.handling_name)
        try:
            with transaction.atomic():
                item.save()
        except IntegrityError:
            raise ValidationError({"name": f"“{department.name}”已有名为“{item.name}”的事项，请勿重复添加"}) from None
        version.service_item = item
        version.save()
        if materials:
            _write_materials(version, _clean_materials(version, materials))
        audit.record("catalog.item.create", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     after={"version": 1, **_snapshot(version), **codes_of(item),
                            "materials": [m.name for m in version.materials.all()]})
    return item


def edit_draft(actor, item: ServiceItem | int, *, lock_version: int, data: Mapping[str, Any],
               materials: Sequence[Mapping] | None = None) -> ItemVersion:
    """修改草稿: change guide/identity fields of the open draft (only keys present change)."""
    try:
        return _edit_draft(actor, item, lock_version=lock_version, data=data, materials=materials)
    except IntegrityError:
        raise ValidationError({"name": "同一部门已有同名事项，请修改事项名称后重试"}) from None


def _edit_draft(actor, item: ServiceItem | int, *, lock_version: int, data: Mapping[str, Any],
               materials: Sequence[Mapping] | None = None) -> ItemVersion:
    """修改草稿: change guide/identity fields of the open draft (only keys present change)."""
    guide, ident = _split(data)
    _normalise_guide(guide)
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, rules.roles_for("edit"), item.department, "修改本事项")
        version = _open_version_locked(item)
        rules.check_transition(version.state, "edit")
        before = _snapshot(version)
        before_codes = codes_of(item)
        for f, v in guide.items():
            setattr(version, f, v)
        merged_ident = {**codes_of(item), **ident}
        check = _check(guide_of(version), merged_ident, None, for_publication=False)
        _full_clean(version, [f for f in GUIDE_FIELDS])
        changed_fields = [f for f in GUIDE_FIELDS if before[f] != getattr(version, f)]
        item_changes = _apply_identity(item, ident, guide_of(version), check)
        if version.state == VersionState.REJECTED:
            version.state = VersionState.DRAFT
            changed_fields.append("state")
        version.edited_by = _user(actor)
        material_names_before = None
        if materials is not None:
            cleaned = _clean_materials(version, materials)
            material_names_before = [m.name for m in version.materials.all()]
            _write_materials(version, cleaned)
        if not item.published_version_id:
            item_changes += copy_headline(version, item)
            _ensure_unique_name(item, item.name, item.handling_name)
        version.save()
        _bump(item, *item_changes)
        after_codes = codes_of(item)
        audit.record(
            "catalog.item.edit", actor=actor, obj=item, object_type=AUDIT_TYPE,
            before={"version": version.number, **{f: before[f] for f in changed_fields if f in before},
                    **{k: v for k, v in before_codes.items() if after_codes[k] != v},
                    **({"materials": material_names_before} if material_names_before is not None else {})},
            after={"version": version.number, **{f: getattr(version, f) for f in changed_fields},
                   **{k: v for k, v in after_codes.items() if before_codes[k] != v},
                   **({"materials": [m.name for m in version.materials.all()]} if materials is not None else {})},
        )
    return version


def replace_materials(actor, item: ServiceItem | int, *, lock_version: int, materials: Sequence[Mapping],
                      no_materials: bool | None = None) -> ItemVersion:
    """Replace the materials of the open draft (申请材料表). Rows may carry ``id`` of an existing
    material of this draft to keep its files. ``no_materials`` sets 无需提交申请材料."""
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, rules.roles_for("edit"), item.department, "修改本事项的申请材料")
        version = _open_version_locked(item)
        rules.check_transition(version.state, "edit")
        cleaned = _clean_materials(version, materials)
        if no_materials and cleaned:
            raise ValidationError({"materials": "已勾选“无需提交申请材料”，但仍填写了申请材料，请二选一"})
        before = [m.name for m in version.materials.all()]
        before_flag = version.no_materials
        _write_materials(version, cleaned)
        if no_materials is not None:
            version.no_materials = bool(no_materials)
        if version.state == VersionState.REJECTED:
            version.state = VersionState.DRAFT
        version.edited_by = _user(actor)
        version.save()
        _bump(item)
        audit.record("catalog.item.materials", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     before={"version": version.number, "materials": before, "no_materials": before_flag},
                     after={"version": version.number, "materials": [m["name"] for m in cleaned],
                            "no_materials": version.no_materials})
    return version


def submit_for_review(actor, item: ServiceItem | int, *, lock_version: int, note: str = "") -> ItemVersion:
    """提交审核: the draft must carry every element a published guide needs."""
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, rules.roles_for("submit"), item.department, "提交本事项审核")
        version = _open_version_locked(item)
        target = rules.check_transition(version.state, "submit")
        publication_check(item, version).raise_if_errors()
        before_state = version.state
        version.state = target
        version.submitted_at = timezone.now()
        version.submitted_by = _user(actor)
        if note.strip():
            version.change_note = note.strip()[:500]
        version.save(update_fields=["state", "submitted_at", "submitted_by", "change_note"])
        status_before = item.status
        item.status = rules.item_status_after("submit", current=item.status, has_published=bool(item.published_version_id))
        _bump(item, "status")
        audit.record("catalog.item.submit", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     before={"version": version.number, "state": before_state, "status": status_before},
                     after={"version": version.number, "state": version.state, "status": item.status,
                            "change_note": version.change_note})
    return version


def withdraw(actor, item: ServiceItem | int, *, lock_version: int) -> ItemVersion:
    """撤回审核: 待审核 → 草稿, so that the editor can change it again."""
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, rules.roles_for("withdraw"), item.department, "撤回本事项的审核")
        version = _open_version_locked(item)
        version.state = rules.check_transition(version.state, "withdraw")
        version.submitted_at = version.submitted_by = None
        version.save(update_fields=["state", "submitted_at", "submitted_by"])
        status_before = item.status
        item.status = rules.item_status_after("withdraw", current=item.status, has_published=bool(item.published_version_id))
        _bump(item, "status")
        audit.record("catalog.item.withdraw", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     before={"version": version.number, "state": VersionState.PENDING, "status": status_before},
                     after={"version": version.number, "state": version.state, "status": item.status})
    return version


def approve_and_publish(actor, item: ServiceItem | int, *, lock_version: int, note: str = "") -> ItemVersion:
    """审核通过并发布: the pending version becomes the immutable current version; the previous
    published version becomes 已替代; the item's headline columns follow the new version.

    双人复核: refused (code ``self_review``) to whoever submitted the version or changed it last,
    unless ``ZHENGWU_CATALOG_FOUR_EYES`` is off — then the audit event says ``self_review``."""
    try:
        return _approve_and_publish(actor, item, lock_version=lock_version, note=note)
    except IntegrityError:
        raise ValidationError({"name": "同一部门已有同名事项，请修改事项名称后重试"}) from None


def _approve_and_publish(actor, item: ServiceItem | int, *, lock_version: int, note: str = "") -> ItemVersion:
    """审核通过并发布: the pending version becomes the immutable current version; the previous
    published version becomes 已替代; the item's headline columns follow the new version."""
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, rules.roles_for("approve"), item.department, "审核发布事项")
        version = _open_version_locked(item)
        target = rules.check_transition(version.state, "approve")
        new_status = rules.item_status_after("approve", current=item.status, has_published=bool(item.published_version_id))
        refusal = review_refusal(actor, version)
        if refusal:
            raise ValidationError(refusal, code="self_review")
        self_review = review_rules.is_self_review(getattr(actor, "pk", None), submitted_by=version.submitted_by_id,
                                                  edited_by=version.edited_by_id)
        publication_check(item, version).raise_if_errors()
        _ensure_unique_name(item, version.name, item.handling_name)
        previous = item.published_version
        if previous is not None:
            previous.state = rules.check_transition(previous.state, "supersede")
            previous.save(update_fields=["state"])
        now = timezone.now()
        version.state = target
        version.published_at = now
        version.reviewed_by = _user(actor)
        version.review_note = (note or "").strip()[:500]
        version.save(update_fields=["state", "published_at", "reviewed_by", "review_note"])
        status_before = item.status
        headline_before = {f: getattr(item, f) for f in ("name", "promised_days", "statutory_days", "visits")}
        changed = copy_headline(version, item)
        item.published_version = version
        item.status = new_status
        _bump(item, "published_version", "status", *changed)
        audit.record("catalog.item.publish", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     before={"published_version": previous.number if previous else None, "status": status_before,
                             **headline_before},
                     after={"published_version": version.number, "status": item.status, "review_note": version.review_note,
                            **{f: getattr(item, f) for f in headline_before},
                            **({"self_review": True} if self_review else {})})
    return version


def reject(actor, item: ServiceItem | int, *, lock_version: int, note: str) -> ItemVersion:
    """退回修改: the pending version goes back to the editors with the reviewer's note."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": "退回修改时须填写审核意见，说明需要修改的内容"})
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, rules.roles_for("reject"), item.department, "审核事项")
        version = _open_version_locked(item)
        version.state = rules.check_transition(version.state, "reject")
        version.reviewed_by = _user(actor)
        version.review_note = note[:500]
        version.save(update_fields=["state", "reviewed_by", "review_note"])
        status_before = item.status
        item.status = rules.item_status_after("reject", current=item.status, has_published=bool(item.published_version_id))
        _bump(item, "status")
        audit.record("catalog.item.reject", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     before={"version": version.number, "state": VersionState.PENDING, "status": status_before},
                     after={"version": version.number, "state": version.state, "status": item.status,
                            "review_note": version.review_note})
    return version


def start_new_draft(actor, item: ServiceItem | int, *, lock_version: int, change_note: str = "") -> ItemVersion:
    """新建草稿: copy the published guide and its materials into version N+1 (草稿)."""
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, rules.roles_for("edit"), item.department, "修改本事项")
        existing = item.versions.filter(state__in=rules.OPEN_STATES).order_by("-number").first()
        if existing is not None:
            raise ValidationError(f"该事项已有未发布的第{existing.number}版（{existing.get_state_display()}），"
                                  "请在该版本上继续修改", code="open_exists")
        source = item.published_version
        if source is None:
            raise ValidationError("该事项尚未发布，请直接修改现有草稿", code="no_published")
        number = (item.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        draft = ItemVersion(service_item=item, number=number, state=VersionState.DRAFT,
                            created_by=_user(actor), edited_by=_user(actor))
        for f in GUIDE_FIELDS:
            setattr(draft, f, getattr(source, f))
        draft.change_note = (change_note or "").strip()[:500]
        draft.save()
        Material.objects.bulk_create([
            Material(version=draft, seq=m.seq, blank_form=m.blank_form, sample=m.sample,
                     **{f: getattr(m, f) for f in MATERIAL_FIELDS if f != "licence_type"},
                     licence_type_id=m.licence_type_id)
            for m in source.materials.all()
        ])
        _bump(item)
        audit.record("catalog.item.new_draft", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     before={"published_version": source.number}, after={"draft_version": number})
    return draft


def discard_draft(actor, item: ServiceItem | int, *, lock_version: int) -> None:
    """放弃草稿: delete the unpublished draft of an item that has a published version."""
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, rules.roles_for("edit"), item.department, "修改本事项")
        version = _open_version_locked(item)
        rules.check_transition(version.state, "edit")
        if not item.published_version_id:
            raise ValidationError("该事项尚未发布过，草稿是它唯一的版本，不能放弃；如不再需要请停用", code="only_version")
        number = version.number
        snapshot = {"version": number, "name": version.name, "materials": [m.name for m in version.materials.all()]}
        version.delete()
        _bump(item)
        audit.record("catalog.item.discard_draft", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     before=snapshot, after=None)


def disable(actor, item: ServiceItem | int, *, lock_version: int, reason: str) -> ServiceItem:
    """停用: the item leaves the portal; its versions and cases stay."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "停用事项须填写停用原因"})
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, REVIEWER_ROLES, item.department, "停用事项")
        before = item.status
        item.status = rules.item_status_after("disable", current=item.status, has_published=bool(item.published_version_id))
        _bump(item, "status")
        audit.record("catalog.item.disable", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     before={"status": before}, after={"status": item.status, "reason": reason[:500]})
    return item


def enable(actor, item: ServiceItem | int, *, lock_version: int) -> ServiceItem:
    """启用: a disabled item returns to 已发布 (or 草稿 if it was never published)."""
    with transaction.atomic():
        item = _lock(item, lock_version)
        _require(actor, REVIEWER_ROLES, item.department, "启用事项")
        before = item.status
        item.status = rules.item_status_after("enable", current=item.status, has_published=bool(item.published_version_id))
        current = open_version(item)
        if item.status == ItemStatus.DRAFT and current is not None and current.state == VersionState.PENDING:
            item.status = ItemStatus.PENDING
        _bump(item, "status")
        audit.record("catalog.item.enable", actor=actor, obj=item, object_type=AUDIT_TYPE,
                     before={"status": before}, after={"status": item.status})
    return item

