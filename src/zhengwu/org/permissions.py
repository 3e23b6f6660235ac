"""Who may see and do what — the one place where staff scope is decided (权限).

Every staff list query in the platform is filtered through :func:`scope`; every staff action is
checked with :func:`has_role`. A :class:`~zhengwu.org.models.RoleGrant` gives a role within a
region (and its sub-regions, by code prefix) and optionally within one department (and its
sub-departments). 系统管理员 and Django superusers see everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from .models import Department, Role, RoleGrant

ALL_ROLES = tuple(Role.values)


@dataclass(frozen=True)
class Grant:
    role: str
    region_prefix: str
    region_id: int
    department_ids: frozenset[int] | None  # None: every department of the region
    window_id: int | None


def _descendant_ids(root_id: int) -> frozenset[int]:
    ids, frontier = {root_id}, [root_id]
    while frontier:
        frontier = list(Department.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        frontier = [i for i in frontier if i not in ids]
        ids.update(frontier)
    return frozenset(ids)


def grants(user) -> list[Grant]:
    """The user's grants, loaded once per user object (i.e. once per request)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_zw_grants", None)
    if cached is not None:
        return cached
    # select_related: the region prefix is needed for every grant.
    rows = RoleGrant.objects.filter(user_id=user.pk).select_related("region")
    result = [
        Grant(
            role=g.role,
            region_prefix=g.region.prefix,
            region_id=g.region_id,
            department_ids=_descendant_ids(g.department_id) if g.department_id else None,
            window_id=g.window_id,
        )
        for g in rows
    ]
    user._zw_grants = result
    return result


def is_sysadmin(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or any(g.role == Role.SYSADMIN for g in grants(user))))


def is_staff_member(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_superuser or grants(user)))


def roles_of(user) -> set[str]:
    if user is not None and getattr(user, "is_superuser", False):
        return set(ALL_ROLES)
    return {g.role for g in grants(user)}


def has_role(user, *roles: str, department: Department | None = None, region_code: str | None = None) -> bool:
    """True when one of the user's grants of these roles covers the department/region."""
    if is_sysadmin(user):
        return True
    roles = roles or ALL_ROLES
    for g in grants(user):
        if g.role not in roles:
            continue
        if department is not None:
            if g.department_ids is not None and department.pk not in g.department_ids:
                continue
            if not department.region.code.startswith(g.region_prefix):
                continue
        if region_code is not None and not region_code.startswith(g.region_prefix):
            continue
        return True
    return False


def scope(
    qs: QuerySet,
    user,
    roles: Iterable[str] = ALL_ROLES,
    *,
    department_field: str | None = "department",
    region_code_field: str | None = None,
) -> QuerySet:
    """Restrict ``qs`` to the rows the user's grants of ``roles`` cover.

    ``department_field`` is the path to a Department foreign key ("" when ``qs`` is of
    Department itself); ``region_code_field`` the path to a 12-digit region code, by default the
    department's region code.
    """
    if is_sysadmin(user):
        return qs
    roles = set(roles)
    dep = department_field
    if region_code_field is None:
        if dep is None:
            raise ValueError("scope() needs department_field or region_code_field")
        region_code_field = f"{dep}__region__code" if dep else "region__code"
    condition = Q(pk__in=[])
    for g in grants(user):
        if g.role not in roles:
            continue
        q = Q(**{f"{region_code_field}__startswith": g.region_prefix})
        if g.department_ids is not None and dep is not None:
            q &= Q(**{f"{dep}_id__in" if dep else "pk__in": sorted(g.department_ids)})
        condition |= q
    return qs.filter(condition)


def staff_departments(user, roles: Iterable[str] = ALL_ROLES) -> QuerySet:
    return scope(Department.objects.all(), user, roles, department_field="")
