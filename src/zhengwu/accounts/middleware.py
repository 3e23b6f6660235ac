"""A password must be changed before doing anything else when it expired (staff, 等保: 定期更换口令)
or when someone else chose it (窗口代录's temporary password, an administrator's reset)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from zhengwu.core.errors import error_json, is_api_path, is_static_path

TEMPORARY_MESSAGE = "请先修改密码：您正在使用他人代设的临时密码（窗口代录或管理员重置），首次登录须设置新密码后才能办理其他业务"
EXPIRED_MESSAGE = "请先修改密码：您的密码已超过有效期，须设置新密码后才能办理其他业务"


class PasswordExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def _reason(self, user) -> str | None:
        if user.must_change_password:
            return "temporary"
        if user.kind == "staff":
            max_age = settings.ZHENGWU_STAFF_PASSWORD_MAX_AGE_DAYS
            changed = user.password_changed_at
            if max_age and changed and timezone.now() - changed > dt.timedelta(days=max_age):
                return "expired"
        return None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = self._reason(user)
            if reason:
                allowed = {reverse("accounts:password_change"), reverse("accounts:logout"),
                           # the second factor comes first (middleware_security)
                           reverse("accounts:otp_verify"), reverse("accounts:otp_setup")}
                if request.path not in allowed and not is_static_path(request.path):
                    if is_api_path(request.path):
                        message = TEMPORARY_MESSAGE if reason == "temporary" else EXPIRED_MESSAGE
                        return error_json(request.path, 403, message, code="password_change_required")
                    return redirect(f"{reverse('accounts:password_change')}?{reason}=1")
        return self.get_response(request)


class SessionIdleRefreshMiddleware:
    """Slide the idle timeout (SESSION_COOKIE_AGE) without writing the session on every request.

    Saving every request costs a write and a commit per page. Instead a logged-in session is
    re-saved (new expiry, new cookie) at most every ``ZHENGWU_SESSION_REFRESH_SECONDS`` (60 s):
    the idle timeout then holds to within that margin.
    """

    KEY = "_zw_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        every = int(getattr(settings, "ZHENGWU_SESSION_REFRESH_SECONDS", 60))
        session = getattr(request, "session", None)
        if session is None or session.modified or session.is_empty() or not session.session_key:
            return response
        now = int(timezone.now().timestamp())
        if now - int(session.get(self.KEY, 0)) >= every:
            session[self.KEY] = now  # marks it modified: SessionMiddleware saves it and resets the cookie
        return response
