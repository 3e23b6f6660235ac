"""The case page for those who read cases but do not handle them (/workbench/cases/<id>/).

A leader drilling into a number of the 办件指标 (办件明细, 领导驾驶舱) opens the cases it counted.
Whoever may see those figures (:func:`zhengwu.cases.services.figures.may_view`) — and does not
handle the case — gets a read-only page of a case within the figures' scope
(:func:`zhengwu.cases.access.readable_case`): its facts, steps, history and deadlines, the
result and any extension, with no action, no file, and the applicant's personal data masked with
no way to reveal it. Each opening is audited. The case's handlers (窗口/审批, ``queries.staff_case``)
keep the full page of :mod:`.views_staff`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from zhengwu.licenses import queries as licence_queries
from zhengwu.org.models import Role
from zhengwu.org.permissions import is_sysadmin, roles_of
from zhengwu.workbench.views import staff_required

from . import access, queries
from .models import Case
from .services import figures

HANDLER_ROLES = frozenset({Role.WINDOW, Role.APPROVER})
REFUSED = "仅窗口人员、审批人员，或可以查看办件指标的人员（领导、督办人员、部门管理员）可以查看办件"


def handles_cases(user) -> bool:
    return is_sysadmin(user) or bool(roles_of(user) & HANDLER_ROLES)


@staff_required
def case_page(request, pk: int):
    """The full page for the case's handlers, else the read-only page, else 404 / 403."""
    from . import views_staff

    user = request.user
    if handles_cases(user):
        try:
            case = queries.staff_case(user, pk)
        except Http404:
            if not figures.may_view(user):
                raise
        else:
            return views_staff._render_case(request, case, focus_step=request.GET.get("step", ""))
    elif not figures.may_view(user):
        raise PermissionDenied(REFUSED)
    return readonly_page(request, access.readable_case(user, pk))


def readonly_page(request, case: Case):
    from . import views_staff

    parts = views_staff.case_parts(case, readonly=True)
    extensions = queries.rows_of(queries.CASE_EXTENSIONS, case) if case.accepted_on else []
    result = parts["result"]
    # The e-licences the decision issued, linked where the viewer's scope opens them (as the handler's page).
    issued = licence_queries.issued_in_case(request.user, case.pk) if result and result.outcome == "approved" else []
    access.record_case_read(request.user, case)
    return render(request, "cases/staff/case_readonly.html", {
        "case": case, "applicant": case.applicant, "result": result, "issued": issued, "extensions": extensions,
        "info_html": parts["info_html"], "records_html": parts["records_html"],
    })
