"""JSON API of 告知承诺 后核查, mounted by api.py under /api/v1/inspections/: the checks in the
caller's scope by queue tab, one check, and recording its finding (``version`` against lost
updates: 409 when stale; a second finding is refused with 400). Session authentication."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from ninja import Query, Router
from pydantic import Field

from zhengwu.accounts.api_auth import SessionAuth
from zhengwu.core import errors
from zhengwu.core.schemas import ERRORS, Schema

from . import verification_rules as rules
from .services import verification as svc

router = Router(tags=["互联网+监管"])


class NotFound(errors.NotFound):
    message = "核查记录不存在或无权查看"


class CheckOut(Schema):
    id: int
    case_id: int
    case_number: str
    department_id: int
    due_date: dt.date
    state: str = Field(..., description="pending 待核查 / passed 核查属实 / failed 核查不属实")
    state_label: str
    finding: str
    checked_at: dt.datetime | None = None
    revocation_started_at: dt.datetime | None = None
    revocation_note: str
    version: int


class FindingIn(Schema):
    version: int = Field(..., description="读取时的 version（乐观锁）")
    outcome: str = Field(..., description="passed 属实 / failed 不属实")
    finding: str = Field(..., description="核查情况（不少于 5 个字）")


def _out(c) -> CheckOut:
    return CheckOut(id=c.pk, case_id=c.case_id, case_number=c.case.number, department_id=c.department_id,
                    due_date=c.due_date, state=c.state, state_label=c.get_state_display(), finding=c.finding,
                    checked_at=c.checked_at, revocation_started_at=c.revocation_started_at,
                    revocation_note=c.revocation_note, version=c.lock_version)


def _check(request, pk: int):
    c = svc.visible_checks(request.auth).select_related("case").filter(pk=pk).first()
    if c is None:
        raise NotFound(NotFound.message)
    return c


@router.get("/commitment-checks", auth=SessionAuth(), response={200: list[CheckOut], **ERRORS},
            summary="告知承诺核查列表（pending 待核查 / due_soon 即将到期 / overdue 已超期 / done 已核查）")
def check_list(request, tab: str = "overdue", limit: int = Query(50, ge=1, le=200)):
    if tab not in rules.QUEUES:
        raise ValidationError({"tab": [f"tab 须为 {' / '.join(rules.QUEUES)} 之一"]})
    from zhengwu.org.permissions import is_sysadmin, roles_of

    if not (roles_of(request.auth) & set(svc.STAFF_ROLES + svc.BUREAU_ROLES)) and not is_sysadmin(request.auth):
        raise PermissionDenied("仅部门管理员、审批人员、督办人员和领导可以查看告知承诺核查")
    return [_out(c) for c in svc.queue(request.auth, tab).select_related("case")[:limit]]


@router.get("/commitment-checks/{pk}", auth=SessionAuth(), response={200: CheckOut, **ERRORS}, summary="告知承诺核查详情")
def check_detail(request, pk: int):
    return _out(_check(request, pk))


@router.post("/commitment-checks/{pk}/finding", auth=SessionAuth(), response={200: CheckOut, **ERRORS},
             summary="记录核查结论（不属实：撤销审批决定并吊销该办件颁发的证照）")
def check_finding(request, pk: int, payload: FindingIn):
    c = _check(request, pk)
    return _out(svc.record_finding(request.auth, c.pk, payload.version, payload.outcome, payload.finding))
