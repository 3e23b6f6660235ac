"""The platform's admin site: Chinese titles and the calendar warning on the dashboard."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin


class ZhengwuAdminSite(admin.AdminSite):
    site_header = "政务服务平台 · 管理后台"
    site_title = "政务服务平台管理"
    index_title = "系统管理"
    index_template = "admin/zhengwu_index.html"

    def has_permission(self, request):
        """等保三级 双因素: the admin site needs the second factor passed (django-otp) when the
        platform requires it of administrators (ZHENGWU_ADMIN_TOTP_REQUIRED) or the user has a
        device; the login middleware sends such a user to enter or enrol it first."""
        if not super().has_permission(request):
            return False
        from django.conf import settings
        from django_otp import user_has_device

        user = request.user
        if getattr(settings, "ZHENGWU_ADMIN_TOTP_REQUIRED", False) or user_has_device(user):
            return bool(getattr(user, "is_verified", lambda: False)())
        return True

    def get_urls(self):
        from django.urls import path

        from .admin_calendar import notice_view

        return [
            path("core/calendar-notice/", self.admin_view(lambda request: notice_view(request, self)),
                 name="core_calendar_notice"),
            *super().get_urls(),
        ]

    def each_context(self, request):
        import zhengwu

        return {**super().each_context(request), "zhengwu_version": zhengwu.__version__}

    def index(self, request, extra_context=None):
        from . import calendar

        this_year = dt.date.today().year
        cal = calendar.get_calendar()
        extra_context = {
            **(extra_context or {}),
            "calendar_unverified_years": cal.unverified_years(range(this_year, this_year + 2)),
            "calendar_statutory_years": [y for y in range(this_year, this_year + 2)
                                         if cal.year_status(y) == "statutory"],
        }
        return super().index(request, extra_context)
