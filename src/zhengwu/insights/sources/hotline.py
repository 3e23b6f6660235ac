"""12345 figures from :func:`zhengwu.hotline.figures.report`, scoped as the 12345 指标 page scopes them."""

from __future__ import annotations

from ..registry import Figure, Row, register
from ..rules import rate
from . import cached, url, user_key

BY = {"department": "department", "region": "region", "ticket_type": "type"}


def _report(start, end, user, dimension):
    from zhengwu.hotline import figures

    def build():
        return figures.report(user, dimension, start, end)

    return cached(("hotline", user_key(user), dimension, start, end), build)


def _source(pick):
    def compute(start, end, *, user, by=None):
        report = _report(start, end, user, BY.get(by or "department", "department"))
        if by is None:
            return [Row("合计", None, *pick(report["total"]["counts"]))]
        return [Row(r["label"], r["key"], *pick(r["counts"])) for r in report["rows"]]

    return compute


def _count(name):
    return lambda c: (c[name], None, None)


def _rate(num, den):
    return lambda c: (rate(c[num], c[den]), c[num], c[den])


def _drill(start, end, key=None, by=None):
    """The 12345 指标 page for the period by the number's dimension (a 诉求类型 number: filtered to
    that type): for figures with no list of their own (满意率)."""
    dimension = BY.get(by or "department", "department")
    return url("hotline:figures", by=dimension, start=start, end=end,
               type=key if dimension == "type" and key is not None else None)


def _tickets(what):
    """drill(start, end, key, by) → the 12345 工单明细 of the tickets the number counted (``what``:
    received / closed), in the group ``key`` of ``by`` (department, region or 诉求类型)."""

    def drill(start, end, key=None, by=None):
        group = {}
        if key is not None:
            group = {{"department": "department", "region": "region", "ticket_type": "type"}[by or "department"]: key}
        return url("hotline:figure_tickets", what=what, start=start, end=end, **group)

    return drill


COMMON = {"domain": "12345", "dimensions": ("department", "region", "ticket_type"), "page": "hotline:figures"}

register(Figure("hotline.received", "12345 受理量", "本期登记的工单数（含重复诉求，不含撤销的误登记）", unit="件",
                source=_source(_count("received")), drill=_tickets("received"), **COMMON))
register(Figure("hotline.on_time_rate", "12345 按时办结率",
                "按时办结的派单工单数 ÷ 本期办结的派单工单数（每次答复都在当时计算的时限内为按时）", unit="%",
                source=_source(_rate("closed_on_time", "closed")), drill=_tickets("closed"), **COMMON))
register(Figure("hotline.satisfaction_rate", "12345 满意率",
                "（非常满意＋满意＋基本满意）工单数 ÷ 有满意度评价的本期办结工单数", unit="%",
                source=_source(_rate("satisfied", "rated")), drill=_drill, **COMMON))
