"""办件 exchange with a department's own system (部门业务系统对接): what such a system does with its
应用密钥 (scopes ``cases:write`` / ``cases:read``, bound to its department), on top of the one
write path — :mod:`.applying` files, saves, uploads and submits exactly as for a window clerk.

Here only what a machine adds:

- the applicant comes in the body (自然人: 姓名 + 身份证号 (+ 手机); 法人: 单位名称 + 统一社会信用代码
  (+ 法定代表人, 手机)): found by the ID number's blind index or the 统一社会信用代码, or, the first
  time, registered through :mod:`zhengwu.accounts.services` (personal data encrypted there) with a
  temporary password nobody is shown — the person sets their own through 忘记密码/窗口 if they
  ever log in;
- the client's own 外部办件编号 (``external_ref``): unique per key, so a retried create answers
  the same case (``Case.idempotency_key`` ``x:<key id>:<ref>`` catches a race);
- every write is audited with the key as the actor (``apikey:<prefix>``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from zhengwu.accounts.apikeys import KeyPrincipal
from zhengwu.accounts.models import Applicant
from zhengwu.catalog.models import ServiceItem
from zhengwu.core import audit, identifiers
from zhengwu.core.errors import Conflict
from zhengwu.core.pii import blind_index

from ..models import Case, Channel
from . import applying, delivery

REF_MAX = 50
CHANNELS = (Channel.ONLINE, Channel.WINDOW, Channel.SELF_SERVICE)  # 帮代办 needs a registered agent: not here


@dataclass
class ApplicantData:
    kind: str  # person / legal
    name: str
    id_number: str = ""  # 自然人
    uscc: str = ""  # 法人
    phone: str = ""
    legal_rep_name: str = ""
    legal_rep_id_number: str = ""


def idempotency_key(principal: KeyPrincipal, external_ref: str) -> str:
    return f"x:{principal.api_key.pk}:{external_ref}"


def existing(principal: KeyPrincipal, external_ref: str) -> Case | None:
    return Case.objects.filter(idempotency_key=idempotency_key(principal, external_ref)).first()


def _temporary_password() -> str:
    return f"Zw@{secrets.token_urlsafe(12)}9a"  # never shown nor stored in clear


def _check_name(applicant: Applicant, name: str) -> None:
    if applicant.name != name:
        raise ValidationError({"applicant.name": "申请人名称与平台登记的不一致：请核对姓名或单位名称"})


def find_or_register(principal: KeyPrincipal, data: ApplicantData) -> Applicant:
    """The applicant named in the body; registered (audited, key as actor) the first time."""
    from zhengwu.accounts import services as accounts

    name = (data.name or "").strip()
    if data.kind == Applicant.Kind.LEGAL:
        try:
            uscc = identifiers.validate_uscc(data.uscc)
        except ValidationError as exc:
            raise ValidationError({"applicant.uscc": exc.messages}) from None
        found = Applicant.objects.filter(uscc=uscc).first()
        if found is not None:
            _check_name(found, name)
            return found
        if not (data.legal_rep_name and data.legal_rep_id_number and data.phone):
            raise ValidationError({"applicant": "该法人尚未在平台登记：首次办件须同时提供法定代表人姓名、"
                                                "法定代表人身份证号和联系电话"})
        password = _temporary_password()
        user = _prefixed(lambda: accounts.register_legal(
            name=name, uscc=uscc, legal_rep_name=data.legal_rep_name, legal_rep_id_number=data.legal_rep_id_number,
            phone=data.phone, password=password, password2=password, temporary=True))
        audit.record("cases.exchange_register", actor=principal, obj=user.applicant,
                     after={"name": name, "uscc": uscc, "api_key": str(principal.api_key)})
        return user.applicant
    if data.kind != Applicant.Kind.PERSON:
        raise ValidationError({"applicant.kind": "申请人类型不正确：应为 person（自然人）或 legal（法人）"})
    try:
        number = identifiers.validate_id_number(data.id_number)
    except ValidationError as exc:
        raise ValidationError({"applicant.id_number": exc.messages}) from None
    found = Applicant.objects.filter(kind=Applicant.Kind.PERSON,
                                     id_number_index=blind_index("id_number", number)).first()
    if found is not None:
        _check_name(found, name)
        return found
    if not data.phone:
        raise ValidationError({"applicant.phone": "该申请人尚未在平台登记：首次办件须提供联系电话"})
    password = _temporary_password()
    user = _prefixed(lambda: accounts.register_person(name=name, id_number=number, phone=data.phone,
                                                      password=password, password2=password, temporary=True))
    audit.record("cases.exchange_register", actor=principal, obj=user.applicant,
                 after={"name": user.applicant.name, "id_number": str(user.applicant.id_number),
                        "api_key": str(principal.api_key)})
    return user.applicant


def _prefixed(register):
    """Registration errors named as fields of ``applicant`` in the body."""
    try:
        return register()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise ValidationError({f"applicant.{k}": v for k, v in exc.message_dict.items()}) from None
        raise


@transaction.atomic
def create(principal: KeyPrincipal, item: ServiceItem, applicant: ApplicantData, *, external_ref: str,
           form_data: dict | None = None, channel: str = Channel.ONLINE,
           delivery_choice: tuple[str, str] | None = None) -> tuple[Case, bool]:
    """A draft for ``item`` filed by a department's system; (case, created). The same
    ``external_ref`` again answers the case it created (a different item: 409)."""
    external_ref = (external_ref or "").strip()
    if not external_ref:
        raise ValidationError({"external_ref": "外部办件编号：必填（本系统的办件编号，同一密钥下唯一，用于重试不重复建件）"})
    if len(external_ref) > REF_MAX:
        raise ValidationError({"external_ref": f"外部办件编号：不能超过{REF_MAX}个字符"})
    if channel not in CHANNELS:
        raise ValidationError({"channel": "申报渠道不正确：应为 online（网上申报）、window（窗口受理）或 "
                                          "self_service（自助终端）"})
    found = existing(principal, external_ref)
    if found is None:
        # Before anything is written: an item of another department is refused here.
        applying.require_key_department(principal, item.department_id, "事项")
        try:
            person = find_or_register(principal, applicant)
        except ValidationError:
            # The same create racing us registered the person first: its case answers, if any.
            if (found := existing(principal, external_ref)) is None:
                raise
    if found is None:
        case = applying.create_draft(principal, item, applicant=person, channel=channel, form_data=form_data,
                                     idempotency_key=idempotency_key(principal, external_ref), key_checked=True,
                                     external_ref=external_ref)
        created = getattr(case, "known_events", None) is not None  # else the racing request's case
    else:
        case, created = found, False
    if case.service_item_id != item.pk:
        raise Conflict(f"外部办件编号 {external_ref} 已用于另一事项的办件（{case.number or case.pk}）", code="external_ref")
    if not created:
        return case, False
    if delivery_choice is not None:
        case = delivery.choose(principal, case, *delivery_choice, case.lock_version)
    audit.record("cases.exchange_create", actor=principal, obj=case,
                 after={"api_key": str(principal.api_key), "external_ref": external_ref,
                        "item": item.pk, "channel": channel})
    return case, True


@transaction.atomic
def save_form(principal: KeyPrincipal, case: Case, form_data: dict, expected_lock: int) -> Case:
    case = applying.save_form(principal, case, form_data, expected_lock)
    audit.record("cases.exchange_form", actor=principal, obj=case,
                 after={"api_key": str(principal.api_key), "fields": sorted(form_data)[:50]})
    return case


@transaction.atomic
def upload(principal: KeyPrincipal, case: Case, uploaded, *, material=None, name: str = ""):
    cm = applying.upload_material(principal, case, uploaded, material=material, name=name)
    audit.record("cases.exchange_upload", actor=principal, obj=case,
                 after={"api_key": str(principal.api_key), "material": cm.name, "sha256": cm.sha256, "size": cm.size})
    return cm
