"""办件 figures from :func:`zhengwu.cases.services.figures.case_figures` over the viewer's cases."""

from __future__ import annotations

from ..registry import Figure, Row, register
from ..rules import rate
from . import cached, url, user_key

BY = {"department": "department", "item": "item", "window": "window"}


def _report(start, end, user, group_by):
    from zhengwu.cases.services import figures as svc

    if not svc.may_view(user):
        return None

    def build():
        return svc.case_figures(svc.cases_in_view(user), group_by=group_by, start=start, end=end)

    return cached(("cases", user_key(user), group_by, start, end), build)


def _source(pick):
    def compute(start, end, *, user, by=None):
        report = _report(start, end, user, BY.get(by or "department", "department"))
        if report is None:
            return []
        if by is None:
            return [Row("合计", None, *pick(report.total))]
        return [Row(r.label, r.key, *pick(r.figures)) for r in report.rows]

    return compute


def _count(name):
    return lambda f: (getattr(f, name), None, None)


def _rate(num, den):
    return lambda f: (rate(getattr(f, num), getattr(f, den)), getattr(f, num), getattr(f, den))


def _drill(what):
    """drill(start, end, key, by="department") → the 办件明细 list of the cases the number counted
    (``what`` of :data:`zhengwu.cases.queries_figures.WHATS`), in the group ``key`` of ``by``
    (a department, item or window id; for windows None is 未经窗口 only when ``by`` is given)."""

    def drill(start, end, key=None, by="department"):
        group = {}
        if by == "window" and key is None:
            group = {"window": "none"}
        elif key is not None:
            group = {BY.get(by, "department"): key}
        return url("cases:figure_cases", what=what, start=start, end=end, **group)

    return drill


COMMON = {"domain": "办件", "dimensions": ("department", "item", "window"), "page": "cases:figures"}

register(Figure("cases.accepted", "受理量", "统计期内受理的办件数（含容缺受理、告知承诺受理），按受理日期计", unit="件",
                source=_source(_count("accepted")), drill=_drill("accepted"), **COMMON))
register(Figure("cases.concluded", "办结量", "统计期内办结的办件数（准予和不予），按办结时间计", unit="件",
                source=_source(_count("concluded")), drill=_drill("concluded"), **COMMON))
register(Figure("cases.on_time_rate", "按时办结率",
                "按时办结件数 ÷ 办结件数（统计期内办结、在承诺办结日期当日或之前办结，特别程序顺延）", unit="%",
                source=_source(_rate("concluded_on_time", "concluded")), drill=_drill("concluded_on_time"),
                **COMMON))
register(Figure("cases.full_online_rate", "全程网办率",
                "全程网办件数 ÷ 受理件数（网上申报、事项网办深度四级且办件登记的到现场次数为0）", unit="%",
                source=_source(_rate("full_online", "accepted")), drill=_drill("full_online"), **COMMON))
