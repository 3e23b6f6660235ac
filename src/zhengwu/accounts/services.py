"""Write path of accounts: registration of citizens and enterprises, staff creation."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zhengwu.core import audit, identifiers

from . import claims
from .backends import login_username
from .models import Applicant, User


Errors = dict[str, list[str]]


def _password_errors(password: str | None, password2: str | None, user: User) -> Errors:
    """The password's rules (strength, and the repeat matching): both at once. ``None``: the
    field was not given (the form already named it), its rules are not checked."""
    errors: Errors = {}
    if password is not None:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            errors["password"] = exc.messages
    if password is not None and password2 is not None and password != password2:
        errors["password2"] = ["两次输入的密码不一致"]
    return errors


def _name_errors(errors: Errors, clean: dict, field: str, value: str | None, message: str, longest: int) -> None:
    if value is not None:
        clean[field] = value.strip()
        if not (2 <= len(clean[field]) <= longest):
            errors[field] = [message]


def _identifier(errors: Errors, clean: dict, field: str, value: str | None, validate, *args) -> None:
    if value is not None:
        try:
            clean[field] = validate(value, *args)
        except ValidationError as exc:
            errors[field] = exc.messages


def _person_checked(*, name=None, id_number=None, phone=None, password=None, password2=None) -> tuple[Errors, dict]:
    """Every rule of 自然人注册 on the fields given (``None``: not given, not checked), all at once:
    the errors per field and the cleaned values."""
    errors: Errors = {}
    clean: dict = {}
    _name_errors(errors, clean, "name", name, "姓名不正确：应为2至50个字", 50)
    _identifier(errors, clean, "id_number", id_number, identifiers.validate_id_number)
    _identifier(errors, clean, "phone", phone, identifiers.validate_phone)
    if "id_number" in clean:
        clean["username"] = login_username(clean["id_number"])
        if User.objects.filter(username=clean["username"]).exists():
            errors["id_number"] = ["该身份证号已注册：请直接登录，忘记密码请到窗口或联系客服重置"]
    user = User(username=clean.get("username", ""), kind=User.Kind.PERSON, display_name=clean.get("name", ""))
    errors.update(_password_errors(password, password2, user))
    return errors, clean


def _legal_checked(*, name=None, uscc=None, legal_rep_name=None, legal_rep_id_number=None, phone=None,
                   password=None, password2=None, claim=False) -> tuple[Errors, dict]:
    """Every rule of 法人注册 on the fields given, all at once (as :func:`_person_checked`).
    ``claim``: an entity awaiting its claim (:mod:`.claims`) is no 已注册; ``clean["claim"]`` is it."""
    errors: Errors = {}
    clean: dict = {}
    _name_errors(errors, clean, "name", name, "单位名称不正确：应为2至100个字", 100)
    _identifier(errors, clean, "uscc", uscc, identifiers.validate_uscc)
    _name_errors(errors, clean, "legal_rep_name", legal_rep_name, "法定代表人姓名不正确：应为2至50个字", 50)
    _identifier(errors, clean, "legal_rep_id_number", legal_rep_id_number, identifiers.validate_id_number,
                "法定代表人身份证号")
    _identifier(errors, clean, "phone", phone, identifiers.validate_phone, "联系电话")
    if "uscc" in clean:
        clean["username"] = login_username(clean["uscc"])
        entity = claims.pending(clean["username"]) if claim else None
        if entity is not None:
            clean["claim"] = entity
            errors.update(claims.precheck_errors(entity))
        elif User.objects.filter(username=clean["username"]).exists():
            errors["uscc"] = [claims.ALREADY_REGISTERED]
    user = User(username=clean.get("username", ""), kind=User.Kind.LEGAL, display_name=clean.get("name", ""))
    errors.update(_password_errors(password, password2, user))
    return errors, clean


def check_person(**fields) -> Errors:
    """The errors :func:`register_person` would raise for the fields given (a form that found
    other fields wrong itself names these in the same round); saves nothing."""
    return _person_checked(**fields)[0]


def check_legal(**fields) -> Errors:
    """The errors :func:`register_legal` would raise for the fields given; saves nothing. Under
    ``claim`` the representative of an entity awaiting its claim is not compared: that waits for
    the proven phone (:mod:`.claims`)."""
    return _legal_checked(**fields)[0]


def register_person(*, name: str, id_number: str, phone: str, password: str, password2: str,
                    temporary: bool = False) -> User:
    """自然人注册. Raises ValidationError (field → Chinese messages, every wrong field at once);
    saves nothing on error.

    ``temporary``: the password was issued by someone else (窗口代录): the first login must
    replace it (:class:`~zhengwu.accounts.middleware.PasswordExpiryMiddleware`)."""
    errors, clean = _person_checked(name=name or "", id_number=id_number or "", phone=phone or "",
                                    password=password or "", password2=password2 or "")
    if errors:
        raise ValidationError(errors)
    name, id_number, phone = clean["name"], clean["id_number"], clean["phone"]
    user = User(username=clean["username"], kind=User.Kind.PERSON, display_name=name, phone=phone)
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
    password: str, password2: str, temporary: bool = False, claim: bool = False,
) -> User:
    """法人注册 (``temporary`` as for :func:`register_person`).

    ``claim``: the phone is proven (the registration page's SMS code) and an entity awaiting its
    claim with this code is claimed (:mod:`.claims`) when its representative's name and ID number
    match; a mismatch raises errors coded :data:`claims.MISMATCH` and writes nothing."""
    errors, clean = _legal_checked(name=name or "", uscc=uscc or "", legal_rep_name=legal_rep_name or "",
                                   legal_rep_id_number=legal_rep_id_number or "", phone=phone or "",
                                   password=password or "", password2=password2 or "", claim=claim)
    entity = clean.get("claim")
    if entity is not None and "uscc" not in errors and not {"name", "legal_rep_name", "legal_rep_id_number"} & set(errors):
        errors.update(claims.mismatch_errors(entity, name=clean["name"], legal_rep_name=clean["legal_rep_name"],
                                             legal_rep_id_number=clean["legal_rep_id_number"]))
    if errors:
        raise ValidationError(errors)
    if entity is not None:
        return claims.claim(entity, phone=clean["phone"], password=password)
    name, uscc, phone = clean["name"], clean["uscc"], clean["phone"]
    legal_rep_name, legal_rep_id_number = clean["legal_rep_name"], clean["legal_rep_id_number"]
    user = User(username=clean["username"], kind=User.Kind.LEGAL, display_name=name, phone=phone)
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
