"""What the citizen is told of their 12345 ticket (站内消息 and SMS), and when: pure rules, no ORM.

The steps a citizen cares about, as the cases domain tells an applicant of every step of a case:

- 受理转办 (派单): the ticket was accepted and handed to a department, with the deadline;
- 答复 (the department's answer, or 直接办结 from the knowledge base): what was answered, and the
  invitation to 评价 (an account holder) or the coming 回访 call (a caller without an account);
- 办结: the ticket is closed.

Each step is told once per ticket: :func:`step_key` names it (a second answer after 重办 is a step
of its own), and the service records the key, so a retried step never sends twice. The 派单中心's
and the departments' internal steps (签收, 退单, 延期, 督办, 回访记录) are not told.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from zhengwu.core.identifiers import PHONE_RE
from zhengwu.core.outbox_rules import scrub_text

ACCEPTED, ANSWERED, CLOSED = "accepted", "answered", "closed"
# The ticket actions (services.transition) the citizen is told of → the kind of notice.
NOTICE_ACTIONS = {"dispatch": ACCEPTED, "reply": ANSWERED, "direct_close": ANSWERED, "close": CLOSED}
TITLES = {ACCEPTED: "12345诉求已受理", ANSWERED: "12345诉求已答复", CLOSED: "12345诉求已办结"}
SNIPPET = 100  # characters of the answer quoted in the message
MINE = "“我的诉求”"
LINK_LABEL = "查看诉求"  # the link under the in-app message, to the citizen's page of the ticket


def step_key(action: str, reopen_count: int = 0) -> str | None:
    """The once-only key of the notice ``action`` gives (None: the citizen is not told of it)."""
    kind = NOTICE_ACTIONS.get(action)
    if kind == ANSWERED:
        return f"{ANSWERED}:{reopen_count}"
    return kind


def mobile(phone: str) -> str:
    """The phone as an 11-digit mobile number an SMS reaches, or "" (a landline, an extension)."""
    digits = re.sub(r"[\s\-]", "", phone or "").removeprefix("+")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if PHONE_RE.fullmatch(digits) else ""


def snippet(text: str, limit: int = SNIPPET) -> str:
    """The answer as quoted in a message: one line, ID and phone numbers masked, at most ``limit``."""
    one = re.sub(r"\s+", " ", scrub_text(text or "")).strip()
    if len(one) > limit:
        return one[:limit] + "…"
    return one if not one or one[-1] in "。！？…!?." else one + "。"


@dataclass(frozen=True)
class Facts:
    number: str
    department: str = ""
    due: dt.date | None = None
    reply: str = ""
    has_account: bool = False
    rated: bool = False
    direct: bool = False  # 直接办结: answered and closed at once by the 派单中心


def message(kind: str, f: Facts) -> tuple[str, str]:
    """(title, body) of the notice ``kind``; the same body goes by SMS (as for a case)."""
    head = f"您的诉求（工单编号 {f.number}）"
    if kind == ACCEPTED:
        body = head + "已受理" + (f"，已转交{f.department}办理" if f.department else "")
        body += f"，将于{f.due:%Y年%m月%d日}前答复。" if f.due else "。"
        body += f"可在{MINE}中查看办理进度。" if f.has_account else "可拨打12345凭工单编号查询办理进度。"
    elif kind == ANSWERED:
        said = snippet(f.reply)
        if f.direct:
            body = head + f"已答复办结：{said}"
            body += f"可在{MINE}中查看并评价。" if f.has_account else ""
        else:
            body = head + (f"已由{f.department}答复：" if f.department else "已答复：") + said
            body += (f"请在{MINE}中查看完整答复并评价；12345热线也可能回访您。" if f.has_account
                     else "12345热线将回访您了解办理情况，请留意来电。")
    elif kind == CLOSED:
        body = head + "已办结，感谢您对12345热线工作的支持。"
        if f.has_account and not f.rated:
            body += f"如尚未评价，可在{MINE}中评价。"
    else:
        raise ValueError(kind)
    return TITLES[kind], body
