"""Deadlines as the law sets them: 延长办理期限 (行政许可法第四十二条) and 逾期视为受理 (第三十二条).

- :func:`request_extension` — the case's handler asks, with the reason the applicant will be told;
- :func:`decide_extension` — 本行政机关负责人 (领导 of the case's department) approves or declines;
  approved, the due date moves 10 working days and the applicant is told the reason;
- :func:`deem_accept` / :func:`deem_overdue_acceptances` — an application not answered within five
  working days of receipt is accepted as of the day of receipt (the scheduled job
  ``cases.deemed_acceptance`` runs it daily; a window accepting late gets the same dates).
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.org import permissions
from zhengwu.org.models import Role

from .. import rules, workflow
from ..models import Case, Extension, IntakeMode
from ..rules import Actor, State
from .base import LIFECYCLE, locked_case, transition
from .intake import _accept, case_due_date, sync_steps
from .notify import notify_applicant

logger = logging.getLogger(__name__)


def may_request_extension(user, case: Case) -> bool:
    return permissions.has_role(user, Role.APPROVER, Role.WINDOW, department=case.department)


def may_decide_extension(user, case: Case) -> bool:
    """本行政机关负责人: a 领导 grant covering the case's department."""
    return permissions.has_role(user, Role.LEADER, department=case.department)


@transaction.atomic
def request_extension(user, case: Case, expected_lock: int, reason: str) -> Extension:
    """申请延长办理期限: once per case, before the deadline has passed, with a reason."""
    case = locked_case(case.pk, expected_lock)
    if not may_request_extension(user, case):
        raise PermissionDenied("仅该部门的审批或窗口人员可以申请延长办理期限")
    LIFECYCLE.check(case, "request_extension", Actor.APPROVER)
    why = rules.extension_refusal(timezone.localdate(), case.due_date, Extension.objects.filter(case=case).count(),
                                  reason)
    if why:
        raise ValidationError({"reason": why})
    extension = Extension.objects.create(case=case, reason=reason.strip(), workdays=rules.EXTENSION_WORKDAYS,
                                         requested_by=user, due_before=case.due_date)
    transition(case, "request_extension", Actor.APPROVER, user, opinion=reason.strip(),
               data={"workdays": rules.EXTENSION_WORKDAYS}, notify=False, visible=False)
    return extension


@transaction.atomic
def decide_extension(user, case: Case, expected_lock: int, approve: bool, note: str = "") -> Extension:
    """批准 / 不批准: by 本行政机关负责人, still within the deadline (行政许可法第四十二条第一款).

    Approved: ``due_date`` + 10 working days (counted after any 特别程序), the steps' due dates
    follow, and the applicant is told the reason (站内消息 + 短信发件箱, and the case page)."""
    case = locked_case(case.pk, expected_lock)
    if not may_decide_extension(user, case):
        raise PermissionDenied("延长办理期限须经本行政机关负责人（领导）批准")
    action = "approve_extension" if approve else "decline_extension"
    LIFECYCLE.check(case, action, Actor.LEADER)
    extension = Extension.objects.select_for_update().filter(case=case, status=Extension.Status.REQUESTED).first()
    if extension is None:
        raise ValidationError("该办件没有待审批的延长办理期限申请")
    now = timezone.now()
    extension.decided_by, extension.decided_at, extension.decision_note = user, now, (note or "").strip()
    if not approve:
        extension.status = Extension.Status.DECLINED
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        transition(case, action, Actor.LEADER, user, opinion=extension.decision_note, notify=False, visible=False)
        return extension
    today = timezone.localdate()
    if today > case.due_date:
        raise ValidationError(f"已超过承诺办结日期（{case.due_date:%Y-%m-%d}），不能再批准延长办理期限"
                              f"（{rules.EXTENSION_BASIS}）")
    case.extension_workdays = extension.workdays
    case.due_date = case_due_date(case)
    extension.status, extension.due_after = Extension.Status.APPROVED, case.due_date
    extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "due_after"])
    transition(case, action, Actor.LEADER, user, opinion=extension.reason,
               data={"workdays": extension.workdays, "due_date_before": extension.due_before.isoformat(),
                     "due_date": case.due_date.isoformat(), "basis": rules.EXTENSION_BASIS},
               extra_fields=["extension_workdays", "due_date"], notify=False)
    sync_steps(case, case.process.steps, workflow.Progress.from_json(case.progress))
    notify_applicant(
        case, f"办理期限延长：{case.service_item.name}",
        f"您的办件（编号 {case.number}）经本行政机关负责人批准，办理期限延长{extension.workdays}个工作日，"
        f"承诺办结日期由{extension.due_before:%Y年%m月%d日}延至{case.due_date:%Y年%m月%d日}。"
        f"理由：{extension.reason}（依据{rules.EXTENSION_BASIS}）")
    return extension


@transaction.atomic
def deem_accept(case_id: int) -> Case:
    """逾期视为受理 (system): the application is accepted as of the day of receipt and its
    statutory time runs from then (行政许可法第三十二条第一款第（四）项)."""
    case = locked_case(case_id, None)
    if case.state != State.SUBMITTED or not rules.deemed_accepted(timezone.localdate(), case.acceptance_due):
        return case
    return _accept(None, case.pk, None, "deem_accept", IntakeMode.NORMAL,
                   "收到申请材料后五个工作日内未告知补正或作出受理决定，依法自收到申请材料之日起视为受理",
                   actor=Actor.SYSTEM)


def deem_overdue_acceptances(limit: int = 5000) -> str:
    """The scheduled job: every case still waiting past its 受理期限 is deemed accepted."""
    today = timezone.localdate()
    ids = list(Case.objects.filter(state=State.SUBMITTED, acceptance_due__lt=today)
               .order_by("acceptance_due", "pk").values_list("pk", flat=True)[:limit])
    done = 0
    for pk in ids:
        try:
            case = deem_accept(pk)
        except ValidationError as exc:  # e.g. changed meanwhile: the next run sees it again
            logger.warning("逾期视为受理失败 case=%s: %s", pk, "；".join(exc.messages))
            continue
        done += case.state == State.IN_REVIEW
    return f"逾期视为受理 {done} 件"
