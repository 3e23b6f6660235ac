"""Scoped list queries of the staff side (受理队列, 待办): plain functions returning querysets.

Every staff list goes through :func:`zhengwu.org.permissions.scope` here, so the pages and the
JSON API share one definition of "what this person may see". The lists are built for a million
cases: they filter on indexed columns (``case_dept_state_due``, ``casestep_inbox_order``), join only
what a row shows, and are paged with LIMIT (one row more than a page) — never a COUNT(*).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from zhengwu.licenses.models import LicenceUse
from zhengwu.core import calendar
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role, listed_departments, scope
from zhengwu.speedups.prepared import ByPk

from . import rules
from .models import (
    Case,
    CaseEvent,
    CaseMaterial,
    CaseResult,
    CaseStep,
    Channel,
    CrossIntake,
    Extension,
    PendingMaterial,
    SupplementNotice,
    Suspension,
)
from .rules import State, TimeStatus

STAFF_CASE_ROLES = (Role.WINDOW, Role.APPROVER)
INTAKE_STATES = (State.SUBMITTED,)  # submitted and resubmitted-after-补正 cases wait for 受理
STEP_ROLES = (Role.APPROVER, Role.WINDOW)  # the roles a process step may name and the inbox serves
INBOX_SORTS = {
    "due": ("due_date", "pk"),
    "-due": ("-due_date", "-pk"),
    "submitted": ("case__submitted_at", "pk"),
    "-submitted": ("-case__submitted_at", "-pk"),
}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def intake_queue(user, filters: Mapping[str, str] | None = None, *, upto: int | None = None) -> QuerySet:
    """受理队列: submitted (and resubmitted) cases of the departments the user covers as 窗口人员,
    oldest first. Filters: ``item`` (service item id), ``department`` (id), ``channel``.

    ``upto``: the caller reads no more than the first ``upto`` rows (the page it shows and one
    more). Without filters those rows are then found department by department on PostgreSQL
    (:func:`_oldest_waiting`).
    """
    f = filters or {}
    qs = scope(Case.objects.filter(state__in=INTAKE_STATES), user, [Role.WINDOW], department_field="department")
    if (item := _int(f.get("item"))) is not None:
        qs = qs.filter(service_item_id=item)
    if (dept := _int(f.get("department"))) is not None:
        qs = qs.filter(department_id=dept)
    if f.get("channel") in Channel.values:
        qs = qs.filter(channel=f["channel"])
    if upto is not None and item is None and dept is None and not f.get("channel"):
        departments = listed_departments(user, [Role.WINDOW], limit=_MAX_LISTED_DEPARTMENTS)
        if departments is not None and connections[qs.db].vendor == "postgresql":
            qs = qs.filter(pk__in=_oldest_waiting(qs.db, departments, upto))
    # select_related: each row shows the item, the department and the applicant's name — one
    # query per page instead of three per row.
    return (qs.select_related("service_item", "department", "applicant")
            .order_by("submitted_at", "pk"))


# The oldest waiting cases of each department, then the oldest of those: one short read of the
# partial index case_intake_by_department per department, however long the rest of the city's
# queue. Read in submitted order with the department as a filter instead, a clerk whose
# departments had few waiting cases made PostgreSQL walk the whole city's queue for every page
# (the same pattern as the wide-scope search, ADR 21).
_OLDEST_WAITING_SQL = """
SELECT c.id FROM unnest(%s::bigint[]) AS d(id)
CROSS JOIN LATERAL (
    SELECT id, submitted_at FROM {case} WHERE department_id = d.id AND state IN ({states})
    ORDER BY submitted_at, id LIMIT %s
) c
ORDER BY c.submitted_at, c.id LIMIT %s
"""
_MAX_LISTED_DEPARTMENTS = 2000


def _oldest_waiting(using: str, department_ids: list[int], n: int) -> list[int]:
    """Ids of the ``n`` oldest cases of these departments waiting for 受理 (PostgreSQL)."""
    if not department_ids:
        return []
    # The states are written into the text (code constants, not input): a parameter would keep a
    # prepared statement's generic plan from using the partial index case_intake_by_department.
    states = ", ".join(f"'{state}'" for state in INTAKE_STATES if str(state).isidentifier())
    sql = _OLDEST_WAITING_SQL.format(case=connections[using].ops.quote_name(Case._meta.db_table), states=states)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [department_ids, n, n])
        return [pk for (pk,) in cursor.fetchall()]


# 办件查询 (the cases API's search), newest submission first, paged by keyset on
# (submitted_at, id): the list walks an index in that order and stops after a page (ADR 21).
# - the whole city (系统管理员): no scope predicate, the index case_submitted_order;
# - one department, or an item, a number: that column's index;
# - a scope of several departments (a district's 窗口 clerk covers its 30): PostgreSQL cannot read
#   30 ranges of case_dept_submitted in one order, and with the departments as a filter it read
#   every case of the scope and sorted them (a full scan of the scope on every page).
#   The newest page of each department is read from that index instead, then the newest of those
#   (:func:`_newest_submitted`), and the page's rows by primary key.
SEARCH_ORDER = ("-submitted_at", "-pk")


def case_search(user, *, number: str | None = None, item: int | None = None, state: str | None = None,
                department: int | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None,
                after: tuple[dt.datetime, int] | None = None, upto: int | None = None) -> QuerySet:
    """Submitted cases of the user's 窗口/审批 scope with these filters, newest first (unsliced).

    ``date_from``/``date_to``: submission days, both included, clamped to
    :data:`rules.FIRST_DAY`–:data:`rules.LAST_DAY`. ``after``: the (submitted_at, id) of the last
    row of the previous page — only the rows after it; ``upto``: the caller reads no more than this many rows (on
    PostgreSQL, a scope of several departments is then read department by department).
    """
    qs = scope(Case.objects.filter(submitted_at__isnull=False), user, STAFF_CASE_ROLES)
    since = _day_start(rules.clamp_day(date_from)) if date_from else None
    until = _day_start(rules.clamp_day(date_to) + dt.timedelta(days=1)) if date_to else None
    if number:
        qs = qs.filter(number=number.strip())  # unique index
    if item:
        qs = qs.filter(service_item_id=item)
    if state:
        qs = qs.filter(state=state)
    if department:
        qs = qs.filter(department_id=department)
    if since:
        qs = qs.filter(submitted_at__gte=since)
    if until:
        qs = qs.filter(submitted_at__lt=until)
    if after:
        at, pk = after
        qs = qs.filter(Q(submitted_at__lt=at) | Q(submitted_at=at, pk__lt=pk), submitted_at__lte=at)
    if upto is not None and not (number or item or department) and connections[qs.db].vendor == "postgresql":
        departments = listed_departments(user, STAFF_CASE_ROLES, limit=_MAX_LISTED_DEPARTMENTS)
        if departments is not None and len(departments) > 1:
            qs = qs.filter(pk__in=_newest_submitted(qs.db, departments, upto, state=state, since=since,
                                                    until=until, after=after))
    return qs.order_by(*SEARCH_ORDER)


_NEWEST_SUBMITTED_SQL = """
SELECT c.id FROM unnest(%s::bigint[]) AS d(id)
CROSS JOIN LATERAL (
    SELECT id, submitted_at FROM {case} WHERE department_id = d.id AND submitted_at IS NOT NULL{conditions}
    ORDER BY submitted_at DESC, id DESC LIMIT %s
) c
ORDER BY c.submitted_at DESC, c.id DESC LIMIT %s
"""


def _newest_submitted(using: str, department_ids: list[int], n: int, *, state: str | None,
                      since: dt.datetime | None, until: dt.datetime | None,
                      after: tuple[dt.datetime, int] | None) -> list[int]:
    """Ids of the ``n`` newest submitted cases of these departments with the search's filters
    (state, submission time range, after the cursor), one short index read per department
    (PostgreSQL)."""
    conditions, params = [], []
    if state:
        conditions.append("state = %s")
        params.append(state)
    if since:
        conditions.append("submitted_at >= %s")
        params.append(since)
    if until:
        conditions.append("submitted_at < %s")
        params.append(until)
    if after:
        # The cursor as a row comparison: an index condition on (department, submitted_at, id).
        conditions.append("(submitted_at, id) < (%s, %s)")
        params.extend(after)
    sql = _NEWEST_SUBMITTED_SQL.format(case=connections[using].ops.quote_name(Case._meta.db_table),
                                       conditions="".join(f" AND {c}" for c in conditions))
    with connections[using].cursor() as cursor:
        cursor.execute(sql, [department_ids, *params, n, n])
        return [pk for (pk,) in cursor.fetchall()]


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def inbox(user, filters: Mapping[str, str] | None = None) -> QuerySet:
    """待办: active process steps the user may act on — a step is the user's when one of their
    grants of the step's role covers the step's department.

    Filters: ``item``, ``department``, ``time`` (``overdue`` and ``paused`` exactly in SQL;
    ``normal``/``warning`` narrowed in SQL to steps not yet due and finished by
    :func:`with_time_status`), ``sort`` (``due`` / ``-due`` / ``submitted`` / ``-submitted``).
    """
    f = filters or {}
    base = CaseStep.objects.filter(status=CaseStep.Status.ACTIVE)
    # One OR-ed query: each role's steps within that role's grants (scope ties role to role).
    qs = None
    for role in STEP_ROLES:
        part = scope(base.filter(role=role), user, [role], department_field="department")
        qs = part if qs is None else qs | part
    if (item := _int(f.get("item"))) is not None:
        qs = qs.filter(case__service_item_id=item)
    if (dept := _int(f.get("department"))) is not None:
        qs = qs.filter(department_id=dept)
    today = timezone.localdate()
    time = f.get("time")
    if time == TimeStatus.OVERDUE:
        qs = qs.filter(due_date__lt=today, case__state=State.IN_REVIEW)
    elif time == TimeStatus.PAUSED:
        qs = qs.filter(case__state=State.SUSPENDED)
    elif time in (TimeStatus.NORMAL, TimeStatus.WARNING):
        qs = qs.filter(due_date__gte=today, case__state=State.IN_REVIEW)
    order = INBOX_SORTS.get(f.get("sort") or "due", INBOX_SORTS["due"])
    # select_related: every row shows the case number, state, submitted time, applicant name,
    # item name and the step's department — all from this one query.
    return qs.select_related("case__service_item", "case__applicant", "department").order_by(*order)


# What an inbox page row shows (the page template and with_time_status read only these).
INBOX_ROW_FIELDS = (
    "id", "case_id", "step_id", "name", "role", "department_id", "due_date", "status",
    "case__id", "case__number", "case__state", "case__submitted_at", "case__accepted_on",
    "case__service_item_id", "case__applicant_id",
    "case__service_item__id", "case__service_item__name",
    "case__applicant__id", "case__applicant__name",
    "department__id", "department__name", "department__short_name",
)


def inbox_page(user, filters: Mapping[str, str] | None, start: int, size: int) -> list[CaseStep]:
    """Rows ``start`` .. ``start + size`` of :func:`inbox` (``size`` + 1 read to tell whether
    there is a next page).

    The step ids are ordered and cut in a subquery first — on the ``casestep_inbox_order`` index
    (department, role, status, due_date, id) — and only those rows are joined to their case, item,
    applicant and department: a page costs the same whatever the department's backlog.
    """
    qs = inbox(user, filters)
    ids = qs.order_by(*qs.query.order_by).values("pk")[start:start + size + 1]
    return list(CaseStep.objects.filter(pk__in=ids)
                .select_related("case__service_item", "case__applicant", "department")
                .only(*INBOX_ROW_FIELDS).order_by(*qs.query.order_by))


@dataclass
class TimeLeft:
    status: TimeStatus
    days: int
    may_move: str = ""  # the year's holiday notice is not out yet: core.calendar.due_date_note

    @property
    def label(self) -> str:
        return rules.TIME_STATUS_LABELS[self.status]

    @property
    def css(self) -> str:
        return {TimeStatus.NORMAL: "success", TimeStatus.WARNING: "warning", TimeStatus.OVERDUE: "danger",
                TimeStatus.PAUSED: "secondary", TimeStatus.DONE: "info"}[self.status]

    @property
    def text(self) -> str:
        if self.status == TimeStatus.OVERDUE:
            return f"已超期{-self.days}个工作日" if self.days < 0 else "已超期"
        if self.status == TimeStatus.PAUSED:
            return "特别程序中，计时暂停"
        if self.status == TimeStatus.DONE:
            return ""
        return f"剩余{self.days}个工作日" if self.days > 0 else "今日到期"


def step_time_left(step: CaseStep, today: dt.date | None = None, cal=None) -> TimeLeft | None:
    """正常 / 预警 / 超期 of one step: the step's budget runs from the case's acceptance to the
    step's due date (its cumulative share of the 承诺时限), so a re-activated step keeps its
    budget instead of starting over."""
    case = step.case
    if step.due_date is None or case.accepted_on is None:
        return None
    cal = cal or calendar.get_calendar()
    today = today or timezone.localdate()
    total = cal.workdays_between(case.accepted_on, step.due_date)
    status, left = rules.time_status(cal, today, step.due_date, total, suspended=case.state == State.SUSPENDED,
                                     concluded=case.state in (State.CONCLUDED, State.DELIVERED))
    return TimeLeft(status, left)


def case_time_left(case: Case, today: dt.date | None = None, cal=None) -> TimeLeft | None:
    """The whole case against its 承诺办结日期."""
    if case.due_date is None or case.accepted_on is None:
        return None
    cal = cal or calendar.get_calendar()
    today = today or timezone.localdate()
    total = case.promised_days + case.suspended_workdays + case.extension_workdays
    status, left = rules.time_status(cal, today, case.due_date, total,
                                     suspended=case.state == State.SUSPENDED,
                                     concluded=case.state in (State.CONCLUDED, State.DELIVERED))
    may_move = calendar.due_date_note(case.due_date, case.accepted_on, cal) if status != TimeStatus.DONE else ""
    return TimeLeft(status, left, may_move)


def pending_dates(rows) -> list[tuple[dt.date, dt.date | None]]:
    """(补交期限, 补交日 or None) of 容缺 materials (PendingMaterial rows), for the rules of
    :func:`rules.tolerance_clock_start`."""
    return [(p.due_date, timezone.localdate(p.supplied_at) if p.supplied_at else None) for p in rows]


def tolerance_note(case: Case, pending) -> str:
    """How the 承诺办结日期 of a 容缺受理 case is counted, said beside it on the case pages
    ("" for other cases); ``pending``: the case's PendingMaterial rows."""
    if case.intake_mode != "tolerated" or case.accepted_on is None:
        return ""
    return rules.tolerance_due_note(case.accepted_on, pending_dates(pending))


def acceptance_time_left(case: Case, today: dt.date | None = None, cal=None) -> TimeLeft | None:
    """正常 / 预警 / 超期 of the five working days to answer an application waiting for 受理
    (行政许可法第三十二条): 预警 from the day before the last one (a day to answer), 超期 after the
    last (the application is then deemed accepted, see services.deadlines)."""
    if case.state != State.SUBMITTED or case.acceptance_due is None:
        return None
    cal = cal or calendar.get_calendar()
    today = today or timezone.localdate()
    status, left = rules.time_status(cal, today, case.acceptance_due, rules.ACCEPTANCE_WORKDAYS)
    if status == TimeStatus.NORMAL and left <= 1:
        status = TimeStatus.WARNING
    return TimeLeft(status, left)


def with_time_status(steps: Iterable[CaseStep], wanted: str | None, limit: int, skip: int = 0,
                     max_scan: int = 5000) -> tuple[list[CaseStep], bool, bool]:
    """Attach ``time_left`` to inbox rows and keep those of the ``wanted`` status.

    ``steps`` is the (ordered) inbox queryset or any iterable of its rows; the first ``skip``
    matching rows are passed over (earlier pages). Returns (rows — at most ``limit``, has_more,
    scan_capped). Rows stream, so a 正常/预警 filter reads only until the page is full, or until
    ``max_scan`` rows were read — then ``scan_capped`` says the list may be incomplete.
    """
    cal = calendar.get_calendar()
    today = timezone.localdate()
    post_filter = wanted in (TimeStatus.NORMAL, TimeStatus.WARNING)
    rows: list[CaseStep] = []
    matched = scanned = 0
    for step in steps:
        scanned += 1
        step.time_left = step_time_left(step, today, cal)
        keep = not post_filter or (step.time_left is not None and step.time_left.status == wanted)
        if keep:
            matched += 1
            if matched > skip:
                if len(rows) == limit:
                    return rows, True, False
                rows.append(step)
        if scanned >= max_scan:
            return rows, False, True
    return rows, False, False


# Which of a case's dependent tables hold rows for it: read as EXISTS columns of the query that
# loads the case (one round trip), so a detail page or response skips the queries that would
# come back empty (most cases have no 补正, 容缺, 特别程序, and no result before 办结).
CHILD_TABLES = {
    "steps": CaseStep,
    "materials": CaseMaterial,
    "result": CaseResult,
    "pending": PendingMaterial,
    "supplements": SupplementNotice,
    "suspensions": Suspension,
    "licence_uses": LicenceUse,  # 免提交: licences that stood in for materials (zhengwu.licenses.use)
    "cross_intake": CrossIntake,  # 跨域通办: received by a window of another region (services.tongban)
}


def with_child_flags(qs: QuerySet) -> QuerySet:
    """Annotate ``has_<name>`` (bool) for each of :data:`CHILD_TABLES` on a Case queryset."""
    base = Case._meta.db_table
    return qs.annotate(**{
        f"has_{name}": RawSQL(f'EXISTS (SELECT 1 FROM "{model._meta.db_table}" c '  # noqa: S608 - table names
                              f'WHERE c."case_id" = "{base}"."id")', [], output_field=BooleanField())
        for name, model in CHILD_TABLES.items()
    })


def has_child(case: Case, name: str) -> bool:
    """Whether ``case`` may have rows in a dependent table: False only when the case was loaded
    through :func:`with_child_flags` and it has none."""
    return getattr(case, f"has_{name}", True) is not False


def never_submitted(case: Case) -> bool:
    """A draft, or a draft withdrawn before it was submitted: the applicant's own business."""
    return case.state == State.DRAFT or (case.state == State.WITHDRAWN and case.submitted_at is None)


def staff_may_open(user, case: Case) -> bool:
    """The rule of :func:`staff_case` for a case already loaded (with ``department__region``):
    one of the user's 窗口/审批 grants covers the case's department, or one of their grants of a
    step's role covers that step's department (并联审批 in another department).

    A case never submitted is the applicant's: staff see it only if they filed it at the window
    for the applicant (窗口代录) and still hold 窗口人员 for its department. The staff side of
    :func:`zhengwu.cases.access.may_view`, the one rule for a case and its files."""
    from .services.tongban import is_receiver  # 异地代收: the receiving region's windows see it too

    if never_submitted(case):
        return (case.filed_by_id is not None and case.filed_by_id == getattr(user, "pk", None)
                and (has_role(user, Role.WINDOW, department=case.department) or is_receiver(user, case)))
    if has_role(user, *STAFF_CASE_ROLES, department=case.department):
        return True
    if has_child(case, "steps"):
        steps = CaseStep.objects.filter(case_id=case.pk, role__in=STEP_ROLES).select_related("department__region")
        if any(has_role(user, s.role, department=s.department) for s in steps):
            return True
    return is_receiver(user, case)


# Joined to the case: what every case page reads. The process version and the optional
# parties (agent, filed_by, window) are read lazily — a primary-key query each, only when set —
# because every further joined table costs PostgreSQL more planning time than such a query
# (planning grows quickly with the number of joined relations).
STAFF_CASE_RELATED = ("service_item", "item_version", "department__region", "applicant")


def staff_case(user, pk: int) -> Case:
    """A case the staff member may open: one of their departments' cases (窗口/审批), or a case
    with a process step of theirs (并联审批 in another department). 404 otherwise.

    The case comes with its child-table flags (:func:`with_child_flags`)."""
    # select_related: the case page shows item, guide version, department, region and applicant
    # (see STAFF_CASE_RELATED for the rest).
    case = _STAFF_CASE.get(pk)
    if case is None or not staff_may_open(user, case):
        raise Http404("办件不存在或不在您的办理范围内")
    return case


_STAFF_CASE = ByPk(lambda: with_child_flags(Case.objects.select_related(*STAFF_CASE_RELATED)))


def page_slice(qs, page: int, size: int) -> tuple[list, bool]:
    """One page and whether there is another, by fetching one row more (no COUNT)."""
    start = (page - 1) * size
    rows = list(qs[start:start + size + 1])
    return rows[:size], len(rows) > size


# -- list rows -------------------------------------------------------------------------------------
# What a row of a case list reads (the API's summary; the pages add their few columns): the case's
# own columns below and the names of its item, department and applicant. Loading only these (not
# the 24 columns of an item, 13 of an applicant) makes a page's SQL shorter to build and its rows
# cheaper to turn into objects.
CASE_ROW_FIELDS = ("id", "number", "service_item", "department", "applicant", "channel", "state", "created_at",
                   "submitted_at", "acceptance_due", "accepted_on", "due_date", "concluded_at", "lock_version",
                   "service_item__id", "service_item__name", "department__id", "department__name",
                   "applicant__id", "applicant__name")


# -- a case's dependent rows, for its pages ------------------------------------------------------
# The case pages read each dependent table of one case on every view. Compiled once per process
# (zhengwu.speedups.prepared), each is a lookup by case id; :func:`rows_of` sets each row's ``case``
# as ``case.<relation>.all()`` would, so a template reading ``row.case`` asks nothing more.
def _of_case(build) -> ByPk:
    return ByPk(build, field="case_id")


CASE_EVENTS = _of_case(lambda: CaseEvent.objects.order_by("at", "pk"))
CASE_EVENTS_VISIBLE = _of_case(lambda: CaseEvent.objects.filter(visible_to_applicant=True).order_by("at", "pk"))
CASE_STEPS_STAFF = _of_case(lambda: CaseStep.objects.select_related("department__region", "acted_by")
                            .order_by("block", "pk"))
CASE_STEPS = _of_case(lambda: CaseStep.objects.select_related("department").order_by("block", "pk"))
CASE_UPLOADS = _of_case(lambda: CaseMaterial.objects.order_by("uploaded_at", "pk"))
CASE_FILES = _of_case(lambda: CaseMaterial.objects.exclude(status=CaseMaterial.Status.REPLACED)
                      .order_by("uploaded_at", "pk"))
CASE_SUPPLEMENTS = _of_case(lambda: SupplementNotice.objects.order_by("-issued_at", "-pk"))
CASE_PENDING = _of_case(lambda: PendingMaterial.objects.order_by("due_date", "pk"))
CASE_SUSPENSIONS = _of_case(lambda: Suspension.objects.order_by("started_on", "pk"))
CASE_EXTENSIONS = _of_case(lambda: Extension.objects.select_related("requested_by", "decided_by")
                           .order_by("requested_at", "pk"))


def rows_of(lookup: ByPk, case: Case) -> list:
    rows = lookup.all(case.pk)
    for row in rows:
        row.case = case
    return rows


def accepted_by_id(case: Case) -> int | None:
    """Who accepted the case (受理, in any of its ``accept*`` forms, the latest if several), read
    from its history; None when no staff member did. Other domains (ratings: the staff member a
    rating counts for) ask here rather than read the history themselves."""
    return (CaseEvent.objects.filter(case=case, action__startswith="accept", actor__isnull=False)
            .order_by("-at").values_list("actor_id", flat=True).first())


def applicants_case(applicant, pk: int) -> Case | None:
    """The applicant's own case ``pk`` (with item and department), or None: for other domains
    (ratings: 一事一评 of one's own case) that must not read the cases tables themselves."""
    if applicant is None:
        return None
    return Case.objects.filter(pk=pk, applicant=applicant).select_related("service_item", "department").first()


def case_by_pk(pk: int) -> Case | None:
    """Case ``pk`` with its item and department, or None (ratings: the case a signed QR token names)."""
    return Case.objects.select_related("service_item", "department").filter(pk=pk).first()


def progress_by_receipt(number: str, identifier: str) -> Case | None:
    """查询办件进度 without logging in (the hall's kiosk): the case with this 办件编号 whose applicant
    has this 身份证号 (compared by blind index, nothing decrypted) or 统一社会信用代码; None when
    either does not match — the caller says the same thing in both cases."""
    from zhengwu.core import identifiers
    from zhengwu.core.pii import blind_index

    number, identifier = (number or "").strip(), identifiers.compact_id_number(identifier or "")
    if not number or len(identifier) != 18:
        return None
    qs = Case.objects.select_related("service_item", "applicant").filter(number=number)
    if identifiers.resembles_id_number(identifier):
        qs = qs.filter(applicant__id_number_index=blind_index("id_number", identifier))
    else:
        qs = qs.filter(applicant__uscc=identifier)
    return qs.first()
