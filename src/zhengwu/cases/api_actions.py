"""Staff actions of the cases API, on the router of :mod:`zhengwu.cases.api`: intake (窗口:
受理, 补正告知, 不予受理, 容缺受理, 告知承诺受理) and approval (审批环节, 特别程序, 送达).

Who may act is decided by the services; what a caller sees is :func:`~zhengwu.cases.api._visible_case`.
The operation ids are given: they stay the ones these endpoints had when they were defined in
:mod:`zhengwu.cases.api` (django-ninja derives a default id from the module name).
"""

from __future__ import annotations

from zhengwu.core.schemas import ERRORS

from .api import _fresh_detail, _visible_case, router
from .api_schemas import (
    AcceptCommitmentIn,
    AcceptIn,
    AcceptPendingIn,
    CaseDetailOut,
    DeliverIn,
    RefuseIn,
    ResumeIn,
    StepActIn,
    SupplementIn,
    SuspendIn,
)
from .services import approval, intake


# == intake (窗口) =============================================================================
@router.post("/{int:case_id}/accept", response={200: CaseDetailOut, **ERRORS}, summary="受理",
             operation_id="zhengwu_cases_api_accept")
def accept(request, case_id: int, payload: AcceptIn):
    case = _visible_case(request, case_id)
    intake.accept(request.auth, case, payload.lock_version, payload.opinion)
    return _fresh_detail(request, case_id)


@router.post("/{int:case_id}/supplement", response={200: CaseDetailOut, **ERRORS}, summary="补正告知（一次性告知）",
             operation_id="zhengwu_cases_api_supplement")
def supplement(request, case_id: int, payload: SupplementIn):
    case = _visible_case(request, case_id)
    intake.request_supplement(request.auth, case, payload.lock_version, [i.dict() for i in payload.items],
                              payload.note, payload.additional_reason)
    return _fresh_detail(request, case_id)


@router.post("/{int:case_id}/refuse", response={200: CaseDetailOut, **ERRORS}, summary="不予受理",
             operation_id="zhengwu_cases_api_refuse")
def refuse(request, case_id: int, payload: RefuseIn):
    case = _visible_case(request, case_id)
    intake.refuse(request.auth, case, payload.lock_version, payload.reason, payload.legal_basis)
    return _fresh_detail(request, case_id)


@router.post("/{int:case_id}/accept-pending", response={200: CaseDetailOut, **ERRORS}, summary="容缺受理",
             operation_id="zhengwu_cases_api_accept_pending",
             description="只有办事指南列明“容缺可后补”且尚未提交的材料可以容缺；必要材料、已提交（含电子证照免提交）"
                         "或清单外的材料返回 400，逐项说明原因。")
def accept_pending(request, case_id: int, payload: AcceptPendingIn):
    case = _visible_case(request, case_id)
    intake.accept_pending(request.auth, case, payload.lock_version, [(p.name, p.due_date) for p in payload.pending],
                          payload.opinion)
    return _fresh_detail(request, case_id)


@router.post("/{int:case_id}/accept-commitment", response={200: CaseDetailOut, **ERRORS}, summary="告知承诺受理",
             operation_id="zhengwu_cases_api_accept_commitment")
def accept_commitment(request, case_id: int, payload: AcceptCommitmentIn):
    case = _visible_case(request, case_id)
    intake.accept_commitment(request.auth, case, payload.lock_version, payload.commitment_text, payload.signed,
                             payload.opinion)
    return _fresh_detail(request, case_id)


# == approval (审批) ===========================================================================
@router.post("/{int:case_id}/steps/{step_id}/act", response={200: CaseDetailOut, **ERRORS}, summary="办理审批环节",
             description="action：pass 通过 / return 退回上一环节 / reject 不予通过（退回、不予通过须填写意见）。",
             operation_id="zhengwu_cases_api_act_on_step")
def act_on_step(request, case_id: int, step_id: str, payload: StepActIn):
    case = _visible_case(request, case_id)
    approval.act_on_step(request.auth, case, step_id, payload.action, payload.lock_version, payload.opinion)
    return _fresh_detail(request, case_id)


@router.post("/{int:case_id}/suspend", response={200: CaseDetailOut, **ERRORS}, summary="启动特别程序（暂停计时）",
             operation_id="zhengwu_cases_api_suspend")
def suspend(request, case_id: int, payload: SuspendIn):
    case = _visible_case(request, case_id)
    approval.suspend(request.auth, case, payload.lock_version, payload.kind, payload.reason, payload.planned_workdays,
                     payload.legal_basis)
    return _fresh_detail(request, case_id)


@router.post("/{int:case_id}/resume", response={200: CaseDetailOut, **ERRORS}, summary="结束特别程序（恢复计时）",
             operation_id="zhengwu_cases_api_resume")
def resume(request, case_id: int, payload: ResumeIn):
    case = _visible_case(request, case_id)
    approval.resume(request.auth, case, payload.lock_version, payload.note)
    return _fresh_detail(request, case_id)


@router.post("/{int:case_id}/deliver", response={200: CaseDetailOut, **ERRORS}, summary="登记送达",
             operation_id="zhengwu_cases_api_deliver")
def deliver(request, case_id: int, payload: DeliverIn):
    case = _visible_case(request, case_id)
    approval.deliver(request.auth, case, payload.lock_version, payload.method, address=payload.address,
                     carrier=payload.carrier, tracking_number=payload.tracking_number)
    return _fresh_detail(request, case_id)
