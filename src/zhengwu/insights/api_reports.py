"""/api/v1/insights/reports: the 月报/年报 runs (list, request, one run, its files).

Leaders, supervisors and data admins (403 otherwise). A request for a period whose report is
already queued or generating answers 200 with that run (201 when a new one is queued); a bad kind
or period answers 400 naming the field and the rule (e.g. a future month).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Optional

from django.core.exceptions import PermissionDenied
from ninja import Query, Status
from pydantic import Field

from zhengwu.core import errors
from zhengwu.core.schemas import ERRORS, Schema

from .api import router
from .models import ReportRun
from .reports import services
from .views_reports import file_response

NOT_FOUND = "报告不存在"


class ReportNotFound(errors.NotFound):
    message = NOT_FOUND


class ReportRunOut(Schema):
    id: int
    kind: str = Field(..., description="month 月报 / year 年报")
    period: str = Field(..., description="月报 2026-11 / 年报 2026")
    title: str
    status: str = Field(..., description="queued 排队中 / running 生成中 / done 已生成 / failed 失败")
    status_label: str
    trigger: str = Field(..., description="schedule 定时生成 / request 手动申请 / command 命令行")
    error: str
    created_at: dt.datetime
    started_at: Optional[dt.datetime] = None
    finished_at: Optional[dt.datetime] = None
    seconds: Optional[float] = None
    data_until: Optional[dt.date] = None
    xlsx_url: Optional[str] = None
    xlsx_size: int
    xlsx_sha256: str
    pdf_url: Optional[str] = None
    pdf_size: int
    pdf_sha256: str


class ReportListOut(Schema):
    count: int
    items: list[ReportRunOut]


class ReportRequestIn(Schema):
    kind: str = Field(..., description="month 月报 / year 年报")
    period: str = Field(..., description="月报填月份（2026-11），年报填年份（2026）")


class ReportListQuery(Schema):
    kind: Optional[Literal["month", "year"]] = None
    period: Optional[str] = Field(None, max_length=7)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000, description="跳过条数（0-100000）")


def _require(user) -> None:
    if not services.may_use(user):
        raise PermissionDenied("仅领导、督办人员和数据管理员可以使用统计报告")


def _out(run: ReportRun) -> dict:
    done = run.status == ReportRun.Status.DONE
    base = f"/api/v1/insights/reports/{run.pk}"
    return {"id": run.pk, "kind": run.kind, "period": run.period, "title": run.title, "status": run.status,
            "status_label": run.get_status_display(), "trigger": run.trigger, "error": run.error,
            "created_at": run.created_at, "started_at": run.started_at, "finished_at": run.finished_at,
            "seconds": run.seconds, "data_until": run.data_until,
            "xlsx_url": f"{base}/xlsx" if done else None, "xlsx_size": run.xlsx_size, "xlsx_sha256": run.xlsx_sha256,
            "pdf_url": f"{base}/pdf" if done else None, "pdf_size": run.pdf_size, "pdf_sha256": run.pdf_sha256}


def _run(run_id: int) -> ReportRun:
    run = ReportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise ReportNotFound()
    return run


@router.get("/reports", response={200: ReportListOut, **ERRORS}, summary="统计报告（月报/年报）列表",
            description="最新的在前；kind、period 可筛选。")
def list_reports(request, q: Query[ReportListQuery]):
    _require(request.auth)
    qs = ReportRun.objects.order_by("-created_at", "-pk")
    if q.kind:
        qs = qs.filter(kind=q.kind)
    if q.period:
        qs = qs.filter(period=q.period.strip())
    return {"count": qs.count(), "items": [_out(r) for r in qs[q.offset:q.offset + q.limit]]}


@router.post("/reports", response={200: ReportRunOut, 201: ReportRunOut, **ERRORS}, summary="申请生成统计报告",
             description="排队生成；同一统计期的报告正在排队或生成时返回该报告（200），不重复排队。")
def request_report(request, payload: ReportRequestIn):
    _require(request.auth)
    run, created = services.request_report(payload.kind, payload.period, request.auth)
    return Status(201 if created else 200, _out(run))


@router.get("/reports/{int:run_id}", response={200: ReportRunOut, **ERRORS}, summary="一份统计报告的状态")
def get_report(request, run_id: int):
    _require(request.auth)
    return _out(_run(run_id))


@router.get("/reports/{int:run_id}/{fmt}", response={200: None, **ERRORS}, summary="下载统计报告（xlsx 或 pdf）")
def report_file(request, run_id: int, fmt: Literal["xlsx", "pdf"]):
    _require(request.auth)
    return file_response(_run(run_id), fmt)
