"""What the operator sees of each request: a request id, a JSON log line per request, request metrics.

:class:`RequestObservabilityMiddleware` comes first in MIDDLEWARE. It takes the caller's
``X-Request-ID`` when it is sane (1–128 characters of ``A–Z a–z 0–9 . _ : -``, nothing that looks
like personal data) or makes one, echoes it in the response, and records the request in the
Prometheus metrics (zhengwu.core.metrics) under its **route name** (the resolved URL name, e.g.
``api:case_detail``), never its path: paths hold ids, and query strings may hold anything.

With ``ZHENGWU_LOG_FORMAT=json`` every log record is one JSON object on one line
(:class:`JsonFormatter`) and each request adds an access line (logger ``zhengwu.access``) with
route, method, status, duration_ms and the user's id (never a name). The PII-masking filter
(zhengwu.core.logging) still runs on every handler first; the formatter scrubs tracebacks too.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import time
import uuid

from django.conf import settings

from . import metrics
from .errors import is_static_path
from .logging import scrub

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("zhengwu_request_id", default=None)
_SANE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
access_log = logging.getLogger("zhengwu.access")

# Fields a record may carry (the access line sets them through ``extra``), in output order.
CONTEXT_FIELDS = ("request_id", "route", "method", "status", "duration_ms", "user_id")


def current_request_id() -> str | None:
    return _request_id.get()


def sane_request_id(value: str | None) -> str | None:
    """The caller's request id when it is safe to log and echo, else None (one is made instead)."""
    if not value or not _SANE_ID.match(value) or scrub(value) != value:
        return None
    return value


def route_of(request) -> str:
    """The route's name (``namespace:name``) or, for an unnamed route, its view's dotted path; static
    files and unmatched paths are one label each. Never the path itself."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or "unnamed"
    if is_static_path(request.path):
        return "static"
    return "unmatched"


def user_id_of(request) -> int | str | None:
    """The signed-in user's id, only when the request already loaded the user (no extra query)."""
    user = getattr(request, "_cached_user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None


class RequestObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        rid = sane_request_id(request.META.get("HTTP_X_REQUEST_ID")) or uuid.uuid4().hex
        request.request_id = rid
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            response["X-Request-ID"] = rid
            route = route_of(request)
            metrics.observe_request(route, request.method, response.status_code, elapsed)
            if settings.ZHENGWU_LOG_FORMAT == "json":
                access_log.info("%s %s %s", request.method, route, response.status_code, extra={
                    "request_id": rid, "route": route, "method": request.method, "status": response.status_code,
                    "duration_ms": round(elapsed * 1000, 1), "user_id": user_id_of(request)})
            return response
        finally:
            _request_id.reset(token)


class RequestContextFilter(logging.Filter):
    """Gives every record logged during a request that request's id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            # Django logs a 4xx/5xx response after the middleware returned, with the request attached.
            record.request_id = _request_id.get() or getattr(getattr(record, "request", None), "request_id", None)
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, process, and the
    request's context when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
            "process": record.process,
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                out[name] = value
        if record.exc_info:
            out["exc"] = scrub(self.formatException(record.exc_info))
        elif record.stack_info:
            out["stack"] = scrub(self.formatStack(record.stack_info))
        return json.dumps(out, ensure_ascii=False, default=str)
