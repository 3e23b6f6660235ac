"""The 好差评 JSON API (/api/v1/ratings/): figures, rating a case, staff lists, rectification
actions and the outbox feed for the upper-level 好差评 system.

Session authentication (CSRF-checked for unsafe methods, as in the cases API). Services raise
``ValidationError`` → 400 with field errors, ``PermissionDenied`` → 403, a stale rectification
version → 409, a second rating of the same event → 409 (the API root's handlers, ``zhengwu/api.py``).
Objects outside the viewer's scope are 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

import orjson
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from ninja import Query, Router, Status
from pydantic import Field

from zhengwu.accounts.api_auth import ApiKeyAuth, SessionAuth
from zhengwu.accounts.models import ApiKey
from zhengwu.core import errors
from zhengwu.core.schemas import ERRORS, Schema
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role, is_staff_member

from . import queries, rules, services
from .models import OutboxRecord, Rating, Rectification

PREFIX = "/ratings/"
router = Router(auth=SessionAuth(), tags=["好差评"])
NOT_FOUND = "记录不存在或无权查看"


class NotFound(errors.NotFound):
    message = NOT_FOUND


def _invalid(exc: rules.RuleError) -> ValidationError:
    return ValidationError({exc.field: [exc.message]})


def _require_staff(user) -> None:
    if not is_staff_member(user):
        raise PermissionDenied("仅限工作人员使用")


# -- figures ----------------------------------------------------------------------------------
class RatingFigureRowOut(Schema):
    key: Optional[str | int] = None
    label: str
    ratings: int
    active: int
    events: int
    rated: int = 0
    active_rate: Optional[float] = None
    satisfied: int
    satisfaction_rate: Optional[float] = None
    bad: int
    rectify_rate: Optional[float] = None
    bad_real: int
    callback_rate: Optional[float] = None
    defaults: int
    excluded: int
    levels: dict[str, int]
    dimension_avg: dict[str, float]


class RatingFiguresOut(Schema):
    period: str
    start: dt.date
    end: dt.date
    by: str
    rows: list[RatingFigureRowOut]
    total: RatingFigureRowOut
    definitions: dict[str, str] = Field(..., description="指标口径")


@router.get("/figures", response={200: RatingFiguresOut, **ERRORS}, summary="评价指标（按部门/窗口/人员/事项/区划）",
            description="period=YYYY-MM（默认本月），by=department|window|staff|item|region|kind，"
                        "region=区划代码（可选）。结果限于当前用户的管辖范围。同样的查询 60 秒内返回同一结果"
                        "（评价数据变化后即重新计算）；fresh=true 立即重新计算。")
def figures(request, period: Optional[str] = None, by: str = "department", region: Optional[str] = None,
            fresh: bool = False):
    user = request.auth
    _require_staff(user)
    if not has_role(user, *queries.FIGURE_ROLES):
        raise PermissionDenied("仅领导、督办、部门管理员、数据管理员和窗口/审批人员可以查看评价指标")
    period = period or timezone.localdate().strftime("%Y-%m")
    try:
        start, end = rules.month_bounds(period)
    except rules.RuleError as exc:
        raise _invalid(exc) from None
    if region is not None and not (region.isdigit() and len(region) == 12):
        raise ValidationError({"region": ["区划代码应为 12 位数字"]})

    def build() -> bytes:
        report = queries.figures_report(start=start, end=end, group_by=by, region_code=region, user=user)
        body = {"period": period, "start": start, "end": end, "by": by,
                "rows": [queries.row_json(r) for r in report.rows], "total": queries.row_json(report.total),
                "definitions": {v[0]: v[2] for v in rules.DEFINITIONS.values()}}
        # Built from plain values already in the documented shape (RatingFiguresOut): serialised
        # directly — validating thousands of rows again would cost more than the query — and by
        # orjson, many times faster than the standard library's encoder on a city's month by
        # department.
        return orjson.dumps(body)

    # The same answer for everyone with the same grants, kept briefly (queries.cached_figures).
    try:
        body = queries.cached_figures(build, period, by, region or "", queries.scope_key(user), fresh=fresh)
    except rules.RuleError as exc:  # an unknown "by"
        raise _invalid(exc) from None
    return HttpResponse(body, content_type="application/json")


# -- rating -----------------------------------------------------------------------------------
class RateIn(Schema):
    level: int = Field(..., ge=1, le=5, description="5 非常满意 4 满意 3 基本满意 2 不满意 1 非常不满意")
    dims: dict[str, int] = Field(default_factory=dict, description="维度评分 1–5，每项都评或都不评（网上办件："
                                 + "、".join(f"{k} {v}" for k, v in rules.ONLINE_DIMENSIONS.items())
                                 + "；见 GET /ratings/form）")
    tags: list[str] = Field(default_factory=list, description="好评标签和差评问题，取自 GET /ratings/form 的列表；"
                                                              "差评（1、2）须至少选一个问题或填写 comment")
    comment: str = ""


class RatingOut(Schema):
    id: int
    kind: str
    source_ref: str
    level: int
    level_label: str
    is_bad: bool
    excluded: bool
    is_default: bool
    channel: str
    department: str
    rated_at: dt.datetime
    comment: str
    tags: list[str] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list, description="差评问题（tags 中属于差评问题列表的）")
    dims: dict[str, int] = Field(default_factory=dict)
    rectification_id: Optional[int] = None
    rectification_state: Optional[str] = None


def _rating_out(r: Rating) -> dict:
    rect = Rectification.objects.filter(rating=r).values_list("pk", "state").first() if r.is_bad else None
    return {"id": r.pk, "kind": r.kind, "source_ref": r.source_ref, "level": r.level, "level_label": r.level_label,
            "is_bad": r.is_bad, "excluded": r.excluded, "is_default": r.is_default, "channel": r.channel,
            "department": r.department.name, "rated_at": r.rated_at, "comment": r.comment,
            "tags": list(r.tags or []), "problems": rules.bad_problems_of(r.tags), "dims": dict(r.dims or {}),
            "rectification_id": rect[0] if rect else None,
            "rectification_state": rules.RSTATE_LABELS[rules.RState(rect[1])] if rect else None}


class DimensionOut(Schema):
    key: str
    label: str


class RatingFormOut(Schema):
    kind: str
    levels: dict[str, str]
    bad_levels: list[int]
    dimensions: list[DimensionOut]
    tags_good: list[str]
    problems: list[str]


@router.get("/form", response={200: list[RatingFormOut], **ERRORS}, auth=None,
            summary="评价表单：各类评价的等级、维度、好评标签和差评问题（与页面同一份定义）")
def rating_form(request):
    return [{"kind": str(kind), "levels": {str(k): v for k, v in rules.LEVELS.items()},
             "bad_levels": sorted(rules.BAD_LEVELS),
             "dimensions": [{"key": k, "label": v} for k, v in dims.items()], "tags_good": rules.TAGS_GOOD,
             "problems": rules.bad_problems_for(kind)} for kind, dims in rules.DIMENSIONS.items()]


@router.post("/cases/{case_id}", response={201: RatingOut, **ERRORS}, summary="评价本人已办结的办件（一事一评）")
def rate_case(request, case_id: int, payload: RateIn):
    from zhengwu.accounts.agents import acting_applicant
    from zhengwu.cases.queries import applicants_case

    # The applicant, or the enterprise its 经办人 acts for with the 评价 scope (as on the page).
    case = applicants_case(acting_applicant(request, "rate"), case_id)
    if case is None:
        raise NotFound()
    r = services.rate_case(request.auth, case, level=payload.level, dims=payload.dims, tags=payload.tags,
                           comment=payload.comment, channel=rules.Channel.PC)
    return Status(201, _rating_out(r))


class RatingPage(Schema):
    items: list[RatingOut]
    next_cursor: Optional[int] = None


@router.get("/", response={200: RatingPage, **ERRORS}, summary="评价列表（本人管辖范围，最新在前）")
def rating_list(request, bad: Optional[bool] = None, department_id: Optional[int] = None,
                cursor: Optional[int] = None, limit: int = Query(20, ge=1, le=100)):
    _require_staff(request.auth)
    qs = queries.ratings_for(request.auth).select_related("department").filter(followup_of__isnull=True)
    if bad is not None:
        qs = qs.filter(is_bad=bad)
    if department_id:
        qs = qs.filter(department_id=department_id)
    if cursor:
        qs = qs.filter(pk__lt=cursor)
    rows = list(qs.order_by("-pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": [_rating_out(r) for r in rows], "next_cursor": rows[-1].pk if more else None}


# -- rectifications ---------------------------------------------------------------------------
class RectOut(Schema):
    id: int
    rating_id: int
    state: str
    state_label: str
    department: str
    due_date: dt.date
    overdue: bool
    real_name: bool
    version: int
    level: int
    comment: str
    problems: list[str] = Field(default_factory=list)
    verified_valid: Optional[bool] = None
    measures: str
    callback_attempts: int
    urge_count: int


def _rect_out(x: Rectification) -> dict:
    return {"id": x.pk, "rating_id": x.rating_id, "state": x.state, "state_label": x.state_label,
            "department": x.department.name, "due_date": x.due_date,
            "overdue": rules.is_overdue(x.state, x.due_date, timezone.localdate()), "real_name": x.real_name,
            "version": x.version, "level": x.rating.level, "comment": x.rating.comment,
            "problems": rules.bad_problems_of(x.rating.tags),
            "verified_valid": x.verified_valid, "measures": x.measures, "callback_attempts": x.callback_attempts,
            "urge_count": x.urge_count}


def _rect(request, pk: int) -> Rectification:
    x = queries.rectifications_for(request.auth).select_related("rating", "department").filter(pk=pk).first()
    if x is None:
        raise NotFound()
    return x


@router.get("/rectifications", response={200: list[RectOut], **ERRORS}, summary="差评整改列表")
def rect_list(request, state: Optional[str] = None, overdue: bool = False, limit: int = Query(50, ge=1, le=200)):
    _require_staff(request.auth)
    qs = queries.overdue(request.auth) if overdue else queries.rectifications_for(request.auth)
    if state:
        qs = qs.filter(state=state)
    return [_rect_out(x) for x in qs.select_related("rating", "department").order_by("due_date", "pk")[:limit]]


@router.get("/rectifications/{pk}", response={200: RectOut, **ERRORS}, summary="差评整改详情")
def rect_detail(request, pk: int):
    return _rect_out(_rect(request, pk))


class VerifyIn(Schema):
    version: int
    valid: bool
    reason: str = ""


class RectifyIn(Schema):
    version: int
    measures: str


class CallbackIn(Schema):
    version: int
    reached: bool
    satisfied: Optional[bool] = None
    note: str = ""


class UrgeIn(Schema):
    note: str = ""


@router.post("/rectifications/{pk}/verify", response={200: RectOut, **ERRORS}, summary="核实（属实/不属实）")
def rect_verify(request, pk: int, payload: VerifyIn):
    x = services.verify(request.auth, _rect(request, pk), payload.version, valid=payload.valid, reason=payload.reason)
    return _rect_out(x)


@router.post("/rectifications/{pk}/rectify", response={200: RectOut, **ERRORS}, summary="登记整改")
def rect_rectify(request, pk: int, payload: RectifyIn):
    return _rect_out(services.rectify(request.auth, _rect(request, pk), payload.version, measures=payload.measures))


@router.post("/rectifications/{pk}/callback", response={200: RectOut, **ERRORS}, summary="登记回访")
def rect_callback(request, pk: int, payload: CallbackIn):
    return _rect_out(services.callback(request.auth, _rect(request, pk), payload.version, reached=payload.reached,
                                       satisfied=payload.satisfied, note=payload.note))


@router.post("/rectifications/{pk}/urge", response={200: RectOut, **ERRORS}, summary="督办")
def rect_urge(request, pk: int, payload: UrgeIn):
    return _rect_out(services.urge(request.auth, _rect(request, pk), note=payload.note))


# -- outbox (上报上级好差评系统) ------------------------------------------------------------------
class OutboxOut(Schema):
    id: int
    type: str
    实施编码: str
    办件编号: str
    评价渠道: str
    评价等级: int
    评价时间: str
    申请人类型: str


class AckIn(Schema):
    ids: list[int] = Field(..., description="上级系统已确认接收的记录编号")
    receipt: str = Field("", description="上级系统回执号")


FEED_SCOPE = "ratings:feed"  # registered in RatingsConfig.ready
FEED_AUTH = [ApiKeyAuth(FEED_SCOPE), SessionAuth()]


def _require_data_admin(user) -> None:
    if isinstance(user, ApiKey):
        return  # an 应用密钥 holding the feed scope (checked by ApiKeyAuth)
    if not has_role(user, Role.DATA_ADMIN, Role.SYSADMIN):
        raise PermissionDenied("只有数据管理员可以读取上报队列")


@router.get("/outbox", response={200: list[OutboxOut], **ERRORS}, summary="待上报的评价（最早在前）", auth=FEED_AUTH,
            description="读取尚未被上级系统确认接收的记录；推送成功后调用 /outbox/ack 标记。读取不改变状态。")
def outbox(request, after: int = Query(0, ge=0, le=2**62), limit: int = Query(100, ge=1, le=1000)):
    _require_data_admin(request.auth)
    rows = OutboxRecord.objects.filter(sent_at__isnull=True, pk__gt=after).order_by("pk")[:limit]
    return [services.outbox_payload(o) for o in rows]


@router.post("/outbox/ack", response={200: dict, **ERRORS}, summary="标记已被上级系统接收", auth=FEED_AUTH)
def outbox_ack(request, payload: AckIn):
    n = services.mark_sent(request.auth, payload.ids, payload.receipt)
    return {"marked": n}
