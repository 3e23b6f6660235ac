"""The API's shared schemas (请求与响应的数据结构): the error answer, a reference to another object.

Every router builds its schemas on :class:`Schema` (zhengwu.speedups.schemas: django-ninja's
``Schema``, validating the plain dicts our views answer with directly).
"""

from __future__ import annotations

from pydantic import Field

from zhengwu.speedups.schemas import Schema

__all__ = ["ERRORS", "ErrorOut", "Ref", "Schema"]


# -- shared by every router ---------------------------------------------------------------------
# One class per component name: the OpenAPI document keys its schemas by class name, so two
# classes of the same name would overwrite each other there (tests/core/test_openapi_schemas.py).
class ErrorOut(Schema):
    """Every API error (zhengwu.core.errors; the handlers are on the NinjaAPI in zhengwu/api.py)."""

    detail: str = Field(..., description="错误说明（中文）")
    errors: dict[str, list[str]] = Field(default_factory=dict, description="字段 → 错误信息")


class Ref(Schema):
    """Another object named in a response: its id and its name."""

    id: int
    name: str


# The error answers an endpoint documents (``response={200: …, **ERRORS}``).
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
