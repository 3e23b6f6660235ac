"""秒批 (rule-decided items): a submitted case of an item whose 秒批规则 are enabled is checked at once
against verified data — the applicant's 人口库/法人库 record, read by the platform itself and
recorded as a 核验查询记录 like every registry read, and the application form. When every condition
holds the case is accepted and approved (准予) immediately, with the rules and the checks kept on
the decision (:class:`~zhengwu.cases.models.InstantDecision`) and in the 决定书's reason; a person
of the department then reviews it (复核). When a condition fails or data is missing, the case goes to
the ordinary 受理 queue and the decision says why — 秒批 never refuses.

The check runs just after the submission commits (``transaction.on_commit``), in its own
transaction: the applicant's next page already shows the decision, and a failure leaves the case
submitted for a person.
"""

from __future__ import annotations

import logging
import time

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core import audit, calendar
from zhengwu.org import permissions
from zhengwu.org.models import Role

from .. import instant_rules, rules
from ..models import Case, InstantDecision, InstantRule
from ..rules import Actor, State
from .base import locked_case, record_event, transition

logger = logging.getLogger(__name__)


@transaction.atomic
def save_rule(user, item, *, text: str, basis: str, enabled: bool, expected_lock: int | None) -> InstantRule:
    """Create or change an item's 秒批规则 (事项管理员 of its department); a stale edit is refused."""
    if not permissions.has_role(user, Role.ITEM_ADMIN, department=item.department):
        raise PermissionDenied("仅该部门的事项管理员可以设置秒批规则")
    _conditions, errors = instant_rules.parse(text)
    if not (basis or "").strip():
        errors.append("依据：必填，写明秒批规则所依据的法律、政策条款")
    if errors:
        raise ValidationError({"rules_text": errors})
    rule = InstantRule.objects.select_for_update().filter(service_item=item).first()
    if rule is None:
        if expected_lock not in (None, 0):
            raise ValidationError("秒批规则已被他人删除，请刷新页面后重试")
        rule = InstantRule(service_item=item)
    elif expected_lock is not None and rule.lock_version != expected_lock:
        raise ValidationError("秒批规则已被他人修改，请刷新页面后重试", code="stale")
    before = {"enabled": rule.enabled, "rules": rule.rules_text, "basis": rule.basis} if rule.pk else None
    rule.rules_text, rule.basis, rule.enabled, rule.updated_by = text.strip(), basis.strip(), enabled, user
    rule.lock_version += 1
    rule.save()
    audit.record("case.instant_rule", actor=user, obj=rule, before=before,
                 after={"item": item.pk, "enabled": enabled, "rules": rule.rules_text, "basis": rule.basis})
    return rule


def after_submit(case_id: int) -> None:
    """Registered with ``on_commit`` by every submission: decide now if the item's rules say so."""
    if not InstantRule.objects.filter(service_item__cases__pk=case_id, enabled=True).exists():
        return
    try:
        decide(case_id)
    except Exception:  # the case stays submitted: a person handles it
        logger.exception("秒批 failed for case %s", case_id)


def _facts(case: Case) -> dict:
    """The verified facts of the applicant (one registry read, recorded as a 核验查询记录)."""
    from zhengwu.datashare import registry_reads
    from zhengwu.datashare.models import QueryCall
    from zhengwu.datashare.services.verify import record_internal

    started = time.perf_counter()
    applicant = case.applicant
    today = timezone.localdate()
    if applicant.kind == "legal":
        record = registry_reads.lookup_legal(applicant.uscc or "")
        registry, subject = "legal", applicant.uscc or ""
        facts = {"法人库有记录": record is not None}
        if record is not None:
            facts.update({"登记状态": record.status, "企业类型": record.kind, "登记区划": record.region_code,
                          "成立年限": instant_rules.age_on(record.established_on, today)})
    else:
        number = applicant.id_number.reveal_unaudited() if applicant.id_number else ""
        record = registry_reads.lookup_person(number) if number else None
        registry, subject = "person", applicant.id_number_index or ""
        facts = {"人口库有记录": record is not None}
        if record is not None:
            name = record.name.reveal_unaudited() if record.name else ""
            facts.update({"姓名一致": bool(name) and name == applicant.name, "年龄": instant_rules.age_on(record.birth_date, today),
                          "性别": record.gender, "户籍区划": record.region_code, "在世": bool(record.alive)})
    record_internal(kind=QueryCall.Kind.VERIFY, registry=registry, consumer=case.department,
                    consumer_name=case.department.name, purpose=f"秒批：{case.service_item.name}（{case.number}）",
                    subject_index=subject, fields=sorted(k for k in facts if not k.endswith("有记录")), started=started,
                    result=QueryCall.Result.FOUND if record is not None else QueryCall.Result.NOT_FOUND)
    return facts


@transaction.atomic
def decide(case_id: int) -> InstantDecision | None:
    """Check a submitted case against its item's enabled rules; accept and approve it when all hold."""
    case = locked_case(case_id, None, related=("service_item", "department__region", "applicant", "region",
                                               "item_version"))
    rule = InstantRule.objects.filter(service_item_id=case.service_item_id, enabled=True).first()
    if rule is None or case.state != State.SUBMITTED or InstantDecision.objects.filter(case=case).exists():
        return None
    conditions, errors = instant_rules.parse(rule.rules_text)
    if errors:  # a rule saved before a stricter parser: never decide on it
        passed, checks = False, []
    else:
        passed, checks = instant_rules.evaluate(conditions, _facts(case), case.form_data or {})
    decision = InstantDecision.objects.create(
        case=case, outcome=InstantDecision.Outcome.APPROVED if passed else InstantDecision.Outcome.MANUAL,
        rules_text=rule.rules_text, basis=rule.basis, checks=[c.__dict__ for c in checks],
        review=InstantDecision.Review.PENDING if passed else InstantDecision.Review.NONE)
    if not passed:
        failed = [c.condition for c in checks if not c.passed] or ["规则无法解析"]
        record_event(case, "instant_manual", "秒批未通过，转人工办理", None,
                     data={"failed": failed}, visible=False)
        return decision
    _approve(case, rule, checks)
    return decision


def _approve(case: Case, rule: InstantRule, checks) -> None:
    from .approval import conclude_now

    today = timezone.localdate()
    case.accepted_on = today
    case.due_date = rules.due_date(calendar.get_calendar(), today, case.promised_days)
    case = transition(case, "instant_accept", Actor.SYSTEM, None, opinion="符合秒批规则，自动受理",
                      data={"accepted_on": today.isoformat(), "due_date": case.due_date.isoformat()},
                      extra_fields=["accepted_on", "due_date"], notify=False)
    from zhengwu.org.regions import region_namer

    namer = region_namer()
    props = (case.item_version.form_schema or {}).get("properties") or {}
    titles = {k: p.get("title") for k, p in props.items() if isinstance(p, dict) and p.get("title")}
    reason = (f"秒批：经核验，符合{rule.basis}规定的全部条件（"
              + "；".join(instant_rules.reads(c.condition, namer, titles) for c in checks) + "），予以准予。")
    conclude_now(None, case, "approved", reason)


@transaction.atomic
def review(user, decision_id: int, *, confirmed: bool, note: str = "") -> InstantDecision:
    """复核 by the department's 审批人员 or 部门管理员: 无误, or 有异议 with the reason (recorded on the
    case's history for the department to act on)."""
    decision = InstantDecision.objects.select_for_update().select_related("case__department__region").filter(
        pk=decision_id).first()
    if decision is None:
        raise ValidationError("秒批判定不存在")
    case = decision.case
    if not permissions.has_role(user, Role.APPROVER, Role.DEPT_ADMIN, department=case.department):
        raise PermissionDenied("仅该部门的审批人员或部门管理员可以复核秒批")
    if decision.review != InstantDecision.Review.PENDING:
        if decision.review == (InstantDecision.Review.CONFIRMED if confirmed else InstantDecision.Review.OBJECTED):
            return decision  # the same review twice changes nothing
        raise ValidationError(f"该秒批已{decision.get_review_display()}，不能再次复核")
    note = (note or "").strip()[:500]
    if not confirmed and not note:
        raise ValidationError({"note": "复核有异议时须填写意见"})
    decision.review = InstantDecision.Review.CONFIRMED if confirmed else InstantDecision.Review.OBJECTED
    decision.reviewed_by, decision.reviewed_at, decision.review_note = user, timezone.now(), note
    decision.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
    record_event(case, "instant_review", "秒批复核：" + decision.get_review_display(), user, opinion=note,
                 visible=False)
    audit.record("case.instant_review", actor=user, obj=case,
                 after={"decision": decision.pk, "review": decision.review, "note": note})
    return decision


def pending_reviews(user, *, limit: int = 100):
    """秒批准予 decisions waiting for 复核 in the user's departments, oldest first."""
    from zhengwu.org.permissions import scope

    qs = scope(InstantDecision.objects.filter(review=InstantDecision.Review.PENDING), user,
               [Role.APPROVER, Role.DEPT_ADMIN], department_field="case__department")
    return qs.select_related("case__service_item", "case__applicant", "case__department").order_by("decided_at")[:limit]
