"""Authentication for the JSON API (Django Ninja): people by their session, machines by an
应用密钥 (:class:`zhengwu.accounts.apikeys.ApiKeyAuth`). Errors are in Chinese.

A router open to both lists the key first — ``auth=[ApiKeyAuth(scope), SessionAuth()]`` — because
the key auth passes (returns None) when no key is sent, while the session auth answers 401.
"""

from __future__ import annotations

from typing import Optional

from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import SessionAuth as NinjaSessionAuth
from ninja.utils import check_csrf

from .apikeys import ApiKeyAuth

__all__ = ["ApiKeyAuth", "SessionAuth"]


class SessionAuth(NinjaSessionAuth):
    """Django session login, CSRF-checked for unsafe methods, with Chinese errors.

    Without a logged-in session the answer is 401 whatever the method: CSRF protects a session
    from being used by another site, and there is none to protect (a machine client that sent
    no key learns that it must authenticate, not that a browser token is missing)."""

    def _get_key(self, request: HttpRequest) -> Optional[str]:
        if not request.user.is_authenticated:
            return None  # authenticate() answers 401
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request):
            raise HttpError(403, "CSRF 校验失败：请刷新页面后重试（请求头 X-CSRFToken 应为 csrftoken Cookie 的值）")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: Optional[str]):
        if request.user.is_authenticated:
            return request.user
        raise HttpError(401, "请先登录")
