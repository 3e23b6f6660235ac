"""What is rolled up, source by source: one day's grouped counts of the 办件, 12345 and 好差评
figures, and how a viewer's scope and the live report's row order apply to them.

Each :class:`Source` reproduces, for one day and one dimension, the grouped queries of its domain's
figure function (:func:`zhengwu.cases.services.figures.case_figures`,
:func:`zhengwu.hotline.figures.report`, :func:`zhengwu.ratings.queries.figures_report`), grouped
also by the *scope cell* — the department and region code its records are scoped by — so that
the viewer's scope can be applied to the summed rows with the same
:func:`zhengwu.org.permissions.scope` call the domain applies to its records. The equivalence
test (tests/insights/test_rollups_equivalence.py) holds the two to the same answers.

A measure is a registry figure key (its count, or its numerator and denominator) or an auxiliary
measure a report needs to order its rows (``ratings._ratings``: 评价数). For each group present
on a day, the source's ``presence`` measure is stored even when 0, so a group the live report
lists with nothing of one figure is still listed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

Measures = dict[str, tuple[int, int | None]]


@dataclass
class Cell:
    """One group's measures within one scope cell on one day."""

    group_key: object
    label: str
    department_id: int | None
    region_code: str
    measures: Measures


@dataclass(frozen=True)
class Source:
    name: str
    figures: tuple[str, ...]  # the registry figures it serves (rates: see ``rates``)
    rates: frozenset[str]
    presence: str  # the measure stored for every present group
    dimensions: tuple[str, ...]  # "" (the total) and the registry dimensions
    cells: Callable[[dt.date, str], list[Cell]]  # (day, dimension) → cells
    scope: Callable  # (Rollup queryset, user) → the viewer's rows, or None: sees none of the figures
    order: Callable[[Measures, str], tuple]  # sort key of a group's row in the live report
    valid: Callable[[dt.date, dt.date], bool]  # a period the live report accepts
    text_keys: frozenset[str] = frozenset()  # dimensions whose group keys are text, not ids

    @property
    def measures(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.presence, *self.figures)))

    def decode(self, dimension: str, key: str | None) -> object:
        if key is None or dimension in self.text_keys:
            return key
        return int(key)


def _bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (dt.datetime.combine(day, dt.time.min, tzinfo=tz),
            dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz))


def _merge(found: dict, key: tuple, label: str, department_id, region_code: str, measures: Measures) -> None:
    cell = found.get(key)
    if cell is None:
        found[key] = Cell(key[0], label, department_id, region_code, dict(measures))
        return
    cell.measures.update(measures)


# -- 办件 -----------------------------------------------------------------------------------------
def _case_cells(day: dt.date, dimension: str) -> list[Cell]:
    from zhengwu.cases.models import Case, Channel
    from zhengwu.cases.services import figures as svc
    from zhengwu.catalog.models.items import OnlineDepth

    if dimension:
        key, label_fields, _ = svc.GROUPS[dimension]
    else:
        key, label_fields = "department_id", ()
    group = list(dict.fromkeys((key, *label_fields, "department_id")))
    lo, hi = _bounds(day)
    base = Case.objects.order_by()
    found: dict = {}

    def label(r):
        return svc._label(dimension, r, label_fields) if dimension else "合计"

    accepted = base.filter(accepted_on=day).values(*group).annotate(
        n=Count("pk"),
        full_online=Count("pk", filter=Q(channel=Channel.ONLINE, item_version__online_depth=OnlineDepth.FULL, visits=0)))
    for r in accepted:
        g = r[key] if dimension else None
        _merge(found, (g, r["department_id"]), label(r), r["department_id"], "",
               {"cases.accepted": (r["n"], None), "cases.full_online_rate": (r["full_online"], r["n"])})
    concluded = base.filter(concluded_at__gte=lo, concluded_at__lt=hi, accepted_on__isnull=False).values(*group).annotate(
        n=Count("pk"), on_time=Count("pk", filter=Q(concluded_on_time=True)))
    for r in concluded:
        g = r[key] if dimension else None
        _merge(found, (g, r["department_id"]), label(r), r["department_id"], "",
               {"cases.concluded": (r["n"], None), "cases.on_time_rate": (r["on_time"], r["n"])})
    return list(found.values())


def _case_scope(qs, user):
    from zhengwu.cases.services import figures as svc
    from zhengwu.org.permissions import scope

    if not svc.may_view(user):
        return None
    return scope(qs, user, svc.VIEWER_ROLES, department_field="department")


def _case_valid(start, end) -> bool:
    from zhengwu.cases.services import figures as svc

    return not svc.check_period(start, end)


def _m(measures: Measures, name: str, part: int = 0) -> int:
    value = measures.get(name, (0, 0))[part]
    return value or 0


CASES = Source(
    "cases", ("cases.accepted", "cases.concluded", "cases.on_time_rate", "cases.full_online_rate"),
    frozenset({"cases.on_time_rate", "cases.full_online_rate"}), "cases.accepted",
    ("", "department", "item", "window"), _case_cells, _case_scope,
    lambda m, label: (-_m(m, "cases.accepted"), -_m(m, "cases.concluded"), label), _case_valid)


# -- 12345 ----------------------------------------------------------------------------------------
HOTLINE_GROUPS = {"department": ("lead_department_id", "lead_department__name", "department"),
                  "region": ("region_id", "region__name", "region"), "ticket_type": ("ticket_type", None, "type")}


def _hotline_cells(day: dt.date, dimension: str) -> list[Cell]:
    from zhengwu.hotline import figures
    from zhengwu.hotline.models import Ticket
    from zhengwu.hotline.rules import State

    key, label_field, live_dimension = HOTLINE_GROUPS.get(dimension, ("lead_department_id", None, ""))
    group = list(dict.fromkeys(x for x in (key, label_field, "lead_department_id", "region_code") if x))
    lo, hi = _bounds(day)
    base = Ticket.objects.exclude(state=State.CANCELLED).order_by()
    found: dict = {}

    def add(r, measures):
        g = r[key] if dimension else None
        label = figures._label(live_dimension, g, r.get(label_field)) if dimension else "合计"
        _merge(found, (g, r["lead_department_id"], r["region_code"]), label, r["lead_department_id"],
               r["region_code"], measures)

    for r in base.filter(created_at__gte=lo, created_at__lt=hi).values(*group).annotate(received=Count("pk")):
        add(r, {"hotline.received": (r["received"], None)})
    closing = base.filter(closed_at__gte=lo, closed_at__lt=hi, state__in=figures.DONE, closed_directly=False)
    for r in closing.values(*group).annotate(
            closed=Count("pk"), on_time=Count("pk", filter=Q(closed_on_time=True)),
            rated=Count("pk", filter=Q(satisfaction__isnull=False)), satisfied=Count("pk", filter=Q(satisfaction__gte=3))):
        add(r, {"hotline.on_time_rate": (r["on_time"], r["closed"]),
                "hotline.satisfaction_rate": (r["satisfied"], r["rated"])})
    return list(found.values())


def _hotline_scope(qs, user):
    from zhengwu.hotline import figures
    from zhengwu.org.permissions import is_sysadmin, roles_of, scope

    if is_sysadmin(user) or roles_of(user) & set(figures.FIGURE_ROLES):
        return scope(qs, user, figures.FIGURE_ROLES, department_field=None, region_code_field="region_code")
    return scope(qs, user, figures.DEPT_FIGURE_ROLES, department_field="department")


HOTLINE = Source(
    "hotline", ("hotline.received", "hotline.on_time_rate", "hotline.satisfaction_rate"),
    frozenset({"hotline.on_time_rate", "hotline.satisfaction_rate"}), "hotline.received",
    ("", "department", "region", "ticket_type"), _hotline_cells, _hotline_scope,
    lambda m, label: (-_m(m, "hotline.received"), -_m(m, "hotline.on_time_rate", 1), label),
    lambda start, end: True, text_keys=frozenset({"ticket_type"}))


# -- 好差评 ---------------------------------------------------------------------------------------
RATING_GROUPS = {"department": "department_id", "region": "region_id", "item": "item_id", "window": "window_id"}
RATING_SUMS = ("ratings", "defaults", "l5", "l4", "l3", "events", "rated", "bad", "bad_rectified")


def _rating_labels(dimension: str, keys: set) -> dict:
    from zhengwu.ratings import queries
    from zhengwu.ratings.models import RatingDaily

    keys = {k for k in keys if k is not None}
    if dimension in queries.NAMED_GROUPS:
        model = RatingDaily._meta.get_field(dimension).related_model
        return dict(model.objects.filter(pk__in=sorted(keys)).values_list("pk", "name"))
    return queries._labels(dimension, sorted(keys))


def _rating_cells(day: dt.date, dimension: str) -> list[Cell]:
    from zhengwu.ratings import queries
    from zhengwu.ratings.models import RatingDaily

    key = RATING_GROUPS.get(dimension, "department_id")
    group = list(dict.fromkeys((key, "department_id", "region_code")))
    rows = list(RatingDaily.objects.filter(day=day).values(*group).annotate(**{c: Sum(c) for c in RATING_SUMS})
                .order_by())
    labels = _rating_labels(dimension, {r[key] for r in rows}) if dimension else {}
    found: dict = {}
    for r in rows:
        g = r[key] if dimension else None
        if not dimension:
            label = "合计"
        elif g is None:
            label = queries.NO_GROUP_LABELS.get(dimension, queries.NO_GROUP_LABEL)
        else:
            label = labels.get(g, str(g))
        c = {k: r[k] or 0 for k in RATING_SUMS}
        active = c["ratings"] - c["defaults"]
        satisfied = c["l5"] + c["l4"] - c["defaults"] + c["l3"]  # ratings.rules.figures: 默认好评 are l4, not 满意
        _merge(found, (g, r["department_id"], r["region_code"]), label, r["department_id"], r["region_code"],
               {"ratings._ratings": (c["ratings"], None), "ratings.active_rate": (c["rated"], c["events"]),
                "ratings.satisfaction_rate": (satisfied, active), "ratings.rectify_rate": (c["bad_rectified"], c["bad"])})
    return list(found.values())


def _rating_scope(qs, user):
    from zhengwu.org.permissions import scope
    from zhengwu.ratings.queries import FIGURE_ROLES

    return scope(qs, user, FIGURE_ROLES, department_field="department", region_code_field="region_code")


RATINGS = Source(
    "ratings", ("ratings.active_rate", "ratings.satisfaction_rate", "ratings.rectify_rate"),
    frozenset({"ratings.active_rate", "ratings.satisfaction_rate", "ratings.rectify_rate"}), "ratings._ratings",
    ("", "department", "region", "item", "window"), _rating_cells, _rating_scope,
    lambda m, label: (-_m(m, "ratings._ratings"), label),
    lambda start, end: end >= start and (end - start).days <= 400)

SOURCES = (CASES, HOTLINE, RATINGS)
BY_FIGURE = {key: s for s in SOURCES for key in s.figures}
