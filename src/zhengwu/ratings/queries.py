"""Read side of 好差评: scoped lists and the figures (read from the daily aggregate).

Figures sum :class:`~zhengwu.ratings.models.RatingDaily` rows of the period (indexed by day and
by region code): ratings, 差评 and their rectification, and the rateable events (concluded cases
via :mod:`.signals`, window visits and hotline callbacks via :mod:`.services`); they never scan
the ratings or cases tables. Every staff list and figure goes
through :func:`zhengwu.org.permissions.scope` here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import operator
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Case, F, QuerySet, Sum, When
from django.utils import timezone

from zhengwu.core.identifiers import region_prefix
from zhengwu.org.models import Role
from zhengwu.org.permissions import grants, is_sysadmin, scope
from zhengwu.speedups.generations import Generation

from . import rules
from .models import Appeal, Rating, RatingDaily, Rectification

FIGURE_ROLES = (Role.LEADER, Role.SUPERVISOR, Role.DEPT_ADMIN, Role.DATA_ADMIN, Role.WINDOW, Role.APPROVER)
RECT_ROLES = (Role.DEPT_ADMIN, Role.APPROVER, Role.SUPERVISOR, Role.LEADER)
LIST_ROLES = (Role.DEPT_ADMIN, Role.APPROVER, Role.SUPERVISOR, Role.LEADER, Role.DATA_ADMIN, Role.WINDOW)

# group key → (RatingDaily column, Case column (unused since events are aggregated), label)
GROUPS = {
    "department": ("department_id", "department_id", "部门"),
    "window": ("window_id", "window_id", "窗口"),
    "staff": ("staff_id", None, "工作人员"),
    "item": ("item_id", "service_item_id", "事项"),
    "region": ("region_id", "region_id", "区划"),
    "kind": ("kind", None, "评价对象"),
}

# The row of the ratings without the group's key (a figures table keeps them, so that its rows add
# up to the total; a ranking never shows them): online and 12345 ratings are at no window, only
# window ratings taken on a staff member's tablet name one, only some ratings name an item.
NO_GROUP_LABELS = {"window": "不属于窗口的评价（网上评价、12345评价）", "staff": "（未记录工作人员）",
                   "item": "（未对应事项）"}
NO_GROUP_LABEL = "（未指定）"

# Groups whose label is the ``name`` of the row their foreign key (of the same name) points to,
# read with the sums.
NAMED_GROUPS = frozenset({"department", "region", "item"})


# -- scoped lists -----------------------------------------------------------------------------
def ratings_for(user) -> QuerySet:
    return scope(Rating.objects.all(), user, LIST_ROLES, department_field="department",
                 region_code_field="region_code")


def rectifications_for(user) -> QuerySet:
    return scope(Rectification.objects.all(), user, RECT_ROLES, department_field="department",
                 region_code_field="region_code")


def appeals_for(user) -> QuerySet:
    return scope(Appeal.objects.all(), user, (Role.SUPERVISOR, Role.DEPT_ADMIN, Role.LEADER),
                 department_field="department", region_code_field="region_code")


def overdue(user, today: dt.date | None = None) -> QuerySet:
    today = today or timezone.localdate()
    return rectifications_for(user).filter(state__in=rules.OPEN_RSTATES, due_date__lt=today)


# -- figures ----------------------------------------------------------------------------------
@dataclass
class Row:
    key: object
    label: str
    counts: rules.Counts
    figures: rules.Figures


@dataclass
class Report:
    group_by: str
    group_label: str
    start: dt.date
    end: dt.date
    rows: list[Row]
    total: Row


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


def _labels(group_by: str, keys: list) -> dict:
    """Labels of the groups that are not :data:`NAMED_GROUPS` (those are named in the figures'
    own query)."""
    keys = [k for k in keys if k is not None]
    if group_by == "window":
        from zhengwu.org.models import Window

        return {pk: f"{hall} {num} {name}" for pk, hall, num, name in
                Window.objects.filter(pk__in=keys).values_list("pk", "hall__name", "number", "name")}
    if group_by == "staff":
        from zhengwu.accounts.models import User

        return {pk: d or u for pk, d, u in User.objects.filter(pk__in=keys).values_list("pk", "display_name", "username")}
    return {k: rules.KIND_LABELS.get(k, k) for k in keys}


def figures_report(*, start: dt.date, end: dt.date, group_by: str = "department", region_code: str | None = None,
                   user=None, department_ids=None, kinds=None, assigned_only: bool = False) -> Report:
    """Figures of the period grouped by ``group_by``; scoped to ``user`` when given. ``kinds``:
    only these kinds of rating (e.g. the 现场 ones); ``assigned_only``: leave out the rows without
    a group (a window ranking has no “（未指定）” window: online ratings belong to none)."""
    if group_by not in GROUPS:
        raise rules.RuleError("by", f"统计维度不正确：应为{'、'.join(GROUPS)}之一")
    if end < start:
        raise rules.RuleError("end", "结束日期不能早于开始日期")
    if (end - start).days > 400:
        raise rules.RuleError("end", "统计期不能超过 400 天")
    column, _case_column, label = GROUPS[group_by]
    daily = RatingDaily.objects.filter(day__gte=start, day__lte=end)
    if region_code:
        daily = daily.filter(region_code__startswith=region_prefix(region_code))
    if department_ids is not None:
        daily = daily.filter(department_id__in=department_ids)
    if kinds is not None:
        daily = daily.filter(kind__in=list(kinds))
    if assigned_only and group_by != "kind":
        daily = daily.filter(**{f"{column}__isnull": False})
    if user is not None:
        daily = scope(daily, user, FIGURE_ROLES, department_field="department", region_code_field="region_code")
    sums = {c: Sum(c) for c in rules.PLAIN_COUNTERS}
    sums |= {n: Sum(Case(When(**{f"{d}__gt": 0}, then=F("dim_n")), default=0))
             for n, d in zip(rules.DIMENSION_COUNT_COLUMNS, rules.DIMENSION_SUM_COLUMNS, strict=True)}
    sums |= {d: Sum(d) for d in rules.DIMENSION_SUM_COLUMNS}
    # Departments, regions and items are named in the same query, not by a second query listing
    # thousands of ids: the day rows are summed first and the sums then joined to the names (a
    # city's month is tens of thousands of day rows and thousands of departments: joining before
    # grouping joins every day row). The rows are read from the cursor as they
    # come (integers; the counters are NOT NULL, so their sums are never NULL), without the
    # ORM's per-value converters.
    named_group = group_by in NAMED_GROUPS
    qs = daily.values(column).annotate(**sums).order_by()
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # the scope leaves nothing (a viewer without a 好差评 grant): no rows
        total = rules.total_of([])
        return Report(group_by, label, start, end, [], Row(None, "合计", total, rules.figures(total)))
    if named_group:
        named = RatingDaily._meta.get_field(group_by).related_model._meta
        qn = connections[qs.db].ops.quote_name
        sql = (f"SELECT s.*, l.{qn('name')} AS {qn('zw_label')} FROM ({sql}) s "
               f"LEFT JOIN {qn(named.db_table)} l ON l.{qn(named.pk.column)} = s.{qn(column)}")
    with connections[qs.db].cursor() as cur:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description]
        fetched = cur.fetchall()
    key_at = names.index(column)
    counters = operator.itemgetter(*[names.index(c) for c in rules.COUNTER_COLUMNS])
    sums_of = [counters(r) for r in fetched]
    if named_group:
        label_at = names.index("zw_label")
        labels = {r[key_at]: r[label_at] for r in fetched if r[key_at] is not None}
    else:
        labels = _labels(group_by, [r[key_at] for r in fetched])
    rows = []
    for r, v in zip(fetched, sums_of, strict=True):
        key = r[key_at]
        c = rules.counts_of(v)
        name = labels.get(key, NO_GROUP_LABELS.get(group_by, NO_GROUP_LABEL) if key is None else str(key))
        rows.append(Row(key, name, c, rules.figures(c)))
    rows.sort(key=lambda r: (-r.counts.ratings, r.label))
    total = rules.total_of(sums_of)
    return Report(group_by, label, start, end, rows, Row(None, "合计", total, rules.figures(total)))


# -- cached figures ------------------------------------------------------------------------------
# A leader's figures of a month by department are thousands of rows: summed, labelled and
# serialised they cost real CPU, and dashboards ask again and again. The serialised answer is
# kept for FIGURES_CACHE_SECONDS under a generation that every write to the daily aggregate
# bumps (after its commit, see services.bump; zhengwu.speedups.generations says who sees it when).
FIGURES_CACHE_SECONDS = 60
_FIGURES = Generation("ratings:figures", FIGURES_CACHE_SECONDS)


def figures_changed() -> None:
    _FIGURES.bump()


def scope_key(user, roles=FIGURE_ROLES) -> str:
    """What the user may see of the figures, as a short key: the grants of ``roles`` (a changed
    or revoked grant is a new key at once)."""
    if is_sysadmin(user):
        return "all"
    relevant = sorted((g.role, g.region_prefix, g.region_id, g.window_id,
                       tuple(sorted(g.department_ids)) if g.department_ids is not None else None)
                      for g in grants(user) if g.role in roles)
    return hashlib.sha1(repr(relevant).encode()).hexdigest()  # noqa: S324 - a cache key


def cached_figures(build, *parts, fresh: bool = False) -> bytes:
    """``build()`` (the serialised answer) cached under the figures generation and ``parts``;
    ``fresh``: built now whatever the cache holds (and cached for the next reader)."""
    return _FIGURES.cached("answer", build, *parts, fresh=fresh)


def _rate(v):
    return None if v is None else round(v, 4)


def row_json(row: Row) -> dict:
    f = row.figures
    lv = f.levels
    return {
        "key": row.key, "label": row.label, "ratings": f.ratings, "active": f.active, "events": f.events,
        "rated": f.rated,
        "active_rate": _rate(f.active_rate), "satisfied": f.satisfied, "satisfaction_rate": _rate(f.satisfaction_rate),
        "bad": f.bad, "rectify_rate": _rate(f.rectify_rate), "bad_real": f.bad_real,
        "callback_rate": _rate(f.callback_rate), "defaults": f.defaults, "excluded": f.excluded,
        "levels": {"5": lv[5], "4": lv[4], "3": lv[3], "2": lv[2], "1": lv[1]}, "dimension_avg": f.dimension_avg,
    }


def month_figures_by_department(year: int, month: int, region_code: str | None = None, user=None) -> list[dict]:
    """A month's figures per department (the whole city, or a region by code prefix)."""
    start, end = rules.month_bounds(f"{int(year):04d}-{int(month):02d}")
    report = figures_report(start=start, end=end, group_by="department", region_code=region_code, user=user)
    return [row_json(r) for r in report.rows]


def ranking(*, start: dt.date, end: dt.date, by: str = "department", region_code: str | None = None, user=None):
    """红黑旗 of departments or windows. A ranking by a key ranks the rows that have one: no
    “（未指定）” row. A window ranking ranks real windows only, on their 现场 ratings (一次一评): an
    online rating (一事一评) or a 12345 rating belongs to no window, even when the case was filed at
    one — those are shown apart (:func:`by_kind`). Groups below the minimum sample are returned
    unranked (``rank`` 0, see :func:`rules.left_out`)."""
    from .services import get_rules

    cfg = get_rules()
    kinds = [rules.Kind.WINDOW] if by == "window" else None
    report = figures_report(start=start, end=end, group_by=by, region_code=region_code, user=user, kinds=kinds,
                            assigned_only=True)
    w = cfg.weights
    service = service_figures(start, end, [r.key for r in report.rows]) if by == "department" else {}

    def scored(r):
        extra = service.get(r.key, rules.ServiceFigures()) if by == "department" else None
        return rules.score(r.figures, w, extra)

    ranked = rules.flags([(r.key, r.label, scored(r), r.figures.ratings) for r in report.rows],
                         red=cfg.red_count, black=cfg.black_count, min_ratings=cfg.min_ratings)
    for x in ranked:
        x.service = service.get(x.key)
    by_key = {r.key: r for r in report.rows}
    return report, [(x, by_key[x.key]) for x in ranked]


def service_figures(start: dt.date, end: dt.date, department_ids) -> dict:
    """Each department's 按时办结率 and 超期办件 (the cases app's figures) and its 12345 投诉 (the
    hotline's) in the period, as :class:`rules.ServiceFigures` (the seeds' 红黑旗 count them)."""
    from zhengwu.cases.services.figures import department_service_figures
    from zhengwu.hotline.figures import complaints_by_department

    ids = [k for k in department_ids if k is not None]
    cases = department_service_figures(start, end, ids)
    complaints = complaints_by_department(start, end, ids)
    out = {}
    for k in ids:
        f = cases.get(k)
        on_time = f.concluded_on_time / f.concluded if f is not None and f.concluded else None
        out[k] = rules.ServiceFigures(on_time, f.overdue if f is not None else 0, complaints.get(k, 0))
    return out


def by_kind(*, start: dt.date, end: dt.date, region_code: str | None = None, user=None) -> dict:
    """The period's ratings by kind (窗口现场, 网上, 12345) and all together: shown beside a window
    ranking, whose rows count the 现场 ratings only. Keys: the kinds and ``"total"``; every kind is
    present (an empty :class:`Row` when it had no rating)."""
    report = figures_report(start=start, end=end, group_by="kind", region_code=region_code, user=user)
    found = {r.key: r for r in report.rows}
    out = {k.value: found.get(k) or Row(k, rules.KIND_LABELS[k], rules.Counts(), rules.figures(rules.Counts()))
           for k in rules.Kind}
    out["total"] = report.total
    return out


def online_figures(*, start: dt.date, end: dt.date, region_code: str | None = None, user=None) -> Row:
    """网上评价 (一事一评 of cases) of the period together: shown beside a window ranking."""
    return by_kind(start=start, end=end, region_code=region_code, user=user)[rules.Kind.CASE]
