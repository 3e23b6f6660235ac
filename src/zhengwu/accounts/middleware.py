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
