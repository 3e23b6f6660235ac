"""Registration with a verified phone, the SMS-code endpoint and 账户与安全 (phone change)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.utils import ErrorDict
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.core.forms import NamedErrorsForm
from zhengwu.core.middleware import client_ip

from . import claims
from . import phone as phone_codes
from .models import PhoneCode

SENT_MESSAGE = "验证码已发送至{phone}，5分钟内有效。"


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@require_POST
def sms_code(request):
    """获取验证码 (the JavaScript of the forms calls it; without JavaScript the forms post to their
    own page with ``action=send_code``). JSON in, JSON out."""
    purpose = request.POST.get("purpose", "")
    phone = request.POST.get("phone") or request.POST.get("new_phone") or ""
    try:
        obj = phone_codes.request_code(phone, purpose, ip=client_ip(request), user=request.user)
    except ValidationError as exc:
        errors = _errors(exc)
        detail = next(iter(errors.values()))[0]
        return JsonResponse({"detail": detail, "errors": errors}, status=429 if phone_codes.is_rate_limited(exc) else 400,
                            json_dumps_params={"ensure_ascii": False})
    return JsonResponse({"detail": SENT_MESSAGE.format(phone=obj.phone), "resend_after": phone_codes.RESEND_SECONDS},
                        json_dumps_params={"ensure_ascii": False})


def _send_without_js(request, form, field: str, purpose: str) -> None:
    """The no-JavaScript 获取验证码: the button posts the whole form; send the code and show the
    form again with what was typed (passwords excepted)."""
    try:
        obj = phone_codes.request_code(request.POST.get(field, ""), purpose, ip=client_ip(request),
                                       user=request.user)
    except ValidationError as exc:
        for key, errs in _errors(exc).items():
            for err in errs:
                form.add_error(key if key in form.fields else None, err)
    else:
        messages.success(request, SENT_MESSAGE.format(phone=obj.phone))


def _refilled(form_class, initial):
    """An unbound form showing what was typed (``initial``) that errors can be added to."""
    form = form_class(initial=initial)
    form.cleaned_data, form._errors = {}, ErrorDict()
    return form


def _valid_but_code(form) -> bool:
    """Validate the form leaving an empty code to :func:`register`, so that the page names the
    code's problem together with every other field's (the service checks those)."""
    form.fields["sms_code"].required = False
    try:
        valid = form.is_valid()
    finally:
        form.fields["sms_code"].required = True
    if not valid and form.is_bound and not (form.data.get("sms_code") or "").strip():
        form.add_error("sms_code", "短信验证码：必填（先填写手机号码，再点击“获取验证码”）")
    return valid


def _add_errors(form, errors: dict[str, list[str]]) -> None:
    """Errors of the service's rules onto the form; a field the form already found wrong keeps
    its own message (one message per problem)."""
    for field, messages_ in errors.items():
        key = field if field in form.fields else None
        if key is not None and key in form.errors:
            continue
        for message in messages_:
            form.add_error(key, message)


def _check_code(phone: str, code: str):
    """(the code's record, None) or (None, the error): a wrong code counts against its tries
    (committed) whatever else is wrong."""
    try:
        return phone_codes.check_code(phone, PhoneCode.Purpose.REGISTER, code), None
    except ValidationError as exc:
        return None, exc


def _name_all_errors(form, check) -> None:
    """The form found some fields wrong: name in the same round what the service's rules say of
    the others (the password's strength and repeat, a wrong 身份证号 …) and of the code."""
    given = {name: value for name, value in form.cleaned_data.items() if name != "sms_code"}
    _add_errors(form, check(**given))
    code = (form.data.get("sms_code") or "").strip()
    if code and "phone" in given and "sms_code" not in form.errors:
        _obj, code_error = _check_code(given["phone"], code)
        if code_error is not None:
            _add_errors(form, _errors(code_error))


def register(request, form_class, service, template, check):
    """个人/法人注册: the phone is proven by an SMS code before the account is created. Every
    wrong field is named in one round: the form's own checks, the service's rules (``check``:
    the errors ``service`` would raise for the fields given) and the code."""
    if request.method == "POST" and request.POST.get("action") == "send_code":
        keep = {k: v for k, v in request.POST.items() if k not in ("password", "password2", "sms_code")}
        form = _refilled(form_class, keep)
        _send_without_js(request, form, "phone", PhoneCode.Purpose.REGISTER)
        return render(request, template, {"form": form, "sms_purpose": PhoneCode.Purpose.REGISTER})
    form = form_class(request.POST or None)
    if request.method == "POST" and not _valid_but_code(form):
        _name_all_errors(form, check)
    elif request.method == "POST":
        data = dict(form.cleaned_data)
        code = data.pop("sms_code")
        # The code first (a wrong one counts against its tries, committed), then every field of the
        # registration, so that the page names all that is wrong at once. Without a valid code the
        # service's rules are only checked (``check``): what waits for a proven phone (账号认领's
        # comparison with the entity's record) is not said.
        obj, code_error = _check_code(data["phone"], code)
        if code_error is not None:
            _add_errors(form, check(**data))
            _add_errors(form, _errors(code_error))
        else:
            try:
                with transaction.atomic():
                    user = service(**data)
                    phone_codes.use(obj)
            except ValidationError as exc:
                if claims.is_mismatch(exc):
                    phone_codes.spend_try(obj)  # a guess at the entity's record costs a try, as a wrong code
                _add_errors(form, _errors(exc))
            else:
                login(request, user, backend="zhengwu.accounts.backends.IdentifierBackend")
                messages.success(request, "账号认领成功，已为您登录。" if getattr(user, "claimed", False)
                                 else "注册成功，已为您登录。")
                return redirect("portal:home")
    return render(request, template, {"form": form, "sms_purpose": PhoneCode.Purpose.REGISTER})


class PhoneChangeForm(NamedErrorsForm):
    new_phone = forms.CharField(label="新手机号码", max_length=20,
                                widget=forms.TextInput(attrs={"autocomplete": "tel"}))
    sms_code = forms.CharField(label="短信验证码", max_length=6, help_text="验证码发送到新手机号，5分钟内有效",
                               widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}))


@login_required
def security(request):
    """账户与安全: phone (all users), second factor (staff). Other parts (identity providers)
    add their own blocks to the template."""
    from . import agents
    from .otp import device_of, may_enrol, totp_required
    from .views_oidc import identity_context

    form = PhoneChangeForm()
    if request.method == "POST":
        form = PhoneChangeForm(request.POST)
        if request.POST.get("action") == "send_code":
            form = _refilled(PhoneChangeForm, {"new_phone": request.POST.get("new_phone", "")})
            _send_without_js(request, form, "new_phone", PhoneCode.Purpose.CHANGE_PHONE)
        elif form.is_valid():
            try:
                phone_codes.change_phone(request.user, form.cleaned_data["new_phone"], form.cleaned_data["sms_code"])
            except ValidationError as exc:
                for field, errors in _errors(exc).items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, f"手机号已更换为{request.user.phone}。")
                return redirect("accounts:security")
    agencies = list(agents.agencies_of(request.user))
    unclaimed = claims.unclaimed(g.enterprise_id for g in agencies)
    for g in agencies:  # 账号认领: how an entity registered on the platform is claimed (None: claimed)
        g.claim_online = unclaimed.get(g.enterprise_id)
    return render(request, "accounts/security.html", {
        "phone_form": form, "sms_purpose": PhoneCode.Purpose.CHANGE_PHONE,
        "otp_device": device_of(request.user), "otp_required": totp_required(request.user),
        "otp_may_enrol": may_enrol(request.user),
        "agencies": agencies, "acting_for": request.session.get(agents.SESSION_KEY),
        "is_enterprise": getattr(getattr(request.user, "applicant", None), "kind", "") == "legal",
        **identity_context(request),
    })
