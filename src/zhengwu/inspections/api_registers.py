"""JSON API of the registers part of 监管, mounted by api.py under /api/v1/inspections/ (session
auth, the same roles and scope as the pages; errors are JSON through the API root's handlers):

- ``GET inspectors`` — one page of the 执法人员名录 (filters department, status, expiring, q; keyset
  ``after``), names masked;
- ``GET inspectors/rates`` — 注册率 per department;
- ``GET objects`` — one page of the 检查对象名录库 (q, region, category, industry, risk, ``after``);
- ``POST inspectors/{id}/conflicts`` — 回避申报 {"inspected": 信用代码 or id, "reason": …};
- ``GET object-jobs`` / ``GET object-jobs/{id}`` — the background jobs of the 检查对象名录库 (同步法人库,
  big imports: started from the pages) with status, progress, counts and the import's report.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, Router, Status
from ninja.security import django_auth

from zhengwu.core.pii import mask
from zhengwu.core.schemas import ERRORS, Schema
from zhengwu.org.permissions import is_sysadmin, roles_of

from . import registers_rules as rules
from .models import InspectedObject, Inspector
from .services import registers as svc
from .services import registers_jobs as jsvc
from .services import registers_objects as osvc

router = Router(tags=["互联网+监管"], auth=django_auth)


def _viewer(request) -> None:
    if not (roles_of(request.user) & set(svc.VIEW_ROLES)) and not is_sysadmin(request.user):
        raise PermissionDenied("仅部门管理员、审批人员、督办人员、领导可以查看监管名录")


class RegInspectorOut(Schema):
    id: int
    name: str = Field(..., description="姓名（已脱敏）")
    cert_number: str = Field(..., description="执法证号")
    department_id: int
    field: str
    status: str
    valid_until: dt.date
    has_account: bool


class RegInspectorPageOut(Schema):
    items: list[RegInspectorOut]
    next: str = Field(..., description="下一页游标（after），空为最后一页")


class RegRateOut(Schema):
    department_id: int
    department: str
    total: int
    valid: int
    with_account: int
    valid_rate: float | None
    account_rate: float | None


class RegObjectOut(Schema):
    id: int
    uscc: str | None
    name: str
    category: str
    industry: str
    region_code: str
    risk_level: str
    is_active: bool


class RegObjectPageOut(Schema):
    items: list[RegObjectOut]
    next: str


class RegConflictIn(Schema):
    inspected: str = Field(..., description="检查对象的统一社会信用代码或编号")
    reason: str = Field("", description="回避原因（必填）")


class RegConflictOut(Schema):
    id: int
    inspector_id: int
    inspected_id: int
    reason: str


@router.get("inspectors", response={200: RegInspectorPageOut, **ERRORS}, summary="执法人员名录（分页）")
def inspectors(request, department: str = "", status: str = "", expiring: str = "", q: str = "", after: str = ""):
    _viewer(request)
    rows, nxt = svc.inspector_page(request.user, {"department": department, "status": status, "expiring": expiring,
                                                  "q": q, "after": after}, timezone.localdate())
    return {"items": [{"id": i.pk, "name": mask("name", i.name), "cert_number": i.cert_number,
                       "department_id": i.department_id, "field": i.field, "status": i.status,
                       "valid_until": i.valid_until, "has_account": i.user_id is not None} for i in rows],
            "next": nxt}


@router.get("inspectors/rates", response={200: list[RegRateOut], **ERRORS}, summary="执法人员注册率（按部门）")
def rates(request):
    _viewer(request)
    return [{"department_id": d.pk, "department": d.name, "total": r.total, "valid": r.valid,
             "with_account": r.with_account, "valid_rate": r.valid_rate, "account_rate": r.account_rate}
            for d, r in svc.registration_rates(request.user)]


@router.get("objects", response={200: RegObjectPageOut, **ERRORS}, summary="检查对象名录库（分页查询）")
def objects(request, q: str = "", region: str = "", category: str = "", industry: str = "", risk: str = "",
            after: str = ""):
    _viewer(request)
    rows, nxt = osvc.search(request.user, {"q": q, "region": region, "category": category, "industry": industry,
                                           "risk": risk, "after": after})
    return {"items": [{"id": o.pk, "uscc": o.uscc, "name": o.name, "category": o.category, "industry": o.industry,
                       "region_code": o.region_code, "risk_level": o.risk_level, "is_active": o.is_active}
                      for o in rows], "next": nxt}


@router.post("inspectors/{int:inspector_id}/conflicts", response={201: RegConflictOut, **ERRORS},
             summary="回避申报（执法人员本人或其部门管理员）")
def declare(request, inspector_id: int, payload: RegConflictIn):
    inspector = get_object_or_404(Inspector.objects.select_related("department"), pk=inspector_id)
    value = payload.inspected.strip().upper()
    obj = (InspectedObject.objects.filter(uscc=value).first() if len(value) == 18 else
           InspectedObject.objects.filter(pk=int(value)).first() if rules.is_id(value) else None)
    if obj is None:
        raise ValidationError({"inspected": ["检查对象：名录库中没有该统一社会信用代码或编号的对象"]})
    c = svc.declare_conflict(request.user, inspector, obj, payload.reason)
    return Status(201, {"id": c.pk, "inspector_id": inspector.pk, "inspected_id": obj.pk, "reason": c.reason})


class RegJobOut(Schema):
    id: int
    kind: str = Field(..., description="sync 法人库同步 / import 检查对象导入")
    kind_label: str
    status: str = Field(..., description="queued 排队中 / running 进行中 / done 已完成 / failed 失败")
    status_label: str
    region_prefix: str
    file_name: str
    total: int | None = Field(None, description="总数（法人库记录数或文件行数），开始后才知道")
    progress: int = Field(..., description="已处理")
    added: int
    updated: int
    closed: int = Field(..., description="非存续移出（同步）")
    rejected: int = Field(..., description="未导入的行（导入）")
    report: dict = Field(default_factory=dict, description="导入的数据质量报告摘要（同步为空）")
    error: str
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    status_url: str
    page_url: str


def _job(j) -> dict:
    return {"id": j.pk, "kind": j.kind, "kind_label": j.get_kind_display(), "status": j.status,
            "status_label": j.get_status_display(), "region_prefix": j.region_prefix, "file_name": j.file_name,
            "total": j.total, "progress": j.progress, "added": j.added, "updated": j.updated, "closed": j.closed,
            "rejected": j.rejected, "report": j.report if "report" not in j.get_deferred_fields() else {},
            "error": j.error, "created_at": j.created_at, "started_at": j.started_at, "finished_at": j.finished_at,
            "status_url": f"/api/v1/inspections/object-jobs/{j.pk}",
            "page_url": reverse("inspections:reg_object_job", args=[j.pk])}


@router.get("object-jobs", response={200: list[RegJobOut], **ERRORS}, summary="检查对象名录库的后台任务（最近20个）")
def jobs(request):
    jsvc.require_viewer(request.user)
    return [_job(j) for j in jsvc.latest_jobs(request.user, 20)]


@router.get("object-jobs/{int:job_id}", response={200: RegJobOut, **ERRORS}, summary="检查对象名录库后台任务的状态")
def job(request, job_id: int):
    jsvc.require_viewer(request.user)
    return _job(jsvc.job_for(request.user, job_id))
