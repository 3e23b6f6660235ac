"""受理: accept, 补正 (一次性告知), 不予受理, 容缺受理, 告知承诺. Acceptance starts the clock."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core import calendar
from zhengwu.org import permissions
from zhengwu.org.models import Role

from .. import rules, workflow
from ..queries import pending_dates
from ..models import Case, CaseMaterial, CaseStep, IntakeMode, PendingMaterial, ProcessDefinition, SupplementNotice
from ..rules import Actor
from .base import LIFECYCLE, locked_case, transition


def _require_window(user, case: Case) -> None:
    if not permissions.has_role(user, Role.WINDOW, department=case.department):
        raise PermissionDenied("仅受理该部门事项的窗口人员可以操作")


def accepting_window(user, case: Case) -> int | None:
    """受理窗口 of a case a window clerk accepts: the window of their 窗口人员 grant that covers the
    case's department (else of any of their 窗口人员 grants); None for a clerk with no window."""
    mine = [g for g in permissions.grants(user) if g.role == Role.WINDOW and g.window_id]
    dept = case.department
    covering = [g for g in mine if (g.department_ids is None or dept.pk in g.department_ids)
                and dept.region.code.startswith(g.region_prefix)]
    return (covering or mine)[0].window_id if (covering or mine) else None


def current_process(case: Case) -> ProcessDefinition:
    """The item's current process definition; an item without one gets the default (审查 → 决定)."""
    definition = ProcessDefinition.objects.filter(service_item_id=case.service_item_id, is_current=True).first()
    if definition is None:
        definition, _ = ProcessDefinition.objects.get_or_create(
            service_item_id=case.service_item_id, version=1,
            defaults={"steps": workflow.default_definition(case.department_id), "is_current": True},
        )
    return definition


def clock_start(case: Case) -> dt.date:
    """The day the case's 承诺时限 counts from: its acceptance — or, 容缺受理, the day the 容缺
    materials are complete (:func:`rules.tolerance_clock_start`; until then their 补交期限)."""
    if case.intake_mode != IntakeMode.TOLERATED:
        return case.accepted_on
    return rules.tolerance_clock_start(case.accepted_on,
                                       pending_dates(PendingMaterial.objects.filter(case_id=case.pk)))


def case_due_date(case: Case) -> dt.date:
    """承诺办结日期: the 承诺时限 from :func:`clock_start`, plus 特别程序 and an approved extension."""
    return rules.due_date(calendar.get_calendar(), clock_start(case), case.promised_days, case.suspended_workdays,
                          case.extension_workdays)


def sync_steps(case: Case, steps: list[dict], progress: workflow.Progress, *, create: bool = False) -> None:
    """Mirror the engine's progress into CaseStep rows (what the staff inbox reads). The steps'
    due dates are their shares of the 承诺时限 from :func:`clock_start`."""
    due = workflow.block_due_dates(calendar.get_calendar(), clock_start(case),
                                   case.promised_days + case.suspended_workdays + case.extension_workdays,
                                   steps, progress)
    by_id = {s["id"]: s for s in steps}
    now = timezone.now()
    if create:
        rows = []
        for block_no, block in enumerate(progress.blocks):
            for sid in block:
                s = by_id[sid]
                rows.append(CaseStep(
                    case=case, step_id=sid, name=s["name"], role=s["role"],
                    department_id=s.get("department") or case.department_id, block=block_no,
                    status=progress.status[sid], due_date=due[sid],
                    activated_at=now if progress.status[sid] == "active" else None,
                ))
        CaseStep.objects.bulk_create(rows)
        return
    for row in CaseStep.objects.filter(case=case):
        new = progress.status[row.step_id]
        if row.status != new or row.due_date != due[row.step_id]:
            if new == "active" and row.status != "active":
                row.activated_at = now
            row.status, row.due_date = new, due[row.step_id]
            row.save(update_fields=["status", "due_date", "activated_at"])


def _start_clock_and_process(case: Case) -> list[str]:
    """受理 starts the clock today — or, past the five working days, on the day the materials were
    received: 行政许可法第三十二条第一款第（四）项 (逾期不告知的，自收到申请材料之日起即为受理)."""
    cal = calendar.get_calendar()
    today = timezone.localdate()
    if case.received_on is not None and rules.deemed_accepted(today, case.acceptance_due):
        case.accepted_on, case.deemed_accepted = case.received_on, True
    else:
        case.accepted_on = today
    case.due_date = rules.due_date(cal, case.accepted_on, case.promised_days)
    definition = current_process(case)
    progress = workflow.start(definition.steps, case.form_data)
    case.process = definition
    case.progress = progress.to_json()
    return ["accepted_on", "deemed_accepted", "due_date", "process", "progress"]


def _accept(user, case_id: int, expected_lock: int, action: str, mode: str, opinion: str, data=None,
            setup=None, actor: Actor = Actor.WINDOW) -> Case:
    case = locked_case(case_id, expected_lock)
    if actor == Actor.WINDOW:
        _require_window(user, case)
    # Check the transition before writing anything (the helper checks it again when saving).
    LIFECYCLE.check(case, action, actor)
    case.intake_mode = mode
    fields = ["intake_mode", *_start_clock_and_process(case)]
    if case.window_id is None and actor == Actor.WINDOW:
        # Filed online (or at a terminal), accepted at a window: that window is its 受理窗口.
        case.window_id = accepting_window(user, case)
        fields.append("window")
    if setup:
        fields += setup(case)
    # The due date in the history: figures of a past period read it as of then (ADR 0026).
    data = {**(data or {}), "accepted_on": case.accepted_on.isoformat(), "due_date": case.due_date.isoformat(),
            **({"deemed": True, "received_on": case.received_on.isoformat()} if case.deemed_accepted else {})}
    case = transition(case, action, actor, user, opinion=opinion, data=data, extra_fields=fields)
    sync_steps(case, case.process.steps, workflow.Progress.from_json(case.progress), create=True)
    return case


@transaction.atomic
def accept(user, case: Case, expected_lock: int, opinion: str = "") -> Case:
    return _accept(user, case.pk, expected_lock, "accept", IntakeMode.NORMAL, opinion or "材料齐全，予以受理")


def tolerance_inputs(case: Case) -> tuple[list[tuple[str, str]], set[str]]:
    """The guide's materials ([(name, necessity)]) and the names handed in (a current upload, or an
    电子证照 standing in for it): what :func:`rules.tolerable_materials` decides 容缺 from."""
    from zhengwu.catalog.models.materials import VERSION_MATERIALS
    from zhengwu.licenses.models import LicenceUse

    catalogue = [(m.name, m.necessity) for m in VERSION_MATERIALS.all(case.item_version_id)]
    supplied = set(CaseMaterial.objects.filter(case_id=case.pk).exclude(status=CaseMaterial.Status.REPLACED)
                   .values_list("name", flat=True))
    supplied |= set(LicenceUse.objects.filter(case_id=case.pk).values_list("material_name", flat=True))
    return catalogue, supplied


def tolerable(case: Case) -> list[str]:
    """The materials the window may accept this case as 容缺 for (rules.tolerable_materials)."""
    return rules.tolerable_materials(*tolerance_inputs(case))


@transaction.atomic
def accept_pending(user, case: Case, expected_lock: int, pending: list[tuple[str, dt.date]], opinion: str = "") -> Case:
    """容缺受理: accept with named non-key materials to be supplied by a date. The 承诺时限 counts
    from the day they are complete (:func:`rules.tolerance_clock_start`)."""
    if not pending:
        raise ValidationError({"pending": "容缺受理须列明容缺材料及补交期限"})
    today = timezone.localdate()
    for name, due in pending:
        if not (name or "").strip():
            raise ValidationError({"pending": "容缺材料名称不能为空"})
        if due < today:
            raise ValidationError({"pending": f"“{name}”的补交期限不能早于今天"})
    if not case.item_version.allows_tolerance:
        raise ValidationError("该事项不适用容缺受理")
    refusal = rules.tolerance_refusal([n.strip() for n, _due in pending], *tolerance_inputs(case))
    if refusal:
        raise ValidationError({"pending": refusal})

    def setup(c):
        PendingMaterial.objects.bulk_create([PendingMaterial(case=c, name=n.strip(), due_date=d) for n, d in pending])
        # The 承诺时限 counts from the day the materials are complete: until then, their 补交期限.
        start = rules.tolerance_clock_start(c.accepted_on, [(d, None) for _n, d in pending])
        c.due_date = rules.due_date(calendar.get_calendar(), start, c.promised_days)
        return []  # due_date is saved with the clock (_start_clock_and_process)

    return _accept(user, case.pk, expected_lock, "accept_pending", IntakeMode.TOLERATED, opinion or "容缺受理",
                   data={"pending": [{"name": n, "due": d.isoformat()} for n, d in pending]}, setup=setup)


@transaction.atomic
def accept_commitment(user, case: Case, expected_lock: int, commitment_text: str, signed: bool,
                      opinion: str = "") -> Case:
    """告知承诺: the applicant signs a commitment (the item must allow it).

    A 承诺书 the applicant signed online (chosen when applying, :mod:`.commitment`) is kept as it
    is, with its signing time: a different text is refused (rules.commitment_text_changed) — the
    window asks for 补正 when it must change, and the applicant signs again."""
    if not case.item_version.allows_commitment:
        raise ValidationError("该事项不适用告知承诺制")
    if not (commitment_text or "").strip():
        raise ValidationError({"commitment_text": "告知承诺书内容不能为空"})

    online = case.commitment_signed_at is not None and bool(case.commitment_text)

    def setup(c):
        if c.commitment_signed_at is not None and c.commitment_text:  # signed online by the applicant
            changed = rules.commitment_text_changed(c.commitment_text, commitment_text)
            if changed:
                raise ValidationError({"commitment_text": changed})
            return []
        c.commitment_text = commitment_text.strip()
        c.commitment_signed_at = timezone.now() if signed else None
        return ["commitment_text", "commitment_signed_at"]

    return _accept(user, case.pk, expected_lock, "accept_commitment", IntakeMode.COMMITMENT,
                   opinion or "告知承诺受理", setup=setup,
                   data={"signed": signed or online, **({"signed_online": True} if online else {})})


def _within_acceptance_time(case: Case, what: str) -> None:
    """补正 and 不予受理 are answers due within five working days of receipt; after them the
    application is accepted by law (行政许可法第三十二条第一款第（四）项) and is decided in review."""
    if rules.deemed_accepted(timezone.localdate(), case.acceptance_due):
        raise ValidationError(f"已超过受理期限（{case.acceptance_due:%Y-%m-%d}，收到材料后五个工作日），"
                              f"依法自收到申请材料之日起视为受理，不能再{what}；请受理后在审批中作出决定"
                              f"（行政许可法第三十二条第一款第（四）项）", code="deemed_accepted")


@transaction.atomic
def request_supplement(user, case: Case, expected_lock: int, items: list[dict], note: str = "",
                       additional_reason: str = "") -> Case:
    """补正: one notice listing every missing or faulty material (一次性告知, 行政许可法第三十二条
    第一款第（四）项). A second notice only with ``additional_reason``: what the first could not have
    known (rules.supplement_refusal); it is recorded and counted in the figures."""
    clean = [{"material": str(i.get("material", "")).strip(), "reason": str(i.get("reason", "")).strip()}
             for i in items or []]
    clean = [i for i in clean if i["material"]]
    if not clean:
        raise ValidationError({"items": "补正告知须列明需要补正的材料及原因"})
    if any(not i["reason"] for i in clean):
        raise ValidationError({"items": "每项补正材料都要写明原因"})
    case = locked_case(case.pk, expected_lock)
    _require_window(user, case)
    LIFECYCLE.check(case, "request_supplement", Actor.WINDOW)
    _within_acceptance_time(case, "要求补正")
    earlier = SupplementNotice.objects.filter(case=case).count()
    problems = rules.supplement_refusal(earlier, additional_reason)
    if problems:
        raise ValidationError(problems)
    additional_reason = (additional_reason or "").strip() if earlier else ""
    data = {"items": clean, **({"additional_reason": additional_reason} if additional_reason else {})}
    case.acceptance_due = None  # the applicant's turn: the five days start again on resubmission
    transition(case, "request_supplement", Actor.WINDOW, user, opinion=note, data=data,
               extra_fields=["acceptance_due"])
    SupplementNotice.objects.create(case=case, items=clean, note=note, issued_by=user,
                                    additional_reason=additional_reason)
    # The files found faulty are 需补正 until a new upload replaces them (applying.not_replaced).
    CaseMaterial.objects.filter(case=case, name__in=rules.flagged_materials(clean)).exclude(
        status=CaseMaterial.Status.REPLACED).update(status=CaseMaterial.Status.REJECTED)
    return case


@transaction.atomic
def refuse(user, case: Case, expected_lock: int, reason: str, legal_basis: str) -> Case:
    """不予受理: the reason and the legal basis are shown to the applicant."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "不予受理须写明理由"})
    if not (legal_basis or "").strip():
        raise ValidationError({"legal_basis": "不予受理须写明法律依据"})
    case = locked_case(case.pk, expected_lock)
    _require_window(user, case)
    if case.state == rules.State.SUBMITTED:
        _within_acceptance_time(case, "作出不予受理决定")
    case.refusal_reason = f"{reason.strip()}\n依据：{legal_basis.strip()}"
    return transition(case, "refuse", Actor.WINDOW, user, opinion=case.refusal_reason, extra_fields=["refusal_reason"])
