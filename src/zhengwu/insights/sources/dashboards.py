"""Figures the role dashboards need that no other adapter registers: 超期在办数 of the cases
(from the same :func:`zhengwu.cases.services.figures.case_figures` report as the other 办件
figures — inside ``memo()`` the report is computed once for all of them)."""

from __future__ import annotations

from ..registry import Figure, Row, register
from . import cached, url, user_key

BY = {"department": "department", "item": "item", "window": "window"}


def _report(start, end, user, group_by):
    from zhengwu.cases.services import figures as svc

    if not svc.may_view(user):
        return None
    # The same memo key as the 办件 adapter (sources.cases): one report for every 办件 figure.
    return cached(("cases", user_key(user), group_by, start, end),
                  lambda: svc.case_figures(svc.cases_in_view(user), group_by=group_by, start=start, end=end))


def overdue_open(start, end, *, user, by=None):
    report = _report(start, end, user, BY.get(by or "department", "department"))
    if report is None:
        return []
    if by is None:
        return [Row("合计", None, report.total.overdue_open)]
    return [Row(r.label, r.key, r.figures.overdue_open) for r in report.rows]


def _drill(start, end, key):
    return url("cases:figures", group_by="item", start=start, end=end)


register(Figure("cases.overdue_open", "超期在办数",
                "统计期末（统计期未结束时为今日）已受理、尚未办结也未撤回、已过当时的承诺办结日期的办件数"
                "（期末正在进行特别程序、暂停计时的不计）", domain="办件", unit="件", source=overdue_open,
                dimensions=("department", "item", "window"), page="cases:figures", drill=_drill))
