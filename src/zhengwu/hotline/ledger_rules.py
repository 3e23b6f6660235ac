"""Pure rules of the 效能投诉台账 and the 办不成事台账 (no ORM): which tickets a ledger holds, the
choices a supervisor records (核查结论, 问责情况, 办不成事的办理结果), when a row counts as 已处理,
whether it ran over its time limit, and the checks of what is recorded.

A ledger is what the bureau files with the 纪委/监察: every 效能投诉 (or 办不成事反映) ticket of a
period with what was found (核查结论: 属实 / 部分属实 / 不属实) and what followed (整改情况 and
问责情况: 约谈、通报批评、诫勉、组织处理、移送纪检监察 or 无).
"""

from __future__ import annotations

import datetime as dt

from .rules import DONE_STATES, State, TicketType

LEDGERS = {
    TicketType.EFFICIENCY.value: "效能投诉台账",
    TicketType.CANNOT_DO.value: "办不成事台账",
}
LEDGER_SLUGS = {"efficiency": TicketType.EFFICIENCY.value, "cannot-do": TicketType.CANNOT_DO.value}
# Tickets that never enter a ledger: registrations made in error, duplicates merged into another.
LEFT_OUT_STATES = (State.CANCELLED.value, State.MERGED.value)
# Answered, waiting for the callback or the close: the time limit no longer runs.
ANSWERED_STATES = (State.REPLIED.value, State.CALLBACKED.value)

FINDINGS = {"verified": "属实", "partly": "部分属实", "unfounded": "不属实"}
ACCOUNTABILITY = {
    "none": "无",
    "talk": "约谈",
    "criticism": "通报批评",
    "admonish": "诫勉",
    "organisational": "组织处理",
    "referred": "移送纪检监察",
}
# 办不成事: what was done to get the thing done.
RESOLUTIONS = {
    "done": "已协调办成",
    "explained": "依法不能办理，已解释",
    "redirected": "已引导通过其他途径办理",
    "improved": "已推动完善政策或流程",
    "coordinating": "正在协调办理",
}
HANDLED_CHOICES = {"yes": "已处理", "no": "未处理"}
MAX_TEXT = 1000
MAX_ITEM = 200


def ledger_type(slug: str) -> str | None:
    """The ticket type of a ledger's address part ("efficiency", "cannot-do"), or None."""
    return LEDGER_SLUGS.get(slug)


def is_handled(ticket_type: str, finding: str, accountability: str, resolution: str) -> bool:
    """已处理: the 核查结论 and the 问责情况 (无 included) are recorded; for 办不成事 also the 办理结果,
    and not 正在协调办理."""
    if not finding or not accountability:
        return False
    if ticket_type == TicketType.CANNOT_DO:
        return bool(resolution) and resolution != "coordinating"
    return True


def is_overdue(state: str, closed_on_time: bool | None, due_at: dt.datetime | None, now: dt.datetime,
               replied_at: dt.datetime | None = None) -> bool:
    """是否超期: a closed ticket whose answer missed its time limit (按时办结 false); a ticket answered
    and waiting for the callback whose answer came after its deadline; one still at the department
    (or returned) past its deadline. A ticket never dispatched (no deadline) is not overdue."""
    if state in DONE_STATES:
        return closed_on_time is False
    if due_at is None:
        return False
    if state in ANSWERED_STATES:
        return replied_at is not None and replied_at > due_at
    return now > due_at


def summary(title: str, content: str, n: int = 60) -> str:
    """诉求摘要: the title, else the content's first ``n`` characters."""
    text = (title or content or "").strip().replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


def _text(value, field: str, label: str, errors: dict, max_len: int = MAX_TEXT) -> str:
    text = str(value or "").strip()
    if len(text) > max_len:
        errors[field] = f"{label}不能超过{max_len}个字（现在{len(text)}个字）"
    return text


def _pick(value, field: str, label: str, choices: dict, errors: dict) -> str:
    """A choice by code or by its Chinese label ("" when not given)."""
    value = str(value or "").strip()
    if not value:
        return ""
    if value in choices:
        return value
    by_label = {v: k for k, v in choices.items()}
    if value in by_label:
        return by_label[value]
    errors[field] = f"{label}不正确：应为 {'、'.join(choices.values())} 之一"
    return ""


def clean_outcome(ticket_type: str, data: dict) -> tuple[dict, dict]:
    """Check what a supervisor records; (cleaned values, {field: Chinese message}).

    Rules: 核查结论 is required; 不属实 leaves nobody accountable (问责情况 无 or empty) and needs
    no 整改; 属实 or 部分属实 needs the 整改情况 written; 移送纪检监察 and 组织处理 need a note of
    what was done; the 办理结果 (and its text) only on 办不成事, and 依法不能办理 names the reason."""
    errors: dict[str, str] = {}
    out = {
        "finding": _pick(data.get("finding"), "finding", "核查结论", FINDINGS, errors),
        "rectification": _text(data.get("rectification"), "rectification", "整改情况", errors),
        "accountability": _pick(data.get("accountability"), "accountability", "问责情况", ACCOUNTABILITY, errors),
        "accountability_note": _text(data.get("accountability_note"), "accountability_note", "问责情况说明", errors),
        "subject_item": _text(data.get("subject_item"), "subject_item", "涉及事项", errors, MAX_ITEM),
        "resolution": "",
        "resolution_note": "",
    }
    if ticket_type == TicketType.CANNOT_DO:
        out["resolution"] = _pick(data.get("resolution"), "resolution", "办理结果", RESOLUTIONS, errors)
        out["resolution_note"] = _text(data.get("resolution_note"), "resolution_note", "办理结果说明", errors)
        if out["resolution"] == "explained" and not out["resolution_note"] and "resolution_note" not in errors:
            errors["resolution_note"] = "办理结果为“依法不能办理，已解释”时，请写明不能办理的依据"
    elif data.get("resolution") or data.get("resolution_note"):
        errors["resolution"] = "办理结果（协调办成情况）只用于办不成事反映工单"
    if not out["finding"] and "finding" not in errors:
        errors["finding"] = "请选择核查结论（属实、部分属实或不属实）"
    if out["finding"] == "unfounded":
        if out["accountability"] not in ("", "none"):
            errors["accountability"] = "核查结论为“不属实”时不能问责：问责情况应为“无”"
    elif out["finding"] and not out["rectification"] and "rectification" not in errors:
        errors["rectification"] = f"核查结论为“{FINDINGS[out['finding']]}”时，请填写整改情况"
    if out["accountability"] in ("referred", "organisational") and not out["accountability_note"] \
            and "accountability_note" not in errors:
        errors["accountability_note"] = f"问责情况为“{ACCOUNTABILITY[out['accountability']]}”时，请写明问责对象和文号"
    out["handled"] = is_handled(ticket_type, out["finding"], out["accountability"], out["resolution"])
    return out, errors


def outcome_text(accountability: str, accountability_note: str) -> str:
    label = ACCOUNTABILITY.get(accountability, "")
    if label and accountability_note:
        return f"{label}：{accountability_note}"
    return label or accountability_note
