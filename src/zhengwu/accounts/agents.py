"""企业经办人: an enterprise (its 法定代表人's legal-person login) lets registered persons act for it
within a scope; a person switches to 以企业身份办事 and back. Write path of
:class:`~zhengwu.accounts.models.EnterpriseAgent` and the one place that answers "which applicant
does this request act for" (:func:`acting_applicant`).

A grant is checked again on every request that acts for the enterprise: a revocation takes effect
at the agent's next click.
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.core import audit, identifiers
from zhengwu.core.pii import blind_index

from .models import Applicant, EnterpriseAgent

SESSION_KEY = "_zw_acting_for"
NAME_KEY = "zw_acting_name"
SCOPES = dict(EnterpriseAgent.Scope.choices)
REVOKED_MESSAGE = "您对该企业的经办授权已撤销或不存在，已切换回个人身份"


def enterprise_of(user) -> Applicant:
    applicant = getattr(user, "applicant", None) if user is not None and user.is_authenticated else None
    if applicant is None or applicant.kind != Applicant.Kind.LEGAL:
        raise PermissionDenied("仅企业（法人）账号可以管理经办人")
    return applicant


def _clean_scope(scope) -> list[str]:
    scope = [s for s in dict.fromkeys(scope or []) if s]
    unknown = [s for s in scope if s not in SCOPES]
    if unknown or not scope:
        raise ValidationError({"scope": f"授权范围不正确：请至少选择一项（{'、'.join(SCOPES.values())}）"})
    return scope


def grant(enterprise_user, *, id_number: str, name: str, scope, note: str = "") -> EnterpriseAgent:
    """Add an agent: an existing registered person account, found by 身份证号 and checked by name."""
    enterprise = enterprise_of(enterprise_user)
    errors = {}
    try:
        id_number = identifiers.validate_id_number(id_number, "经办人身份证号")
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    name = (name or "").strip()
    if not (2 <= len(name) <= 50):
        errors["name"] = ["经办人姓名不正确：应为2至50个字"]
    try:
        scope = _clean_scope(scope)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    person = (Applicant.objects.select_related("user")
              .filter(kind=Applicant.Kind.PERSON, id_number_index=blind_index("id_number", id_number)).first())
    if person is None or person.name != name:
        raise ValidationError({"id_number": "未找到该经办人的个人账号：经办人须先以本人身份证号注册个人账号，且姓名与身份证号一致"})
    if person.user_id == enterprise.user_id:
        raise ValidationError({"id_number": "不能把企业账号本身添加为经办人"})
    try:
        with transaction.atomic():
            agent = EnterpriseAgent.objects.create(enterprise=enterprise, agent=person.user, scope=scope,
                                                   granted_by=enterprise_user, note=(note or "").strip()[:200])
            audit.record("accounts.agent_grant", actor=enterprise_user, obj=agent,
                         after={"enterprise": enterprise.uscc, "agent_user": person.user_id, "scope": scope})
    except IntegrityError:
        raise ValidationError({"id_number": "该人员已是本企业经办人：如需调整授权范围，请先撤销再重新添加"}) from None
    return agent


def revoke(enterprise_user, agent_id: int) -> EnterpriseAgent:
    enterprise = enterprise_of(enterprise_user)
    with transaction.atomic():
        agent = EnterpriseAgent.objects.select_for_update().filter(pk=agent_id, enterprise=enterprise).first()
        if agent is None:
            raise ValidationError("经办人不存在")
        if agent.revoked_at is None:
            agent.revoked_at = timezone.now()
            agent.save(update_fields=["revoked_at"])
            audit.record("accounts.agent_revoke", actor=enterprise_user, obj=agent,
                         after={"enterprise": enterprise.uscc, "agent_user": agent.agent_id})
    return agent


def agents_of(enterprise: Applicant):
    return EnterpriseAgent.objects.filter(enterprise=enterprise).select_related("agent")


def agencies_of(user):
    """The enterprises this person may act for (active grants)."""
    if not user.is_authenticated:
        return EnterpriseAgent.objects.none()
    return EnterpriseAgent.objects.filter(agent=user, revoked_at__isnull=True).select_related("enterprise")


def start_acting(request, enterprise_id: int) -> EnterpriseAgent:
    grant_ = agencies_of(request.user).filter(enterprise_id=enterprise_id).first()
    if grant_ is None:
        raise PermissionDenied("您不是该企业的经办人，或授权已撤销")
    request.session[SESSION_KEY] = grant_.enterprise_id
    request.session[NAME_KEY] = grant_.enterprise.name  # shown in the navbar while acting
    audit.record("accounts.agent_act", actor=request.user, obj=grant_,
                 after={"enterprise": grant_.enterprise.uscc, "scope": grant_.scope})
    return grant_


def stop_acting(request) -> None:
    request.session.pop(NAME_KEY, None)
    if request.session.pop(SESSION_KEY, None) is not None:
        audit.record("accounts.agent_stop", actor=request.user, obj=request.user)


def acting_grant(request) -> EnterpriseAgent | None:
    """The active grant the session acts under, or None (the person acts for themselves). A
    revoked grant ends acting-for here (and the caller is told)."""
    enterprise_id = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if not enterprise_id or not request.user.is_authenticated:
        return None
    grant_ = agencies_of(request.user).filter(enterprise_id=enterprise_id).first()
    if grant_ is None:
        request.session.pop(SESSION_KEY, None)
        request.session.pop(NAME_KEY, None)
        raise PermissionDenied(REVOKED_MESSAGE)
    return grant_


def acting_applicant(request, scope: str = EnterpriseAgent.Scope.VIEW) -> Applicant | None:
    """THE applicant this request acts for: the enterprise when the person acts for one (its grant
    must include ``scope``), else the user's own applicant (None for staff). The user object
    carries it as ``acting_applicant`` for the services called with ``request.user``."""
    grant_ = acting_grant(request)
    if grant_ is None:
        return getattr(request.user, "applicant", None) if request.user.is_authenticated else None
    if scope not in grant_.scope:
        raise PermissionDenied(f"您作为该企业经办人未获得“{SCOPES.get(scope, scope)}”授权，请联系企业调整授权范围")
    request.user.acting_applicant = grant_.enterprise
    return grant_.enterprise


def applicant_of_user(user) -> Applicant | None:
    """For services called with a user: the enterprise set by :func:`acting_applicant` for this
    request, else the user's own applicant."""
    acting = getattr(user, "acting_applicant", None)
    return acting if acting is not None else getattr(user, "applicant", None)




def idempotency_namespace(user, key: str) -> str:
    """How a client's Idempotency-Key is stored: one person's key never finds another's case, nor,
    while the person acts for an enterprise, their own case (and the other way round). Keys used
    while acting are hashed so that the stored key fits its 64 characters."""
    acting = getattr(user, "acting_applicant", None)
    if acting is None:
        return f"{user.pk}:{key}"
    return f"{user.pk}:e{acting.pk}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"
