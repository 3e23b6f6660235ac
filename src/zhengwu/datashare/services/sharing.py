"""共享申请 → 共享授权: the ONE write path of share requests, grants and their API keys, and the
scoped reads of the workbench lists.

A consuming department's staff (部门管理员、审批人员) submit; the provider's 部门管理员 approves a
subset of the fields or refuses; 有条件共享 also needs the 数据管理员's countersignature. Approval
issues an :class:`~zhengwu.accounts.models.ApiKey` and a :class:`ShareGrant`. Nobody sees that
first key's clear text: the consumer collects the key once on the request page, which issues a
fresh key (the clear text is answered once, never stored) and retires the first.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.accounts import apikeys
from zhengwu.core import audit
from zhengwu.core.errors import NotFound
from zhengwu.core.transitions import Lifecycle, Stale
from zhengwu.org.models import Department, Role
from zhengwu.org.permissions import has_role, scope, staff_departments

from .. import sharing_rules as rules
from ..models import DataResource, NegativeEntry, ShareGrant, ShareRequest
from ..sharing_rules import Actor, State

CONSUMER_ROLES = (Role.DEPT_ADMIN, Role.APPROVER)
PROVIDER_ROLES = (Role.DEPT_ADMIN,)
BUREAU_ROLES = (Role.DATA_ADMIN,)


class StaleShareRequest(Stale):
    message = "该共享申请已被他人处理，请刷新页面后重试"


class ShareRequestNotFound(NotFound):
    message = "共享申请不存在或无权查看"


LIFECYCLE = Lifecycle(rules.MACHINE, ShareRequest, stale=StaleShareRequest, audit_prefix="datashare.share",
                      missing=ShareRequestNotFound)


def _invalid(exc: ValueError, field: str | None = None) -> ValidationError:
    return ValidationError({field: [str(exc)]} if field else str(exc))


def _nothing(before, target) -> None:  # the audit event is the request's history
    return None


# -- who may do what ------------------------------------------------------------------------------
def consumer_departments(user):
    """The departments the user may request data for (部门管理员、审批人员 of them)."""
    return staff_departments(user, CONSUMER_ROLES).order_by("name")


def is_consumer(user, req: ShareRequest) -> bool:
    return has_role(user, *CONSUMER_ROLES, department=req.consumer)


def is_provider(user, req: ShareRequest) -> bool:
    return has_role(user, *PROVIDER_ROLES, department=req.resource.provider)


def is_bureau(user, req: ShareRequest) -> bool:
    return has_role(user, *BUREAU_ROLES, department=req.resource.provider)


def actors_of(user, req: ShareRequest) -> set[Actor]:
    found = set()
    if is_consumer(user, req):
        found.add(Actor.CONSUMER)
    if is_provider(user, req):
        found.add(Actor.PROVIDER)
    if is_bureau(user, req):
        found.add(Actor.BUREAU)
    return found


def allowed_actions(user, req: ShareRequest) -> list[str]:
    actions: list[str] = []
    for who in sorted(actors_of(user, req)):
        actions += [a for a in rules.MACHINE.allowed_actions(req.state, who) if a not in actions]
    return actions


def _require(user, req: ShareRequest, action: str) -> Actor:
    """The role the user takes ``action`` in (the state is checked by the machine)."""
    who = actors_of(user, req)
    for actor in rules.MACHINE[action].actors:
        if actor in who:
            return actor
    raise PermissionDenied(rules.MACHINE.forbidden.format(action=rules.MACHINE.label(action))
                           + {"withdraw": "：仅申请部门的部门管理员或审批人员可以撤回",
                              "provider_approve": "：仅提供方部门管理员可以审核",
                              "provider_refuse": "：仅提供方部门管理员可以审核",
                              "countersign": "：仅数据管理员可以会签",
                              "countersign_refuse": "：仅数据管理员可以会签",
                              "revoke": "：仅提供方部门管理员或数据管理员可以撤销"}.get(action, ""))


def visible(user):
    """Requests the user may open: their departments' own, the ones they provide, the ones they
    countersign."""
    qs = ShareRequest.objects.select_related("consumer", "resource", "resource__provider")
    mine = scope(qs, user, CONSUMER_ROLES, department_field="consumer").values("pk")
    providing = scope(qs, user, PROVIDER_ROLES, department_field="resource__provider").values("pk")
    bureau = scope(qs, user, BUREAU_ROLES, department_field="resource__provider").values("pk")
    return qs.filter(Q(pk__in=mine) | Q(pk__in=providing) | Q(pk__in=bureau))


def get_visible(user, pk) -> ShareRequest:
    req = visible(user).filter(pk=pk).first()
    if req is None:
        raise ShareRequestNotFound()
    return req


# -- the lists ------------------------------------------------------------------------------------
def mine(user):
    return scope(ShareRequest.objects.select_related("consumer", "resource", "resource__provider"), user,
                 CONSUMER_ROLES, department_field="consumer").order_by("-created_at", "-pk")


def awaiting_provider(user):
    return scope(ShareRequest.objects.select_related("consumer", "resource", "resource__provider"), user,
                 PROVIDER_ROLES, department_field="resource__provider").filter(
        state=State.SUBMITTED).order_by("created_at", "pk")


def awaiting_countersign(user):
    return scope(ShareRequest.objects.select_related("consumer", "resource", "resource__provider"), user,
                 BUREAU_ROLES, department_field="resource__provider").filter(
        state=State.PROVIDER_APPROVED).order_by("provider_decided_at", "pk")


def provided_grants(user):
    """Approved requests of the resources the user provides or oversees (to revoke from)."""
    qs = ShareRequest.objects.select_related("consumer", "resource", "resource__provider").filter(
        state=State.APPROVED)
    providing = scope(qs, user, PROVIDER_ROLES, department_field="resource__provider").values("pk")
    bureau = scope(qs, user, BUREAU_ROLES, department_field="resource__provider").values("pk")
    return qs.filter(Q(pk__in=providing) | Q(pk__in=bureau)).order_by("-countersigned_at", "-pk")


def waiting_count(user, cap: int) -> int:
    """The workbench card: requests waiting for the user's decision (审核 or 会签), bounded."""
    return (awaiting_provider(user).values("pk")[:cap].count()
            + awaiting_countersign(user).values("pk")[:cap].count())


# -- what may be requested ------------------------------------------------------------------------
def requestable_resources():
    return (DataResource.objects.filter(status=DataResource.Status.PUBLISHED)
            .select_related("provider").order_by("provider__name", "name"))


def field_types(resource: DataResource) -> dict[str, str]:
    """key → effective 共享类型, in the resource's order."""
    return {f.key: rules.field_share_type(f.share_type, resource.share_type)
            for f in resource.fields.order_by("seq", "pk")}


def refusal_of(resource: DataResource) -> str:
    """Why ``resource`` cannot be requested ("" when it can), with the legal reason of 不予共享."""
    if resource.status != DataResource.Status.PUBLISHED:
        return f"资源“{resource.name}”未发布（当前：{resource.get_status_display()}），不能申请共享"
    if resource.share_type == rules.NONE:
        bases = [resource.no_share_basis] if resource.no_share_basis else []
        bases += [e.legal_basis for e in NegativeEntry.objects.filter(resource=resource).order_by("pk")
                  if e.legal_basis not in bases]
        basis = "；".join(b for b in bases if b) or "提供方未注明依据"
        return f"资源“{resource.name}”为不予共享资源，依据：{basis}"
    return ""


# -- submit and withdraw --------------------------------------------------------------------------
def submit(user, *, consumer: Department, resource: DataResource, fields: list[str], purpose: str,
           legal_basis: str, items=(), period_start: dt.date | None, period_end: dt.date | None,
           daily_quota: int | None) -> ShareRequest:
    """A new 共享申请 (待提供方审核). One open request per department and resource: a second
    submission (double click, two tabs) is refused with the first one's number."""
    if not has_role(user, *CONSUMER_ROLES, department=consumer):
        raise PermissionDenied(f"无权以“{consumer.name}”的名义申请：仅该部门的部门管理员或审批人员可以申请")
    errors: dict[str, list[str]] = {}
    purpose, legal_basis = (purpose or "").strip(), (legal_basis or "").strip()
    if not purpose:
        errors["purpose"] = ["用途：必填"]
    elif len(purpose) > 300:
        errors["purpose"] = ["用途：不能超过300个字"]
    if not legal_basis:
        errors["legal_basis"] = ["依据：必填（法律法规或文件依据）"]
    elif len(legal_basis) > 300:
        errors["legal_basis"] = ["依据：不能超过300个字"]
    try:
        rules.check_period(period_start, period_end, timezone.localdate())
    except ValueError as exc:
        errors["period"] = [str(exc)]
    try:
        daily_quota = rules.check_quota(daily_quota)
    except ValueError as exc:
        errors["daily_quota"] = [str(exc)]
    items = list(items)
    with transaction.atomic():
        # The resource row serialises submissions for it: two at once cannot both pass the
        # "no open request" check.
        resource = DataResource.objects.select_for_update().select_related("provider").get(pk=resource.pk)
        refusal = refusal_of(resource)
        if refusal:
            raise ValidationError({"resource": [refusal]})
        if resource.provider_id == consumer.pk:
            raise ValidationError({"resource": ["本部门提供的资源无需申请共享"]})
        try:
            chosen = rules.check_fields(fields, field_types(resource))
        except ValueError as exc:
            errors["fields"] = [str(exc)]
        if errors:
            raise ValidationError(errors)
        open_one = ShareRequest.objects.filter(consumer=consumer, resource=resource,
                                               state__in=list(rules.OPEN_STATES)).first()
        if open_one is not None:
            raise ValidationError({"resource": [f"本部门已有该资源的在办申请（编号 {open_one.number}），请勿重复提交"]})
        req = ShareRequest.objects.create(
            number=f"tmp-{uuid.uuid4().hex[:24]}", consumer=consumer, resource=resource, fields_requested=chosen,
            purpose=purpose, legal_basis=legal_basis, period_start=period_start, period_end=period_end,
            daily_quota=daily_quota, requested_by=user)
        req.number = rules.request_number(timezone.localdate(), req.pk)
        req.save(update_fields=["number"])
        if items:
            req.items.set(items)
        audit.record("datashare.share.submit", actor=user, obj=req,
                     after={"number": req.number, "consumer": consumer.pk, "resource": resource.pk,
                            "fields": chosen, "period": [str(period_start), str(period_end)],
                            "daily_quota": daily_quota})
    return req


def withdraw(user, pk, expected: int | None) -> ShareRequest:
    with transaction.atomic():
        req = LIFECYCLE.lock(pk, expected, ShareRequest.objects.select_related("consumer", "resource__provider"))
        actor = _require(user, req, "withdraw")
        LIFECYCLE.move(req, "withdraw", actor, user, history=_nothing, audit_after={"number": req.number})
    return req


# -- the provider's and the bureau's decisions ----------------------------------------------------
def provider_approve(user, pk, expected: int | None, fields: list[str]) -> ShareRequest:
    """提供方同意 (a subset of the requested fields): 有条件共享 goes on to 会签, otherwise approved
    and the grant issued."""
    with transaction.atomic():
        req = LIFECYCLE.lock(pk, expected, ShareRequest.objects.select_related("consumer", "resource__provider"))
        actor = _require(user, req, "provider_approve")
        LIFECYCLE.check(req, "provider_approve", actor)
        try:
            approved = rules.check_subset(fields, req.fields_requested)
            types = field_types(req.resource)
            rules.check_fields(approved, types, label="批准信息项")  # a field closed since the request
        except ValueError as exc:
            raise _invalid(exc, "fields") from None
        countersign = rules.needs_countersign(req.resource.share_type, (types[k] for k in approved))
        target = State.PROVIDER_APPROVED if countersign else State.APPROVED
        req.fields_approved = approved
        req.provider_decided_by, req.provider_decided_at = user, timezone.now()
        LIFECYCLE.move(req, "provider_approve", actor, user, target=target,
                       fields=["fields_approved", "provider_decided_by", "provider_decided_at"],
                       history=_nothing, then=lambda before, target: _grant_if_approved(req, target, user),
                       audit_after={"number": req.number, "fields": approved})
    return req


def provider_refuse(user, pk, expected: int | None, reason: str) -> ShareRequest:
    return _refuse(user, pk, expected, reason, "provider_refuse")


def countersign(user, pk, expected: int | None) -> ShareRequest:
    with transaction.atomic():
        req = LIFECYCLE.lock(pk, expected, ShareRequest.objects.select_related("consumer", "resource__provider"))
        actor = _require(user, req, "countersign")
        req.countersigned_by, req.countersigned_at = user, timezone.now()
        LIFECYCLE.move(req, "countersign", actor, user, fields=["countersigned_by", "countersigned_at"],
                       history=_nothing, then=lambda before, target: _grant_if_approved(req, target, user),
                       audit_after={"number": req.number})
    return req


def countersign_refuse(user, pk, expected: int | None, reason: str) -> ShareRequest:
    return _refuse(user, pk, expected, reason, "countersign_refuse")


def _refuse(user, pk, expected, reason: str, action: str) -> ShareRequest:
    with transaction.atomic():
        req = LIFECYCLE.lock(pk, expected, ShareRequest.objects.select_related("consumer", "resource__provider"))
        actor = _require(user, req, action)
        LIFECYCLE.check(req, action, actor)
        try:
            req.reason = rules.check_reason(reason, "拒绝理由")
        except ValueError as exc:
            raise _invalid(exc, "reason") from None
        extra = ["reason"]
        now = timezone.now()
        if action == "provider_refuse":
            req.provider_decided_by, req.provider_decided_at = user, now
            extra += ["provider_decided_by", "provider_decided_at"]
        else:
            req.countersigned_by, req.countersigned_at = user, now
            extra += ["countersigned_by", "countersigned_at"]
        LIFECYCLE.move(req, action, actor, user, fields=extra, history=_nothing,
                       audit_after={"number": req.number, "reason": req.reason})
    return req


def expires_at(period_end: dt.date) -> dt.datetime:
    """The end of the period's last day, local time."""
    return timezone.make_aware(dt.datetime.combine(period_end, dt.time(23, 59, 59)))


def _issue_key(req: ShareRequest, user) -> apikeys.Issued:
    return apikeys.issue(f"共享 {req.number} {req.resource.name}"[:100], rules.scopes_for(req.resource.registry),
                         actor=user, department=req.consumer, expires_at=expires_at(req.period_end),
                         note=f"共享申请 {req.number}")


def _grant_if_approved(req: ShareRequest, target, user) -> None:
    if target != State.APPROVED:
        return
    # The clear text of this first key is dropped here: the approver never sees it; the consumer
    # collects a fresh one (collect_key).
    issued = _issue_key(req, user)
    grant = ShareGrant.objects.create(request=req, api_key=issued.key, consumer=req.consumer, resource=req.resource,
                                      fields=list(req.fields_approved), daily_quota=req.daily_quota,
                                      expires_at=issued.key.expires_at)
    audit.record("datashare.grant.create", actor=user, obj=grant,
                 after={"request": req.number, "api_key": issued.key.prefix, "fields": grant.fields,
                        "expires_at": grant.expires_at.isoformat()})


# -- the key, once --------------------------------------------------------------------------------
def collect_key(user, pk) -> tuple[ShareGrant, str]:
    """The consumer collects the grant's key: a fresh key is issued, its clear text returned (to be
    shown once, never stored) and the approval-time key retired. A second call is refused."""
    with transaction.atomic():
        req = ShareRequest.objects.select_for_update().select_related("consumer", "resource").filter(pk=pk).first()
        if req is None or not is_consumer(user, req):
            raise ShareRequestNotFound() if req is None else PermissionDenied(
                "仅申请部门的部门管理员或审批人员可以领取密钥")
        grant = ShareGrant.objects.select_for_update().select_related("api_key").filter(request=req).first()
        if req.state != State.APPROVED or grant is None or grant.revoked_at is not None:
            raise ValidationError(f"共享申请当前为“{rules.STATE_LABELS.get(req.state, req.state)}”，没有可领取的密钥")
        if grant.key_shown_at is not None:
            raise ValidationError(f"密钥已于{timezone.localtime(grant.key_shown_at):%Y-%m-%d %H:%M}领取，不再显示；"
                                  "如已遗失，请联系提供方撤销授权后重新申请")
        old = grant.api_key
        issued = _issue_key(req, user)
        grant.api_key, grant.key_shown_at = issued.key, timezone.now()
        grant.save(update_fields=["api_key", "key_shown_at"])
        if not ShareGrant.objects.filter(api_key=old, revoked_at__isnull=True).exists():
            apikeys.revoke(old, actor=user)
        audit.record("datashare.grant.key_shown", actor=user, obj=grant,
                     after={"request": req.number, "api_key": issued.key.prefix})
    return grant, issued.secret


# -- revocation -----------------------------------------------------------------------------------
def revoke(user, pk, expected: int | None, reason: str) -> ShareRequest:
    """撤销授权, effective at once: the grant ends and its key stops working (unless the key
    serves another live grant)."""
    with transaction.atomic():
        req = LIFECYCLE.lock(pk, expected, ShareRequest.objects.select_related("consumer", "resource__provider"))
        actor = _require(user, req, "revoke")
        LIFECYCLE.check(req, "revoke", actor)
        try:
            req.reason = rules.check_reason(reason, "撤销理由")
        except ValueError as exc:
            raise _invalid(exc, "reason") from None

        def end_grant(before, target):
            grant = ShareGrant.objects.select_for_update().select_related("api_key").filter(request=req).first()
            if grant is None:
                return
            grant.revoked_at = timezone.now()
            grant.save(update_fields=["revoked_at"])
            others = ShareGrant.objects.filter(api_key=grant.api_key, revoked_at__isnull=True).exclude(pk=grant.pk)
            if grant.api_key.active and not others.exists():
                apikeys.revoke(grant.api_key, actor=user)
            audit.record("datashare.grant.revoke", actor=user, obj=grant,
                         after={"request": req.number, "reason": req.reason})

        LIFECYCLE.move(req, "revoke", actor, user, fields=["reason"], history=_nothing, then=end_grant,
                       audit_after={"number": req.number, "reason": req.reason})
    return req
