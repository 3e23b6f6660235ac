"""部门驾驶舱: one department's month — cards (受理量, 办结量, 按时办结率, 全程网办率, 满意率, 12345
受理量 and 按时办结率) against the month before, a 12-month trend, its items ranked by 受理量 and
its cases open past their due date, every number from the registry over
:func:`~zhengwu.insights.dashboards.department_viewer` (the department's own scope).

Who: 部门管理员 and 审批人员 their departments; 领导, 督办人员 (and 系统管理员) any department of
their region, chosen on the page.
"""

from __future__ import annotations

import datetime as dt

from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from zhengwu.org.models import Department, Role, RoleGrant
from zhengwu.org.permissions import is_sysadmin, roles_of, staff_departments

from .. import dashboard, registry, rules, sources
from . import cached, department_viewer, scope_of

ROLES = (Role.DEPT_ADMIN, Role.APPROVER, Role.LEADER, Role.SUPERVISOR)
CARDS = ("cases.accepted", "cases.concluded", "cases.on_time_rate", "cases.full_online_rate",
         "ratings.satisfaction_rate", "hotline.received", "hotline.on_time_rate")
ITEM_RANK_BY = "cases.accepted"
ITEM_RANK_ALSO = "cases.on_time_rate"
OVERDUE = "cases.overdue_open"
ITEM_TOP = 15
MAX_CHOICES = 500
CACHE_SECONDS = 60


def may_view(user) -> bool:
    return is_sysadmin(user) or bool(roles_of(user) & set(ROLES))


def _in_view(user):
    return staff_departments(user, ROLES).filter(is_active=True)


def choices(user) -> list[tuple[int, str]]:
    """The departments the viewer may pick (at most :data:`MAX_CHOICES`, by region and name)."""
    return list(_in_view(user).order_by("region__code", "name").values_list("pk", "name")[:MAX_CHOICES])


def pick(user, wanted: str | None) -> Department | None:
    """The department asked for (``?department=<id>``) if the viewer may see it; without one, the
    department of the viewer's own 部门管理员/审批 grant, else the first they may see. None when
    the id is not one of theirs (or they see none)."""
    qs = _in_view(user).select_related("region")
    if wanted:
        try:
            return qs.filter(pk=int(wanted)).first()
        except (TypeError, ValueError):
            return None
    own = (RoleGrant.objects.filter(user=user, role__in=[Role.DEPT_ADMIN, Role.APPROVER], department__isnull=False)
           .order_by("pk").values_list("department_id", flat=True).first()) if user.pk else None
    found = qs.filter(pk=own).first() if own else None
    return found or qs.order_by("region__code", "name").first()


def _items(start, end, viewer) -> dict:
    main, also = registry.get(ITEM_RANK_BY), registry.get(ITEM_RANK_ALSO)
    rows = [r for r in main.compute(start, end, user=viewer, by="item") if r.value]
    rows.sort(key=lambda r: (-r.value, r.label))
    rows = rows[:ITEM_TOP]
    other = {r.key: r for r in also.compute(start, end, user=viewer, by="item")}
    table = [{"label": r.label, "value": r.value, "also": other[r.key].value if r.key in other else None}
             for r in rows]
    # Largest at the top of a horizontal bar chart: ECharts draws the first category at the bottom.
    return {"x": [r["label"] for r in reversed(table)], "y": ["件"], "horizontal": True,
            "series": [{"name": main.name, "type": "bar", "data": [r["value"] for r in reversed(table)]}],
            "rows": table, "name": main.name, "also_name": also.name}


def overdue_url(user, department, start, end) -> str | None:
    """审批人员 go to their 待办 filtered to 超期; others to the 办件指标 page by item."""
    try:
        if Role.APPROVER in roles_of(user) or Role.WINDOW in roles_of(user):
            return f"{reverse('cases:staff_inbox')}?time=overdue&department={department.pk}"
    except NoReverseMatch:
        pass
    return registry.get(OVERDUE).drill_url(start, end)


def build(user, department, month: dt.date) -> dict:
    viewer = department_viewer(user, department)
    start, end = month, rules.month_end(month)
    today = timezone.localdate()
    prev_start, prev_end, same_span = rules.comparison_period(start, end, today)
    with sources.memo():
        cards = [dashboard._card(registry.get(k), start, end, prev_start, prev_end, viewer, department.pk)
                 for k in CARDS]
        trend = dashboard._trend(month, viewer)
        items = _items(start, end, viewer)
        overdue = registry.get(OVERDUE).total(start, end, user=viewer)
        as_of_text = dashboard.freshness(start, end, CARDS, today)
    trend_rows = [(m, [s["data"][i] for s in trend["series"]]) for i, m in enumerate(trend["x"])]
    item_rows = items.pop("rows")
    return {"department": {"id": department.pk, "name": department.name}, "month": f"{month:%Y-%m}",
            "start": start, "end": end, **rules.comparison_labels(prev_start, prev_end, same_span),
            "cards": cards, "trend": trend, "as_of_text": as_of_text,
            "trend_rows": trend_rows, "items": items, "item_rows": item_rows,
            "overdue": overdue.value if overdue else None,
            "overdue_url": overdue_url(user, department, start, end)}


def cached_build(user, department, month: dt.date) -> dict:
    key = f"insights:department:{scope_of(user)}:{department.pk}:{month:%Y-%m}:{timezone.localdate():%d}"
    return cached(key, CACHE_SECONDS, lambda: build(user, department, month))
