"""The role dashboards other than the leader's (部门驾驶舱, 大厅看板, 12345看板), the region chart and
the 大屏's tiles: each module builds one page's data from the registry (or, for what is “now” rather
than a period — the hall's queue, open overdue tickets — from the domain's own read functions).

Shared here: a short cache per viewer scope, and :func:`department_viewer`, the viewer narrowed
to one department (what that department's administrator sees), through which the department
dashboard asks every domain for its figures: each domain keeps scoping its own data as it
always does (:func:`zhengwu.org.permissions.scope`), only over a narrower set of grants.
"""

from __future__ import annotations

import copy

from django.core.cache import cache

from zhengwu.org.models import Role
from zhengwu.org.permissions import Grant, grants, is_sysadmin


def cached(key: str, seconds: int, build):
    """``build()`` kept ``seconds`` under ``key`` (the key must carry the viewer's scope)."""
    found = cache.get(key)
    if found is None:
        found = build()
        cache.set(key, found, seconds)
    return found


def department_viewer(user, department):
    """A read-only stand-in for ``user`` whose grants are one 部门管理员 grant of exactly
    ``department`` (not its sub-departments): every domain's figure function then gives that
    department's figures. The caller must first check that ``user`` may see ``department``
    (:func:`zhengwu.insights.dashboards.department.choices`): the stand-in never sees more than
    the viewer, and is never used to write anything."""
    viewer = copy.copy(user)
    viewer.__dict__.pop("_zw_region_departments", None)
    viewer.is_superuser = False
    region = department.region
    ids = frozenset({department.pk})
    viewer._zw_grants = [Grant(role=Role.DEPT_ADMIN, region_prefix=region.prefix, region_id=region.pk,
                               department_ids=ids, window_id=None, covered_ids=ids)]
    return viewer


def scope_of(user) -> str:
    """The viewer's scope as a cache key part (the leader dashboard's key)."""
    from ..dashboard import scope_key

    return scope_key(user)


__all__ = ["cached", "department_viewer", "scope_of", "grants", "is_sysadmin"]


def url_of(name: str, **params) -> str | None:
    from ..sources import url

    return url(name, **params)
