"""JSON API of the results part of 监管, mounted by api.py under /api/v1/inspections/.

- ``GET  results``: the public 公示 list (no login), newest check first, keyset cursor ``after``;
- ``POST tasks/{id}/result``: record a task's result (the task's inspectors, department staff);
- ``POST plans/{plan_id}/objects/{object_id}/result``: the same by plan and object — an object the
  plan's current draw did not select is refused with a clear message.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from ninja import Field, Query, Router

from zhengwu.accounts.api_auth import SessionAuth
from zhengwu.core.schemas import ERRORS, Schema

from .models import InspectionPlan, InspectionTask
from .services import results as svc
from .services import results_queries as queries

router = Router(tags=["互联网+监管"])


class InspectionResultOut(Schema):
    id: int
    plan_number: str
    plan_name: str
    department: str
    items: list[str]
    object_name: str
    object_uscc: Optional[str] = None
    inspectors: list[str] = Field(..., description="执法人员姓名（执法证号）")
    result: str
    result_label: str
    checked_on: dt.date
    published_at: dt.datetime


class InspectionResultPageOut(Schema):
    results: list[InspectionResultOut]
    next: Optional[str] = Field(None, description="下一页的 after 参数；没有下一页时为空")


class InspectionResultIn(Schema):
    result: str = Field(..., description="ok / rectify / penalty / transfer / not_found / closed")
    checked_on: dt.date
    note: str = ""
    hold: bool = Field(False, description="暂缓公示（仅部门管理员、审批人员）")
    expected_version: Optional[int] = Field(None, description="任务的 lock_version（乐观锁）")


class InspectionTaskOut(Schema):
    id: int
    result: str
    checked_on: Optional[dt.date] = None
    publish_due: Optional[dt.date] = None
    published_at: Optional[dt.datetime] = None
    lock_version: int


def _out(t: InspectionTask) -> dict:
    return {"id": t.pk, "plan_number": t.plan.number, "plan_name": t.plan.name, "department": t.plan.department.name,
            "items": [i.name for i in t.plan.items.all()], "object_name": t.inspected.name,
            "object_uscc": t.inspected.uscc, "result": t.result, "result_label": t.get_result_display(),
            "inspectors": [f"{a.inspector.name}（{a.inspector.cert_number}）" for a in t.assignments.all()],
            "checked_on": t.checked_on, "published_at": t.published_at}


def _task_out(t: InspectionTask) -> dict:
    return {"id": t.pk, "result": t.result, "checked_on": t.checked_on, "publish_due": t.publish_due,
            "published_at": t.published_at, "lock_version": t.lock_version}


@router.get("/results", auth=None, response={200: InspectionResultPageOut, **ERRORS},
            summary="双随机抽查结果公示（已公示的检查结果）")
def public_results(request, department: Optional[int] = None, result: Query[Optional[str]] = None,
                   start: Optional[dt.date] = None, end: Optional[dt.date] = None, after: str = ""):
    from django.core.exceptions import ValidationError

    if result and result not in {c for c, _ in InspectionTask.Result.choices if c}:
        raise ValidationError({"result": "检查结果必须是 ok、rectify、penalty、transfer、not_found 或 closed"})
    if start and end and end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期"})
    page = queries.public_results(department_id=department, start=start, end=end, result=result or "", cursor=after)
    return {"results": [_out(t) for t in page.rows], "next": page.next_cursor}


def _record(request, task: InspectionTask, body: InspectionResultIn) -> dict:
    task = svc.record_result(task, request.user, body.result, body.note, body.checked_on,
                             expected_version=body.expected_version, hold=body.hold)
    return _task_out(task)


@router.post("/tasks/{task_id}/result", auth=SessionAuth(), response={200: InspectionTaskOut, **ERRORS},
             summary="录入检查结果")
def record_task_result(request, task_id: int, body: InspectionResultIn):
    task = InspectionTask.objects.select_related("plan", "draw").filter(pk=task_id).first()
    if task is None or not svc.may_view(request.user, task):
        raise svc.TaskMissing()
    return _record(request, task, body)


@router.post("/plans/{plan_id}/objects/{object_id}/result", auth=SessionAuth(),
             response={200: InspectionTaskOut, **ERRORS}, summary="按检查对象录入检查结果")
def record_object_result(request, plan_id: int, object_id: int, body: InspectionResultIn):
    plan = InspectionPlan.objects.select_related("department", "department__region").filter(pk=plan_id).first()
    if plan is None:
        raise svc.TaskMissing("抽查计划不存在或无权查看")
    return _record(request, svc.task_for(plan, object_id), body)
