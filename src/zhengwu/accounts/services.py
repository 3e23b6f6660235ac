"""Write path of accounts: registration of citizens and enterprises, staff creation."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zhengwu.core import audit, identifiers

from .backends import login_username
from .models import Applicant, User


def _check_password(password: str, password2: str, user: User) -> None:
    if password != password2:
        raise ValidationError({"password2": "两次输入的密码不一致"})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None


def register_person(*, name: str, id_number: str, phone: str, password: str, password2: str,
                    temporary: bool = False) -> User:
    """自然人注册. Raises ValidationError (field → Chinese message); saves nothing on error.

    ``temporary``: the password was issued by someone else (窗口代录): the first login must
    replace it (:class:`~zhengwu.accounts.middleware.PasswordExpiryMiddleware`)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not (2 <= len(name) <= 50):
        errors["name"] = ["姓名不正确：应为2至50个字"]
    try:
        id_number = identifiers.validate_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    try:
        phone = identifiers.validate_phone(phone)
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    username = login_username(id_number)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"id_number": "该身份证号已注册：请直接登录，忘记密码请到窗口或联系客服重置"})
    user = User(username=username, kind=User.Kind.PERSON, display_name=name, phone=phone)
    _check_password(password, password2, user)
    user.set_password(password)
    user.must_change_password = temporary
    try:
        with transaction.atomic():
            user.save()
            applicant = Applicant.objects.create(
                user=user, kind=Applicant.Kind.PERSON, name=name, id_number=id_number, phone=phone
            )
            audit.record("accounts.register_person", actor=user, obj=applicant,
                         after={"name": name, "id_number": str(applicant.id_number)})
    except IntegrityError:  # a concurrent double submission got there first
        raise ValidationError({"id_number": "该身份证号已注册：请直接登录"}) from None
    return user


def register_legal(
    *, name: str, uscc: str, legal_rep_name: str, legal_rep_id_number: str, phone: str,
    password: str, password2: str, temporary: bool = False,
) -> User:
    """法人注册 (``temporary`` as for :func:`register_person`)."""
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not (2 <= len(name) <= 100):
        errors["name"] = ["单位名称不正确：应为2至100个字"]
    try:
        uscc = identifiers.validate_uscc(uscc)
    except ValidationError as exc:
        errors["uscc"] = exc.messages
    legal_rep_name = (legal_rep_name or "").strip()
    if not (2 <= len(legal_rep_name) <= 50):
        errors["legal_rep_name"] = ["法定代表人姓名不正确：应为2至50个字"]
    try:
        legal_rep_id_number = identifiers.validate_id_number(legal_rep_id_number, "法定代表人身份证号")
    except ValidationError as exc:
        errors["legal_rep_id_number"] = exc.messages
    try:
        phone = identifiers.validate_phone(phone, "联系电话")
    except ValidationError as exc:
        errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    username = login_username(uscc)
    if User.objects.filter(username=username).exists():
        raise ValidationError({"uscc": "该统一社会信用代码已注册：请直接登录"})
    user = User(username=username, kind=User.Kind.LEGAL, display_name=name, phone=phone)
    _check_password(password, password2, user)
    user.set_password(password)
    user.must_change_password = temporary
    try:
        with transaction.atomic():
            user.save()
            applicant = Applicant.objects.create(
                user=user, kind=Applicant.Kind.LEGAL, name=name, uscc=uscc,
                legal_rep_name=legal_rep_name, legal_rep_id_number=legal_rep_id_number, phone=phone,
            )
            audit.record("accounts.register_legal", actor=user, obj=applicant, after={"name": name, "uscc": uscc})
    except IntegrityError:
        raise ValidationError({"uscc": "该统一社会信用代码已注册：请直接登录"}) from None
    return user


def create_staff(*, username: str, display_name: str, password: str, actor=None, phone: str = "") -> User:
    username = (username or "").strip()
    if not username or login_username(username) != username:
        raise ValidationError({"username": "用户名不正确：工作人员用户名不能是身份证号或统一社会信用代码"})
    user = User(username=username, kind=User.Kind.STAFF, display_name=display_name, is_staff=False)
    if phone:
        user.phone = identifiers.validate_phone(phone)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)
    with transaction.atomic():
        user.save()
        audit.record("accounts.create_staff", actor=actor, obj=user, after={"username": username})
    return user


def password_changed_by_owner(user: User) -> None:
    """The user chose a new password themselves: the temporary-password rule is satisfied."""
    if user.must_change_password:
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
