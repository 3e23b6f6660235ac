"""电子证照 figures from :func:`zhengwu.licenses.figures.licence_figures` (months, the viewer's departments)."""

from __future__ import annotations

from collections import defaultdict

from ..registry import Figure, Row, register
from . import cached, url, user_key


def _report(start, end, user):
    from zhengwu.licenses import figures

    if not figures.may_view(user):
        return None
    first, last = start.replace(day=1), end.replace(day=1)
    return cached(("licenses", user_key(user), first, last),
                  lambda: figures.licence_figures(user, start=first, end=last))


def uses(start, end, *, user, by=None):
    report = _report(start, end, user)
    if report is None:
        return []
    if by is None:
        return [Row("合计", None, report.total.uses)]
    per_department = defaultdict(int)
    for r in report.rows:
        per_department[r.department] += r.uses
    return [Row(name, name, n) for name, n in sorted(per_department.items(), key=lambda x: (-x[1], x[0]))]


def _drill(start, end, key):
    return url("licenses:use_figures", start=f"{start:%Y-%m}", end=f"{end:%Y-%m}")


register(Figure("licenses.uses", "电子证照用证次数",
                "在本部门办件中调用电子证照（网上申请、窗口代录）及外部系统查询用证的次数，按用证时间计",
                domain="电子证照", unit="次", source=uses, periods=("month", "year"), dimensions=("department",),
                page="licenses:use_figures", drill=_drill, note="按整月统计：统计期所在的月份"))
