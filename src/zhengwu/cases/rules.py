"""Pure rules of case handling (办件): the state table, deadlines, time-left status.

No ORM here. The state table is declared to the platform kernel (:mod:`zhengwu.core.statemachine`);
the process-definition engine (审批流程) lives in :mod:`zhengwu.cases.workflow`.

States of a case and the actions that move it — one readable table (see STATE_TABLE):

    draft ──submit──▶ submitted ──accept / accept_pending / accept_commitment──▶ in_review
      │                  │  ▲                                                    │  ▲
      │                  │  └──resubmit── supplement ◀──request_supplement──┘     │  └─resume─ suspended
      │                  └──refuse──▶ refused                                     ├──suspend──▶ suspended
      └──withdraw──▶ withdrawn ◀──withdraw── (any state before concluded)        └──conclude──▶ concluded ──deliver──▶ delivered
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Protocol

from zhengwu.core.statemachine import StateMachine, Transition, TransitionRefused  # noqa: F401 (re-exported)
from zhengwu.core.statemachine import t as _t


class State(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # 已提交，待预审/受理
    SUPPLEMENT = "supplement"  # 待补正（一次性告知）
    IN_REVIEW = "in_review"  # 已受理，审批中
    SUSPENDED = "suspended"  # 特别程序，计时暂停
    CONCLUDED = "concluded"  # 已办结（准予/不予）
    DELIVERED = "delivered"  # 已送达
    REFUSED = "refused"  # 不予受理
    WITHDRAWN = "withdrawn"  # 已撤回


STATE_LABELS = {
    State.DRAFT: "草稿",
    State.SUBMITTED: "待受理",
    State.SUPPLEMENT: "待补正",
    State.IN_REVIEW: "审批中",
    State.SUSPENDED: "特别程序中",
    State.CONCLUDED: "已办结",
    State.DELIVERED: "已送达",
    State.REFUSED: "不予受理",
    State.WITHDRAWN: "已撤回",
}


class Actor(StrEnum):
    APPLICANT = "applicant"
    WINDOW = "window"  # 窗口人员 (intake)
    APPROVER = "approver"  # 审批人员
    SYSTEM = "system"


OPEN_STATES = frozenset({State.DRAFT, State.SUBMITTED, State.SUPPLEMENT, State.IN_REVIEW, State.SUSPENDED})
FINAL_STATES = frozenset({State.REFUSED, State.WITHDRAWN, State.DELIVERED})

# The whole life of a case in one table: action → where it may start, where it ends, who may take it.
MACHINE = StateMachine([
    _t("submit", {State.DRAFT}, State.SUBMITTED, {Actor.APPLICANT, Actor.WINDOW}, "提交申请"),
    _t("request_supplement", {State.SUBMITTED}, State.SUPPLEMENT, {Actor.WINDOW}, "补正告知"),
    _t("resubmit", {State.SUPPLEMENT}, State.SUBMITTED, {Actor.APPLICANT, Actor.WINDOW}, "补正后重新提交"),
    _t("accept", {State.SUBMITTED}, State.IN_REVIEW, {Actor.WINDOW}, "受理"),
    _t("accept_pending", {State.SUBMITTED}, State.IN_REVIEW, {Actor.WINDOW}, "容缺受理"),
    _t("accept_commitment", {State.SUBMITTED}, State.IN_REVIEW, {Actor.WINDOW}, "告知承诺受理"),
    _t("refuse", {State.SUBMITTED, State.SUPPLEMENT}, State.REFUSED, {Actor.WINDOW}, "不予受理"),
    _t("approve_step", {State.IN_REVIEW}, State.IN_REVIEW, {Actor.APPROVER, Actor.WINDOW}, "审批通过"),
    _t("return_step", {State.IN_REVIEW}, State.IN_REVIEW, {Actor.APPROVER}, "退回上一环节"),
    _t("suspend", {State.IN_REVIEW}, State.SUSPENDED, {Actor.APPROVER, Actor.WINDOW}, "启动特别程序"),
    _t("resume", {State.SUSPENDED}, State.IN_REVIEW, {Actor.APPROVER, Actor.WINDOW}, "特别程序结束"),
    _t("supply_pending", {State.IN_REVIEW, State.SUSPENDED}, State.IN_REVIEW, {Actor.APPLICANT, Actor.WINDOW},
       "补齐容缺材料"),
    _t("conclude", {State.IN_REVIEW}, State.CONCLUDED, {Actor.APPROVER, Actor.SYSTEM}, "办结"),
    _t("deliver", {State.CONCLUDED}, State.DELIVERED, {Actor.WINDOW, Actor.SYSTEM}, "送达"),
    _t("withdraw", {State.DRAFT, State.SUBMITTED, State.SUPPLEMENT, State.IN_REVIEW, State.SUSPENDED},
       State.WITHDRAWN, {Actor.APPLICANT}, "撤回申请"),
], noun="办件", state_labels=STATE_LABELS, state=State, actor=Actor,
    # A refusal names the allowed states in the alphabetical order of their codes (as it always has).
    source_order=sorted(State))
STATE_TABLE: dict[str, Transition] = MACHINE.table
check_transition = MACHINE.check  # (state, action, actor) → target, or TransitionRefused
allowed_actions = MACHINE.allowed_actions


def can_conclude(pending_materials_outstanding: int, commitment_signed: bool, intake_mode: str) -> str | None:
    """Why a case may not conclude yet (None when it may)."""
    if intake_mode == "tolerated" and pending_materials_outstanding:
        return f"容缺受理的材料尚有{pending_materials_outstanding}项未补齐，不能办结"
    if intake_mode == "commitment" and not commitment_signed:
        return "告知承诺书尚未签署，不能办结"
    return None


# -- deadlines -------------------------------------------------------------------------------
class Calendar(Protocol):
    def add_workdays(self, start: dt.date, n: int) -> dt.date: ...
    def workdays_between(self, a: dt.date, b: dt.date) -> int: ...
    def is_workday(self, day: dt.date) -> bool: ...


def due_date(cal: Calendar, accepted_on: dt.date, promised_days: int, suspended_workdays: int = 0) -> dt.date:
    """承诺时限: ``promised_days`` working days after acceptance, extended by suspended time.

    An 即办件 (``promised_days == 0``) is due the day it is accepted.
    """
    return cal.add_workdays(accepted_on, promised_days + suspended_workdays)


def suspension_workdays(cal: Calendar, start: dt.date, end: dt.date) -> int:
    """Working days a 特别程序 took: the days in (start, end]; suspended and resumed the same
    day counts nothing."""
    return max(0, cal.workdays_between(start, end))


class TimeStatus(StrEnum):
    NORMAL = "normal"  # 正常
    WARNING = "warning"  # 预警: under 20% of the time limit left
    OVERDUE = "overdue"  # 超期
    PAUSED = "paused"  # 挂起 (特别程序)
    DONE = "done"


TIME_STATUS_LABELS = {
    TimeStatus.NORMAL: "正常", TimeStatus.WARNING: "预警", TimeStatus.OVERDUE: "超期",
    TimeStatus.PAUSED: "挂起", TimeStatus.DONE: "已办结",
}

WARNING_SHARE = 0.2


def time_status(cal: Calendar, today: dt.date, due: dt.date, total_workdays: int,
                suspended: bool = False, concluded: bool = False) -> tuple[TimeStatus, int]:
    """Status and working days left (negative when overdue)."""
    left = cal.workdays_between(today, due)
    if concluded:
        return TimeStatus.DONE, left
    if suspended:
        return TimeStatus.PAUSED, left
    if today > due:
        return TimeStatus.OVERDUE, left
    if total_workdays <= 0:
        return (TimeStatus.WARNING if today == due else TimeStatus.NORMAL), left
    if left < WARNING_SHARE * total_workdays:
        return TimeStatus.WARNING, left
    return TimeStatus.NORMAL, left


def concluded_on_time(cal: Calendar, concluded_on: dt.date, due: dt.date) -> bool:
    return concluded_on <= due


def elapsed_workdays(cal: Calendar, accepted_on: dt.date, concluded_on: dt.date, suspended_workdays: int = 0) -> int:
    """平均办理时长 counts working days from acceptance to conclusion, without suspensions."""
    return max(0, cal.workdays_between(accepted_on, concluded_on) - suspended_workdays)


def case_number(region_code: str, day: dt.date, serial: int) -> str:
    """办件编号: 6-digit county code + date + 10-digit serial, e.g. 410105202611220000001234."""
    return f"{region_code[:6]}{day:%Y%m%d}{serial:010d}"


# The days a date filter or a figures period may name. No case is submitted, accepted or
# concluded outside them, and beyond them a day's bounds stop being representable (the day after
# 9999-12-31; 0001-01-01 local time is in year 0 in UTC): a search clamps its dates to them, a
# figures period outside them is refused.
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2999, 12, 31)


def clamp_day(day: dt.date) -> dt.date:
    return min(max(day, FIRST_DAY), LAST_DAY)


# -- who may apply (服务对象) ------------------------------------------------------------------
APPLICANT_KIND_LABELS = {"person": "个人（自然人）", "legal": "企业或其他组织（法人）"}


def applicant_kind_refusal(service_object: str, applicant_kind: str, what: str = "该事项") -> str | None:
    """Why an applicant of ``applicant_kind`` (person / legal) may not apply for an item or a
    一件事 whose 服务对象 is ``service_object`` (person / legal / both); None when they may.

    The 办事指南 names the 服务对象 (国务院办公厅《政务服务事项基本目录》要素 “服务对象”:
    自然人 / 法人 / 自然人、法人); an application from anyone else is not one the item handles.
    An unknown or empty 服务对象 restricts nobody."""
    if service_object not in APPLICANT_KIND_LABELS or applicant_kind == service_object:
        return None
    return (f"{what}的服务对象为{APPLICANT_KIND_LABELS[service_object]}，"
            f"{APPLICANT_KIND_LABELS.get(applicant_kind, '该申请人')}不能申请")


# -- 送达方式 chosen by the applicant ---------------------------------------------------------------
DELIVERY_METHODS = {"window": "窗口领取", "mail": "邮寄送达", "electronic": "电子送达"}
MAIL_ADDRESS_MIN = 8  # 省市区 + 街道门牌: anything shorter cannot be a postal address


def delivery_choice_problems(method: str, address: str) -> dict[str, str]:
    """What is wrong with an applicant's choice of how to receive the result (field → message).

    邮寄 needs a postal address; the other methods keep none (an address given with them is
    dropped by the caller)."""
    if method not in DELIVERY_METHODS:
        return {"delivery_method": f"结果领取方式：请选择{'、'.join(DELIVERY_METHODS.values())}之一"}
    address = (address or "").strip()
    if method == "mail":
        if not address:
            return {"delivery_address": "邮寄地址：选择邮寄送达时必填"}
        if len(address) < MAIL_ADDRESS_MIN:
            return {"delivery_address": f"邮寄地址：请写明省市区、街道和门牌号（至少{MAIL_ADDRESS_MIN}个字）"}
        if len(address) > 300:
            return {"delivery_address": "邮寄地址：不能超过300个字"}
    return {}


# -- 审查与决定相分离 (separation of duties) -----------------------------------------------------------
def separation_refusal(separate: bool, is_decision_step: bool, acted_on_earlier_step: bool) -> str | None:
    """Why a person may not take a case's decision step (None when they may).

    A process may require 审查与决定相分离 (an internal-control rule the item's process sets, see
    ``ProcessDefinition.separate_duties``): whoever acted on an earlier step (审查) of a case may
    not also take its last step (决定)."""
    if separate and is_decision_step and acted_on_earlier_step:
        return "本事项实行审查与决定相分离：您已办理本办件的审查环节，不能再作出决定，请由其他人员办理"
    return None
