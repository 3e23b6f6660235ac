"""双随机 figures by department and quarter: 抽查覆盖率, 任务完成率, 问题发现率 (definitions in
:mod:`..results_rules`), over the plans whose 检查开始日期 falls in the period, in the viewer's scope.

A plan counts for its lead department; its tasks are those of its current draw. The register side
of 抽查覆盖率 counts the active objects matching any of the department's plans' object filters in
that quarter (the contract's filter keys: categories, industries, risk_levels, region_prefixes).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Q

from zhengwu.org import permissions
from zhengwu.org.models import Role

from .. import results_rules as rules
from ..models import InspectedObject, InspectionPlan, InspectionTask
from . import pool

VIEWER_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.DEPT_ADMIN)
MAX_DAYS = 366 * 3
DEFINITIONS = {
    "coverage": ("抽查覆盖率", "已检查（录入结果）的检查对象数 ÷ 检查对象名录库中符合本部门抽查计划对象条件的在册对象数"),
    "completion": ("任务完成率", "已录入检查结果的检查任务数 ÷ 当前有效抽取产生的检查任务数"),
    "problem_rate": ("问题发现率", "发现问题（责令整改、立案查处、移送）的检查结果数 ÷ 已录入的检查结果数"),
}


def may_view(user) -> bool:
    return permissions.is_sysadmin(user) or bool(permissions.roles_of(user) & set(VIEWER_ROLES))


def check_period(start: dt.date, end: dt.date) -> dict[str, str]:
    if end < start:
        return {"end": "结束日期不能早于开始日期"}
    if (end - start).days > MAX_DAYS:
        return {"end": "统计期不能超过3年"}
    return {}


def figures(user, *, start: dt.date, end: dt.date, department_id: int | None = None) -> tuple[list, rules.FigureRow]:
    """(rows by department and quarter, the 合计 row)."""
    problems = check_period(start, end)
    if problems:
        raise ValueError(next(iter(problems.values())))
    plans = permissions.scope(InspectionPlan.objects.all(), user, VIEWER_ROLES, department_field="department")
    plans = plans.filter(period_start__gte=start, period_start__lte=end).exclude(state=InspectionPlan.State.CANCELLED)
    if department_id:
        plans = plans.filter(department_id=department_id)
    groups: dict[tuple[str, dt.date], list] = defaultdict(list)
    for p in plans.select_related("department").only("pk", "object_filter", "period_start", "department__name"):
        groups[(p.department.name, rules.quarter_start(p.period_start))].append(p)
    rows = []
    for (name, quarter), members in sorted(groups.items()):
        ids = [p.pk for p in members]
        row = rules.FigureRow(name, rules.quarter_of(quarter))
        tasks = InspectionTask.objects.filter(plan_id__in=ids, draw__is_current=True)
        agg = tasks.aggregate(n=Count("pk"), done=Count("pk", filter=~Q(result="")),
                              problems=Count("pk", filter=Q(result__in=sorted(rules.PROBLEM_RESULTS))))
        row.tasks, row.done, row.problems = agg["n"], agg["done"], agg["problems"]
        row.checked_objects = tasks.exclude(result="").values("inspected_id").distinct().count()
        register = Q(pk__in=[])
        for p in members:
            register |= pool.filter_q(p.object_filter)
        row.objects = InspectedObject.objects.filter(register).count()
        rows.append(row)
    return rows, rules.total(rows)


def chart(rows: list) -> dict:
    """The ECharts spec (static/zhengwu/charts.js): the three rates per row, in percent."""
    def num(v):
        return None if v is None else float(v)
    return {"x": [f"{r.department} {r.period}" for r in rows], "y": ["%"],
            "series": [{"name": DEFINITIONS["coverage"][0], "type": "bar", "data": [num(r.coverage) for r in rows]},
                       {"name": DEFINITIONS["completion"][0], "type": "bar", "data": [num(r.completion) for r in rows]},
                       {"name": DEFINITIONS["problem_rate"][0], "type": "bar",
                        "data": [num(r.problem_rate) for r in rows]}]}
