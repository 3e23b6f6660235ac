"""双随机 figures from :func:`zhengwu.inspections.services.results_figures.figures` (plans whose
检查开始日期 falls in the period, the viewer's departments)."""

from __future__ import annotations

from collections import defaultdict

from ..registry import Figure, Row, register
from ..rules import rate
from . import cached, url, user_key


def _figures(start, end, user):
    from zhengwu.inspections.services import results_figures

    if not results_figures.may_view(user):
        return None
    return cached(("inspections", user_key(user), start, end),
                  lambda: results_figures.figures(user, start=start, end=end))


def coverage(start, end, *, user, by=None):
    found = _figures(start, end, user)
    if found is None:
        return []
    rows, total = found
    if by is None:
        return [Row("合计", None, rate(total.checked_objects, total.objects), total.checked_objects, total.objects)]
    sums = defaultdict(lambda: [0, 0])
    for r in rows:
        sums[r.department][0] += r.checked_objects
        sums[r.department][1] += r.objects
    return [Row(name, name, rate(n, d), n, d) for name, (n, d) in sorted(sums.items())]


def _drill(start, end, key):
    return url("inspections:results_figures", start=start, end=end)


register(Figure("inspections.coverage", "双随机抽查覆盖率",
                "已检查（录入结果）的检查对象数 ÷ 名录库中符合本部门抽查计划对象条件的在册对象数（按计划检查开始日期归期）",
                domain="监管", unit="%", source=coverage, dimensions=("department",),
                page="inspections:results_figures", drill=_drill))
