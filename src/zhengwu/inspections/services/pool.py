"""What a plan draws from: its eligible objects and inspectors, their conflicts and previous checks,
gathered into the pure :class:`~zhengwu.inspections.draw_rules.DrawInputs`. Reads only."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from ..draw_rules import DrawInputs
from ..models import (
    InspectedObject,
    InspectionPlan,
    Inspector,
    InspectorConflict,
    TaskInspector,
)

FILTER_KEYS = {"categories": "category__in", "industries": "industry__in", "risk_levels": "risk_level__in"}


def plan_department_ids(plan: InspectionPlan) -> list[int]:
    return [plan.department_id, *sorted(d for d in plan.joint_departments.values_list("pk", flat=True)
                                        if d != plan.department_id)]


def eligible_inspectors(plan: InspectionPlan, on_date: dt.date | None = None) -> QuerySet:
    """在岗, certificate valid on ``on_date``, of the plan's (and joint) departments, and in the
    plan's pool when it names one; ordered by pk."""
    on_date = on_date or timezone.localdate()
    qs = Inspector.objects.filter(status=Inspector.Status.ACTIVE, valid_until__gte=on_date,
                                  department_id__in=plan_department_ids(plan))
    if plan.pk and plan.pool.exists():
        qs = qs.filter(pk__in=plan.pool.values("pk"))
    return qs.order_by("pk")


def filter_q(object_filter: dict | None) -> Q:
    """The 在册 objects a plan's ``object_filter`` selects (absent or empty key: any) — the one
    reading of the filter, used by the draw and by the figures (抽查覆盖率)."""
    f = object_filter or {}
    q = Q(is_active=True)
    for key, lookup in FILTER_KEYS.items():
        values = [v for v in (f.get(key) or []) if v]
        if values:
            q &= Q(**{lookup: values})
    prefixes = [str(p) for p in (f.get("region_prefixes") or []) if p]
    if prefixes:
        region = Q(pk__in=[])
        for p in prefixes:
            region |= Q(region_code__startswith=p)
        q &= region
    return q


def eligible_objects(plan: InspectionPlan) -> QuerySet:
    """在册 objects matching ``plan.object_filter``, ordered by pk."""
    return InspectedObject.objects.filter(filter_q(plan.object_filter)).order_by("pk")


def previous_assignments(object_ids: set[int], *, exclude_plan: InspectionPlan | None = None) -> dict[int, tuple[int, ...]]:
    """object id → the inspectors of its latest check in a current draw of another plan."""
    rows = TaskInspector.objects.filter(task__draw__is_current=True)
    if exclude_plan is not None:
        rows = rows.exclude(task__plan=exclude_plan)
    latest: dict[int, tuple] = {}  # object → (drawn_at, draw id, [inspectors])
    for obj, draw_id, drawn_at, inspector in rows.values_list("task__inspected_id", "task__draw_id",
                                                              "task__draw__drawn_at", "inspector_id").iterator():
        if obj not in object_ids:
            continue
        key = (drawn_at, draw_id)
        seen = latest.get(obj)
        if seen is None or key > seen[0]:
            latest[obj] = (key, [inspector])
        elif key == seen[0]:
            seen[1].append(inspector)
    return {obj: tuple(sorted(team)) for obj, (_k, team) in latest.items()}


def gather(plan: InspectionPlan, on_date: dt.date | None = None) -> DrawInputs:
    """The plan's inputs as they are now (fixed at publish and at a redraw)."""
    objects = tuple(eligible_objects(plan).values_list("pk", flat=True).iterator(chunk_size=20000))
    inspectors = tuple(eligible_inspectors(plan, on_date).values_list("pk", "department_id"))
    object_set = set(objects)
    inspector_ids = [i for i, _d in inspectors]
    conflicts = frozenset((i, o) for i, o in InspectorConflict.objects.filter(inspector_id__in=inspector_ids)
                          .values_list("inspector_id", "inspected_id") if o in object_set)
    previous = previous_assignments(object_set, exclude_plan=plan)
    joint = tuple(d for d in plan_department_ids(plan) if d != plan.department_id)
    return DrawInputs(objects=objects, inspectors=inspectors, conflicts=conflicts, previous=previous,
                      count=plan.count, ratio=None if plan.ratio is None else str(plan.ratio),
                      per_object=plan.inspectors_per_object, lead_department=plan.department_id,
                      joint_departments=joint)
