"""等保 session rules beside the password ones (:mod:`.middleware`): the second factor and one
active session per staff account."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from zhengwu.core.errors import is_static_path

OTHER_LOGIN_MESSAGE = "您的账号已在其他地方登录，本次会话已结束。如非本人操作，请立即修改密码。"
VERIFY_MESSAGE = "请输入动态口令：您的账号已启用双因素认证"
ENROL_MESSAGE = "请先绑定动态口令：管理员账号须启用双因素认证后才能办理其他业务"


def _api_refusal(path: str, detail: str, code: str, status: int = 403):
    from zhengwu.core.errors import error_json

    return error_json(path, status, detail, code=code)


def _is_staff_account(user) -> bool:
    return getattr(user, "kind", "") == "staff" or getattr(user, "is_superuser", False)


@receiver(user_logged_in)
def _remember_staff_session(sender, request, user, **kwargs):
    """A staff login becomes the account's one session (the previous one ends at its next request)."""
    if request is None or not _is_staff_account(user) or not hasattr(request, "session"):
        return
    from .models import StaffSession

    if not request.session.session_key:
        request.session.save()
    StaffSession.objects.update_or_create(user=user, defaults={"session_key": request.session.session_key})
    cache.set(_cache_key(user.pk), request.session.session_key, CACHE_SECONDS)
    # What the second factor asks of this login, decided once (SecondFactorMiddleware reads it).
    request.session[OTP_STATE_KEY] = second_factor_state(user)


# A staff request looks the account's one session up in the cache (shared with REDIS_URL; per
# process without it, where another process's new login is seen within this many seconds; a key
# that differs from the cached one is checked against the table, so only the replaced session ends).
CACHE_SECONDS = 60
OTP_STATE_KEY = "zw_otp_state"


def _cache_key(user_id) -> str:
    return f"zw:staff-session:{user_id}"


def current_staff_session(user_id, *, fresh: bool = False) -> str | None:
    """The account's one session key (cached; ``fresh``: read from the table and re-cached)."""
    key = None if fresh else cache.get(_cache_key(user_id))
    if key is None:
        from .models import StaffSession

        key = StaffSession.objects.filter(user_id=user_id).values_list("session_key", flat=True).first() or ""
        cache.set(_cache_key(user_id), key, CACHE_SECONDS)
    return key or None


def second_factor_state(user) -> str:
    """"verify" (has a device), "setup" (must enrol), or "" (nothing asked)."""
    from django_otp import user_has_device

    from .otp import totp_required

    if not _is_staff_account(user):
        return ""
    if user_has_device(user, confirmed=True):
        return "verify"
    return "setup" if totp_required(user) else ""


class SingleStaffSessionMiddleware:
    """One active session per staff account (``ZHENGWU_STAFF_SINGLE_SESSION``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (settings.ZHENGWU_STAFF_SINGLE_SESSION and user is not None and user.is_authenticated
                and _is_staff_account(user)):
            current = current_staff_session(user.pk)
            if current is not None and current != request.session.session_key:
                # Without a shared cache another process may hold the previous login's key for up
                # to CACHE_SECONDS: the table decides before anyone is logged out (a newer login
                # used to be thrown out by a process that had seen the older one).
                current = current_staff_session(user.pk, fresh=True)
            if current is not None and current != request.session.session_key:
                logout(request)
                from zhengwu.core.errors import is_api_path

                if is_api_path(request.path):
                    return _api_refusal(request.path, OTHER_LOGIN_MESSAGE, "session_replaced", status=401)
                messages.error(request, OTHER_LOGIN_MESSAGE)
                return redirect(reverse("accounts:login"))
            before = request.session.session_key
            response = self.get_response(request)
            after = request.session.session_key
            if after and after != before and request.user.is_authenticated and request.user.pk == user.pk:
                # The session was given a new key while staying logged in (a password change keeps
                # the session, update_session_auth_hash): it stays the account's one session.
                from .models import StaffSession

                if StaffSession.objects.filter(user_id=user.pk, session_key=before).update(session_key=after):
                    cache.set(_cache_key(user.pk), after, CACHE_SECONDS)
            return response
        return self.get_response(request)


class SecondFactorMiddleware:
    """A user with a TOTP device enters the code before anything else; an administrator without
    one (when required) enrols first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and _is_staff_account(user) and not is_static_path(request.path):
            if not user.is_verified():
                target = request.session.get(OTP_STATE_KEY)
                if target is None:  # a session from before this rule: decide once
                    target = request.session[OTP_STATE_KEY] = second_factor_state(user)
                if target:
                    allowed = {reverse("accounts:otp_verify"), reverse("accounts:otp_setup"),
                               reverse("accounts:logout")}
                    if request.path not in allowed:
                        from zhengwu.core.errors import is_api_path

                        if is_api_path(request.path):
                            message = VERIFY_MESSAGE if target == "verify" else ENROL_MESSAGE
                            return _api_refusal(request.path, message, "otp_required")
                        url = reverse("accounts:otp_verify" if target == "verify" else "accounts:otp_setup")
                        if request.method == "GET":
                            url += "?" + urlencode({"next": request.get_full_path()})
                        return redirect(url)
        return self.get_response(request)
