"""大厅 figures from the 效能监察 report of each hall the viewer supervises
(:func:`zhengwu.queueing.figures.report` over :func:`~zhengwu.queueing.services.supervision.halls_for`).

The halls' 平均等待 are combined weighted by their called tickets (已叫号): each hall's average is
the report's (to 0.1 minute), so the combined one can differ from a recount by a few seconds.
"""

from __future__ import annotations

from ..registry import Figure, Row, register
from . import cached, url, user_key


def _reports(start, end, user):
    from zhengwu.queueing import figures
    from zhengwu.queueing.services.supervision import halls_for

    def build():
        return [(hall, figures.report(hall, start=start, end=end, by="window")) for hall in halls_for(user)]

    return cached(("queueing", user_key(user), start, end), build)


def _avg(parts) -> tuple:
    waited = sum(w for _, w in parts)
    minutes = sum(avg * w for avg, w in parts if avg is not None)
    return round(minutes / waited, 1) if waited else None, round(minutes, 1), waited


def avg_wait(start, end, *, user, by=None):
    reports = _reports(start, end, user)
    if not reports:
        return []
    if by is None:
        return [Row("合计", None, *_avg([(r.total["avg_wait"], r.total["waited"]) for _, r in reports]))]
    return [Row(f"{hall.name} {row['label']}", row["key"], *_avg([(row["avg_wait"], row["waited"])]))
            for hall, r in reports for row in r.rows]


def _drill(start, end, key=None, by=None):
    """A window's number → its hall's 效能监察 figures by window for the period (the most specific
    page: the tickets themselves have no staff list); the total → the 效能监察 hall list."""
    from django.urls import reverse

    from zhengwu.org.models import Window

    hall_id = Window.objects.filter(pk=key).values_list("hall_id", flat=True).first() if key else None
    if hall_id is None:
        return url("queueing:supervision")
    return f"{reverse('queueing:supervision_figures', args=[hall_id])}?by=window&start={start:%Y-%m-%d}&end={end:%Y-%m-%d}"


register(Figure("queueing.avg_wait", "平均等待时间", "各号的（叫号时间 − 取号时间）之和 ÷ 已叫号的号数（多个大厅按已叫号数加权）",
                domain="大厅", unit="分钟", source=avg_wait, dimensions=("window",), page="queueing:supervision",
                drill=_drill, note="按大厅查看需在效能监察页选择大厅"))
