"""The staff lists of the cases API — 受理队列, 待办, 办件查询, 办件指标 — on the router of
:mod:`zhengwu.cases.api`, paged by keyset cursor."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from ninja import Query

from zhengwu.core.schemas import ERRORS
from zhengwu.org import permissions
from zhengwu.org.models import Role

from . import queries
from .api import (
    CASE_ROLES, SUMMARY_FIELDS, _decode_cursor, _encode_cursor, _invalid, _page, _summary, _time_out, router,
)
from .api_schemas import CaseFiguresOut, CasePage, InboxPage
from .rules import State
from .services import figures as figures_svc


# == staff lists ===============================================================================
# The intake queue and the inbox are the staff pages' own scoped queries (cases/queries.py);
# the API pages them by keyset cursor instead of page numbers.
def _search_queryset(user, *, number, item_id, state, department_id, date_from, date_to, after=None, upto=None):
    if state and state not in {s.value for s in State}:
        raise _invalid("state", "办件状态不正确")
    qs = queries.case_search(user, number=number, item=item_id, state=state, department=department_id,
                             date_from=date_from, date_to=date_to, after=after, upto=upto)
    # select_related: each row shows the item, the department and the applicant's name.
    return qs.select_related("service_item", "department", "applicant").only(*SUMMARY_FIELDS)


def _require_staff(user, roles, what: str) -> None:
    if not (permissions.is_sysadmin(user) or permissions.roles_of(user) & set(roles)):
        raise PermissionDenied(f"仅{what}可以使用")


@router.get("/intake", response={200: CasePage, **ERRORS}, summary="受理队列（窗口人员）",
            description="本人窗口岗位覆盖的部门中待受理的办件（含补正后重新提交的），最早提交的在前。")
def intake_queue(request, item_id: Optional[int] = None, department_id: Optional[int] = None,
                 channel: Optional[str] = None, number: Optional[str] = None, cursor: Optional[str] = None,
                 limit: int = Query(20, ge=1, le=100)):
    _require_staff(request.auth, [Role.WINDOW], "窗口人员")
    qs = queries.intake_queue(request.auth, {"item": item_id, "department": department_id, "channel": channel},
                              upto=None if (cursor or number) else limit + 1)
    if number:
        qs = qs.filter(number=number.strip())
    rows, next_cursor = _page(qs.only(*SUMMARY_FIELDS), "submitted_at", cursor, limit, descending=False,
                              kind=dt.datetime)
    return {"items": [_summary(c) for c in rows], "next_cursor": next_cursor}


@router.get("/inbox", response={200: InboxPage, **ERRORS}, summary="待办（审批环节）",
            description="当前用户可办理的审批环节，期限最早的在前（sort=-due 最晚的在前）。"
                        "time 按时限状态筛选：normal 正常 / warning 预警（剩余不足20%）/ overdue 超期 / paused 挂起。")
def inbox(request, item_id: Optional[int] = None, department_id: Optional[int] = None, time: Optional[str] = None,
          sort: str = "due", cursor: Optional[str] = None, limit: int = Query(20, ge=1, le=100)):
    user = request.auth
    _require_staff(user, queries.STEP_ROLES, "审批或窗口人员")
    if time and time not in ("normal", "warning", "overdue", "paused"):
        raise _invalid("time", "时限状态只能是：normal（正常）、warning（预警）、overdue（超期）、paused（挂起）")
    if sort not in ("due", "-due"):
        raise _invalid("sort", "排序只能是：due（期限最早在前）、-due（期限最晚在前）")
    qs = queries.inbox(user, {"item": item_id, "department": department_id, "time": time, "sort": sort})
    # Withdrawn cases leave their steps behind; only cases in review (or suspended) are work.
    # select_related (added to the query's own): each row's case summary names the department.
    qs = (qs.filter(case__state__in=[State.IN_REVIEW, State.SUSPENDED]).select_related("case__department")
          .only("id", "step_id", "name", "role", "department__id", "department__name", "activated_at", "due_date",
                "case", *(f"case__{f}" for f in SUMMARY_FIELDS)))
    descending = sort == "-due"
    if cursor:
        value, pk = _decode_cursor(cursor, dt.date)
        op = "lt" if descending else "gt"
        qs = qs.filter(Q(**{f"due_date__{op}": value}) | Q(due_date=value, **{f"pk__{op}": pk}))
    # 正常/预警 depend on working days: finished in Python over the due-date-ordered rows, which
    # stream until the page is full (see queries.with_time_status).
    source = qs.iterator(chunk_size=200) if time in ("normal", "warning") else qs[: limit + 1]
    rows, more, _capped = queries.with_time_status(source, time, limit)
    next_cursor = _encode_cursor(rows[-1].due_date, rows[-1].pk) if more and rows else None
    items = [{
        "id": s.pk, "step_id": s.step_id, "step_name": s.name, "role": s.role,
        "department": {"id": s.department_id, "name": s.department.name},
        "case": _summary(s.case), "activated_at": s.activated_at, "due_date": s.due_date,
        "time": _time_out(s.time_left) or {"status": "normal", "label": "正常", "days_left": 0},
    } for s in rows]
    return {"items": items, "next_cursor": next_cursor}


@router.get("/search", response={200: CasePage, **ERRORS}, summary="办件查询（工作人员）",
            description="按办件编号、事项、状态、部门、提交日期查询本部门/本区划的办件，最新提交的在前。"
                        "（不提供按身份证号查询：查询参数会出现在地址和访问日志中。）")
def search(request, number: Optional[str] = None, item_id: Optional[int] = None, state: Optional[str] = None,
           department_id: Optional[int] = None, date_from: Optional[dt.date] = None, date_to: Optional[dt.date] = None,
           cursor: Optional[str] = None, limit: int = Query(20, ge=1, le=100)):
    user = request.auth
    _require_staff(user, CASE_ROLES, "工作人员")
    if date_from and date_to and date_to < date_from:
        raise _invalid("date_to", "结束日期不能早于开始日期")
    qs = _search_queryset(user, number=number, item_id=item_id, state=state, department_id=department_id,
                          date_from=date_from, date_to=date_to,
                          after=_decode_cursor(cursor, dt.datetime) if cursor else None, upto=limit + 1)
    rows, next_cursor = _page(qs, "submitted_at", cursor, limit, descending=True, kind=dt.datetime)
    return {"items": [_summary(c) for c in rows], "next_cursor": next_cursor}


@router.get("/figures", response={200: CaseFiguresOut, **ERRORS}, summary="办件指标",
            description="受理量、办结量、按时办结率、超期数、平均办理时长、即办率、全程网办率、跑动次数，"
                        "按部门 / 事项 / 窗口分组；工作人员看本部门/本区划，领导看本区划。口径见 definitions。")
def figures(request, group_by: str = "department", start: Optional[dt.date] = None, end: Optional[dt.date] = None):
    user = request.auth
    if not figures_svc.may_view(user):
        raise PermissionDenied("仅工作人员和领导可以查看办件指标")
    if group_by not in figures_svc.GROUPS:
        raise _invalid("group_by", "统计维度只能是：department（部门）、item（事项）、window（窗口）")
    default_start, default_end = figures_svc.default_period()
    start, end = start or default_start, end or default_end
    problems = figures_svc.check_period(start, end)
    if problems:
        raise ValidationError({k: [v] for k, v in problems.items()})
    report = figures_svc.case_figures(figures_svc.cases_in_view(user),
                                      group_by=group_by, start=start, end=end)
    return {
        "group_by": report.group_by, "group_label": report.group_label, "start": report.start, "end": report.end,
        "definitions": [{"key": k, "label": v[0], "unit": v[1], "definition": v[2]}
                        for k, v in figures_svc.DEFINITIONS.items()],
        "rows": [{"key": r.key, "label": r.label, "figures": r.figures.as_dict()} for r in report.rows],
        "total": report.total.as_dict(),
    }
