"""短信验证码: send, check and use the codes that prove a person holds a phone (registration,
phone change). Write path of :class:`~zhengwu.accounts.models.PhoneCode`.

Rules (等保 / anti-abuse): 6 digits; valid 5 minutes; used once; at most 5 wrong tries per code;
one code per phone per 60 seconds, at most 10 per phone per calendar day and
``ZHENGWU_SMS_CODES_PER_IP_HOUR`` per client address per hour. Only the latest code of a phone and
purpose counts. The code is stored as a keyed hash (HMAC with the secret key and a per-code salt);
the audit trail records the masked phone, never the code.

The SMS goes through the one SMS path of the platform, the outbox of :mod:`zhengwu.cases.services.notify`
(gateway plugin, transactional outbox; imported lazily, as queueing does).
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from zhengwu.core import audit, identifiers
from zhengwu.core.pii import blind_index, mask

from .models import PhoneCode

CODE_TTL = dt.timedelta(minutes=5)
RESEND_SECONDS = 60
PER_PHONE_PER_DAY = 10
MAX_ATTEMPTS = 5
PURPOSE_TEXT = {"register": "注册账号", "change_phone": "更换手机号"}


def _hash(salt: str, code: str) -> str:
    return f"{salt}${salted_hmac('zhengwu.accounts.phonecode', f'{salt}:{code}').hexdigest()}"


def _matches(stored: str, code: str) -> bool:
    salt, _, _digest = stored.partition("$")
    return hmac.compare_digest(stored, _hash(salt, code))


def _field(purpose: str) -> str:
    return "phone" if purpose == PhoneCode.Purpose.REGISTER else "new_phone"


def _limited(field: str, message: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code="rate_limited")})


def _serialise(index: str) -> None:
    """Two requests for the same phone at once: the second waits for the first (then finds its
    code and the 60 s rule). SQLite's IMMEDIATE transactions already run one writer at a time."""
    connection = transaction.get_connection()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"zhengwu.sms-code:{index}"])


def is_rate_limited(exc: ValidationError) -> bool:
    return any(e.code == "rate_limited" for errors in getattr(exc, "error_dict", {}).values() for e in errors)


def request_code(phone: str, purpose: str, *, ip: str = "", user=None, now=None) -> PhoneCode:
    """Send a new code to ``phone``. Raises ValidationError (field → Chinese message) when the
    phone is malformed or a rate limit is reached; nothing is sent then."""
    field = _field(purpose)
    if purpose not in PURPOSE_TEXT:
        raise ValidationError({field: "验证码用途不正确"})
    try:
        phone = identifiers.validate_phone(phone)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    if purpose == PhoneCode.Purpose.CHANGE_PHONE:
        if user is None or not user.is_authenticated:
            raise ValidationError({field: "请先登录后再更换手机号"})
        if user.phone and user.phone.reveal_unaudited() == phone:
            raise ValidationError({field: "新手机号与当前手机号相同：请填写新的手机号"})
    now = now or timezone.now()
    index = blind_index("phone", phone)
    ip_index = blind_index("ip", ip) if ip else ""
    with transaction.atomic():
        _serialise(index)
        same_phone = PhoneCode.objects.filter(phone_index=index)
        last = same_phone.order_by("-created_at").values_list("created_at", flat=True).first()
        if last is not None and (now - last).total_seconds() < RESEND_SECONDS:
            wait = RESEND_SECONDS - int((now - last).total_seconds())
            raise _limited(field, f"获取验证码过于频繁：同一手机号60秒内只能获取一次，请{wait}秒后再试")
        midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        if same_phone.filter(created_at__gte=midnight).count() >= PER_PHONE_PER_DAY:
            raise _limited(field, f"今日获取验证码次数已达上限：同一手机号每天最多{PER_PHONE_PER_DAY}次，请明天再试")
        per_ip = settings.ZHENGWU_SMS_CODES_PER_IP_HOUR
        if ip_index and PhoneCode.objects.filter(ip_index=ip_index,
                                                 created_at__gte=now - dt.timedelta(hours=1)).count() >= per_ip:
            raise _limited(field, f"获取验证码过于频繁：同一网络地址每小时最多{per_ip}次，请稍后再试")
        code = f"{secrets.randbelow(10**6):06d}"
        obj = PhoneCode.objects.create(
            phone=phone, purpose=purpose, code_hash=_hash(secrets.token_hex(8), code), ip_index=ip_index,
            user=user if user is not None and user.is_authenticated else None,
            created_at=now, expires_at=now + CODE_TTL,
        )
        from zhengwu.cases.services.notify import queue_sms

        queue_sms(phone, f"【{settings.ZHENGWU_PLATFORM_NAME}】您的验证码为{code}，用于{PURPOSE_TEXT[purpose]}，"
                         f"5分钟内有效。请勿将验证码告诉他人。")
        audit.record("accounts.sms_code_sent", actor=obj.user, obj=obj,
                     after={"phone": mask("phone", phone), "purpose": purpose})
    return obj


def check_code(phone: str, purpose: str, code: str, *, user=None, now=None) -> PhoneCode:
    """The valid, unused code of ``phone`` matching ``code``; not yet used (see :func:`use`).
    A wrong code counts against the code's 5 tries (committed even though the caller fails):
    call it outside any transaction that the error rolls back."""
    field = "sms_code"
    code = (code or "").strip()
    if not code:
        raise ValidationError({field: "请填写短信验证码：先点击“获取验证码”，再填写短信中的6位数字"})
    if not re.fullmatch(r"\d{6}", code):
        raise ValidationError({field: "验证码不正确：应为6位数字"})
    try:
        phone = identifiers.validate_phone(phone)
    except ValidationError:
        raise ValidationError({field: "验证码无效：请先填写正确的手机号并获取验证码"}) from None
    now = now or timezone.now()
    error = None
    with transaction.atomic():
        obj = (PhoneCode.objects.select_for_update()
               .filter(phone_index=blind_index("phone", phone), purpose=purpose).order_by("-created_at").first())
        if obj is None or (purpose == PhoneCode.Purpose.CHANGE_PHONE and (user is None or obj.user_id != user.pk)):
            error = "验证码无效：请先获取验证码"
        elif obj.used_at is not None:
            error = "验证码已使用：每个验证码只能使用一次，请重新获取"
        elif obj.expires_at <= now:
            error = "验证码已过期：有效期5分钟，请重新获取"
        elif obj.attempts >= MAX_ATTEMPTS:
            error = f"验证码错误次数过多（{MAX_ATTEMPTS}次）：该验证码已失效，请重新获取"
        elif not _matches(obj.code_hash, code):
            obj.attempts += 1
            obj.save(update_fields=["attempts"])
            left = MAX_ATTEMPTS - obj.attempts
            error = (f"验证码不正确：还可尝试{left}次" if left
                     else f"验证码不正确：已错误{MAX_ATTEMPTS}次，该验证码已失效，请重新获取")
    if error:
        raise ValidationError({field: error})
    return obj


def spend_try(obj: PhoneCode) -> None:
    """A valid code submitted with details that failed a check only the code's holder may make
    (账号认领's comparison with the entity's record): count it as a wrong try, so that guesses cost
    codes and their limits. Committed at once; call it outside the failed transaction."""
    PhoneCode.objects.filter(pk=obj.pk, used_at__isnull=True).update(attempts=models.F("attempts") + 1)


def use(obj: PhoneCode, *, now=None) -> None:
    """Mark the code used, inside the caller's transaction (the registration or phone change):
    a second submission with the same code finds it used."""
    if not PhoneCode.objects.filter(pk=obj.pk, used_at__isnull=True).update(used_at=now or timezone.now()):
        raise ValidationError({"sms_code": "验证码已使用：每个验证码只能使用一次，请重新获取"})


def change_phone(user, new_phone: str, code: str):
    """账户与安全: the logged-in user's phone becomes ``new_phone``, proven by a code sent to it."""
    try:
        new_phone = identifiers.validate_phone(new_phone, "新手机号")
    except ValidationError as exc:
        raise ValidationError({"new_phone": exc.messages}) from None
    obj = check_code(new_phone, PhoneCode.Purpose.CHANGE_PHONE, code, user=user)
    with transaction.atomic():
        use(obj)
        old = mask("phone", user.phone.reveal_unaudited()) if user.phone else ""
        user.phone = new_phone
        user.save(update_fields=["phone", "phone_index"])
        applicant = getattr(user, "applicant", None)
        if applicant is not None:
            applicant.phone = new_phone
            applicant.save(update_fields=["phone", "phone_index"])
        audit.record("accounts.phone_change", actor=user, obj=user,
                     before={"phone": old}, after={"phone": mask("phone", new_phone)})
    return user
