"""Errors as the machine interfaces answer them: JSON, in Chinese, in one shape.

- ``/api/…`` answers ``{"detail": "…", "errors": {field: [messages]}}`` (:class:`ErrorOut`);
- ``/open311/…`` answers the GeoReport v2 shape ``[{"code": status, "description": "…"}]``.

The NinjaAPI's exception handlers (``zhengwu/api.py``) map what the services raise — Django's
``ValidationError`` 400, ``PermissionDenied`` 403, :class:`NotFound` 404, :class:`Conflict` 409 —
to these bodies. Django's own error views (``handler400/403/404/500`` in ``zhengwu/urls.py``)
answer the same way for those prefixes, so an unknown API path or a crash outside a handler is
JSON too, and every other page keeps its HTML template. A page's empty 405 (an address that acts
on a form's POST, opened in the browser) gets the Chinese ``405.html`` (:class:`PageErrorsMiddleware`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.views import defaults

API_PREFIXES = ("/api/", "/open311/")
OPEN311_PREFIX = "/open311/"

INVALID = "提交的内容有误"
# Said when nothing more specific is known.
STATUS_MESSAGES = {
    400: "请求格式不正确",
    401: "请先登录",
    403: "无权执行该操作",
    404: "接口不存在：请核对请求地址",
    405: "不支持该请求方法",
    409: "数据已被他人更新，请刷新后重试",
    413: "请求内容过大",
    429: "请求过于频繁，请稍后再试",
    500: "服务器内部错误，请稍后重试；如需帮助请拨打 12345",
}


class NotFound(Http404):
    """404 with a Chinese message. The API never confirms that an object the caller may not see
    exists: hidden and missing answer alike. Subclasses set their own default ``message``."""

    message = "记录不存在或无权查看"

    def __init__(self, message: str | None = None):
        if message:
            self.message = message
        super().__init__(self.message)


class Conflict(ValidationError):
    """409: the request was based on a version of the object that is no longer current (a stale
    ``lock_version``), or repeats something that may happen once (a second rating)."""


def is_api_path(path: str) -> bool:
    return path.startswith(API_PREFIXES)


def is_static_path(path: str) -> bool:
    """A request for a static file (STATIC_URL): no session rule applies to it."""
    from django.conf import settings

    return path.startswith("/" + settings.STATIC_URL.lstrip("/"))


def validation_body(exc: ValidationError) -> dict:
    """A Django ``ValidationError`` as the house body: the first message as ``detail``, messages
    per field (``__all__`` → ``form``)."""
    if hasattr(exc, "error_dict"):
        errors = {("form" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
        first = next((m for msgs in errors.values() for m in msgs), INVALID)
        return {"detail": first, "errors": errors}
    return {"detail": "；".join(exc.messages) or INVALID, "errors": {}}


def _has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def not_found_message(exc: Exception | None, default: str = "请求的资源不存在") -> str:
    """Our own 404s carry a Chinese message; Django's (``get_object_or_404``, the URL resolver)
    are English and technical, and get ``default``."""
    if isinstance(exc, NotFound):
        return exc.message
    text = str(exc.args[0]) if exc is not None and exc.args else ""
    return text if _has_chinese(text) else default


def error_json(path: str, status: int, detail: str | None = None, errors: dict | None = None,
               code: str | None = None) -> JsonResponse:
    """The error body for ``path``'s interface (house shape, or Open311's under /open311/);
    ``code``: a machine-readable reason the client acts on (``otp_required`` …)."""
    detail = detail or STATUS_MESSAGES.get(status, STATUS_MESSAGES[400])
    if path.startswith(OPEN311_PREFIX):
        body: object = [{"code": status, "description": detail}]
    else:
        body = {"detail": detail, "errors": errors or {}}
        if code:
            body["code"] = code
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


# -- Django's error views (handler400/403/404/500 in zhengwu/urls.py) -----------------------------
def bad_request(request, exception=None):
    if is_api_path(request.path_info):
        return error_json(request.path_info, 400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception=None):
    if is_api_path(request.path_info):
        return error_json(request.path_info, 403, str(exception) if exception and _has_chinese(str(exception)) else None)
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    path = request.path_info
    if is_api_path(path):
        return error_json(path, 404, not_found_message(exception, STATUS_MESSAGES[404]))
    return defaults.page_not_found(request, exception)


def server_error(request):
    # Django has already logged the exception with its traceback (logger django.request).
    if is_api_path(request.path_info):
        return error_json(request.path_info, 500)
    return defaults.server_error(request)


def _slash_redirect(request):
    """An API address without its trailing slash (``POST /api/v1/cases``): a JSON 308 to the
    address with it — the method and body are kept by a client that follows it. (Django's
    APPEND_SLASH answered an HTML 301, which turns a POST into a GET and drops its body.)"""
    from django.urls import get_urlconf, is_valid_path

    path = request.path_info
    if path.endswith("/") or not is_api_path(path):
        return None
    urlconf = getattr(request, "urlconf", None) or get_urlconf()
    if is_valid_path(path, urlconf) or not is_valid_path(path + "/", urlconf):
        return None
    target = request.get_full_path(force_append_slash=True)
    answer = error_json(path, 308, f"接口地址应以“/”结尾：请改用 {target}", code="trailing_slash")
    answer["Location"] = target
    return answer


class ApiErrorsMiddleware:
    """The net under the handlers: under /api/ and /open311/, an error answered by something
    other than them — ninja's 405 for a method a path does not take, Django's ``require_GET`` —
    gets the JSON body too, keeping the status and headers such as ``Allow``; an address without
    its trailing slash gets a JSON 308 to the one with it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        moved = _slash_redirect(request)
        if moved is not None:
            return moved
        response = self.get_response(request)
        if response.status_code < 400 or not is_api_path(request.path_info) \
                or response.get("Content-Type", "").startswith("application/json"):
            return response
        detail = None
        if response.status_code == 405:
            allowed = "、".join(m.strip() for m in response.get("Allow", "").split(",") if m.strip())
            detail = f"不支持 {request.method} 请求" + (f"：该地址只接受 {allowed}" if allowed else "")
        answer = error_json(request.path_info, response.status_code, detail)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                answer[header] = response[header]
        return answer


class PageErrorsMiddleware:
    """The net under the pages (outside /api/ and /open311/): a 405 with no body — Django's
    ``require_POST`` and the class-based views' refusal of a method, when an address that acts on
    a form's POST is opened in the browser — gets a Chinese page (``405.html``, the status and
    ``Allow`` kept) instead of the browser's own English “HTTP ERROR 405”. After the
    authentication middleware: the page shows the navbar of the user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 405 or response.content or is_api_path(request.path_info) \
                or getattr(response, "streaming", False):
            return response
        from django.template import loader

        page = HttpResponse(loader.render_to_string("405.html", request=request), status=405)
        if "Allow" in response:
            page["Allow"] = response["Allow"]
        return page
