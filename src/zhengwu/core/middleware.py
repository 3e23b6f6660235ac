"""Request context the audit chain needs (client address) without passing it everywhere."""

from __future__ import annotations

import contextvars

_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("zhengwu_ip", default=None)


def client_ip(request) -> str:
    # Behind a trusted proxy, the deployment sets ZHENGWU_TRUST_X_FORWARDED_FOR.
    from django.conf import settings

    if getattr(settings, "ZHENGWU_TRUST_X_FORWARDED_FOR", False):
        fwd = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if fwd:
            return fwd.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")


def current_request_ip() -> str | None:
    return _request_ip.get()


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_ip.set(client_ip(request))
        try:
            return self.get_response(request)
        finally:
            _request_ip.reset(token)
