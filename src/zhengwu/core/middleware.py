"""Request context the audit chain needs (client address) without passing it everywhere."""

from __future__ import annotations

import contextvars

_request_ip: contextvars.ContextVar[str | None] = contextvars.ContextVar("zhengwu_ip", default=None)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind our own proxy (the deployment sets
    ``ZHENGWU_TRUST_X_FORWARDED_FOR``) the LAST X-Forwarded-For entry, the one that proxy appended;
    the entries before it are whatever the client chose to send. Audit records, the login lockout
    and Open311's per-address limit all count by it."""
    from django.conf import settings

    if getattr(settings, "ZHENGWU_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
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
