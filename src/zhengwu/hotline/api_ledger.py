"""The ledgers' JSON API (/api/v1/hotline/ledgers/…): the 效能投诉台账 (``efficiency``) and the 办不成事台账
(``cannot-do``) with their filters and totals, and recording a ticket's 核查结论 and 处理结果.

督办人员 and 领导 read their region's ledgers; 督办人员 record. Errors are the API root's JSON: 400
with Chinese field messages, 403, 404 (a ledger or ticket the caller may not see), 409 for a stale
``lock_version``.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Field, Router

from zhengwu.accounts.api_auth import SessionAuth
from zhengwu.core.schemas import ERRORS, Schema
from zhengwu.org.permissions import has_role

from . import ledger, ledger_rules, services

router = Router(auth=[SessionAuth()], tags=["12345热线台账"])


def _reader(request, kind: str) -> tuple[object, str]:
    user = request.auth
    if not has_role(user, *ledger.LEDGER_ROLES):
        raise PermissionDenied("仅督办人员、领导或纪检监察人员可以查看台账")
    ticket_type = ledger_rules.ledger_type(kind)
    if ticket_type is None:
        raise Http404(f"没有这个台账：{kind}（应为 efficiency 效能投诉台账 或 cannot-do 办不成事台账）")
    return user, ticket_type


class LedgerRow(Schema):
    id: int
    number: str = Field(..., description="工单编号")
    created_at: dt.datetime = Field(..., description="受理时间")
    caller: str = Field(..., description="诉求人（已脱敏；保密工单只对派单中心显示）")
    subject: str = Field(..., description="反映对象：单位、窗口、事项")
    summary: str = Field(..., description="诉求摘要")
    department: str = Field(..., description="承办单位")
    result: str = Field(..., description="办理结果：办不成事为协调办成情况，效能投诉为承办单位答复")
    finding: str = Field(..., description="核查结论：属实 / 部分属实 / 不属实，空为未核查")
    finding_key: str
    rectification: str = Field(..., description="整改情况")
    accountability: str = Field(..., description="问责情况")
    closed_at: Optional[dt.datetime] = Field(None, description="办结时间")
    overdue: bool = Field(..., description="是否超期")
    handled: bool = Field(..., description="是否已处理")
    state_label: str
    version: int = Field(..., description="核查处理结果的版本号：登记时作为 lock_version 传回")


class LedgerPage(Schema):
    ledger: str
    start: dt.date
    end: dt.date
    totals: dict = Field(..., description="合计：total 件数，verified/partly/unfounded/unchecked 按核查结论，handled 已处理，"
                                          "overdue 超期，acc_* 按问责方式，done 已协调办成（办不成事）")
    items: list[LedgerRow]
    next: Optional[int] = Field(None, description="下一页：作为 before 传回")


class OutcomeIn(Schema):
    lock_version: int = Field(..., description="读到的版本号（尚未登记过为 0）")
    finding: str = Field(..., description="核查结论：verified 属实 / partly 部分属实 / unfounded 不属实")
    rectification: str = ""
    accountability: str = Field("", description="none 无 / talk 约谈 / criticism 通报批评 / admonish 诫勉 / "
                                                "organisational 组织处理 / referred 移送纪检监察")
    accountability_note: str = ""
    resolution: str = Field("", description="办不成事：done 已协调办成 / explained 依法不能办理，已解释 / "
                                            "redirected 已引导通过其他途径办理 / improved 已推动完善政策或流程 / "
                                            "coordinating 正在协调办理")
    resolution_note: str = ""
    subject_department: Optional[int] = None
    subject_window: Optional[int] = None
    subject_item: str = ""


@router.get("/ledgers/{kind}", response={200: LedgerPage, **ERRORS},
            summary="效能投诉台账（efficiency）或办不成事台账（cannot-do）：按受理时间、涉及单位、核查结论、是否已处理筛选，"
                    "按编号倒序游标分页，附合计")
def ledger_list(request, kind: str, start: Optional[str] = None, end: Optional[str] = None,
                department: Optional[str] = None, finding: str = "", handled: str = "", before: Optional[int] = None,
                limit: int = ledger.PAGE_SIZE):
    user, ticket_type = _reader(request, kind)
    f = ledger.parse_filters({"start": start, "end": end, "department": department, "finding": finding,
                              "handled": handled}, timezone.localdate(), strict=True)
    tickets, nxt = ledger.page(user, ticket_type, f, before, size=max(1, min(limit, 100)))
    return {"ledger": ledger_rules.LEDGERS[ticket_type], "start": f.start, "end": f.end,
            "totals": ledger.totals(user, ticket_type, f), "items": ledger.rows_for(user, ticket_type, tickets),
            "next": nxt}


@router.post("/ledgers/{kind}/{ticket_id}/outcome", response={200: LedgerRow, **ERRORS},
             summary="督办人员登记（或更正）工单的反映对象、核查结论、整改情况、问责情况；办不成事还有办理结果",
             description="同样的内容重复提交不会重复登记；lock_version 已过期（他人已更新）返回 409。")
def record_outcome(request, kind: str, ticket_id: int, payload: OutcomeIn):
    user, ticket_type = _reader(request, kind)
    if not ledger.scoped(user, ticket_type).filter(pk=ticket_id).exists():
        raise Http404("台账中没有这张工单，或无权查看")
    data = payload.dict()
    version = data.pop("lock_version")
    services.record_outcome(user, ticket_id, version, data)
    t = ledger.scoped(user, ticket_type).select_related(*ledger.RELATED).defer(*ledger.DEFER).get(pk=ticket_id)
    return ledger.rows_for(user, ticket_type, [t])[0]
