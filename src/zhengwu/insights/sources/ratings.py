"""好差评 figures from :func:`zhengwu.ratings.queries.figures_report` (the daily aggregate), scoped
to the viewer as the 好差评指标 page scopes them."""

from __future__ import annotations

from ..registry import Figure, Row, register
from ..rules import rate
from . import cached, url, user_key

BY = {"department": "department", "region": "region", "item": "item", "window": "window"}


def _report(start, end, user, group_by):
    from zhengwu.ratings import queries

    def build():
        return queries.figures_report(start=start, end=end, group_by=group_by, user=user)

    return cached(("ratings", user_key(user), group_by, start, end), build)


def _source(num, den):
    def compute(start, end, *, user, by=None):
        report = _report(start, end, user, BY.get(by or "department", "department"))

        def row(label, key, f):
            n, d = num(f), den(f)
            return Row(label, key, rate(n, d), n, d)

        if by is None:
            return [row("合计", None, report.total)]
        return [row(r.label, r.key, r) for r in report.rows]

    return compute


def _figures_page(start, end, key=None, by="department"):
    return url("ratings:figures", by=by if by in BY else "department", start=start, end=end)


def _ratings(**flags):
    """drill(start, end, key, by) → the 评价列表 of the ratings the number counted (评价日期 in the
    period, the group's department or window); a region or item group has no list filter: its
    figures page."""

    def drill(start, end, key=None, by="department"):
        if key is not None and by not in ("department", "window"):
            return _figures_page(start, end, key, by)
        group = {by: key} if key is not None else {}
        return url("ratings:list", start=start, end=end, **flags, **group)

    return drill


COMMON = {"domain": "好差评", "unit": "%", "dimensions": ("department", "region", "item", "window"),
          "page": "ratings:figures"}

register(Figure("ratings.active_rate", "主动评价率",
                "已主动评价的可评价事件数 ÷ 可评价事件数（统计期内办结的办件、窗口现场服务、办结的12345工单，按事件发生日计）",
                source=_source(lambda r: r.figures.rated, lambda r: r.figures.events), drill=_figures_page, **COMMON))
register(Figure("ratings.satisfaction_rate", "满意率",
                "（非常满意 + 满意 + 基本满意）条数 ÷ 主动评价数（不含默认好评）",
                source=_source(lambda r: r.figures.satisfied, lambda r: r.figures.active), drill=_ratings(active=1), **COMMON))
register(Figure("ratings.rectify_rate", "差评整改率", "整改完成的差评数 ÷ 差评数",
                source=_source(lambda r: r.counts.bad_rectified, lambda r: r.counts.bad), drill=_ratings(bad=1), **COMMON))
