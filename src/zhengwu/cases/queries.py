"""Scoped list queries of the staff side (受理队列, 待办): plain functions returning querysets.

Every staff list goes through :func:`zhengwu.org.permissions.scope` here, so the pages and the
JSON API share one definition of "what this person may see". The lists are built for a million
cases: they filter on indexed columns (``case_dept_state_due``, ``casestep_inbox``), join only
what a row shows, and are paged with LIMIT (one row more than a page) — never a COUNT(*).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from zhengwu.core import calendar
from zhengwu.org.models import Role
from zhengwu.org.permissions import scope

from . import rules
from .models import Case, CaseStep, Channel
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


def intake_queue(user, filters: Mapping[str, str] | None = None) -> QuerySet:
    """受理队列: submitted (and resubmitted) cases of the departments the user covers as 窗口人员,
    oldest first. Filters: ``item`` (service item id), ``department`` (id), ``channel``.
    """
    f = filters or {}
    qs = scope(Case.objects.filter(state__in=INTAKE_STATES), user, [Role.WINDOW], department_field="department")
    if (item := _int(f.get("item"))) is not None:
        qs = qs.filter(service_item_id=item)
    if (dept := _int(f.get("department"))) is not None:
        qs = qs.filter(department_id=dept)
    if f.get("channel") in Channel.values:
        qs = qs.filter(channel=f["channel"])
    # select_related: each row shows the item, the department and the applicant's name — one
    # query per page instead of three per row.
    return (qs.select_related("service_item", "department", "applicant")
            .order_by("submitted_at", "pk"))


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


@dataclass
class TimeLeft:
    status: TimeStatus
    days: int

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
    status, left = rules.time_status(cal, today, case.due_date, case.promised_days + case.suspended_workdays,
                                     suspended=case.state == State.SUSPENDED,
                                     concluded=case.state in (State.CONCLUDED, State.DELIVERED))
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


def staff_case(user, pk: int) -> Case:
    """A case the staff member may open: one of their departments' cases (窗口/审批), or a case
    with a process step of theirs (并联审批 in another department). 404 otherwise."""
    base = Case.objects.filter(pk=pk)
    mine = scope(base, user, STAFF_CASE_ROLES, department_field="department")
    steps = None
    for role in STEP_ROLES:
        part = scope(CaseStep.objects.filter(case_id=pk, role=role), user, [role], department_field="department")
        steps = part if steps is None else steps | part
    # select_related: the case page shows item, guide version, process version, department,
    # region, applicant and agent; all in the one query.
    qs = (Case.objects.filter(Q(pk__in=mine.values("pk")) | Q(Exists(steps.filter(case_id=OuterRef("pk")))), pk=pk)
          .select_related("service_item", "item_version", "process", "department__region", "applicant", "agent",
                          "filed_by", "window"))
    case = qs.first()
    if case is None:
        raise Http404("办件不存在或不在您的办理范围内")
    return case


def page_slice(qs, page: int, size: int) -> tuple[list, bool]:
    """One page and whether there is another, by fetching one row more (no COUNT)."""
    start = (page - 1) * size
    rows = list(qs[start:start + size + 1])
    return rows[:size], len(rows) > size
