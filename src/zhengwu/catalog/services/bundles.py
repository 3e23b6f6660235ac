"""The one write path for 一件事 (Bundle): create, edit, publish, disable — and its overview.

Only 事项管理员 (``item_admin``) whose grant covers the bundle's region may write. Writes lock
the bundle row and compare ``lock_version`` (乐观锁, same message as for items), run in one
transaction and write an audit event (``catalog.bundle.*``). A published bundle must keep at
least two items, all of them published. :func:`bundle_overview` computes the merged,
de-duplicated material list and the figures (材料减少, 时限减少, 跑动减少) with the pure rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from zhengwu.core import audit
from zhengwu.org.models import Department, Region, Role
from zhengwu.org.permissions import has_role

from .. import rules
from ..models import Bundle, BundleItem, Material, ServiceItem
from .items import STALE_MESSAGE

BUNDLE_FIELDS = ("name", "popular_name", "keywords", "description", "target", "lead_department",
                 "promised_days", "visits")
AUDIT_TYPE = "catalog.bundle"


@dataclass
class BundleOverview:
    bundle: Bundle
    entries: list[BundleItem]  # with service_item, its department and published version loaded
    merged_materials: list[rules.MergedMaterial]
    figures: rules.BundleFigures
    problems: list[str]  # why it cannot be published as it stands


def can_manage(user, region: Region) -> bool:
    return has_role(user, Role.ITEM_ADMIN, region_code=region.code)


def _require(actor, region: Region, what: str) -> None:
    if not can_manage(actor, region):
        raise PermissionDenied(f"您没有{what}的权限：仅本区划的事项管理员可以操作")


def _lock(bundle: Bundle | int, lock_version) -> Bundle:
    pk = bundle.pk if isinstance(bundle, Bundle) else bundle
    # select_related: the permission check reads the region code; of=self for PostgreSQL
    # (lead_department is nullable, FOR UPDATE cannot lock the outer side of the join).
    locked = Bundle.objects.select_for_update(of=("self",)).select_related("region", "lead_department").get(pk=pk)
    try:
        expected = int(lock_version)
    except (TypeError, ValueError):
        raise ValidationError(STALE_MESSAGE, code="stale") from None
    if expected != locked.lock_version:
        raise ValidationError(STALE_MESSAGE, code="stale")
    return locked


def _in_region(item_region_code: str, region: Region) -> bool:
    """An item belongs to a bundle of ``region`` when implemented there, below or above it."""
    from zhengwu.core.identifiers import region_prefix

    return item_region_code.startswith(region.prefix) or region.code.startswith(region_prefix(item_region_code))


def _clean_data(data: Mapping[str, Any], region: Region) -> dict:
    unknown = set(data) - set(BUNDLE_FIELDS)
    if unknown:
        raise TypeError(f"unknown bundle fields {sorted(unknown)}")
    cleaned = dict(data)
    for key in ("name", "popular_name", "keywords", "description"):
        if isinstance(cleaned.get(key), str):
            cleaned[key] = cleaned[key].strip()
    lead = cleaned.get("lead_department")
    if isinstance(lead, int):
        lead = cleaned["lead_department"] = Department.objects.select_related("region").filter(pk=lead).first()
    if lead is not None and not _in_region(lead.region.code, region):
        raise ValidationError({"lead_department": "牵头部门不在本一件事的区划范围内"})
    return cleaned


def _clean_items(rows: Sequence[Mapping], region: Region) -> list[tuple[ServiceItem, bool]]:
    """Rows: ``{"service_item": ServiceItem | id, "optional": bool}`` in order."""
    ids = [r["service_item"].pk if isinstance(r["service_item"], ServiceItem) else int(r["service_item"]) for r in rows]
    # select_related: region code for the scope check, department name for messages.
    found = ServiceItem.objects.select_related("region", "department").in_bulk(ids)
    out, seen = [], set()
    for i, (pk, row) in enumerate(zip(ids, rows), start=1):
        item = found.get(pk)
        if item is None:
            raise ValidationError({"items": f"第{i}个事项不存在（编号 {pk}）"})
        if pk in seen:
            raise ValidationError({"items": f"事项“{item.name}”重复添加了"})
        if not _in_region(item.region.code, region):
            raise ValidationError({"items": f"事项“{item.name}”（{item.region.name}）不在本一件事的区划范围内"})
        if item.status == "disabled":
            raise ValidationError({"items": f"事项“{item.name}”已停用，不能纳入一件事"})
        seen.add(pk)
        out.append((item, bool(row.get("optional"))))
    return out


def _facts(pairs: Sequence[tuple[ServiceItem, bool]]) -> list[dict]:
    return [{"name": it.name, "status": it.status, "promised_days": it.promised_days, "visits": it.visits}
            for it, _ in pairs]


def _write_items(bundle: Bundle, pairs: Sequence[tuple[ServiceItem, bool]]) -> None:
    BundleItem.objects.filter(bundle=bundle).delete()
    BundleItem.objects.bulk_create([BundleItem(bundle=bundle, service_item=it, seq=i, optional=opt)
                                    for i, (it, opt) in enumerate(pairs, start=1)])


def _snapshot(bundle: Bundle) -> dict:
    return {
        **{f: getattr(bundle, f) for f in BUNDLE_FIELDS if f != "lead_department"},
        "lead_department": bundle.lead_department_id, "status": bundle.status,
        "items": list(bundle.bundle_items.order_by("seq").values_list("service_item_id", flat=True)),
    }


def _save(bundle: Bundle) -> None:
    clash = Bundle.objects.filter(region_id=bundle.region_id, name=bundle.name).exclude(pk=bundle.pk).exists()
    if clash:
        raise ValidationError({"name": f"本区划已有名为“{bundle.name}”的一件事"})
    try:
        with transaction.atomic():
            bundle.full_clean(exclude=["region", "lead_department", "items"], validate_constraints=False)
            bundle.save()
    except IntegrityError:
        raise ValidationError({"name": f"本区划已有名为“{bundle.name}”的一件事"}) from None


def create_bundle(actor, *, region: Region, data: Mapping[str, Any], items: Sequence[Mapping] = ()) -> Bundle:
    """新建一件事 (草稿). ``items``: ``[{"service_item": item or id, "optional": False}, ...]``."""
    _require(actor, region, "新建一件事")
    cleaned = _clean_data(data, region)
    pairs = _clean_items(items, region)
    rules.check_bundle(cleaned, _facts(pairs)).raise_if_errors()
    with transaction.atomic():
        bundle = Bundle(region=region, status=Bundle.Status.DRAFT, **cleaned)
        _save(bundle)
        _write_items(bundle, pairs)
        audit.record("catalog.bundle.create", actor=actor, obj=bundle, object_type=AUDIT_TYPE, after=_snapshot(bundle))
    return bundle


def edit_bundle(actor, bundle: Bundle | int, *, lock_version: int, data: Mapping[str, Any],
                items: Sequence[Mapping] | None = None) -> Bundle:
    """修改一件事: only the keys present change; ``items`` (when given) replaces the item list.
    A published bundle must still be publishable after the change."""
    with transaction.atomic():
        bundle = _lock(bundle, lock_version)
        _require(actor, bundle.region, "修改一件事")
        if bundle.status == Bundle.Status.DISABLED:
            raise ValidationError("该一件事已停用，请先重新发布后再修改", code="transition")
        before = _snapshot(bundle)
        cleaned = _clean_data(data, bundle.region)
        for k, v in cleaned.items():
            setattr(bundle, k, v)
        if items is not None:
            pairs = _clean_items(items, bundle.region)
        else:
            # select_related: facts need each item's status and time limits.
            pairs = [(bi.service_item, bi.optional) for bi in bundle.bundle_items.select_related("service_item__region")]
        rules.check_bundle({f: getattr(bundle, f) for f in BUNDLE_FIELDS}, _facts(pairs),
                           for_publication=bundle.status == Bundle.Status.PUBLISHED).raise_if_errors()
        bundle.lock_version += 1
        _save(bundle)
        if items is not None:
            _write_items(bundle, pairs)
        audit.record("catalog.bundle.edit", actor=actor, obj=bundle, object_type=AUDIT_TYPE,
                     before=before, after=_snapshot(bundle))
    return bundle


def publish_bundle(actor, bundle: Bundle | int, *, lock_version: int) -> Bundle:
    """发布一件事: at least two items, all published."""
    with transaction.atomic():
        bundle = _lock(bundle, lock_version)
        _require(actor, bundle.region, "发布一件事")
        if bundle.status == Bundle.Status.PUBLISHED:
            raise ValidationError("该一件事已经发布，请勿重复操作", code="transition")
        pairs = [(bi.service_item, bi.optional) for bi in bundle.bundle_items.select_related("service_item")]
        rules.check_bundle({f: getattr(bundle, f) for f in BUNDLE_FIELDS}, _facts(pairs),
                           for_publication=True).raise_if_errors()
        before = bundle.status
        bundle.status = Bundle.Status.PUBLISHED
        bundle.lock_version += 1
        bundle.save(update_fields=["status", "lock_version", "updated_at"])
        audit.record("catalog.bundle.publish", actor=actor, obj=bundle, object_type=AUDIT_TYPE,
                     before={"status": before}, after={"status": bundle.status})
    return bundle


def disable_bundle(actor, bundle: Bundle | int, *, lock_version: int, reason: str = "") -> Bundle:
    """停用一件事: it leaves the portal; publishing it again brings it back."""
    with transaction.atomic():
        bundle = _lock(bundle, lock_version)
        _require(actor, bundle.region, "停用一件事")
        if bundle.status == Bundle.Status.DISABLED:
            raise ValidationError("该一件事已停用，请勿重复操作", code="transition")
        before = bundle.status
        bundle.status = Bundle.Status.DISABLED
        bundle.lock_version += 1
        bundle.save(update_fields=["status", "lock_version", "updated_at"])
        audit.record("catalog.bundle.disable", actor=actor, obj=bundle, object_type=AUDIT_TYPE,
                     before={"status": before}, after={"status": bundle.status, "reason": (reason or "").strip()[:500]})
    return bundle


def bundle_overview(bundle: Bundle) -> BundleOverview:
    """The bundle's items, merged material list, figures and publication problems.

    Materials come from each item's current published version (a bundle serves live guides);
    an item never published contributes none and is listed as a problem.
    """
    # select_related: the page shows each item's department and reads its published version.
    entries = list(bundle.bundle_items.select_related("service_item__department", "service_item__published_version")
                   .order_by("seq"))
    version_ids = [e.service_item.published_version_id for e in entries if e.service_item.published_version_id]
    by_version: dict[int, list[dict]] = {}
    for m in Material.objects.filter(version_id__in=version_ids).order_by("version_id", "seq").values(
            "version_id", "name", "necessity", "copies", "license_type"):
        by_version.setdefault(m.pop("version_id"), []).append(m)
    per_item = [(e.service_item.name, by_version.get(e.service_item.published_version_id, [])) for e in entries]
    merged = rules.merge_materials(per_item)
    facts = [rules.BundleItemFacts(e.service_item.name, len(mats), e.service_item.promised_days, e.service_item.visits)
             for e, (_, mats) in zip(entries, per_item)]
    figures = rules.bundle_figures(facts, merged_material_count=len(merged),
                                   bundle_promised_days=bundle.promised_days, bundle_visits=bundle.visits)
    check = rules.check_bundle({f: getattr(bundle, f) for f in BUNDLE_FIELDS},
                               [{"name": e.service_item.name, "status": e.service_item.status,
                                 "promised_days": e.service_item.promised_days, "visits": e.service_item.visits}
                                for e in entries], for_publication=True)
    problems = [m for ms in check.errors.values() for m in ms]
    return BundleOverview(bundle, entries, merged, figures, problems)
