"""Request and response schemas of the cases API (/api/v1/cases/), documented in the OpenAPI schema.

Responses never carry personal data in the clear: ID numbers and addresses are masked
(the :class:`~zhengwu.core.pii.PII` objects' ``str()``), phone numbers are not returned.
Every state-changing request carries the ``lock_version`` of the case it was based on.
"""

import datetime as dt
from typing import Any

from ninja import Field

from zhengwu.core.schemas import Ref, Schema


# -- small parts -------------------------------------------------------------------------
class ApplicantOut(Schema):
    name: str
    kind: str
    kind_label: str
    id_number: str = Field("", description="身份证号（已脱敏）")
    uscc: str = ""


class TimeOut(Schema):
    status: str = Field(..., description="normal/warning/overdue/paused/done")
    label: str = Field(..., description="正常/预警/超期/挂起/已办结")
    days_left: int = Field(..., description="剩余工作日（超期为负数）")
    may_move: str = Field("", description="期限所在年度的放假安排尚未公布时的提示（该日期可能在通知发布后变动），否则为空")


class CaseSummaryOut(Schema):
    id: int
    number: str | None = Field(None, description="办件编号（提交后生成）")
    item: Ref
    department: Ref
    applicant_name: str
    channel: str
    channel_label: str
    state: str
    state_label: str
    created_at: dt.datetime
    submitted_at: dt.datetime | None = None
    acceptance_due: dt.date | None = Field(None, description="受理期限：收到申请材料后五个工作日（行政许可法第三十二条），"
                                                            "待受理时有值")
    accepted_on: dt.date | None = None
    due_date: dt.date | None = Field(None, description="承诺办结日期")
    concluded_at: dt.datetime | None = None
    lock_version: int


class CasePage(Schema):
    items: list[CaseSummaryOut]
    next_cursor: str | None = Field(None, description="下一页游标；为空表示没有更多")


class CaseEventOut(Schema):
    action: str
    label: str
    from_state: str
    to_state: str
    step_id: str
    actor_name: str
    opinion: str
    data: dict[str, Any]
    at: dt.datetime


class StepOut(Schema):
    id: int
    step_id: str = Field(..., description="流程定义中的环节编号，办理时用于路径")
    name: str
    role: str
    role_label: str
    department: Ref
    block: int
    status: str
    status_label: str
    due_date: dt.date | None = None
    activated_at: dt.datetime | None = None
    acted_by_name: str = ""
    acted_at: dt.datetime | None = None
    opinion: str = ""
    can_act: bool = Field(False, description="当前用户可以办理该环节")


class CaseMaterialOut(Schema):
    id: int
    name: str
    material_id: int | None = None
    original_name: str
    content_type: str
    size: int
    sha256: str
    status: str
    status_label: str
    uploaded_at: dt.datetime


class CaseLicenceUseOut(Schema):
    """免提交: a licence that stood in for a 必要 material."""

    material_name: str = Field(description="替代的材料")
    licence_type: str = Field(description="证照类型")
    licence_number: str = Field(description="证照编号")
    licence_identifier: str = Field(description="电子证照标识")
    valid_until: dt.date | None = Field(description="有效期至；null 为长期有效")
    channel: str = Field(description="online 网上申请 / window 窗口代录 / api 外部系统")
    channel_label: str
    at: dt.datetime


class PendingMaterialOut(Schema):
    id: int
    name: str
    due_date: dt.date
    supplied_at: dt.datetime | None = None


class SupplementItem(Schema):
    material: str = Field(..., description="材料名称")
    reason: str = Field(..., description="需要补正的原因")


class SupplementNoticeOut(Schema):
    id: int
    items: list[SupplementItem]
    note: str
    issued_at: dt.datetime
    resolved_at: dt.datetime | None = None
    additional_reason: str = Field("", description="再次告知的原因（首次告知时为空）")


class SuspensionOut(Schema):
    kind: str
    kind_label: str
    reason: str
    legal_basis: str = ""
    stops_clock: bool = Field(True, description="是否暂停计时（行政许可法第四十五条规定以外的程序计入期限）")
    started_on: dt.date
    planned_workdays: int | None = None
    ended_on: dt.date | None = None
    workdays: int


class CaseExtensionOut(Schema):
    status: str
    status_label: str
    reason: str
    workdays: int
    requested_at: dt.datetime
    decided_at: dt.datetime | None = None
    decision_note: str = ""
    due_before: dt.date
    due_after: dt.date | None = None


class ResultOut(Schema):
    outcome: str
    outcome_label: str
    decision_number: str
    reason: str
    delivery_method: str
    delivery_label: str
    address: str = Field("", description="邮寄地址（已脱敏）")
    carrier: str
    tracking_number: str
    delivered_at: dt.datetime | None = None
    decision_url: str


class CaseDetailOut(CaseSummaryOut):
    applicant: ApplicantOut
    agent: ApplicantOut | None = None
    agent_note: str = ""
    window: str = ""
    form_data: dict[str, Any]
    intake_mode: str
    intake_mode_label: str
    outcome: str
    outcome_label: str
    promised_days: int
    suspended_workdays: int
    extension_workdays: int = Field(0, description="经负责人批准延长的工作日（行政许可法第四十二条）")
    received_on: dt.date | None = Field(None, description="收到申请材料日期")
    deemed_accepted: bool = Field(False, description="逾期未答复，自收到申请材料之日起视为受理")
    visits: int
    concluded_on_time: bool | None = None
    refusal_reason: str = ""
    commitment_chosen: bool = Field(False, description="申请人选择按告知承诺办理（或窗口已按告知承诺受理）")
    commitment_text: str = Field("", description="告知承诺书全文：申请人选择告知承诺时为其阅读、签署的文本")
    commitment_signed_at: dt.datetime | None = Field(None, description="告知承诺书签署时间（网上申报时于提交时签署）")
    time: TimeOut | None = Field(None, description="受理后的时限状态")
    actions: list[str] = Field(default_factory=list, description="当前用户可执行的办件操作")
    timeline: list[CaseEventOut]
    steps: list[StepOut]
    materials: list[CaseMaterialOut]
    pending_materials: list[PendingMaterialOut] = Field(default_factory=list, description="容缺受理待补交的材料")
    licence_uses: list[CaseLicenceUseOut] = Field(default_factory=list,
                                                  description="免提交：以电子证照代替提交的必要材料")
    supplement_notices: list[SupplementNoticeOut] = Field(default_factory=list, description="补正告知（一次性告知）")
    suspensions: list[SuspensionOut] = Field(default_factory=list, description="特别程序")
    extensions: list[CaseExtensionOut] = Field(default_factory=list, description="延长办理期限")
    result: ResultOut | None = None
    receipt_url: str = ""
    delivery_method: str = Field("", description="申请人选择的结果领取方式：window 窗口领取 / mail 邮寄送达 / electronic 电子送达（未选择为空）")
    delivery_label: str = Field("", description="结果领取方式（中文）")
    delivery_address: str = Field("", description="邮寄地址（已脱敏，仅邮寄送达）")


# -- applicant requests ------------------------------------------------------------------
class CaseCreateIn(Schema):
    item_id: int = Field(..., description="实施清单事项 ID")
    form_data: dict[str, Any] = Field(default_factory=dict, description="申报表单内容（按事项的表单定义）")
    channel: str = Field("online", description="申报渠道：online 网上申报 / window 窗口受理 / self_service 自助终端 / agent 帮代办")
    applicant_id_number: str = Field("", description="窗口代录：申请人身份证号（仅窗口人员）")
    agent_id_number: str = Field("", description="帮代办：代办人身份证号（仅窗口人员）")
    agent_note: str = Field("", max_length=200)
    window_id: int | None = Field(None, description="受理窗口 ID（窗口代录时）")
    delivery_method: str = Field("", description="结果领取方式：window 窗口领取 / mail 邮寄送达 / electronic 电子送达（可不填，提交时再选）")
    delivery_address: str = Field("", max_length=400, description="邮寄地址：选择邮寄送达时必填，其他方式不填")
    commitment: bool = Field(False, description="告知承诺：true 选择按告知承诺办理（仅“可告知承诺”的事项，否则 400）；"
                                                "承诺书全文见详情的 commitment_text，提交时须 commitment_agreed=true")


class FormIn(Schema):
    form_data: dict[str, Any]
    lock_version: int


class LockIn(Schema):
    lock_version: int = Field(..., description="办件版本号（乐观锁），取自详情的 lock_version")


class SubmitIn(LockIn):
    delivery_method: str = Field("", description="结果领取方式：window 窗口领取 / mail 邮寄送达 / electronic 电子送达（不填则保留草稿中的选择）")
    delivery_address: str = Field("", max_length=400, description="邮寄地址：选择邮寄送达时必填，其他方式不填")
    commitment: bool | None = Field(None, description="告知承诺：true 选择 / false 按一般方式（不填则保留草稿中的选择；"
                                                      "仅“可告知承诺”的事项可选 true，否则 400）")
    commitment_agreed: bool = Field(False, description="已阅读告知承诺书（详情的 commitment_text）并勾选“我已阅读并承诺”："
                                                       "选择告知承诺时必须为 true，承诺书随提交签署")


class ResubmitIn(LockIn):
    note: str = ""


class WithdrawIn(LockIn):
    reason: str = ""


# -- staff requests ----------------------------------------------------------------------
class AcceptIn(LockIn):
    opinion: str = ""


class SupplementIn(LockIn):
    items: list[SupplementItem] = Field(..., description="一次性告知：全部需要补正的材料及原因")
    note: str = ""
    additional_reason: str = Field("", description="再次告知的原因：已发出过补正告知时必填，只限首次告知时无法知道的内容")


class RefuseIn(LockIn):
    reason: str = Field(..., description="不予受理理由")
    legal_basis: str = Field(..., description="法律依据")


class PendingIn(Schema):
    name: str = Field(..., description="容缺材料名称")
    due_date: dt.date = Field(..., description="补交期限")


class AcceptPendingIn(LockIn):
    pending: list[PendingIn]
    opinion: str = ""


class AcceptCommitmentIn(LockIn):
    commitment_text: str = Field(..., description="告知承诺书内容")
    signed: bool = Field(True, description="申请人已签署")
    opinion: str = ""


class StepActIn(LockIn):
    action: str = Field(..., description="pass 通过 / return 退回上一环节 / reject 不予通过")
    opinion: str = Field("", description="意见；退回、不予通过时必填")


class SuspendIn(LockIn):
    kind: str = Field(..., description="只限行政许可法第四十五条规定的程序：hearing 听证 / tender 招标 / auction 拍卖 / "
                                       "examination 检验 / testing 检测 / quarantine 检疫 / appraisal 鉴定 / "
                                       "expert 专家评审")
    reason: str
    planned_workdays: int | None = Field(None, ge=0)
    legal_basis: str = Field("", description="需要该程序的具体法律条款（可选；系统自动注明行政许可法第四十五条）")


class CaseExtensionRequestIn(LockIn):
    reason: str = Field(..., description="延长理由（批准后告知申请人）")


class CaseExtensionDecisionIn(LockIn):
    approve: bool = Field(..., description="true 批准延长10个工作日 / false 不批准")
    note: str = ""



class ResumeIn(LockIn):
    note: str = ""


class DeliverIn(LockIn):
    method: str = Field(..., description="window 窗口领取 / mail 邮寄送达 / electronic 电子送达")
    address: str = ""
    carrier: str = ""
    tracking_number: str = ""


# -- staff lists -------------------------------------------------------------------------
class InboxItemOut(Schema):
    id: int = Field(..., description="环节记录 ID")
    step_id: str = Field(..., description="环节编号，办理路径 /{case_id}/steps/{step_id}/act")
    step_name: str
    role: str
    department: Ref
    case: CaseSummaryOut
    activated_at: dt.datetime | None = None
    due_date: dt.date | None = Field(None, description="环节期限")
    time: TimeOut


class InboxPage(Schema):
    items: list[InboxItemOut]
    next_cursor: str | None = None


# -- figures -----------------------------------------------------------------------------
class FigureDefinitionOut(Schema):
    key: str
    label: str
    unit: str
    definition: str


class FigureValuesOut(Schema):
    accepted: int = Field(..., description="受理量")
    concluded: int = Field(..., description="办结量")
    concluded_on_time: int
    on_time_rate: float | None = Field(None, description="按时办结率（0–1）")
    overdue: int = Field(..., description="超期数 = overdue_concluded + overdue_open")
    overdue_concluded: int
    overdue_open: int
    avg_workdays: float | None = Field(None, description="平均办理时长（工作日）")
    elapsed_workdays: int
    instant: int
    instant_rate: float | None = Field(None, description="即办率（0–1）")
    full_online: int
    full_online_rate: float | None = Field(None, description="全程网办率（0–1）")
    visits: int
    avg_visits: float | None = Field(None, description="跑动次数（次/件）")
    deemed_accepted: int = Field(0, description="逾期视为受理数（行政许可法第三十二条）")
    extended: int = Field(0, description="延期办结数（行政许可法第四十二条）")
    additional_supplements: int = Field(0, description="再次补正告知数（一次性告知之外的再次告知）")


class CaseFigureRowOut(Schema):
    key: int | None
    label: str
    figures: FigureValuesOut


class CaseFiguresOut(Schema):
    group_by: str
    group_label: str
    start: dt.date
    end: dt.date
    definitions: list[FigureDefinitionOut]
    rows: list[CaseFigureRowOut]
    total: FigureValuesOut
