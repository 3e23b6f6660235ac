"""Errors as the machine interfaces answer them: JSON, in Chinese, in one shape.

- ``/api/…`` answers ``{"detail": "…", "errors": {field: [messages]}}`` (:class:`ErrorOut`);
- ``/open311/…`` answers the GeoReport v2 shape ``[{"code": status, "description": "…"}]``.

The NinjaAPI's exception handlers (``zhengwu/api.py``) map what the services raise — Django's
``ValidationError`` 400, ``PermissionDenied`` 403, :class:`NotFound` 404, :class:`Conflict` 409 —
to these bodies.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse

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


def error_json(path: str, status: int, detail: str | None = None, errors: dict | None = None) -> JsonResponse:
    """The error body for ``path``'s interface (house shape, or Open311's under /open311/)."""
    detail = detail or STATUS_MESSAGES.get(status, STATUS_MESSAGES[400])
    if path.startswith(OPEN311_PREFIX):
        body: object = [{"code": status, "description": detail}]
    else:
        body = {"detail": detail, "errors": errors or {}}
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
