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
from dataclasses import dataclass
from enum import StrEnum
from collections.abc import Iterable
from typing import Protocol

from zhengwu.core.licensing_law import LAWFUL_SUSPENSIONS, SUSPENSION_BASIS  # noqa: F401 (re-exported)
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
    LEADER = "leader"  # 本行政机关负责人 (approves an extension, 行政许可法第四十二条)
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
    # 行政许可法第三十二条第一款第（四）项: not told what is missing within five days, the application
    # counts as accepted from the day the materials were received.
    _t("deem_accept", {State.SUBMITTED}, State.IN_REVIEW, {Actor.SYSTEM}, "逾期视为受理"),
    # 秒批: every condition of the item's rules holds on verified data (services.instant).
    _t("instant_accept", {State.SUBMITTED}, State.IN_REVIEW, {Actor.SYSTEM}, "秒批受理"),
    _t("approve_step", {State.IN_REVIEW}, State.IN_REVIEW, {Actor.APPROVER, Actor.WINDOW}, "审批通过"),
    _t("return_step", {State.IN_REVIEW}, State.IN_REVIEW, {Actor.APPROVER}, "退回上一环节"),
    _t("suspend", {State.IN_REVIEW}, State.SUSPENDED, {Actor.APPROVER, Actor.WINDOW}, "启动特别程序"),
    _t("resume", {State.SUSPENDED}, State.IN_REVIEW, {Actor.APPROVER, Actor.WINDOW}, "特别程序结束"),
    # 行政许可法第四十二条第一款: +10 working days, approved by 本行政机关负责人, reason told to the applicant.
    _t("request_extension", {State.IN_REVIEW}, State.IN_REVIEW, {Actor.APPROVER, Actor.WINDOW}, "申请延长办理期限"),
    _t("approve_extension", {State.IN_REVIEW}, State.IN_REVIEW, {Actor.LEADER}, "批准延长办理期限"),
    _t("decline_extension", {State.IN_REVIEW}, State.IN_REVIEW, {Actor.LEADER}, "不批准延长办理期限"),
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

# How the applicant's message (站内消息 and SMS) says what happened: "您的办件（编号 …）<phrase>，当前
# 状态：…". By default "已" + the action's label (已受理, 已办结); the labels that do not read after
# 已 (特别程序结束 → "已特别程序结束") are worded here.
NOTICE_PHRASES = {
    "request_supplement": "需要补正材料",
    "resubmit": "已补正材料并重新提交",
    "refuse": "不予受理",
    "deem_accept": "因逾期未告知补正，已视为受理",
    "instant_accept": "已秒批受理",
    "suspend": "已启动特别程序，暂停计时",
    "resume": "特别程序已结束，恢复计时",
    "request_extension": "已申请延长办理期限",
    "approve_extension": "办理期限已批准延长",
    "decline_extension": "延长办理期限的申请未获批准",
}


def notice_phrase(action: str) -> str:
    """What the applicant is told happened to their case by ``action`` (see NOTICE_PHRASES)."""
    if action in NOTICE_PHRASES:
        return NOTICE_PHRASES[action]
    return f"已{tr.label}" if (tr := STATE_TABLE.get(action)) else f"已{action}"
check_transition = MACHINE.check  # (state, action, actor) → target, or TransitionRefused
allowed_actions = MACHINE.allowed_actions


# 办结: what the applicant's message (站内消息 and SMS) says — the result, the licence issued with it and
# how the result is collected (the 决定书 has the rest).
CONCLUSION_DELIVERY = {
    "window": "办理结果请凭办件编号到窗口领取。",
    "mail": "办理结果将邮寄送达。",
    "electronic": "决定书可在“我的办件”中查看和下载。",
}


def conclusion_notice(number: str, outcome: str, reason: str = "", licence_name: str = "", licence_number: str = "",
                      delivery_method: str = "") -> str:
    """The 办结 message: 办理结果：准予 / 不予准予 (with the reason of a 不予), the e-licence issued (its
    name and number, found under 我的证照), where the result is collected; for a 不予, the remedies."""
    approved = outcome == "approved"
    text = f"您的办件（编号 {number}）已办结，办理结果：{'准予' if approved else '不予准予'}"
    if not approved and reason:
        text += f"（理由：{reason if len(reason) <= 60 else reason[:59] + '…'}）"
    text += "。"
    if licence_name:
        text += f"已发放电子证照“{licence_name}”（证照编号 {licence_number}），可在“我的证照”中查看。"
    text += CONCLUSION_DELIVERY.get(delivery_method, "")
    if not approved:
        text += "如不服，可依法申请行政复议或者提起行政诉讼（见决定书）。"
    return text


def can_conclude(pending_materials_outstanding: int, commitment_signed: bool, intake_mode: str) -> str | None:
    """Why a case may not conclude yet (None when it may)."""
    if intake_mode == "tolerated" and pending_materials_outstanding:
        return f"容缺受理的材料尚有{pending_materials_outstanding}项未补齐，不能办结"
    if intake_mode == "commitment" and not commitment_signed:
        return "告知承诺书尚未签署，不能办结"
    return None


# -- 告知承诺 chosen by the applicant -------------------------------------------------------------
COMMITMENT_AGREE_LABEL = "我已阅读并承诺"


def commitment_letter(item_name: str, conditions: str, check_days: int) -> str:
    """The standard 告知承诺书 of an item whose guide has no text of its own: the conditions the
    applicant promises to meet, that the materials are true, what a false promise leads to
    (撤销许可, 信用记录) and within how many working days the department checks it."""
    conditions = " ".join((conditions or "").split()).rstrip("。；;")
    meets = f"符合本事项的受理条件：{conditions}" if conditions else "符合本事项办事指南所列的全部受理条件、标准和要求"
    return (
        f"告知承诺书（{item_name}）\n"
        f"本人（单位）申请办理“{item_name}”，自愿选择告知承诺方式，郑重承诺：\n"
        f"一、已知晓行政机关告知的全部条件、标准和要求，本人（单位）{meets}；\n"
        "二、所填写的信息和提交的申请材料真实、准确、完整、有效，无虚假内容；\n"
        f"三、知晓行政机关将自受理之日起{check_days}个工作日内对承诺内容进行核查，愿意配合核查；\n"
        "四、如承诺不实或违反承诺，愿意承担相应的法律责任，接受撤销行政许可（审批决定）的处理，"
        "并同意将失信情况记入本人（单位）信用记录。"
    )


def commitment_refusal(*, chosen: bool, agreed: bool) -> str:
    """Why a submission that chose 告知承诺 cannot go ahead ("" when it can)."""
    if chosen and not agreed:
        return f"选择告知承诺办理的，请阅读告知承诺书并勾选“{COMMITMENT_AGREE_LABEL}”后再提交"
    return ""


def commitment_text_changed(signed_text: str, window_text: str) -> str:
    """The window may not change a 承诺书 the applicant signed online ("" when unchanged)."""
    if " ".join((window_text or "").split()) != " ".join((signed_text or "").split()):
        return ("申请人已在线签署告知承诺书，受理时不能修改承诺内容；如承诺书需要变更，"
                "请一次性告知补正，由申请人重新阅读并签署")
    return ""


# -- deadlines -------------------------------------------------------------------------------
class Calendar(Protocol):
    def add_workdays(self, start: dt.date, n: int) -> dt.date: ...
    def workdays_between(self, a: dt.date, b: dt.date) -> int: ...
    def is_workday(self, day: dt.date) -> bool: ...


def due_date(cal: Calendar, accepted_on: dt.date, promised_days: int, suspended_workdays: int = 0,
             extension_workdays: int = 0) -> dt.date:
    """承诺时限: ``promised_days`` working days after acceptance, extended by suspended time
    (行政许可法第四十五条: 听证、检验… 所需时间不计算在期限内) and by an approved extension
    (第四十二条第一款: 延长十日). Working days: 第八十二条 (期限以工作日计算，不含法定节假日).

    An 即办件 (``promised_days == 0``) is due the day it is accepted.
    """
    return cal.add_workdays(accepted_on, promised_days + suspended_workdays + extension_workdays)



# -- 容缺受理: when the 承诺时限 starts -------------------------------------------------------------
# 容缺受理 accepts an application while a 次要材料 is still owed, to be supplied by a 补交期限. The
# 承诺时限 then counts from the day the 容缺 materials are complete (补齐之日起计算, as the provinces'
# 容缺受理 schemes set it): a case cannot be decided before they are in (can_conclude), so it is
# never due before them either — an 即办件 is done the day they are complete, not the day it was
# accepted with a 补交期限 two weeks away. Until then the due date is the one if they come in on
# their 补交期限 (the latest it will be when they come in on time); it moves to the real day when
# the last one comes in. Told in docs/adr/0026-deadlines-and-figures-as-the-law-says.md.
def tolerance_clock_start(accepted_on: dt.date, pending: Iterable[tuple[dt.date, dt.date | None]]) -> dt.date:
    """The day the 承诺时限 of a 容缺受理 case counts from. ``pending``: (补交期限, 补交日 or None)
    of each 容缺 material. All supplied: the day the last came in; some owed: the latest of their
    补交期限 (or a later supply day); never before acceptance."""
    return max([accepted_on, *(supplied if supplied is not None else due for due, supplied in pending)])


def tolerance_due_note(accepted_on: dt.date, pending: Iterable[tuple[dt.date, dt.date | None]]) -> str:
    """What the case pages say beside the 承诺办结日期 of a 容缺受理 case ("" without 容缺 materials)."""
    pending = list(pending)
    if not pending:
        return ""
    start = tolerance_clock_start(accepted_on, pending)
    owed = [due for due, supplied in pending if supplied is None]
    if owed:
        which = "（补交期限）" if start == max(owed) else ""
        return f"容缺受理：承诺时限自容缺材料补齐之日起计算；尚未补齐，暂按{start:%Y年%m月%d日}{which}补齐计算"
    return f"容缺受理：承诺时限自容缺材料补齐之日（{start:%Y年%m月%d日}）起计算"


def promised_limit(promised_days: int) -> str:
    """承诺时限 as a length of time: 即办件 for 0 (never "0个工作日"), else N个工作日."""
    return "即办件" if not promised_days else f"{promised_days}个工作日"


def step_limit(days) -> str:
    """The time of one 办理流程 step of a guide: 当场办理 for 0 (an 即办件's steps, never "0个工作日"),
    N个工作日, or "" when the guide gives none. ``days`` as the guide stores it (int or text)."""
    if days is None or str(days).strip() == "":
        return ""
    try:
        n = int(str(days).strip())
    except ValueError:
        return str(days)
    return "当场办理" if n == 0 else f"{n}个工作日"


def promised_completion(promised_days: int, due: dt.date | None, tolerance_note: str = "") -> str:
    """承诺办结时间 as the applicant reads it — the 申请回执 (page and PDF) and the case page, one
    wording. Before acceptance (no due date): 即办件：受理后当场办结, or 受理后N个工作日内; after: the
    due date, with how a 容缺受理 case counts it (``tolerance_note``, :func:`tolerance_due_note`)."""
    if due is None:
        return "即办件：受理后当场办结" if not promised_days else f"受理后{promised_days}个工作日内"
    return f"{due:%Y年%m月%d日}（{tolerance_note}）" if tolerance_note else f"{due:%Y年%m月%d日}"


def tolerance_notice(promised_days: int, owed_until: dt.date, due: dt.date) -> str:
    """The 承诺时限 of a 容缺受理 case as the applicant is told it on acceptance: counted from the
    day the materials are complete, and the latest completion date if they come in on time."""
    limit = "即办件，补齐当日办结" if not promised_days else f"{promised_days}个工作日"
    return (f"承诺时限自容缺材料补齐之日起计算（{limit}），于{owed_until:%Y年%m月%d日}前补齐的，"
            f"最迟于{due:%Y年%m月%d日}办结。")


# -- 受理 within five working days (行政许可法第三十二条) -------------------------------------------
# 第三十二条第一款第（四）项: 申请材料不齐全或者不符合法定形式的，应当当场或者在五日内一次告知申请人需要
# 补正的全部内容，逾期不告知的，自收到申请材料之日起即为受理. 第八十二条: the days are working days.
ACCEPTANCE_WORKDAYS = 5


def acceptance_due(cal: Calendar, received_on: dt.date) -> dt.date:
    """The last day to accept, refuse or tell what is missing: five working days after receipt
    (the day of receipt not counted). Receipt is the online submission, the window's receipt,
    or the resubmission after 补正 (the complete materials are received anew)."""
    return cal.add_workdays(received_on, ACCEPTANCE_WORKDAYS)


def deemed_accepted(today: dt.date, acceptance_due_on: dt.date | None) -> bool:
    """Past the five working days with no answer: by law the application is accepted, as of the
    day of receipt (第三十二条第一款第（四）项)."""
    return acceptance_due_on is not None and today > acceptance_due_on


# -- 特别程序: only the procedures 第四十五条 names stop the clock ----------------------------------
# SUSPENSION_BASIS and LAWFUL_SUSPENSIONS (code → label): zhengwu.core.licensing_law, the one list the
# catalogue's 办事指南 checks its 特别程序 against too.
# Kinds once offered that the article does not name (现场核查 is part of the review and counts):
# kept only to read old records, never accepted again, and migrated to counted time (migration 0008).
UNLAWFUL_SUSPENSIONS = {"inspection": "现场核查", "publicity": "公示", "other": "其他"}


def suspension_refusal(kind: str, reason: str) -> dict[str, str]:
    """Field → Chinese message when a 特别程序 may not stop the clock (empty when it may)."""
    if kind in UNLAWFUL_SUSPENSIONS:
        return {"kind": f"“{UNLAWFUL_SUSPENSIONS[kind]}”不是{SUSPENSION_BASIS}规定的特别程序，所需时间计入办理期限，"
                        f"不能暂停计时"}
    if kind not in LAWFUL_SUSPENSIONS:
        return {"kind": f"特别程序种类不正确：应为{'、'.join(LAWFUL_SUSPENSIONS.values())}（{SUSPENSION_BASIS}）"}
    if not (reason or "").strip():
        return {"reason": "启动特别程序须写明原因"}
    return {}


# -- 一次性告知 (第三十二条第一款第（四）项: 一次告知…需要补正的全部内容) ---------------------------------
def supplement_refusal(earlier_notices: int, additional_reason: str) -> dict[str, str]:
    """One 补正 notice per application. A further one only for what the first could not have
    known (e.g. a fault in a material first handed in with the 补正), with that reason recorded."""
    if earlier_notices and not (additional_reason or "").strip():
        return {"additional_reason": "已发出过一次性补正告知：再次告知只限首次告知时无法知道的内容（如补正时新提交材料的问题），"
                                     "须写明原因（行政许可法第三十二条第一款第（四）项：一次告知需要补正的全部内容）"}
    return {}


def flagged_materials(notice_items) -> list[str]:
    """The materials a 补正 notice names (``[{"material": …, "reason": …}]``), in its order, once each."""
    names: list[str] = []
    for item in notice_items or []:
        name = str((item or {}).get("material", "")).strip()
        if name and name not in names:
            names.append(name)
    return names


def not_replaced_refusal(not_replaced: list[str]) -> str | None:
    """Why a case in 补正 may not be resubmitted yet: the flagged materials without a new file since
    the notice (None when every one was replaced). 补正 means handing in the material again; the
    file the window found faulty does not answer the notice."""
    if not not_replaced:
        return None
    return f"请重新上传：{'、'.join(not_replaced)}"


# -- 容缺受理: what may be left out -------------------------------------------------------------------
# 容缺受理 accepts an application whose 主要材料 are complete while a 次要材料 is still owed. Which
# materials may be owed is published beforehand: the 办事指南 marks them 容缺可后补 (its 容缺材料清单).
# A 必要 material is never 容缺 (it is checked at submission, uploaded or from an 电子证照), and a
# material already handed in is not owed (a faulty one is corrected by 补正).
def tolerable_materials(catalogue, supplied: set[str]) -> list[str]:
    """The materials of ``catalogue`` ([(name, necessity)], the guide's order) a window may accept
    as 容缺: marked 容缺可后补 and not in ``supplied`` (uploaded, or stood in for by a licence)."""
    return [name for name, necessity in catalogue if necessity == "tolerated" and name not in supplied]


def tolerance_refusal(names, catalogue, supplied: set[str]) -> str | None:
    """Why the materials ``names`` may not be accepted as 容缺 (None when they all may)."""
    necessity = dict(catalogue)
    problems = []
    for name in names:
        if necessity.get(name) == "required":
            problems.append(f"“{name}”是必要材料，不能容缺")
        elif name in supplied:
            problems.append(f"“{name}”已提交，无需容缺（材料有误请用补正告知）")
        elif necessity.get(name) != "tolerated":
            problems.append(f"“{name}”不在本事项办事指南的容缺材料清单中")
    if not problems:
        return None
    return f"容缺材料：{'；'.join(problems)}。只有办事指南列明“容缺可后补”且尚未提交的材料可以容缺"


# -- 延长办理期限 (行政许可法第四十二条第一款) -----------------------------------------------------
# 二十日内不能作出决定的，经本行政机关负责人批准，可以延长十日，并应当将延长期限的理由告知申请人.
EXTENSION_WORKDAYS = 10
EXTENSION_BASIS = "《中华人民共和国行政许可法》第四十二条第一款"


def extension_refusal(today: dt.date, due: dt.date | None, earlier_extensions: int, reason: str) -> str | None:
    """Why an extension may not be requested or approved now (None when it may): once per case,
    only before the deadline has passed, with a reason for the applicant."""
    if earlier_extensions:
        return f"办理期限只能延长一次（{EXTENSION_BASIS}）"
    if due is None:
        return "办件尚未受理，没有办理期限可以延长"
    if today > due:
        return f"已超过承诺办结日期（{due:%Y-%m-%d}），逾期后不能再延长办理期限（{EXTENSION_BASIS}）"
    if not (reason or "").strip():
        return "延长办理期限须写明理由（将告知申请人）"
    return None


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


def applicant_kind_advice(service_object: str) -> str:
    """What to do about an item of a 一件事 whose 服务对象 excludes the applicant (see
    :func:`applicant_kind_refusal`): the 一件事 goes on without it, and whom it is for applies."""
    if service_object == "person":
        return "本次不办理该事项；请由需要办理的个人本人以个人身份另行申请（网上办理或到窗口办理）"
    return f"本次不办理该事项；如需办理，请以{APPLICANT_KIND_LABELS.get(service_object, '相应申请人')}身份另行申请"


# -- 一件事 progress --------------------------------------------------------------------------------
DONE_STATES = frozenset({State.CONCLUDED, State.DELIVERED})  # 已办结, as 我的办件's filter counts it


@dataclass(frozen=True)
class BundleProgress:
    """How far a 一件事 is: its member cases 已办结 out of those still to be concluded. A member
    withdrawn by the applicant or refused (不予受理) ends without 办结: shown apart, never done."""

    done: int
    withdrawn: int
    refused: int
    total: int

    @property
    def counted(self) -> int:
        return self.total - self.withdrawn - self.refused

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.counted) if self.counted else 0

    @property
    def label(self) -> str:
        parts = [f"{self.done}/{self.counted} 已办结"] if self.counted or not self.total else []
        if self.withdrawn:
            parts.append(f"{self.withdrawn} 项已撤回")
        if self.refused:
            parts.append(f"{self.refused} 项不予受理")
        return "，".join(parts)


def bundle_progress(states) -> BundleProgress:
    """The progress of a 一件事 whose member cases are in ``states``."""
    states = [State(s) for s in states]
    return BundleProgress(done=sum(s in DONE_STATES for s in states),
                          withdrawn=states.count(State.WITHDRAWN), refused=states.count(State.REFUSED),
                          total=len(states))


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
