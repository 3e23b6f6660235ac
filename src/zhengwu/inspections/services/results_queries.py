"""Reads of the results part: an inspector's tasks, a department's tasks, and the public 公示 list.

The public list is keyset-paginated on (检查日期, id), newest first, over published rows only
(partial indexes ``insp_task_public*``): a page costs the same on the first page and the last.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from zhengwu.org.permissions import staff_departments

from .. import results_rules as rules
from ..models import InspectionPlan, InspectionTask, TaskInspector
from .results import STAFF_ROLES

PAGE = 20


def _with_people(qs: QuerySet) -> QuerySet:
    return qs.select_related("plan", "plan__department", "inspected", "draw").prefetch_related(
        Prefetch("assignments", queryset=TaskInspector.objects.select_related("inspector").order_by("-lead", "pk")))


def my_tasks(user, *, open_only: bool = False) -> QuerySet:
    """我的检查任务: the current draws' tasks the user is assigned to as an inspector."""
    qs = InspectionTask.objects.filter(assignments__inspector__user=user, draw__is_current=True)
    if open_only:
        qs = qs.filter(published_at__isnull=True)
    return _with_people(qs).order_by("published_at", "plan__period_end", "pk").distinct()


def department_plans(user, roles=STAFF_ROLES) -> QuerySet:
    departments = staff_departments(user, roles).values("pk")
    joint = InspectionPlan.joint_departments.through.objects.filter(department_id__in=departments)
    return InspectionPlan.objects.filter(Q(department_id__in=departments) | Q(pk__in=joint.values("inspectionplan_id")))


def department_tasks(user, *, plan_id: int | None = None, state: str = "") -> QuerySet:
    """The current draws' tasks of the plans the user's department leads or joins."""
    qs = InspectionTask.objects.filter(draw__is_current=True, plan__in=department_plans(user))
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if state == "pending":
        qs = qs.filter(result="")
    elif state == "held":
        qs = qs.filter(published_at__isnull=True).exclude(result="")
    elif state == "published":
        qs = qs.filter(published_at__isnull=False)
    return _with_people(qs).order_by("plan__period_end", "plan_id", "pk")


@dataclass
class PublicPage:
    rows: list
    next_cursor: str | None


def public_results(*, department_id: int | None = None, start: dt.date | None = None, end: dt.date | None = None,
                   result: str = "", cursor: str = "", plan_id: int | None = None, size: int = PAGE) -> PublicPage:
    """Published results, newest check first; ``start``/``end`` bound the 检查日期 (both included)."""
    qs = InspectionTask.objects.filter(published_at__isnull=False)
    if department_id:
        qs = qs.filter(plan__department_id=department_id)
    if plan_id:
        qs = qs.filter(plan_id=plan_id)
    if result:
        qs = qs.filter(result=result)
    if start:
        qs = qs.filter(checked_on__gte=start)
    if end:
        qs = qs.filter(checked_on__lte=end)
    key = rules.decode_cursor(cursor) if cursor else None
    if key:
        day, pk = key
        qs = qs.filter(Q(checked_on__lt=day) | Q(checked_on=day, pk__lt=pk))
    qs = qs.order_by("-checked_on", "-pk")
    rows = list(_with_people(qs).prefetch_related("plan__items")[:size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return PublicPage(rows, rules.encode_cursor(rows[-1].checked_on, rows[-1].pk) if more and rows else None)
