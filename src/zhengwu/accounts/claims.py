"""账号认领: the 法定代表人/经营者 of an entity registered on the platform claims its account.

A 设立登记 准予 makes the entity's 法人 applicant with no usable password and ``awaiting_claim``
(:mod:`.entities`). Its representative claims it through 法人注册 with the entity's code: the
法定代表人姓名 and 身份证号 typed must match the entity's record (the ID number compared by its
blind index, never in the clear nor logged), and the phone passes the SMS code of the form. The
account then gets the password and phone; the registrant's grant to act for it stays.

The representative is compared only once the phone is proven (:func:`mismatch_errors` is called by
:func:`zhengwu.accounts.services.register_legal` under ``claim=True``, which the registration page
passes after a valid code), and a mismatch counts against that code's tries
(:func:`zhengwu.accounts.phone.spend_try`): a guess of the ID number costs a code, as a wrong code does.

An entity whose record has no representative ID number (a company registered by an enterprise)
cannot be claimed online: its representative claims it at a window with the 营业执照.
"""

from __future__ import annotations

import hmac

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.pii import blind_index, mask

from .models import Applicant, User

MISMATCH = "claim_mismatch"
ALREADY_REGISTERED = "该统一社会信用代码已注册：请直接登录"
AT_A_WINDOW = ("该主体由设立登记在本平台生成账号，登记信息中没有法定代表人身份证号，无法在线认领："
               "请法定代表人持营业执照到政务服务窗口办理账号认领")


def pending(username: str) -> Applicant | None:
    """The entity with this login awaiting its claim (made by a 设立登记, never given a password)."""
    entity = (Applicant.objects.select_related("user")
              .filter(user__username=username, kind=Applicant.Kind.LEGAL, awaiting_claim=True).first())
    if entity is None or entity.user.has_usable_password():
        return None
    return entity


def precheck_errors(entity: Applicant) -> dict[str, list[str]]:
    """What may be said of a claim before the phone is proven: only that it cannot be made online."""
    if not entity.legal_rep_id_number_index:
        return {"uscc": [AT_A_WINDOW]}
    return {}


def _differs(message: str) -> list[ValidationError]:
    return [ValidationError(message, code=MISMATCH)]


def mismatch_errors(entity: Applicant, *, name: str, legal_rep_name: str, legal_rep_id_number: str) -> dict:
    """The fields typed that differ from the entity's record (cleaned values given)."""
    errors: dict = {}
    if name != entity.name:
        errors["name"] = _differs("单位名称与登记信息不一致：请填写营业执照上的名称")
    if legal_rep_name != entity.legal_rep_name.strip():
        errors["legal_rep_name"] = _differs("法定代表人姓名与登记信息不一致：请填写营业执照登记的法定代表人（经营者）姓名")
    if not hmac.compare_digest(blind_index("id_number", legal_rep_id_number), entity.legal_rep_id_number_index):
        errors["legal_rep_id_number"] = _differs(
            "法定代表人身份证号与登记信息不一致：请填写营业执照登记的法定代表人（经营者）本人的身份证号")
    return errors


def is_mismatch(exc: ValidationError) -> bool:
    return any(e.code == MISMATCH for errors in getattr(exc, "error_dict", {}).values() for e in errors)


def claim(entity: Applicant, *, phone: str, password: str) -> User:
    """Give the entity's login the password and phone (the caller checked everything else). A
    concurrent claim that got there first leaves this one 已注册."""
    with transaction.atomic():
        locked = (Applicant.objects.select_for_update().select_related("user")
                  .filter(pk=entity.pk, awaiting_claim=True).first())
        if locked is None or locked.user.has_usable_password():
            raise ValidationError({"uscc": ALREADY_REGISTERED})
        user = locked.user
        user.set_password(password)
        user.phone = phone
        user.must_change_password = False
        user.save()
        locked.phone = phone
        locked.awaiting_claim = False
        locked.claimed_at = timezone.now()
        locked.save(update_fields=["phone", "phone_index", "awaiting_claim", "claimed_at"])
        audit.record("accounts.entity_claimed", actor=user, obj=locked, after={
            "name": locked.name, "uscc": locked.uscc, "legal_rep_name": locked.legal_rep_name,
            "legal_rep_id_number": mask("id_number", locked.legal_rep_id_number.reveal_unaudited()),
            "phone": mask("phone", phone)})
    user.claimed = True  # the page says 认领 rather than 注册
    return user


def unclaimed(enterprise_ids) -> dict[int, bool]:
    """Of these entities, those awaiting their claim, each with whether it may be claimed online
    (账户与安全 tells their registrant how)."""
    rows = Applicant.objects.filter(pk__in=list(enterprise_ids), awaiting_claim=True)
    return {pk: bool(index) for pk, index in rows.values_list("pk", "legal_rep_id_number_index")}
