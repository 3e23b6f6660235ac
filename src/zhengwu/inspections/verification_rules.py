"""告知承诺 后核查: the pure rules (no ORM) — the check's due date, the queue a check belongs to,
the finding a department records and what a 不属实 finding starts.

A case accepted on the applicant's commitment (告知承诺制) is decided without some proofs; the
department verifies the commitment afterwards, within :data:`DEFAULT_CHECK_DAYS` working days of
acceptance (a department may set its own number: :func:`check_days`). 核查不属实 revokes the
decision (撤销审批决定) and 吊销 the licence the case issued, as the signed commitment says.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

DEFAULT_CHECK_DAYS = 30  # working days from acceptance
DUE_SOON_WORKDAYS = 5  # a pending check due within this many working days is 即将到期
MIN_FINDING_CHARS = 5
MAX_FINDING_CHARS = 4000

PENDING, PASSED, FAILED = "pending", "passed", "failed"
OUTCOMES = {PASSED: "属实", FAILED: "不属实"}

# The queue tabs of the department's workbench page.
QUEUE_PENDING, QUEUE_DUE_SOON, QUEUE_OVERDUE, QUEUE_DONE = "pending", "due_soon", "overdue", "done"
QUEUES = {QUEUE_PENDING: "待核查", QUEUE_DUE_SOON: "即将到期", QUEUE_OVERDUE: "已超期", QUEUE_DONE: "已核查"}


def check_days(override: int | None) -> int:
    """The department's number of working days, else the default (30)."""
    if override is None:
        return DEFAULT_CHECK_DAYS
    if not 1 <= int(override) <= 365:
        raise ValueError("核查期限须为 1 至 365 个工作日")
    return int(override)


def due_date(cal, accepted_on: dt.date, days: int) -> dt.date:
    """The last day of the check: ``days`` working days after acceptance (``cal`` is a
    :class:`zhengwu.core.calendar.WorkCalendar` or anything with ``add_workdays``)."""
    return cal.add_workdays(accepted_on, days)


def soon_limit(cal, today: dt.date) -> dt.date:
    """A pending check due on or before this day is 即将到期 (and not yet overdue)."""
    return cal.add_workdays(today, DUE_SOON_WORKDAYS)


def queue_of(state: str, due: dt.date, today: dt.date, soon: dt.date) -> str:
    """Which tab a check is on: 已核查 when recorded; else 已超期 past its due date, 即将到期 when
    due by ``soon``, else 待核查."""
    if state != PENDING:
        return QUEUE_DONE
    if due < today:
        return QUEUE_OVERDUE
    if due <= soon:
        return QUEUE_DUE_SOON
    return QUEUE_PENDING


@dataclass(frozen=True)
class Finding:
    outcome: str  # passed / failed
    text: str


def validate_finding(state: str, outcome: str, text: str) -> dict[str, str]:
    """Field → Chinese message for a finding that cannot be recorded ({} when it can)."""
    errors: dict[str, str] = {}
    if state != PENDING:
        errors["outcome"] = f"该核查已记录为“{'属实' if state == PASSED else '不属实'}”，不能重复记录"
        return errors
    if outcome not in OUTCOMES:
        errors["outcome"] = "核查结论须为“属实”或“不属实”"
    body = (text or "").strip()
    if len(body) < MIN_FINDING_CHARS:
        errors["finding"] = f"核查情况须填写，不少于 {MIN_FINDING_CHARS} 个字（写明核查方式和发现）"
    elif len(body) > MAX_FINDING_CHARS:
        errors["finding"] = f"核查情况不能超过 {MAX_FINDING_CHARS} 个字"
    return errors


def revocation_reason(case_number: str, finding: str) -> str:
    """The reason written on the case and on the revoked licence (within 300 characters)."""
    head = f"告知承诺后核查不属实（办件 {case_number}），依法撤销审批决定："
    return (head + finding.strip())[:300]
