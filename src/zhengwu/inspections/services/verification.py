"""告知承诺 后核查: the one write path of :class:`~zhengwu.inspections.models.CommitmentCheck`.

- :func:`ensure_check` creates a case's check (idempotent: one per case, a unique constraint);
  :func:`on_case_event` calls it when the cases app records ``accept_commitment`` (Django's
  ``post_save`` of ``cases.CaseEvent``, connected in ``apps.py``: the cases app is not changed).
- :func:`record_finding` records 属实 / 不属实; 不属实 starts the revocation: a case event
  (撤销审批决定) through the cases app's :func:`~zhengwu.cases.services.base.record_event`, the
  licences the case issued 吊销 through :func:`zhengwu.licenses.services.status.revoke_for_case`,
  the applicant notified — all in the one transaction of the finding.
- :func:`run_job` (job ``inspections.commitments``): creates checks missing for cases accepted
  on commitment while the hook was absent, and notifies the department of overdue checks once.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.core import audit, calendar
from zhengwu.core.transitions import Stale

from .. import verification_rules as rules
from ..models import CommitmentCheck
from ..models.verification import CommitmentCheckDays

log = logging.getLogger(__name__)

STAFF_ROLES = ("dept_admin", "approver")  # of the checking department
BUREAU_ROLES = ("supervisor", "sysadmin", "leader")  # read-only, bureau-wide
MISSING_BATCH = 500


class StaleCheck(Stale):
    message = "该核查已被他人更新，请刷新页面后重试"


def may_record(user, check: CommitmentCheck) -> bool:
    from zhengwu.org.permissions import has_role

    return has_role(user, *STAFF_ROLES, department=check.department)


def days_for(department_id: int, item_days: int | None = None) -> int:
    """The item's own 核查期限 when its 办事指南 sets one, else the department's, else 30."""
    if item_days:
        return rules.check_days(item_days)
    override = CommitmentCheckDays.objects.filter(department_id=department_id).values_list("days", flat=True).first()
    return rules.check_days(override)


def days_for_case(case) -> int:
    version = getattr(case, "item_version", None)
    return days_for(case.department_id, getattr(version, "commitment_check_days", None))


def set_department_days(user, department_id: int, days: int | None) -> int:
    """A department's default 核查期限 (blank: back to 30), by its 部门管理员."""
    from zhengwu.org.models import Department
    from zhengwu.org.permissions import has_role

    department = Department.objects.select_related("region").filter(pk=department_id).first()
    if department is None or not has_role(user, "dept_admin", department=department):
        raise PermissionDenied("只有本部门的部门管理员可以设定核查期限")
    try:
        value = rules.check_days(days)
    except ValueError as exc:
        raise ValidationError({"days": [str(exc)]}) from exc
    with transaction.atomic():
        before = CommitmentCheckDays.objects.filter(department_id=department_id).values_list("days", flat=True).first()
        if days is None:
            CommitmentCheckDays.objects.filter(department_id=department_id).delete()
        else:
            CommitmentCheckDays.objects.update_or_create(department_id=department_id, defaults={"days": value})
        audit.record("inspections.commitment_days_set", actor=user, object_type="org.department",
                     object_id=str(department_id), before={"days": before}, after={"days": days})
    return value


def ensure_check(case, user=None) -> tuple[CommitmentCheck, bool]:
    """The case's check, created when missing (due N working days after acceptance)."""
    existing = CommitmentCheck.objects.filter(case_id=case.pk).first()
    if existing is not None:
        return existing, False
    if case.intake_mode != "commitment" or case.accepted_on is None:
        raise ValidationError("只有以告知承诺方式受理的办件才需要后核查")
    due = rules.due_date(calendar.get_calendar(), case.accepted_on, days_for_case(case))
    try:
        with transaction.atomic():
            check = CommitmentCheck.objects.create(case_id=case.pk, department_id=case.department_id, due_date=due)
            audit.record("inspections.commitment_check_create", actor=user, obj=check,
                         after={"case": case.pk, "due_date": due.isoformat()})
    except IntegrityError:  # created meanwhile by another transaction
        return CommitmentCheck.objects.get(case_id=case.pk), False
    return check, True


def on_case_event(sender, instance, created, raw=False, **kwargs) -> None:
    """``post_save`` of ``cases.CaseEvent``: an ``accept_commitment`` creates the check inside the
    acceptance's transaction; a failure here never fails the acceptance (the job creates it later)."""
    if raw or not created or instance.action != "accept_commitment":
        return
    try:
        with transaction.atomic():  # a savepoint: only the check is rolled back on failure
            ensure_check(instance.case, instance.actor)
    except Exception:  # the acceptance stands; the job inspections.commitments creates the check later
        log.exception("告知承诺核查未能随受理创建（case %s），将由定时任务补建", instance.case_id)


def _locked(pk: int, expected_lock: int | None) -> CommitmentCheck:
    check = (CommitmentCheck.objects.select_for_update(of=("self",))
             .select_related("case", "department__region").filter(pk=pk).first())
    if check is None:
        raise CommitmentCheck.DoesNotExist("核查记录不存在")
    if expected_lock is not None and check.lock_version != int(expected_lock):
        raise StaleCheck(StaleCheck.message, code="stale")
    return check


@transaction.atomic
def record_finding(user, pk: int, expected_lock: int | None, outcome: str, finding: str) -> CommitmentCheck:
    """属实 (``passed``) or 不属实 (``failed``) with what was found; 不属实 revokes the decision."""
    check = _locked(pk, expected_lock)
    if not may_record(user, check):
        raise PermissionDenied("仅核查部门的审批人员或部门管理员可以记录核查结论")
    errors = rules.validate_finding(check.state, outcome, finding)
    if errors:
        raise ValidationError({k: [v] for k, v in errors.items()})
    before = check.state
    check.state, check.finding = outcome, finding.strip()
    check.checked_by, check.checked_at = user, timezone.now()
    check.lock_version += 1
    fields = ["state", "finding", "checked_by", "checked_at", "lock_version", "updated_at"]
    if outcome == rules.FAILED:
        check.revocation_note = _revoke(user, check)
        check.revocation_started_at = check.checked_at
        fields += ["revocation_note", "revocation_started_at"]
    check.save(update_fields=fields)
    audit.record("inspections.commitment_check_record", actor=user, obj=check, before={"state": before},
                 after={"state": outcome, "case": check.case_id, "revocation": check.revocation_note[:200]})
    return check


def _revoke(user, check: CommitmentCheck) -> str:
    """撤销审批决定: the case event, the licences 吊销, the applicant told. Returns the note."""
    from zhengwu.cases.services.base import record_event
    from zhengwu.cases.services.notify import notify_applicant
    from zhengwu.licenses.models import Licence
    from zhengwu.licenses.services.status import revoke_for_case

    case = check.case
    reason = rules.revocation_reason(case.number, check.finding)
    revoked, skipped = [], []
    for licence in Licence.objects.filter(case=case, status=Licence.Status.VALID).order_by("pk"):
        if licence.issuer_id != case.department_id:
            skipped.append(licence.number)
            continue
        revoke_for_case(case, licence, reason, user=user)
        revoked.append(licence.number)
    note = "已启动撤销审批决定。"
    note += f"已吊销电子证照：{'、'.join(revoked)}。" if revoked else "该办件未颁发有效电子证照。"
    if skipped:
        note += f"非本部门颁发的证照未处理：{'、'.join(skipped)}（请通知颁发部门）。"
    record_event(case, "commitment_revoke", "撤销审批决定（告知承诺核查不属实）", user, opinion=reason,
                 data={"check": check.pk, "licences_revoked": revoked, "licences_skipped": skipped})
    notify_applicant(case, "告知承诺核查不属实",
                     f"您的办件 {case.number}（{case.service_item.name}）经告知承诺后核查，承诺内容与实际不符，"
                     f"审批决定依法撤销。{'相关电子证照已吊销。' if revoked else ''}如有异议，可依法申请行政复议或提起行政诉讼。")
    return note


# -- the job -------------------------------------------------------------------------------------
def create_missing(limit: int = MISSING_BATCH) -> int:
    """Checks for cases accepted on commitment that have none (accepted while the hook was absent)."""
    from zhengwu.cases.models import Case

    made = 0
    cases = (Case.objects.filter(intake_mode="commitment", accepted_on__isnull=False, commitment_check__isnull=True)
             .only("pk", "intake_mode", "accepted_on", "department_id").order_by("pk")[:limit])
    for case in cases:
        made += ensure_check(case)[1]
    return made


def notify_overdue(today=None) -> int:
    """One in-app message per overdue check (to the department's 审批人员 and 部门管理员)."""
    from zhengwu.cases.models import Notification
    from zhengwu.org.models import RoleGrant

    today = today or timezone.localdate()
    sent = 0
    overdue = (CommitmentCheck.objects.filter(state=rules.PENDING, due_date__lt=today, overdue_notified_at__isnull=True)
               .select_related("case").order_by("due_date", "pk")[:MISSING_BATCH])
    for check in overdue:
        with transaction.atomic():
            if not CommitmentCheck.objects.filter(pk=check.pk, overdue_notified_at__isnull=True).update(
                    overdue_notified_at=timezone.now()):
                continue
            users = set(RoleGrant.objects.filter(role__in=STAFF_ROLES, department_id=check.department_id)
                        .values_list("user_id", flat=True))
            Notification.objects.bulk_create([Notification(
                recipient_id=u, case=check.case, title="告知承诺核查已超期",
                body=f"办件 {check.case.number} 的告知承诺后核查已于 {check.due_date:%Y年%m月%d日} 到期，请尽快核查并记录结论。")
                for u in sorted(users)])
        sent += 1
    return sent


def run_job() -> str:
    made = create_missing()
    sent = notify_overdue()
    return f"补建告知承诺核查 {made} 件；超期提醒 {sent} 件"


# -- reading: the department's queue -------------------------------------------------------------
def visible_checks(user):
    """The checks of the departments the user records for (or every department in a bureau-wide
    role's region)."""
    from zhengwu.org.permissions import scope

    return scope(CommitmentCheck.objects.all(), user, STAFF_ROLES + BUREAU_ROLES)


def queue(user, tab: str, today=None):
    """The checks of one tab (待核查 / 即将到期 / 已超期 / 已核查), by due date."""
    today = today or timezone.localdate()
    soon = rules.soon_limit(calendar.get_calendar(), today)
    qs = visible_checks(user).select_related("case__service_item", "department")
    if tab == rules.QUEUE_DONE:
        return qs.exclude(state=rules.PENDING).order_by("-checked_at", "-pk")
    qs = qs.filter(state=rules.PENDING)
    if tab == rules.QUEUE_OVERDUE:
        return qs.filter(due_date__lt=today).order_by("due_date", "pk")
    if tab == rules.QUEUE_DUE_SOON:
        return qs.filter(due_date__gte=today, due_date__lte=soon).order_by("due_date", "pk")
    return qs.filter(due_date__gt=soon).order_by("due_date", "pk")


def tab_counts(user, today=None, cap: int = 999) -> dict[str, int]:
    """How many checks each open tab holds (each counted up to ``cap``: a bounded query)."""
    return {tab: queue(user, tab, today).order_by().values("pk")[:cap].count()
            for tab in (rules.QUEUE_OVERDUE, rules.QUEUE_DUE_SOON, rules.QUEUE_PENDING)}


def department_days(user) -> list[tuple]:
    """(department, its 核查期限 or None) for each department the user is 部门管理员 of."""
    from zhengwu.org.permissions import grants, staff_departments

    if not any(g.role == "dept_admin" for g in grants(user)):
        return []
    departments = list(staff_departments(user, ["dept_admin"]).order_by("pk")[:20])
    days = dict(CommitmentCheckDays.objects.filter(department__in=departments).values_list("department_id", "days"))
    return [(d, days.get(d.pk)) for d in departments]


def count_waiting(user, cap: int) -> int:
    """Pending checks in the user's scope (the home page card), counted up to ``cap``."""
    return visible_checks(user).filter(state=rules.PENDING).order_by().values("pk")[:cap].count()
