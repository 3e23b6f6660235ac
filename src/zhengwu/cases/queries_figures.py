"""The records behind a number of the 办件指标 (drill-down): the cases a figure counted.

:func:`figure_cases` filters the viewer's cases (the figures' own scope,
:func:`zhengwu.cases.services.figures.cases_in_view`) with the same predicates as
:func:`~zhengwu.cases.services.figures.case_figures`, so the list of a ``what`` over a period and
group has exactly as many rows as the figure's count:

- ``accepted`` (受理量) and ``full_online`` (全程网办): by 受理日期 (index ``case_accepted_on``),
  listed newest accepted first, keyset on (accepted_on, id);
- ``concluded`` (办结量), ``concluded_on_time`` (按时办结), ``concluded_late`` (逾期办结): by 办结时间
  (index ``case_concluded_at``), newest concluded first, keyset on (concluded_at, id);
- ``overdue`` (超期数): the late-concluded of the period plus the cases open and past due at its end
  (:func:`~zhengwu.cases.services.figures.open_overdue_as_of`), newest id first, keyset on id.

Pages are read with LIMIT (one row more than a page, no COUNT) after the cursor of the last row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from zhengwu.catalog.models.items import OnlineDepth

from .models import Case, Channel

# what → (中文, the date the period applies to)
WHATS: dict[str, tuple[str, str]] = {
    "accepted": ("受理", "受理日期"),
    "concluded": ("办结", "办结日期"),
    "concluded_on_time": ("按时办结", "办结日期"),
    "concluded_late": ("逾期办结", "办结日期"),
    "full_online": ("全程网办", "受理日期"),
    "overdue": ("超期（逾期办结及期末超期在办）", "统计期"),
}
NO_WINDOW = "none"  # the window filter of the cases no window took (秒批 auto-acceptance, a clerk with no window)
ORDER = {"accepted": "accepted_on", "full_online": "accepted_on", "concluded": "concluded_at",
         "concluded_on_time": "concluded_at", "concluded_late": "concluded_at", "overdue": None}


@dataclass(frozen=True)
class Drill:
    what: str
    start: dt.date
    end: dt.date
    department: int | None = None
    item: int | None = None
    window: int | str | None = None  # a window id or NO_WINDOW


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def figure_cases(cases: QuerySet, d: Drill, *, today: dt.date | None = None) -> QuerySet:
    """The cases of ``cases`` (already scoped to the viewer) that the figure ``d.what`` counted
    over ``d.start``–``d.end`` in the group, ordered for the keyset (unsliced)."""
    from .services.figures import open_overdue_as_of

    if d.what not in WHATS:
        raise ValueError(f"what must be one of {sorted(WHATS)}")
    qs = cases.order_by()
    if d.department:
        qs = qs.filter(department_id=d.department)
    if d.item:
        qs = qs.filter(service_item_id=d.item)
    if d.window == NO_WINDOW:
        qs = qs.filter(window__isnull=True)
    elif d.window:
        qs = qs.filter(window_id=d.window)
    period_from, period_to = _day_start(d.start), _day_start(d.end + dt.timedelta(days=1))
    concluded = Q(concluded_at__gte=period_from, concluded_at__lt=period_to, accepted_on__isnull=False)
    if d.what == "accepted":
        qs = qs.filter(accepted_on__gte=d.start, accepted_on__lte=d.end)
    elif d.what == "full_online":
        qs = qs.filter(accepted_on__gte=d.start, accepted_on__lte=d.end, channel=Channel.ONLINE,
                       item_version__online_depth=OnlineDepth.FULL, visits=0)
    elif d.what == "concluded":
        qs = qs.filter(concluded)
    elif d.what == "concluded_on_time":
        qs = qs.filter(concluded, concluded_on_time=True)
    elif d.what == "concluded_late":
        qs = qs.filter(concluded, concluded_on_time=False)
    else:  # overdue: 逾期办结 + 期末超期在办, as the figure counts them
        cutoff = min(d.end, today or timezone.localdate())
        open_late = open_overdue_as_of(qs, d.end, cutoff, period_to).values("pk")
        qs = qs.filter((concluded & Q(concluded_on_time=False)) | Q(pk__in=open_late))
    field = ORDER[d.what]
    return qs.order_by(f"-{field}", "-pk") if field else qs.order_by("-pk")


def encode_cursor(what: str, case: Case) -> str:
    field = ORDER[what]
    if field is None:
        return str(case.pk)
    value = getattr(case, field)
    return f"{value.isoformat()}_{case.pk}"


def after_cursor(qs: QuerySet, what: str, cursor: str) -> QuerySet:
    """The rows after ``cursor`` (from :func:`encode_cursor`); ValueError when it is malformed."""
    field = ORDER[what]
    if field is None:
        return qs.filter(pk__lt=int(cursor))
    text, _, pk = cursor.rpartition("_")
    value = dt.date.fromisoformat(text) if field == "accepted_on" else dt.datetime.fromisoformat(text)
    if isinstance(value, dt.datetime) and timezone.is_naive(value):
        raise ValueError("cursor without a time zone")
    pk = int(pk)
    # The bound on the field alone lets the index range start there (see the API's _page).
    return qs.filter(Q(**{f"{field}__lte": value}), Q(**{f"{field}__lt": value}) | Q(**{field: value, "pk__lt": pk}))


def page(qs: QuerySet, what: str, cursor: str | None, size: int) -> tuple[list[Case], str | None]:
    """One page after ``cursor`` and the cursor of the next page (None on the last)."""
    if cursor:
        qs = after_cursor(qs, what, cursor)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return rows, (encode_cursor(what, rows[-1]) if more and rows else None)
