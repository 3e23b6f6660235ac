"""Who may see a case — and so its files — decided in one place.

:func:`may_view` is the rule every reader of a case asks: the staff case page
(:func:`zhengwu.cases.queries.staff_case`), the API's detail and actions, and every download of a
file the case holds (uploaded materials, the 决定书, the 申请回执), on the pages and in the API:

- the applicant and their 代办人 see their own cases, drafts included;
- staff see what their grants cover (:func:`zhengwu.cases.queries.staff_may_open`: 窗口/审批 of
  the case's department, or the role of one of its process steps in that step's department —
  并联审批). A role that does not handle cases (督办, 领导, 热线…) sees none of them, whatever its
  region;
- a draft (never submitted) is the applicant's own: staff see it only when they filed it for the
  applicant at the window (窗口代录) and still hold 窗口人员 for its department.

Anyone else gets a 404, never a 403: the answer does not confirm that a case exists.

Apart from that rule, whoever may see the 办件指标 (领导, 督办, 部门管理员 …) reads a case the
figures count — within the figures' own scope, never a draft — on a read-only page
(:func:`readable_case`, :mod:`zhengwu.cases.views_staff_readonly`): its facts, steps, history and
deadlines, personal data masked with no way to reveal it, and none of its files. That page is no
door to the case's files or actions, which keep the rule above.

Every file handed out that holds personal data is recorded with :func:`record_file_read` (who,
which case, which file — never the file's content or the applicant's data).
"""

from __future__ import annotations

from django.http import Http404

from zhengwu.core import audit
from zhengwu.org import permissions
from zhengwu.speedups.prepared import ByPk

from . import queries
from .models import Case

NOT_FOUND = "办件不存在或无权查看"


def is_party(user, case: Case) -> bool:
    """The user is the case's applicant or its 代办人 — or acts, in this request, for the
    enterprise that is (经办人: :func:`zhengwu.accounts.agents.applicant_of_user`)."""
    from zhengwu.accounts.agents import applicant_of_user

    applicant = applicant_of_user(user) if getattr(user, "is_authenticated", False) else None
    return applicant is not None and applicant.pk in (case.applicant_id, case.agent_id)


def may_view(user, case: Case) -> bool:
    """The one access rule of a case and its files (see the module docstring).

    ``case`` should come with ``department__region`` (the staff rule reads the region code)."""
    if is_party(user, case):
        return True
    return permissions.is_staff_member(user) and queries.staff_may_open(user, case)


def viewable_case(user, pk: int) -> Case:
    """The case ``pk`` if :func:`may_view`, else :class:`Http404`. Comes with its item,
    department and region (the staff rule reads them), applicant, and child-table flags."""
    case = _CASE.get(pk)
    if case is None or not may_view(user, case):
        raise Http404(NOT_FOUND)
    return case


# select_related: the staff rule reads the department's region; the documents (回执, 决定书 name)
# read the item, department and applicant.
_CASE = ByPk(lambda: queries.with_child_flags(
    Case.objects.select_related("service_item", "department__region", "applicant")))


def readable_case(user, pk: int) -> Case:
    """The case ``pk`` for the read-only page: one of the cases whose figures ``user`` may see
    (:func:`zhengwu.cases.services.figures.cases_in_view`, the scope of the 办件指标 and their
    drill-down), submitted at least once; else :class:`Http404`. Comes with what the case page
    reads (:data:`zhengwu.cases.queries.STAFF_CASE_RELATED`) and its child-table flags."""
    from .services import figures

    if not figures.may_view(user):
        raise Http404(NOT_FOUND)
    case = (queries.with_child_flags(figures.cases_in_view(user).select_related(*queries.STAFF_CASE_RELATED))
            .filter(pk=pk).first())
    if case is None or queries.never_submitted(case):
        raise Http404(NOT_FOUND)
    return case


def record_case_read(user, case: Case) -> None:
    """Audit one opening of the read-only case page (the applicant's name, the form and the
    history are personal data): who, which case — nothing of its content."""
    audit.record("case.read", actor=user, obj=case, after={"page": "readonly", "case_number": case.number or ""})


def record_file_read(user, case: Case, kind: str, *, name: str, material_id: int | None = None) -> None:
    """Audit one download of a case's file (个人信息：每次读取留痕).

    ``kind``: ``material`` (an uploaded material), ``decision`` (决定书) or ``receipt`` (申请回执);
    ``name``: the material's catalogue name or the document's number — never the uploader's file
    name, which may carry a person's name or ID number."""
    after = {"file": kind, "name": name, "case_number": case.number or ""}
    if material_id is not None:
        after["material_id"] = material_id
    audit.record("case.file_read", actor=user, obj=case, after=after)
