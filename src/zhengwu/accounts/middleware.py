"""Staff must change an expired password before doing anything else (等保: 定期更换口令)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone


class PasswordExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.kind == "staff":
            max_age = settings.ZHENGWU_STAFF_PASSWORD_MAX_AGE_DAYS
            changed = user.password_changed_at
            if max_age and changed and timezone.now() - changed > dt.timedelta(days=max_age):
                allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
                if request.path not in allowed and not request.path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL):
                    return redirect(f"{reverse('accounts:password_change')}?expired=1")
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
