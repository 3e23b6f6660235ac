"""The JSON API root (Django Ninja): /api/v1/, OpenAPI at /api/v1/openapi.json.

Each domain app contributes a router in its ``api.py``; they are mounted here.
"""

from __future__ import annotations

import importlib

from django.apps import apps
from ninja import NinjaAPI
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import django_auth

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


@api.exception_handler(NinjaValidationError)
def _request_invalid(request, exc: NinjaValidationError):
    """A request that does not match its schema: 400 with Chinese messages per field."""
    errors: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "payload", "file")]
        field = ".".join(loc) or "请求"
        errors.setdefault(field, []).append(PYDANTIC_MESSAGES.get(err.get("type", ""), "格式不正确"))
    return api.create_response(request, {"detail": "提交的内容有误", "errors": errors}, status=400)


@api.get("/ping", auth=None, tags=["平台"], summary="连通性检查（不访问数据库，作为性能基线）")
def ping(request):
    return {"pong": True}


@api.get("/health", auth=None, tags=["平台"], summary="健康检查")
def health(request):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
    return {"status": "ok"}


@api.get("/me", auth=django_auth, tags=["平台"], summary="当前登录用户")
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
