"""Pure rules of 取号叫号 (no ORM): the ticket's state table, its number as shown, its priority and
the waiting estimate. Unit-tested alone (tests/queueing/test_queue_rules.py)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from zhengwu.core.identifiers import age_on
from zhengwu.core.statemachine import StateMachine, t

WAITING, CALLED, SERVING, DONE = "waiting", "called", "serving", "done"
NO_SHOW, TRANSFERRED, CANCELLED = "no_show", "transferred", "cancelled"

STATE_LABELS = {WAITING: "等候中", CALLED: "已叫号", SERVING: "办理中", DONE: "已办结", NO_SHOW: "过号",
                TRANSFERRED: "已转移", CANCELLED: "已取消"}
FINISHED = frozenset({DONE, NO_SHOW, TRANSFERRED, CANCELLED})
_FINISHED_MSG = "该号“{state}”，已结束，不能再操作"

# Who acts is checked by role in the services (窗口人员 of the window); the table says what may
# happen in which state.
MACHINE = StateMachine([
    t("call", {WAITING}, CALLED, {"clerk"}, "叫号"),
    t("recall", {CALLED}, None, {"clerk"}, "重呼"),
    t("no_show", {CALLED}, NO_SHOW, {"clerk"}, "过号"),
    t("start", {CALLED}, SERVING, {"clerk"}, "开始办理"),
    t("end", {SERVING}, DONE, {"clerk"}, "办结"),
    t("transfer", {CALLED, SERVING}, TRANSFERRED, {"clerk"}, "转移"),
    t("requeue", {CALLED}, WAITING, {"clerk", "system"}, "退回队列"),
    t("cancel", {WAITING}, CANCELLED, {"clerk", "citizen"}, "取消"),
], noun="该号", state_labels=STATE_LABELS, refusals={
    ("call", CALLED): "该号已被叫号（{state}），不能重复叫号",
    ("call", SERVING): "该号正在办理中，不能再次叫号",
    **{(a, s): _FINISHED_MSG for a in ("call", "recall", "no_show", "start", "end", "transfer", "requeue", "cancel")
       for s in FINISHED},
    ("end", CALLED): "该号尚未开始办理，请先点击“开始办理”",
})


def display(prefix: str, number: int) -> str:
    """A001 … A999, then A1000 (never wider than the column: 2 letters + 6 digits)."""
    return f"{prefix}{number:03d}"


def announcement(ticket_display: str, window_number: str) -> str:
    """The call as the boards and the speech say it: ``请 A001 号到 3 号窗口``."""
    return f"请 {ticket_display} 号到 {window_number} 号窗口"


WINDOW_OPENED = "号窗口开始服务"
WINDOW_CLOSED = "号窗口暂停服务"


def window_event_text(window_number: str, opened: bool) -> str:
    """The text of a window's open/close event (action ``window``): what the boards show and what
    效能监察 reads to know when a window was open."""
    return f"{window_number} {WINDOW_OPENED if opened else WINDOW_CLOSED}"


def window_event_opens(text: str) -> bool:
    return text.endswith(WINDOW_OPENED)


@dataclass(frozen=True)
class Priority:
    level: int
    reason: str


def priority(*, appointment: bool, birth_date: dt.date | None, today: dt.date, appointment_priority: int,
             priority_age: int, group_priority: int) -> Priority:
    """The highest priority that applies: 预约签到 (``appointment_priority``), then the age group
    (``priority_age`` or older by the 身份证号's birth date; 0 turns it off), else 0."""
    options = [Priority(0, "")]
    if appointment and appointment_priority:
        options.append(Priority(appointment_priority, "预约签到"))
    if birth_date is not None and priority_age and group_priority and age_on(birth_date, today) >= priority_age:
        options.append(Priority(group_priority, f"{priority_age}岁以上老年人"))
    return max(options, key=lambda p: p.level)


def estimate_minutes(ahead: int, service_minutes: int, open_windows: int) -> int:
    """Estimated wait: the people ahead × the average service time, shared by the open windows
    serving the type (at least one counted), rounded up to a whole minute."""
    if ahead <= 0:
        return 0
    return math.ceil(ahead * max(service_minutes, 1) / max(open_windows, 1))


def daily_limit_message(name: str, limit: int) -> str:
    return f"业务类型：“{name}”今日取号已达上限（{limit} 个），请明日再来或选择网上办理"
