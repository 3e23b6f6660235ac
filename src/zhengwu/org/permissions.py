"""Who may see and do what — the one place where staff scope is decided (权限).

Every staff list query in the platform is filtered through :func:`scope`; every staff action is
checked with :func:`has_role`. A :class:`~zhengwu.org.models.RoleGrant` gives a role within a
region (and its sub-regions, by code prefix) and optionally within one department (and its
sub-departments). 系统管理员 and Django superusers see everything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Q, QuerySet

from zhengwu.speedups.generations import Generation
from zhengwu.speedups.prepared import ByPk

from .models import Department, Region, Role, RoleGrant

ALL_ROLES = tuple(Role.values)
# A region-wide grant is resolved to its departments' ids (one query, once per request) when the
# region has at most this many; a larger region is scoped by region code prefix in SQL.
MAX_RESOLVED_DEPARTMENTS = 1000


@dataclass(frozen=True)
class Grant:
    role: str
    region_prefix: str
    region_id: int
    department_ids: frozenset[int] | None  # None: every department of the region
    window_id: int | None
    # The departments the grant covers (its department subtree ∩ its region), when known from
    # loading the grant; None: resolved on demand (see covered_departments).
    covered_ids: frozenset[int] | None = None


_SUBTREE_SQL = """
WITH RECURSIVE subtree(id) AS (
    SELECT id FROM {dept} WHERE id = %s
    UNION
    SELECT d.id FROM {dept} d INNER JOIN subtree s ON d.parent_id = s.id
)
SELECT d.id, r.code FROM subtree s
INNER JOIN {dept} d ON d.id = s.id
INNER JOIN {region} r ON r.id = d.region_id
"""


def _subtree(root_id: int) -> list[tuple[int, str]]:
    """(id, region code) of a department and all its sub-departments, in one query."""
    with connections[router.db_for_read(Department)].cursor() as cur:
        cur.execute(_SUBTREE_SQL.format(dept=Department._meta.db_table, region=Region._meta.db_table), [root_id])
        return [(int(pk), code) for pk, code in cur.fetchall()]


def _descendant_ids(root_id: int) -> frozenset[int]:
    return frozenset(pk for pk, _code in _subtree(root_id))


# A staff member's department grants are resolved to the department's subtree on every request
# (grants()): a recursive query on every staff request, for a tree that changes a few times a
# year. It is cached under a
# generation that a saved or deleted department or region bumps (after the commit, org.apps;
# zhengwu.speedups.generations says who sees a change when).
SUBTREE_CACHE_SECONDS = 60
_TREE = Generation("org:tree", SUBTREE_CACHE_SECONDS)


def org_tree_changed() -> None:
    _TREE.bump()


def _cached_subtree(root_id: int) -> list[tuple[int, str]]:
    return _TREE.cached("subtree", lambda: _subtree(root_id), root_id)


_GRANTS_OF_USER = ByPk(lambda: RoleGrant.objects.select_related("region"), field="user_id")


def grants(user) -> list[Grant]:
    """The user's grants, loaded once per user object (i.e. once per request)."""
    if user is None or not user.is_authenticated:
        return []
    cached = getattr(user, "_zw_grants", None)
    if cached is not None:
        return cached
    if user.kind != user.Kind.STAFF:
        # Roles are granted to staff accounts only (services.grant_role, RoleGrant.clean): a
        # citizen's or enterprise's request needs no query to know it holds none.
        user._zw_grants = []
        return user._zw_grants
    # select_related: the region prefix is needed for every grant.
    rows = _GRANTS_OF_USER.all(user.pk)  # every staff request: compiled once
    result = []
    subtrees: dict[int, list[tuple[int, str]]] = {}
    for g in rows:
        department_ids = covered = None
        if g.department_id:
            if g.department_id not in subtrees:
                subtrees[g.department_id] = _cached_subtree(g.department_id)
            tree = subtrees[g.department_id]
            department_ids = frozenset(pk for pk, _code in tree)
            covered = frozenset(pk for pk, code in tree if code.startswith(g.region.prefix))
        result.append(Grant(role=g.role, region_prefix=g.region.prefix, region_id=g.region_id,
                            department_ids=department_ids, window_id=g.window_id, covered_ids=covered))
    user._zw_grants = result
    return result


def covered_departments(user, g: Grant) -> frozenset[int] | None:
    """Ids of the departments ``g`` covers: those of its region (by code prefix) within its
    department subtree. None when the region has too many departments to list (the caller
    then filters by region code in SQL). Loaded once per request and region."""
    if g.covered_ids is not None:
        return g.covered_ids
    if g.department_ids is not None:  # a Grant built elsewhere without covered_ids
        ids = Department.objects.filter(pk__in=sorted(g.department_ids), region__code__startswith=g.region_prefix)
        return frozenset(ids.values_list("pk", flat=True))
    memo = user.__dict__.setdefault("_zw_region_departments", {})
    if g.region_prefix not in memo:
        ids = list(Department.objects.filter(region__code__startswith=g.region_prefix).order_by()
                   .values_list("pk", flat=True)[:MAX_RESOLVED_DEPARTMENTS + 1])
        memo[g.region_prefix] = frozenset(ids) if len(ids) <= MAX_RESOLVED_DEPARTMENTS else None
    return memo[g.region_prefix]


def listed_departments(user, roles: Iterable[str], *, limit: int) -> list[int] | None:
    """The ids of every department the user's grants of ``roles`` cover, as :func:`scope` decides
    it, for a query that reads department by department; None when they cannot be listed (a
    sysadmin, a region too large to resolve, more than ``limit``)."""
    if is_sysadmin(user):
        return None
    roles = set(roles)
    ids: set[int] = set()
    for g in grants(user):
        if g.role not in roles:
            continue
        covered = covered_departments(user, g)
        if covered is None:
            return None
        ids |= covered
    return sorted(ids) if len(ids) <= limit else None


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
    by_department = region_code_field is None  # the region is the department's own region
    if region_code_field is None:
        if dep is None:
            raise ValueError("scope() needs department_field or region_code_field")
        region_code_field = f"{dep}__region__code" if dep else "region__code"
    id_field = f"{dep}_id__in" if dep else "pk__in"
    condition = Q(pk__in=[])
    for g in grants(user):
        if g.role not in roles:
            continue
        if by_department:
            # "The department's region code starts with the prefix (and the department is in
            # the grant's subtree)" as a list of department ids: an indexed equality the
            # planner estimates well, instead of a LIKE join it cannot.
            covered = covered_departments(user, g)
            if covered is not None:
                condition |= Q(**{id_field: sorted(covered)})
                continue
        q = Q(**{f"{region_code_field}__startswith": g.region_prefix})
        if g.department_ids is not None and dep is not None:
            q &= Q(**{id_field: sorted(g.department_ids)})
        condition |= q
    return qs.filter(condition)


def staff_departments(user, roles: Iterable[str] = ALL_ROLES) -> QuerySet:
    return scope(Department.objects.all(), user, roles, department_field="")


def staff_regions(user, roles: Iterable[str] = ALL_ROLES, *, max_level: int = Region.Level.TOWNSHIP) -> QuerySet:
    """The regions within the user's grants of ``roles``: each grant's region and those below it
    (down to ``max_level``, by default 乡镇、街道), in code order. Every region for a sysadmin."""
    qs = Region.objects.filter(level__lte=max_level).order_by("code")
    if is_sysadmin(user):
        return qs
    roles = set(roles)
    prefixes = sorted({g.region_prefix for g in grants(user) if g.role in roles})
    condition = Q(pk__in=[])
    for prefix in prefixes:
        condition |= Q(code__startswith=prefix)
    return qs.filter(condition)
