"""延长办理期限 endpoints of the cases API (行政许可法第四十二条第一款), on the router of
:mod:`zhengwu.cases.api`: the handler requests, 本行政机关负责人 (领导) decides."""

from __future__ import annotations

from zhengwu.core.errors import NotFound
from zhengwu.core.schemas import ERRORS
from zhengwu.org.models import Role
from zhengwu.org.permissions import scope

from .api import _fresh_detail, _visible_case, router
from .api_schemas import CaseDetailOut, CaseExtensionDecisionIn, CaseExtensionOut, CaseExtensionRequestIn
from .models import Case
from .services import deadlines


@router.post("/{int:case_id}/extension", response={200: CaseDetailOut, **ERRORS}, summary="申请延长办理期限",
             description="审批中、承诺办结日期前，由该部门审批或窗口人员申请；每件只能延长一次（10个工作日），"
                         "须经本行政机关负责人批准（行政许可法第四十二条第一款）。")
def request_extension(request, case_id: int, payload: CaseExtensionRequestIn):
    case = _visible_case(request, case_id)
    deadlines.request_extension(request.auth, case, payload.lock_version, payload.reason)
    return _fresh_detail(request, case_id)


@router.post("/{int:case_id}/extension/decide", response={200: CaseExtensionOut, **ERRORS},
             summary="批准或不批准延长办理期限（本行政机关负责人）",
             description="领导岗位、覆盖办件所属部门的人员；批准后承诺办结日期顺延10个工作日，并向申请人发送理由。")
def decide_extension(request, case_id: int, payload: CaseExtensionDecisionIn):
    case = scope(Case.objects.select_related("service_item", "applicant", "department__region"), request.auth,
                 [Role.LEADER]).filter(pk=case_id).first()
    if case is None:
        raise NotFound()
    e = deadlines.decide_extension(request.auth, case, payload.lock_version, payload.approve, payload.note)
    return {"status": e.status, "status_label": e.get_status_display(), "reason": e.reason, "workdays": e.workdays,
            "requested_at": e.requested_at, "decided_at": e.decided_at, "decision_note": e.decision_note,
            "due_before": e.due_before, "due_after": e.due_after}
