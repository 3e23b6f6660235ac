"""Recording the 核查结论 and 处理结果 of a 效能投诉 or 办不成事反映 ticket for the ledgers (台账).

One write path: :func:`record_outcome`. It runs in one transaction — lock the ticket row (a mutex:
the ticket's own version is not touched, the department and the centre keep working on it), compare
the caller's version of the outcome (乐观锁; 0 when none was recorded yet), check the input
(:func:`zhengwu.hotline.ledger_rules.clean_outcome`), write the outcome, append a history row (not
shown to the citizen) and an audit event.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.transitions import Stale
from zhengwu.org.models import Department, Role, Window
from zhengwu.org.permissions import has_role

from .. import ledger_rules
from ..models import LedgerOutcome, Ticket
from .base import _int_or_none, record_event

RECORDER_ROLES = (Role.SUPERVISOR,)  # 督办人员 record; 领导 read
FIELDS = ("subject_department_id", "subject_window_id", "subject_item", "finding", "rectification",
          "accountability", "accountability_note", "resolution", "resolution_note", "handled")


class StaleOutcome(Stale):  # 409 in the API
    message = "该工单的核查处理结果已被他人更新，请刷新页面后重试"


def may_record(user, ticket: Ticket) -> bool:
    return has_role(user, *RECORDER_ROLES, region_code=ticket.region_code)


def _subject(data: dict, errors: dict) -> tuple[int | None, int | None]:
    dept_id = window_id = None
    try:
        dept_id = _int_or_none(data.get("subject_department"), "subject_department", "反映对象（单位）")
        window_id = _int_or_none(data.get("subject_window"), "subject_window", "反映对象（窗口）")
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        return None, None
    if dept_id is not None and not Department.objects.filter(pk=dept_id).exists():
        errors["subject_department"] = "反映对象（单位）不存在"
    if window_id is not None and not Window.objects.filter(pk=window_id).exists():
        errors["subject_window"] = "反映对象（窗口）不存在"
    return dept_id, window_id


def _version(value) -> int:
    if value in (None, ""):
        raise ValidationError({"lock_version": "缺少版本号（lock_version）：请刷新页面后重试"})
    try:
        v = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"lock_version": "版本号（lock_version）应为整数"}) from None
    if v < 0:
        raise ValidationError({"lock_version": "版本号（lock_version）不能为负数"})
    return v


def _values(o: LedgerOutcome) -> dict:
    return {f: getattr(o, f) for f in FIELDS}


def record_outcome(user, ticket: Ticket | int, expected_version, data: dict) -> LedgerOutcome:
    """Record (or correct) the 反映对象, 核查结论, 整改情况, 问责情况 and, for 办不成事, the 办理结果.

    ``expected_version`` is the outcome's ``lock_version`` the caller read (0 for the first
    record). A repeat of what is already stored returns the stored outcome (a double submission
    changes nothing); anything else on a stale version raises :class:`StaleOutcome`."""
    ticket_id = ticket.pk if isinstance(ticket, Ticket) else ticket
    expected = _version(expected_version)
    with transaction.atomic():
        t = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        if t is None:
            raise ValidationError({"ticket": "工单不存在"})
        if not may_record(user, t):
            raise PermissionDenied("仅本区划的督办人员可以登记核查结论和处理结果")
        if t.ticket_type not in ledger_rules.LEDGERS:
            raise ValidationError({"ticket": f"工单 {t.number} 是“{t.type_label}”：只有效能投诉和办不成事反映工单进入台账"})
        if t.state in ledger_rules.LEFT_OUT_STATES:
            raise ValidationError({"ticket": f"工单 {t.number} {t.state_label}，不进入台账"})
        cleaned, errors = ledger_rules.clean_outcome(t.ticket_type, data)
        dept_id, window_id = _subject(data, errors)
        if errors:
            raise ValidationError({k: [v] for k, v in errors.items()})
        cleaned.update(subject_department_id=dept_id, subject_window_id=window_id)
        outcome = LedgerOutcome.objects.select_for_update().filter(ticket=t).first()
        current = outcome.lock_version if outcome else 0
        if outcome is not None and _values(outcome) == {f: cleaned[f] for f in FIELDS}:
            return outcome  # the same record again: nothing to do, whatever version was sent
        if expected != current:
            raise StaleOutcome(StaleOutcome.message, code="stale")
        before = _values(outcome) if outcome else None
        now = timezone.now()
        if outcome is None:
            outcome = LedgerOutcome(ticket=t)
        for f in FIELDS:
            setattr(outcome, f, cleaned[f])
        outcome.recorded_by = user
        outcome.recorded_at = now
        outcome.lock_version = current + 1
        outcome.save()
        words = [f"核查结论：{ledger_rules.FINDINGS[cleaned['finding']]}"]
        if cleaned["accountability"]:
            words.append(f"问责情况：{ledger_rules.outcome_text(cleaned['accountability'], '')}")
        if cleaned["resolution"]:
            words.append(f"办理结果：{ledger_rules.RESOLUTIONS[cleaned['resolution']]}")
        record_event(t, "ledger", user, opinion="；".join(words), public=False,
                     data={"finding": cleaned["finding"], "accountability": cleaned["accountability"],
                           "resolution": cleaned["resolution"], "version": outcome.lock_version})
        audit.record("hotline.ledger_outcome", actor=user, obj=outcome, before=before,
                     after={"number": t.number, **_values(outcome), "lock_version": outcome.lock_version})
    return outcome
