"""Shared pieces of the 好差评 services: the errors they raise and the roles they check."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from zhengwu.core.errors import Conflict
from zhengwu.core.transitions import Stale as _Stale
from zhengwu.org.models import Role

from .. import rules

CONCLUDED_STATES = ("concluded", "delivered")
RECTIFY_ROLES = (Role.DEPT_ADMIN, Role.APPROVER)
SUPERVISE_ROLES = (Role.SUPERVISOR,)


class Stale(_Stale):  # 409 in the API
    message = "该差评整改已被他人更新，请刷新页面后重试"


class AlreadyRated(Conflict):  # 409 in the API
    pass


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _rule(exc: rules.RuleError) -> ValidationError:
    return _invalid(exc.field, exc.message)

