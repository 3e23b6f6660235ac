"""The JSON API root (Django Ninja): /api/v1/, OpenAPI at /api/v1/openapi.json.

Each domain app contributes a router in its ``api.py``; they are mounted here. Errors are handled
here, once, for every router: the services' exceptions become JSON in the house shape
(:class:`~zhengwu.core.schemas.ErrorOut`), in Chinese; routers only raise.
"""

from __future__ import annotations

import importlib
import logging

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.signals import got_request_exception
from django.db import DataError
from django.http import Http404
from ninja import Field, NinjaAPI, Status
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

import zhengwu
from zhengwu.core import errors
from zhengwu.core.schemas import ErrorOut, Schema

api = NinjaAPI(
    title="政务服务平台 API",
    version="1",
    description="一体化政务服务平台接口。人员使用会话登录，外部系统使用应用密钥。",
    urls_namespace="api",
)


PYDANTIC_MESSAGES = {
    "missing": "必填",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "float_parsing": "应为数字",
    "bool_parsing": "应为是或否",
    "string_type": "应为文本",
    "date_from_datetime_parsing": "应为日期（YYYY-MM-DD）",
    "date_parsing": "应为日期（YYYY-MM-DD）",
    "datetime_parsing": "应为时间（ISO 8601）",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "greater_than_equal": "数值太小",
    "less_than_equal": "数值太大",
    "string_too_short": "太短",
    "string_too_long": "太长",
    "json_invalid": "不是有效的 JSON",
}


logger = logging.getLogger("zhengwu.api")


# -- errors: one set of handlers for every router (bodies: zhengwu.core.errors, ErrorOut) ----------
def _error(request, status: int, detail: str | None = None, field_errors: dict | None = None):
    detail = detail or errors.STATUS_MESSAGES.get(status, errors.STATUS_MESSAGES[400])
    return api.create_response(request, {"detail": detail, "errors": field_errors or {}}, status=status)


@api.exception_handler(Http404)  # errors.NotFound and Django's own
def _not_found(request, exc: Http404):
    return _error(request, 404, errors.not_found_message(exc))


@api.exception_handler(errors.Conflict)  # before ValidationError, of which it is a kind
def _conflict(request, exc: errors.Conflict):
    return _error(request, 409, "；".join(exc.messages), errors.validation_body(exc)["errors"])


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    return api.create_response(request, errors.validation_body(exc), status=400)


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc: PermissionDenied):
    return _error(request, 403, str(exc))


# What ninja raises itself when a request body does not parse (ninja.params.models.BodyModel).
_NINJA_BODY_UNPARSED = "Cannot parse request body"
BODY_NOT_JSON = "请求体不是有效的 JSON"


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    # ninja's own (authentication, throttling, an unparsable body) carry English messages: said in
    # Chinese instead — a body ninja cannot parse by name, any other English one by its status.
    if exc.status_code == 400 and str(exc).startswith(_NINJA_BODY_UNPARSED):
        return _error(request, 400, BODY_NOT_JSON)
    english = isinstance(exc, (AuthenticationError, AuthorizationError, Throttled)) \
        or not errors._has_chinese(str(exc))
    return _error(request, exc.status_code, None if english else str(exc))


@api.exception_handler(OverflowError)
def _out_of_range(request, exc: OverflowError):
    """A number or date in the request past what the database or the calendar holds (an id of
    2**70: SQLite cannot bind it; a date of 9999-12-31 plus a day): the request is at fault."""
    logger.info("接口参数超出范围：%s %s", request.method, request.path)
    return _error(request, 400, "请求中的数值或日期超出允许范围")


@api.exception_handler(DataError)
def _database_range(request, exc: DataError):
    """PostgreSQL's 22003 (numeric value out of range: an OFFSET or id past bigint) is the
    request's fault like :func:`_out_of_range`; any other DataError is ours."""
    if getattr(exc.__cause__, "sqlstate", None) == "22003":
        return _out_of_range(request, OverflowError())
    return _server_error(request, exc)


@api.exception_handler(Exception)
def _server_error(request, exc: Exception):
    """Anything else: logged with its traceback, answered 500 in JSON. Django's
    ``got_request_exception`` is sent as for any unhandled exception (error reporters listen
    to it; the test client re-raises it)."""
    logger.error("接口内部错误：%s %s", request.method, request.path, exc_info=exc)
    got_request_exception.send(sender=None, request=request)
    return _error(request, 500)


@api.exception_handler(NinjaValidationError)
def _request_invalid(request, exc: NinjaValidationError):
    """A request that does not match its schema: 400 with Chinese messages per field."""
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "payload", "file")]
        field = ".".join(loc) or "请求"
        fields.setdefault(field, []).append(PYDANTIC_MESSAGES.get(err.get("type", ""), "格式不正确"))
    return _error(request, 400, errors.INVALID, fields)


@api.get("/ping", auth=None, tags=["平台"], summary="连通性检查（不访问数据库，作为性能基线）")
def ping(request):
    return {"pong": True}


class HealthOut(Schema):
    status: str = Field(..., description="ok：数据库可用")


class LiveOut(Schema):
    status: str = Field(..., description="ok：进程在响应（不访问数据库）")
    version: str


class ReadyOut(Schema):
    status: str = Field(..., description="ok：可以接收流量；unavailable：有检查未通过")
    detail: str = Field(..., description="结论；未通过时列出未通过的检查")
    version: str
    checks: dict[str, dict] = Field(..., description="各项检查：database、cache、worker、migrations，各有 ok、message、ms")


class VersionOut(Schema):
    version: str = Field(..., description="zhengwu 版本（安装包元数据）")


class MeOut(Schema):
    username: str
    name: str
    kind: str = Field(..., description="staff 工作人员 / person 自然人 / legal 法人")
    roles: list[str] = Field(..., description="岗位角色代码")


@api.get("/health", auth=None, tags=["平台"], summary="健康检查", response={200: HealthOut})
def health(request):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return {"status": "ok"}  # unchanged for the probes configured against it; the version: /version, /live, /ready


@api.get("/live", auth=None, tags=["平台"], summary="存活探针（不访问数据库）", response={200: LiveOut})
def live(request):
    return {"status": "ok", "version": zhengwu.__version__}


@api.get("/ready", auth=None, tags=["平台"], summary="就绪探针：数据库、缓存、后台任务进程心跳、数据库迁移",
         response={200: ReadyOut, 503: ReadyOut})
def ready(request):
    from zhengwu.core.probes import readiness

    ok, checks = readiness()
    body = {"status": "ok" if ok else "unavailable", "version": zhengwu.__version__,
            "detail": "就绪" if ok else "未就绪：" + "；".join(c.message for c in checks if not c.ok),
            "checks": {c.name: c.as_dict() for c in checks}}
    return Status(200 if ok else 503, body)


@api.get("/version", auth=None, tags=["平台"], summary="版本", response={200: VersionOut})
def version(request):
    return {"version": zhengwu.__version__}


@api.get("/me", auth=django_auth, tags=["平台"], summary="当前登录用户", response={200: MeOut, 401: ErrorOut})
def me(request):
    from zhengwu.org.permissions import roles_of

    u = request.user
    return {"username": u.get_username(), "name": str(u), "kind": u.kind, "roles": sorted(roles_of(u))}


def _mount_routers() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("zhengwu."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.api")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.api":
                continue
            raise
        router = getattr(module, "router", None)
        if router is not None:
            api.add_router(getattr(module, "PREFIX", f"/{config.label}/"), router)


_mount_routers()
