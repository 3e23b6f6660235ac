"""Write path of 统一身份认证: sign in with a verified identity, link, unlink.

A person is matched by the verified identifier — 身份证号 (blind index on Applicant) or 统一社会信用代码
— and never merged silently: a subject linked to someone else, an account already linked to another
subject of the same issuer, or a name that differs from the account's is refused with a Chinese
message and audited. Staff are matched only by an existing link or by the configured username claim
and are never created here.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.pii import blind_index, mask

from .backends import login_username
from .models import Applicant, User
from .models_identity import ExternalIdentity
from .oidc_rules import Claims, IdentityRefused, Provider, same_name

CONFLICT_OTHER_USER = "该统一身份认证账号已绑定本平台的其他账户，未作任何更改。如有疑问请联系客服"
CONFLICT_OTHER_SUB = ("您的身份证号（或统一社会信用代码）在本平台的账户已绑定该认证平台的另一个账号，"
                      "未作任何更改。请用原账号登录，或先在“账户与安全”中解除绑定")
CONFLICT_NAME = "统一身份认证中的姓名/名称与本平台账户登记的不一致，未作任何更改。请到窗口核实身份信息"
CONFLICT_IDENTIFIER = "统一身份认证中的证件号码与本平台账户登记的不一致，未作任何更改"


def current_level(user) -> str:
    """实名等级 from the latest login through a provider ("" when none)."""
    if not getattr(user, "pk", None):
        return ""
    row = (ExternalIdentity.objects.filter(user=user, last_login_at__isnull=False)
           .order_by("-last_login_at").values_list("real_name_level", flat=True).first())
    return row or ""


def data_source_label(applicant) -> str:
    """Where an applicant's 姓名/证件号码 on a form came from (shown next to prefilled fields):
    来自实名认证信息 only when a 统一身份认证 provider verified them (a linked identity)."""
    linked = ExternalIdentity.objects.filter(user_id=applicant.user_id).exists() if applicant is not None else False
    return "来自实名认证信息" if linked else "来自注册信息"


def _refuse(provider: Provider, reason: str, message: str, *, actor=None, ip: str | None = None):
    """Audit a refusal (no personal data: the provider, the reason code) in its own transaction."""
    with transaction.atomic():
        audit.record("accounts.identity_refused", actor=actor, object_type="accounts.externalidentity",
                     after={"provider": provider.name, "reason": reason}, ip=ip)
    raise IdentityRefused(message, reason)


def _applicant_for(claims: Claims) -> Applicant | None:
    if claims.kind == "legal":
        return Applicant.objects.select_related("user").filter(kind=Applicant.Kind.LEGAL, uscc=claims.uscc).first()
    return (Applicant.objects.select_related("user")
            .filter(kind=Applicant.Kind.PERSON, id_number_index=blind_index("id_number", claims.id_number)).first())


def _matches_applicant(applicant: Applicant, claims: Claims) -> bool:
    if claims.kind == "legal":
        return applicant.kind == Applicant.Kind.LEGAL and applicant.uscc == claims.uscc
    return (applicant.kind == Applicant.Kind.PERSON
            and applicant.id_number_index == blind_index("id_number", claims.id_number))


def _touch(identity: ExternalIdentity, claims: Claims) -> None:
    identity.real_name_level = claims.level
    identity.last_login_at = timezone.now()
    identity.save(update_fields=["real_name_level", "last_login_at"])


def _create_applicant(claims: Claims) -> User:
    identifier = claims.uscc if claims.kind == "legal" else claims.id_number
    user = User(username=login_username(identifier), kind=User.Kind.LEGAL if claims.kind == "legal" else User.Kind.PERSON,
                display_name=claims.name, phone=claims.phone)
    user.set_unusable_password()  # logs in through the provider; a password can be set at a window
    user.save()
    if claims.kind == "legal":
        applicant = Applicant.objects.create(
            user=user, kind=Applicant.Kind.LEGAL, name=claims.name, uscc=claims.uscc,
            legal_rep_name=claims.legal_rep_name, legal_rep_id_number=claims.legal_rep_id_number, phone=claims.phone)
        audit.record("accounts.register_legal", actor=user, obj=applicant,
                     after={"name": claims.name, "uscc": claims.uscc, "via": "oidc"})
    else:
        applicant = Applicant.objects.create(user=user, kind=Applicant.Kind.PERSON, name=claims.name,
                                             id_number=claims.id_number, phone=claims.phone)
        audit.record("accounts.register_person", actor=user, obj=applicant,
                     after={"name": mask("name", claims.name), "id_number": str(applicant.id_number), "via": "oidc"})
    return user


def _link(user: User, provider: Provider, issuer: str, claims: Claims, *, via: str, actor=None,
          ip: str | None = None) -> ExternalIdentity:
    identity = ExternalIdentity.objects.create(
        provider=provider.name, issuer=issuer, subject=claims.sub, user=user, real_name_level=claims.level)
    audit.record("accounts.identity_link", actor=actor or user, obj=identity, ip=ip,
                 after={"provider": provider.name, "user": user.pk, "level": claims.level, "via": via})
    return identity


def sign_in(provider: Provider, issuer: str, claims: Claims, *, ip: str | None = None) -> User:
    """The user a verified identity logs in as: linked, matched (and linked) or, for a citizen
    provider, created. Raises :class:`IdentityRefused` (audited) — nothing is changed then."""
    try:
        with transaction.atomic():
            identity = (ExternalIdentity.objects.select_for_update().select_related("user")
                        .filter(issuer=issuer, subject=claims.sub).first())
            if provider.role == "staff":
                user = _staff_user(provider, issuer, claims, identity, ip)
            else:
                user = _citizen_user(provider, issuer, claims, identity, ip)
            if not user.is_active:
                raise IdentityRefused("该账号已停用，请联系系统管理员", "inactive")
            identity = ExternalIdentity.objects.get(issuer=issuer, subject=claims.sub)
            _touch(identity, claims)
            audit.record("accounts.login", actor=user, obj=user, ip=ip,
                         after={"via": "oidc", "provider": provider.name, "level": claims.level})
            return user
    except IdentityRefused as exc:
        _refuse(provider, exc.reason, exc.message, ip=ip)
    except IntegrityError:  # the same identity raced us (double click on the provider's button)
        _refuse(provider, "race", "登录请求重复提交，请重新登录", ip=ip)
    raise AssertionError("unreachable")


def _staff_user(provider, issuer, claims, identity, ip) -> User:
    if identity is not None:
        if identity.user.kind != User.Kind.STAFF:
            raise IdentityRefused("该账号不是工作人员账号，不能通过工作人员统一认证登录", "not_staff")
        return identity.user
    username = claims.staff_username
    user = User.objects.filter(username=username, kind=User.Kind.STAFF).first() if username else None
    if user is None:
        raise IdentityRefused("未找到与该统一认证账号对应的工作人员账号：工作人员账号由系统管理员开设，请联系系统管理员", "unknown_staff")
    if ExternalIdentity.objects.filter(user=user, issuer=issuer).exists():
        raise IdentityRefused(CONFLICT_OTHER_SUB, "other_sub")
    _link(user, provider, issuer, claims, via="staff_username", ip=ip)
    return user


def _citizen_user(provider, issuer, claims, identity, ip) -> User:
    if identity is not None:
        applicant = getattr(identity.user, "applicant", None)
        if applicant is None or not _matches_applicant(applicant, claims):
            raise IdentityRefused(CONFLICT_IDENTIFIER, "identifier_changed")
        if not same_name(applicant.name, claims.name):
            raise IdentityRefused(CONFLICT_NAME, "name_mismatch")
        return identity.user
    applicant = _applicant_for(claims)
    if applicant is None:
        user = _create_applicant(claims)
        _link(user, provider, issuer, claims, via="first_login", ip=ip)
        return user
    if ExternalIdentity.objects.filter(user=applicant.user, issuer=issuer).exists():
        raise IdentityRefused(CONFLICT_OTHER_SUB, "other_sub")
    if not same_name(applicant.name, claims.name):
        raise IdentityRefused(CONFLICT_NAME, "name_mismatch")
    _link(applicant.user, provider, issuer, claims, via="identifier", ip=ip)
    return applicant.user


def link(user: User, provider: Provider, issuer: str, claims: Claims, *, ip: str | None = None) -> ExternalIdentity:
    """A logged-in user binds their account to a provider identity (账户与安全 → 绑定统一身份认证).
    The identity must be the same person (证件号码 and 姓名) — or, for the staff provider, the
    user must be staff. Raises :class:`IdentityRefused` (audited)."""
    try:
        with transaction.atomic():
            existing = ExternalIdentity.objects.select_for_update().filter(issuer=issuer, subject=claims.sub).first()
            if existing is not None and existing.user_id != user.pk:
                raise IdentityRefused(CONFLICT_OTHER_USER, "other_user")
            if existing is not None:
                _touch(existing, claims)
                return existing
            if ExternalIdentity.objects.filter(user=user, issuer=issuer).exists():
                raise IdentityRefused(CONFLICT_OTHER_SUB, "other_sub")
            if provider.role == "staff":
                if user.kind != User.Kind.STAFF:
                    raise IdentityRefused("只有工作人员账号可以绑定工作人员统一认证", "not_staff")
            else:
                applicant = getattr(user, "applicant", None)
                if applicant is None:
                    raise IdentityRefused("工作人员账号不能绑定群众/企业统一身份认证", "not_applicant")
                if not _matches_applicant(applicant, claims):
                    raise IdentityRefused(CONFLICT_IDENTIFIER, "identifier_mismatch")
                if not same_name(applicant.name, claims.name):
                    raise IdentityRefused(CONFLICT_NAME, "name_mismatch")
            identity = _link(user, provider, issuer, claims, via="explicit", actor=user, ip=ip)
            _touch(identity, claims)
            return identity
    except IdentityRefused as exc:
        _refuse(provider, exc.reason, exc.message, actor=user, ip=ip)
    except IntegrityError:
        _refuse(provider, "race", "绑定请求重复提交，请刷新页面查看绑定结果", actor=user, ip=ip)
    raise AssertionError("unreachable")


def unlink(user: User, identity_id: int, *, ip: str | None = None) -> None:
    """Remove one of the user's links. The last link of an account without a password is kept:
    the account could no longer be logged into."""
    with transaction.atomic():
        identity = ExternalIdentity.objects.select_for_update().filter(pk=identity_id, user=user).first()
        if identity is None:
            raise IdentityRefused("未找到该绑定记录，可能已解除", "unknown_link")
        if not user.has_usable_password() and not ExternalIdentity.objects.filter(user=user).exclude(pk=identity.pk).exists():
            raise IdentityRefused("解除后您将无法登录：您的账户没有设置密码，请先到窗口设置密码后再解除绑定", "last_login_method")
        audit.record("accounts.identity_unlink", actor=user, obj=identity, ip=ip,
                     before={"provider": identity.provider, "level": identity.real_name_level})
        identity.delete()
