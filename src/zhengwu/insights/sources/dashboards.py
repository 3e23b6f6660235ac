"""Figures the role dashboards need that no other adapter registers: 超期在办数 of the cases
(:func:`zhengwu.cases.services.figures.overdue_open_rows`: the one grouped query of the 办件
report's 期末超期在办, a stock at the period's end that no daily rollup can sum)."""

from __future__ import annotations

from ..registry import Figure, Row, register
from . import cached, url, user_key

BY = {"department": "department", "item": "item", "window": "window"}


def _rows(start, end, user, group_by):
    from zhengwu.cases.services import figures as svc

    if not svc.may_view(user):
        return None
    # Only the 超期在办 query (not the whole 办件 report: its other figures come from the rollups).
    return cached(("cases_overdue", user_key(user), group_by, start, end),
                  lambda: svc.overdue_open_rows(svc.cases_in_view(user), group_by=group_by, start=start, end=end))


def overdue_open(start, end, *, user, by=None):
    rows = _rows(start, end, user, BY.get(by or "department", "department"))
    if rows is None:
        return []
    if by is None:
        return [Row("合计", None, sum(r.figures.overdue_open for r in rows))]
    return [Row(r.label, r.key, r.figures.overdue_open) for r in rows]


def _drill(start, end, key):
    return url("cases:figures", group_by="item", start=start, end=end)


register(Figure("cases.overdue_open", "超期在办数",
                "统计期末（统计期未结束时为今日）已受理、尚未办结也未撤回、已过当时的承诺办结日期的办件数"
                "（期末正在进行特别程序、暂停计时的不计）", domain="办件", unit="件", source=overdue_open,
                dimensions=("department", "item", "window"), page="cases:figures", drill=_drill))
