"""The 办件 feed to the upper-level platform (办件信息汇聚: 省级/国家政务服务平台), through the
shared outbox (:mod:`zhengwu.core.outbox`, ADR 0050).

Events: ``accepted`` (受理, 容缺受理, 告知承诺受理, 逾期视为受理), ``refused`` (不予受理),
``concluded`` (办结, 准予 or 不予) and ``delivered`` (送达: 窗口领取, 邮寄 or 电子送达 registered,
with 送达方式 and 送达时间). Each record carries the case as it is after the change, with
the fields of the national 办件信息 exchange that the case has: 办件编号, 事项 (名称, 实施编码,
业务办理项编码), 受理部门, 区划, 申报渠道, 申请人, dates, 承诺时限, 办理结果, 是否超期, 送达.

The field layout follows the published national standards for 办件 data found for this work:
GB/T 39046-2020《政务服务平台基础数据规范》(data items of the platform, 办件 among them; issued
2020-07-21, in force 2020-10-01) and the 事项 codes of GB/T 39554.1-2020《全国一体化政务服务平台
政务服务事项基本目录及实施清单 第1部分：编码要求》(实施编码, 业务办理项编码); provincial
specifications built on the national 《国家政务服务平台政务服务事项基本目录及实施清单》(C0109), e.g.
DB23/T 2551-2020《政务服务事项办件及电子监察数据规范》(申请/受理, 办理及办结 phases), group the
records the same way. Their field tables themselves (the English column codes such as PROJID)
were not available to read here, so the record keeps Chinese field names (docs/case-exchange.md).

Personal data: a 法人 applicant is named with its 统一社会信用代码 (public); a natural person's name
and ID number only masked (张*, 4101**********1234); phones, addresses and form data never go.
"""

from __future__ import annotations

from django.utils import timezone

from zhengwu.core import outbox
from zhengwu.core.outbox_rules import mask_name, scrub_text

NAME = "cases"
SCOPE = "feed:cases"
EVENTS = {"accepted": "受理", "refused": "不予受理", "concluded": "办结", "delivered": "送达"}
ACTION_EVENTS = {"accept": "accepted", "accept_pending": "accepted", "accept_commitment": "accepted",
                 "deem_accept": "accepted", "instant_accept": "accepted", "refuse": "refused", "conclude": "concluded",
                 "deliver": "delivered"}


def _time(value) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else None


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _applicant(case) -> dict:
    a = case.applicant
    if a is None:
        return {"申请人类型": "", "申请人名称": "", "证件类型": "", "证件号码": ""}
    if a.kind == "legal":
        return {"申请人类型": "法人", "申请人名称": a.name, "证件类型": "统一社会信用代码", "证件号码": a.uscc or ""}
    return {"申请人类型": "自然人", "申请人名称": mask_name(a.name), "证件类型": "居民身份证",
            "证件号码": str(a.id_number) if a.id_number else ""}  # PII renders masked


def payload(case, event: str) -> dict:
    """What goes upward of a case (inside the transaction of the change: one small read)."""
    from ..models import Case

    where = Case.objects.filter(pk=case.pk).values("department__name", "department__uscc", "region__code").first() or {}
    delivered = _delivery(case) if case.state == "delivered" else {}
    item = case.service_item
    outcome = {"approved": "准予", "denied": "不予"}.get(case.outcome, "")
    if case.state == "refused":
        outcome = "不予受理"
    return {
        "办件编号": case.number or "",
        "事项名称": item.name,
        "实施编码": item.implementation_code,
        "业务办理项编码": item.handling_code,
        "事项类型": item.item_type,
        "受理部门": where.get("department__name", ""),
        "受理部门统一社会信用代码": where.get("department__uscc") or "",
        "所属区划": where.get("region__code", ""),
        "申报渠道": case.get_channel_display(),
        **_applicant(case),
        "受理方式": case.get_intake_mode_display() if case.accepted_on else "",
        "申请时间": _time(case.submitted_at),
        "受理日期": _date(case.accepted_on),
        "逾期视为受理": bool(case.deemed_accepted),
        "承诺时限（工作日）": case.promised_days,
        "承诺办结日期": _date(case.due_date),
        "办结时间": _time(case.concluded_at),
        "办理结果": outcome,
        "不予受理理由": scrub_text(case.refusal_reason) if case.state == "refused" else "",
        "按时办结": case.concluded_on_time,
        "是否超期": None if case.concluded_on_time is None else not case.concluded_on_time,
        "送达方式": delivered.get("method", ""),
        "送达时间": _time(delivered.get("at")),
        "办件状态": case.state_label,
        "事件": EVENTS[event],
    }


def _delivery(case) -> dict:
    """送达: how and when the result reached the applicant (no address, carrier or waybill)."""
    from ..models import CaseResult

    row = CaseResult.objects.filter(case_id=case.pk).values("delivery_method", "delivered_at").first() or {}
    labels = dict(CaseResult.Delivery.choices)
    return {"method": labels.get(row.get("delivery_method") or "", ""), "at": row.get("delivered_at")}


def register() -> None:
    """Declared in CasesConfig.ready."""
    outbox.register(outbox.Feed(NAME, "办件信息", scope=SCOPE, object_type="cases.case", build=payload,
                                ref=lambda c: c.number or "", events=EVENTS,
                                description="办件受理、不予受理、办结、送达时上报省级政务服务平台"))


def on_transition(case, action: str) -> None:
    """Called by services.base.transition inside the change's transaction."""
    if (event := ACTION_EVENTS.get(action)) is not None:
        outbox.enqueue(NAME, case, event)
