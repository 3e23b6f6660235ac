"""审批: process steps (serial/parallel/conditional/return), 特别程序, 办结, 送达, process definitions."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core import audit, calendar
from zhengwu.licenses.services import issuing as licence_issuing
from zhengwu.org import permissions
from zhengwu.org.models import Department, Role

from .. import documents, rules, signals, workflow
from ..models import Case, CaseMaterial, CaseResult, CaseStep, PendingMaterial, ProcessDefinition, Suspension
from ..models.cases import IntakeMode
from ..rules import Actor, State
from . import duties
from .base import LIFECYCLE, locked_case, record_event, transition
from .intake import case_due_date, sync_steps
from .notify import notify_applicant, notify_concluded


@transaction.atomic
def act_on_step(user, case: Case, step_id: str, action: str, expected_lock: int, opinion: str = "") -> Case:
    """One approver's decision on one active step: pass / return / reject.

    When the last block passes the case concludes 准予; a reject concludes 不予.
    """
    case = locked_case(case.pk, expected_lock)
    step = CaseStep.objects.select_related("department__region").filter(case=case, step_id=step_id).first()
    if step is None:
        raise ValidationError("该办件没有这个环节")
    if not permissions.has_role(user, step.role, department=step.department):
        raise PermissionDenied(f"仅{step.department.name}的相应岗位人员可以办理“{step.name}”")
    duties.check_separation(user, case, step_id)  # 审查与决定相分离, when the process asks for it
    if action in ("return", "reject") and not (opinion or "").strip():
        raise ValidationError({"opinion": "退回或不予通过时须填写意见"})
    if case.state != State.IN_REVIEW:
        raise ValidationError(f"办件当前为“{case.state_label}”，不能办理审批环节")
    steps = case.process.steps
    progress = workflow.Progress.from_json(case.progress)
    try:
        new = workflow.act(steps, progress, step_id, action)
    except workflow.WorkflowError as exc:
        raise ValidationError(exc.message) from None
    if new.outcome == "approved":
        why = _cannot_conclude(case)
        if why:
            raise ValidationError(why)
    case.progress = new.to_json()
    step.acted_by, step.acted_at, step.opinion = user, timezone.now(), opinion
    step.save(update_fields=["acted_by", "acted_at", "opinion"])
    engine_action = {"pass": "approve_step", "return": "return_step", "reject": "approve_step"}[action]
    transition(case, engine_action, Actor.APPROVER, user, opinion=opinion, step_id=step_id,
               data={"decision": workflow.ACTIONS[action], "step": step.name}, extra_fields=["progress"],
               notify=False)
    sync_steps(case, steps, new)
    if new.outcome:
        conclude_now(user, case, new.outcome, opinion)
    return case


def _cannot_conclude(case: Case) -> str | None:
    outstanding = PendingMaterial.objects.filter(case=case, supplied_at__isnull=True).count()
    return rules.can_conclude(outstanding, case.commitment_signed_at is not None, case.intake_mode)


def conclude_now(user, case: Case, outcome: str, reason: str) -> Case:
    """办结 a case held locked in review: result, licence (准予 with a licence type), 决定书, history.

    The licence is issued first, so that the one 决定书 (made and sealed once, the file the applicant
    downloads) names it and its 证照编号; ``user`` made the decision and is the licence's 签发人."""
    now = timezone.now()
    case.outcome = outcome
    case.concluded_at = now
    case.concluded_on_time = rules.concluded_on_time(calendar.get_calendar(), timezone.localdate(now), case.due_date)
    number = f"{case.department.short_name or case.department.name}〔{now:%Y}〕{case.pk:08d}号"
    result = CaseResult(case=case, outcome=outcome, decision_number=number, reason=reason,
                        licence_payload=documents.licence_payload(case) if outcome == "approved" else {})
    licence = licence_issuing.issue_for_case(case, result, user)  # 准予 with a licence type: issued in this transaction
    pdf = documents.decision_pdf(case, outcome, reason, number, licence,
                                 entity=(result.licence_payload or {}).get("entity"))  # a 设立登记's new entity
    result.decision_sha256 = pdf.sha256
    result.decision_file.save(f"{case.number}.pdf", pdf.content, save=False)
    result.save()
    label = "准予" if outcome == "approved" else "不予"
    transition(case, "conclude", Actor.SYSTEM, user, opinion=reason, data={"outcome": label, "decision": number},
               extra_fields=["outcome", "concluded_at", "concluded_on_time"], notify=False)
    notify_concluded(case, result, licence)  # the result and the licence, not only "已办结"
    return case


@transaction.atomic
def suspend(user, case: Case, expected_lock: int, kind: str, reason: str, planned_workdays: int | None = None,
            legal_basis: str = "") -> Case:
    """特别程序: the clock stops — only for 听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审
    (行政许可法第四十五条); the applicant sees the procedure, its reason and its legal basis.
    ``legal_basis``: the provision that requires the procedure for this item, if staff name one."""
    problems = rules.suspension_refusal(kind, reason)
    if problems:
        raise ValidationError(problems)
    case = locked_case(case.pk, expected_lock)
    _require_handler(user, case)
    basis = rules.SUSPENSION_BASIS + (f"；{legal_basis.strip()}" if (legal_basis or "").strip() else "")
    transition(case, "suspend", Actor.APPROVER, user, opinion=reason,
               data={"kind": Suspension.Kind(kind).label, "planned_workdays": planned_workdays, "legal_basis": basis})
    Suspension.objects.create(case=case, kind=kind, reason=reason.strip(), legal_basis=basis[:300],
                              started_on=timezone.localdate(), planned_workdays=planned_workdays, started_by=user)
    return case


@transaction.atomic
def resume(user, case: Case, expected_lock: int, note: str = "") -> Case:
    case = locked_case(case.pk, expected_lock)
    _require_handler(user, case)
    LIFECYCLE.check(case, "resume", Actor.APPROVER)  # before the clock is read: a case never accepted has none
    suspension = Suspension.objects.filter(case=case, ended_on__isnull=True).order_by("-started_on").first()
    cal = calendar.get_calendar()
    today = timezone.localdate()
    days = rules.suspension_workdays(cal, suspension.started_on, today) if suspension else 0
    if suspension:
        suspension.ended_on, suspension.workdays = today, days
        suspension.save(update_fields=["ended_on", "workdays"])
    if suspension is not None and not suspension.stops_clock:
        days = 0  # 第四十五条 does not name it: its time counts
    case.suspended_workdays += days
    case.due_date = case_due_date(case)
    transition(case, "resume", Actor.APPROVER, user, opinion=note,
               data={"suspended_workdays": days, "due_date": case.due_date.isoformat()},
               extra_fields=["suspended_workdays", "due_date"])
    sync_steps(case, case.process.steps, workflow.Progress.from_json(case.progress))
    return case


def _require_handler(user, case: Case) -> None:
    if not permissions.has_role(user, Role.APPROVER, Role.WINDOW, department=case.department):
        raise PermissionDenied("仅该部门的审批或窗口人员可以操作")


@transaction.atomic
def supply_pending(user, case: Case, pending: PendingMaterial, material: CaseMaterial) -> PendingMaterial:
    """A 容缺 material supplied later (by upload); the case may conclude once all are in."""
    from .applying import actor_for

    case = Case.objects.select_for_update().get(pk=case.pk)
    actor_for(user, case)
    if pending.case_id != case.pk or material.case_id != case.pk:
        raise ValidationError("材料与办件不符")
    pending.supplied_material, pending.supplied_at = material, timezone.now()
    pending.save(update_fields=["supplied_material", "supplied_at"])
    data = {"material": pending.name}
    complete = not PendingMaterial.objects.filter(case=case, supplied_at__isnull=True).exists()
    if complete and case.accepted_on is not None and case.state in (State.IN_REVIEW, State.SUSPENDED):
        # 容缺受理: the 承诺时限 counts from today, the day the materials are complete. The date
        # enters the history (the figures read due dates from it, ADR 0026); the steps follow.
        case.due_date = case_due_date(case)
        case.save(update_fields=["due_date", "updated_at"])
        data["due_date"] = case.due_date.isoformat()
        sync_steps(case, case.process.steps, workflow.Progress.from_json(case.progress))
    record_event(case, "supply_pending", "补齐容缺材料", user, data=data)
    audit.record("case.supply_pending", actor=user, obj=case, after=data)
    if "due_date" in data:
        notify_applicant(case, f"容缺材料已补齐：{case.service_item.name}",
                         f"您的办件（编号 {case.number}）容缺材料已补齐，承诺时限自"
                         f"{timezone.localdate():%Y年%m月%d日}起计算，承诺办结日期：{case.due_date:%Y年%m月%d日}。")
    return pending


@transaction.atomic
def deliver(user, case: Case, expected_lock: int, method: str, *, address: str = "", carrier: str = "",
            tracking_number: str = "") -> Case:
    """送达: 窗口领取, 邮寄 (address, carrier and tracking number recorded) or 电子送达."""
    if method not in CaseResult.Delivery.values:
        raise ValidationError({"method": "送达方式不正确：应为窗口领取、邮寄送达或电子送达"})
    if method != CaseResult.Delivery.MAIL:  # a courier and a waybill belong to 邮寄 only
        address = carrier = tracking_number = ""
    if method == CaseResult.Delivery.MAIL:
        missing = [label for label, v in (("邮寄地址", address), ("快递公司", carrier), ("运单号", tracking_number))
                   if not (v or "").strip()]
        if missing:
            raise ValidationError({"address": f"邮寄送达须填写：{'、'.join(missing)}"})
    case = locked_case(case.pk, expected_lock)
    if not permissions.has_role(user, Role.WINDOW, Role.APPROVER, department=case.department):
        from .tongban import hands_over_here

        if not hands_over_here(user, case, method):  # 异地代收: the result is picked up at the receiving window
            raise PermissionDenied("仅该部门的窗口或审批人员可以登记送达（跨域代收件由代收窗口登记窗口领取）")
        from .tongban import acting_here

        acting_here(user, case)  # handed over there: the history says so
    LIFECYCLE.check(case, "deliver", Actor.WINDOW)  # before the result is read: only a concluded case has one
    refusals = [reason for _, reason in signals.delivery_check.send(sender=Case, case=case) if reason]
    if refusals:  # e.g. 缴款单未缴款 (payments): nothing is written
        raise ValidationError("；".join(refusals), code="delivery_blocked")
    result = case.result
    result.delivery_method, result.address, result.carrier, result.tracking_number = method, address, carrier, tracking_number
    result.delivered_at = timezone.now()
    result.save(update_fields=["delivery_method", "address", "carrier", "tracking_number", "delivered_at"])
    return transition(case, "deliver", Actor.WINDOW, user,
                      data={"method": CaseResult.Delivery(method).label, "carrier": carrier, "tracking": tracking_number})


@transaction.atomic
def save_process_definition(user, service_item, steps: list[dict],
                            expected_version: int | None = None, *,
                            separate_duties: bool | None = None) -> ProcessDefinition:
    """A new version of an item's process; cases already started keep theirs.

    ``expected_version`` is the version the editor started from (0: none yet); when another
    editor saved a newer one meanwhile the save is refused instead of overwriting it.
    """
    if not permissions.has_role(user, Role.ITEM_ADMIN, department=service_item.department):
        raise PermissionDenied("仅事项管理员可以编辑审批流程")
    errors = workflow.validate_definition(steps, roles=set(Role.values))
    dept_ids = {s.get("department") for s in steps if isinstance(s, dict) and s.get("department")}
    known = set(Department.objects.filter(pk__in=dept_ids).values_list("pk", flat=True))
    errors += [f"环节的办理部门（ID {d}）不存在" for d in sorted(dept_ids - known, key=str)]
    if errors:
        raise ValidationError({"steps": errors})
    last = ProcessDefinition.objects.select_for_update().filter(service_item=service_item).order_by("-version").first()
    if expected_version is not None and (last.version if last else 0) != expected_version:
        raise ValidationError("审批流程已被他人修改（当前为第%d版），请刷新页面后重试" % (last.version if last else 0),
                              code="stale")
    ProcessDefinition.objects.filter(service_item=service_item, is_current=True).update(is_current=False)
    if separate_duties is None:  # not asked: the new version keeps the rule of the last one
        separate_duties = bool(last and last.separate_duties)
    definition = ProcessDefinition.objects.create(service_item=service_item, version=(last.version + 1) if last else 1,
                                                  steps=steps, is_current=True, created_by=user,
                                                  separate_duties=separate_duties)
    audit.record("case.process_definition", actor=user, obj=definition,
                 after={"item": service_item.pk, "version": definition.version, "steps": [s["name"] for s in steps],
                        "separate_duties": separate_duties})
    return definition


__all__ = ["IntakeMode", "act_on_step", "deliver", "resume", "save_process_definition", "supply_pending", "suspend"]
