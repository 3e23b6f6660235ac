"""The hotline JSON API (/api/v1/hotline/): console assistance (suggestions, knowledge, similar
tickets), ticket registration by staff and by other systems, lists, detail and actions.

Authentication: the Django session for people (unsafe methods CSRF-checked: send the
``csrftoken`` cookie's value in ``X-CSRFToken``), or ``X-Api-Key`` for other systems registered as
:class:`~zhengwu.accounts.models.ApiKey` with the ``hotline:tickets`` scope (they may file and read the tickets they filed).
Errors (the API root's handlers, ``zhengwu/api.py``): 400 with Chinese field messages, 401, 403,
404 (a ticket the caller may not see does not exist for them), 409 for a stale ``lock_version``.
"""

from __future__ import annotations

import datetime as dt
from typing import Optional

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Header, Query, Router, Status

from zhengwu.accounts.api_auth import ApiKeyAuth, SessionAuth
from zhengwu.accounts.models import ApiKey
from zhengwu.core.schemas import ERRORS, Ref, Schema
from zhengwu.org.permissions import is_staff_member

from . import classifier, knowledge, queries, rules, services
from .models import Channel, Ticket
from .rules import API_SCOPE as SCOPE
from .rules import Actor

PREFIX = "/hotline/"


router = Router(auth=[ApiKeyAuth(SCOPE), SessionAuth()], tags=["12345热线"])


def _staff(request):
    user = request.auth
    if isinstance(user, ApiKey) or not is_staff_member(user):
        raise PermissionDenied("仅工作人员可以使用")
    return user


def _centre(request):
    user = _staff(request)
    if not services.is_centre(user):
        raise PermissionDenied("仅派单中心（热线坐席、督办人员）可以使用")
    return user


# -- schemas ------------------------------------------------------------------------------------
class SuggestionOut(Schema):
    category: str
    category_id: Optional[int]
    department: str
    department_id: Optional[int]
    confidence: float
    source: str = Field(..., description="规则 / 模型 / 分类关键词")
    needs_review: bool = Field(False, description="置信度低于阈值（HOTLINE_REVIEW_THRESHOLD，默认 0.5）：请人工判断")


class KnowledgeOut(Schema):
    id: int
    title: str
    answer: str
    score: float
    category: str


class SimilarOut(Schema):
    id: int
    number: str
    title: str
    address: str
    state: str
    state_label: str
    open: bool
    created_at: str
    department: str
    score: float
    reasons: list[str]


class AssistOut(Schema):
    suggestions: list[SuggestionOut]
    knowledge: list[KnowledgeOut]
    similar: list[SimilarOut]


class TicketIn(Schema):
    ticket_type: str = Field("consult", description="consult 咨询 / help 求助 / complaint 投诉 / report 举报 / "
                             "suggestion 建议 / praise 表扬 / cannot_do 办不成事反映 / efficiency 效能投诉 / enterprise 企业诉求")
    urgency: str = Field("normal", description="normal 一般 / urgent 加急 / emergency 特急")
    title: str = ""
    content: str
    caller_name: str = ""
    phone: str = ""
    address: str = ""
    region: Optional[str] = Field(None, description="区划代码（12位）或编号")
    latitude: Optional[float] = None
    longitude: Optional[float] = None
    category: Optional[int] = None
    confidential: bool = False
    channel: str = "api"
    dispatch_to: Optional[int] = Field(None, description="派单中心人员：受理后立即派往此单位")
    co_departments: list[int] = Field(default_factory=list)


class TicketEventOut(Schema):
    action: str
    label: str
    from_state: str
    to_state: str
    actor_name: str
    department: Optional[str]
    opinion: str
    at: dt.datetime


class TicketOut(Schema):
    id: int
    number: str
    channel: str
    ticket_type: str
    type_label: str
    urgency: str
    confidential: bool
    title: str
    content: str
    caller_name: str = Field(..., description="已脱敏")
    phone: str = Field(..., description="已脱敏")
    address: str
    region_code: str
    category: Optional[str]
    category_id: Optional[int]
    lead_department: Optional[Ref]
    state: str
    state_label: str
    created_at: dt.datetime
    dispatched_at: Optional[dt.datetime]
    claim_due_at: Optional[dt.datetime]
    due_at: Optional[dt.datetime]
    replied_at: Optional[dt.datetime]
    reply: str
    satisfaction: Optional[int]
    closed_at: Optional[dt.datetime]
    merged_into: Optional[str]
    lock_version: int
    suggestions: list[SuggestionOut] = Field(default_factory=list)
    events: list[TicketEventOut] = Field(default_factory=list)


class TicketRow(Schema):
    id: int
    number: str
    title: str
    ticket_type: str
    urgency: str
    state: str
    state_label: str
    category: Optional[str]
    lead_department: Optional[str]
    created_at: dt.datetime
    due_at: Optional[dt.datetime]
    time_status: str


class TicketPage(Schema):
    items: list[TicketRow]
    next: Optional[int] = Field(None, description="下一页：把它作为 before 参数")


class ActionIn(Schema):
    lock_version: int
    department: Optional[int] = None
    co_departments: list[int] = Field(default_factory=list)
    category: Optional[int] = None
    opinion: str = ""
    reason: str = ""
    reply: str = ""
    days: Optional[int] = None
    knowledge: Optional[int] = None
    answer: str = ""
    merge_into: Optional[str] = None
    reached: bool = True
    resolved: Optional[bool] = None
    satisfaction: Optional[int] = None
    note: str = ""
    reopen: bool = False
    suggested_department: Optional[int] = None


def _out(t: Ticket, user, *, events: bool = True) -> dict:
    see = services.may_see_caller(user, t) if not isinstance(user, ApiKey) else True
    return {
        "id": t.pk, "number": t.number, "channel": t.channel, "ticket_type": t.ticket_type, "type_label": t.type_label,
        "urgency": t.urgency, "confidential": t.confidential, "title": t.title, "content": t.content,
        "caller_name": str(t.caller_name) if (see and t.caller_name) else "", "phone": str(t.phone) if (see and t.phone) else "",
        "address": t.address, "region_code": t.region_code,
        "category": t.category.path if t.category_id else None, "category_id": t.category_id,
        "lead_department": {"id": t.lead_department_id, "name": t.lead_department.name} if t.lead_department_id else None,
        "state": t.state, "state_label": t.state_label, "created_at": t.created_at, "dispatched_at": t.dispatched_at,
        "claim_due_at": t.claim_due_at, "due_at": t.due_at, "replied_at": t.replied_at, "reply": t.reply,
        "satisfaction": t.satisfaction, "closed_at": t.closed_at,
        "merged_into": t.merged_into.number if t.merged_into_id else None, "lock_version": t.lock_version,
        "suggestions": (t.suggested or {}).get("suggestions", []),
        "events": [{"action": e.action, "label": e.label, "from_state": e.from_state, "to_state": e.to_state,
                    "actor_name": e.actor_name, "department": e.department.name if e.department_id else None,
                    "opinion": e.opinion, "at": e.at}
                   for e in t.events.select_related("department").order_by("at", "pk")] if events else [],
    }


# -- console assistance -----------------------------------------------------------------------------
@router.get("/suggest", response={200: list[SuggestionOut], **ERRORS}, summary="智能派单建议（分类、承办单位、置信度）")
def suggest(request, text: str, k: int = 3):
    _staff(request)
    return [s.as_dict() for s in classifier.suggest(text[:4000], max(1, min(k, 10)))]


@router.get("/knowledge", response={200: list[KnowledgeOut], **ERRORS}, summary="知识库检索")
def knowledge_search(request, q: str, limit: int = 5):
    _staff(request)
    return [h.as_dict() for h in knowledge.search(q[:500], max(1, min(limit, 20)))]


@router.get("/similar", response={200: list[SimilarOut], **ERRORS},
            summary="相似工单（并单建议）：同一来电人、同一地点、诉求内容相似")
def similar(request, text: str = "", phone: str = "", region: str = "", address: str = "",
            category: Optional[int] = None, exclude: Optional[int] = None, limit: int = 5,
            lat: Optional[float] = None, long: Optional[float] = None):
    user = _centre(request)
    return queries.similar(user, text=text[:4000], phone=phone, region=region or None, address=address,
                           category=category, exclude=exclude, limit=max(1, min(limit, 20)), lat=lat, lon=long)


@router.get("/assist", response={200: AssistOut, **ERRORS}, summary="坐席受理台：建议、知识库、相似工单（一次请求）")
def assist(request, text: str = "", phone: str = "", region: str = "", address: str = "",
           category: Optional[int] = None):
    user = _centre(request)
    text = text[:4000]
    sugg = classifier.suggest(text, 3) if len(text) >= 4 else []
    cat = category or (sugg[0].category_id if sugg else None)
    return {
        "suggestions": [s.as_dict() for s in sugg],
        "knowledge": [h.as_dict() for h in knowledge.search(text, 5, category=cat)] if len(text) >= 2 else [],
        "similar": queries.similar(user, text=text, phone=phone, region=region or None, address=address,
                                   category=cat) if (len(text) >= 6 or phone) else [],
    }


# -- tickets ---------------------------------------------------------------------------------------------
@router.post("/tickets", response={200: TicketOut, 201: TicketOut, **ERRORS},
             summary="登记工单（坐席或接入系统）",
             description="同一 Idempotency-Key 只会创建一个工单：重复请求返回已创建的工单（200）。")
def create_ticket(request, payload: TicketIn, idempotency_key: Optional[str] = Header(None, alias="Idempotency-Key")):
    auth = request.auth
    data = payload.dict()
    channel = data.pop("channel") or Channel.API
    if channel not in Channel.values:
        raise ValidationError({"channel": "来源渠道不正确"})
    if isinstance(auth, ApiKey):
        key = f"api:{auth.pk}:{idempotency_key}"[:64] if idempotency_key else None
        data.pop("dispatch_to", None)
        if key and Ticket.objects.filter(idempotency_key=key).exists():
            return Status(200, _out(Ticket.objects.get(idempotency_key=key), auth))
        t = services.register(None, data, channel=Channel.API, idempotency_key=key, actor=Actor.SYSTEM)
        services.record_event(t, "note", None, opinion=f"由接入系统“{auth.name}”提交", public=False)
        return Status(201, _out(t, auth))
    user = _centre(request)
    key = f"u:{user.pk}:{idempotency_key}"[:64] if idempotency_key else None
    if key and Ticket.objects.filter(idempotency_key=key).exists():
        return Status(200, _out(Ticket.objects.get(idempotency_key=key), user))
    t = services.register(user, data, channel=channel, idempotency_key=key)
    return Status(201, _out(t, user))


@router.get("/tickets", response={200: TicketPage, **ERRORS}, summary="派单中心或承办单位的工单列表（按编号倒序，游标分页）")
def list_tickets(request, tab: str = "todo", before: Optional[int] = None, type: str = "", department: str = "",
                 category: str = "", q: str = "", view: str = "centre"):
    user = _staff(request)
    f = {"type": type, "department": department, "category": category, "q": q}
    if view == "department":
        rows, nxt = queries.department_list(user, tab if tab in queries.DEPARTMENT_TABS else "dispatched", f, before)
    else:
        if not services.is_centre(user):
            raise PermissionDenied("仅派单中心可以查看全部工单；承办单位请使用 view=department")
        rows, nxt = queries.centre_list(user, tab if tab in queries.CENTRE_TABS else "todo", f, before)
    from django.utils import timezone

    now = timezone.now()
    return {"items": [{"id": t.pk, "number": t.number, "title": t.title, "ticket_type": t.ticket_type,
                       "urgency": t.urgency, "state": t.state, "state_label": t.state_label,
                       "category": t.category.path if t.category_id else None,
                       "lead_department": t.lead_department.name if t.lead_department_id else None,
                       "created_at": t.created_at, "due_at": t.due_at,
                       "time_status": rules.time_status(now, t.due_at, t.state).value} for t in rows],
            "next": nxt}


def _visible(request, pk: int) -> Ticket:
    auth = request.auth
    if isinstance(auth, ApiKey):
        raise PermissionDenied("接入系统请使用 Open311 接口查询工单状态")
    return queries.staff_ticket(_staff(request), pk)


@router.get("/tickets/{ticket_id}", response={200: TicketOut, **ERRORS}, summary="工单详情（含流转记录）")
def get_ticket(request, ticket_id: int):
    t = _visible(request, ticket_id)
    return _out(t, request.auth)


@router.post("/tickets/{ticket_id}/{action}", response={200: TicketOut, **ERRORS},
             summary="工单操作：dispatch 派单、claim 签收、return 退单、redispatch 改派、reject_return、"
                     "request_extension 延期申请、approve_extension、reject_extension、urge 督办、reply 答复、"
                     "callback 回访、reopen 重办、close 办结、archive 归档、direct_close 直接办结、merge 并单、cancel")
def ticket_action(request, ticket_id: int, action: str, payload: ActionIn):
    t = _visible(request, ticket_id)
    if action not in services.TICKET_ACTIONS:
        raise Http404(f"未知的工单操作：{action}")
    t = services.perform(request.auth, t, action, payload.lock_version, payload.dict())
    t = Ticket.objects.select_related("category", "lead_department", "merged_into").get(pk=t.pk)
    return _out(t, request.auth)


# -- figures and the call system's counts ---------------------------------------------------------
class FigureRow(Schema):
    label: str
    received: int
    dispatched: int
    closed: int
    direct_closed: int
    close_rate: Optional[float]
    direct_close_rate: Optional[float]
    on_time_rate: Optional[float]
    first_time_rate: Optional[float]
    claim_on_time_rate: Optional[float]
    callback_rate: Optional[float]
    satisfaction_rate: Optional[float]
    return_rate: Optional[float]
    repeat_rate: Optional[float]
    avg_handle_hours: Optional[float]
    answer_rate: Optional[float]
    counts: dict = Field(..., description="计算各项指标所用的原始计数")


class FigureDefinition(Schema):
    key: str
    title: str
    definition: str


class FiguresOut(Schema):
    dimension: str
    types: list[str] = Field(default_factory=list, description="只统计这些诉求类型（空为全部）")
    start: dt.date
    end: dt.date
    rows: list[FigureRow]
    total: FigureRow
    definitions: list[FigureDefinition]


@router.get("/figures", response={200: FiguresOut, **ERRORS},
            summary="热线指标：办结率、直接办结率、按时办结率、一次办结率、签收及时率、回访率、满意率、退单率、重复诉求率、"
                    "平均办理时长、接通率（按承办单位、分类、诉求类型、区划、月份或日期）")
def figures_api(request, by: str = "department", start: Optional[dt.date] = None, end: Optional[dt.date] = None,
                types: str = Query("", description="诉求类型，逗号分隔，例如 efficiency,cannot_do（效能投诉、办不成事反映）；"
                                                   "不填为全部类型")):
    from django.utils import timezone

    from zhengwu.org.permissions import is_sysadmin, roles_of

    from . import figures

    user = _staff(request)
    if not (roles_of(user) & {*figures.FIGURE_ROLES, *figures.DEPT_FIGURE_ROLES}) and not is_sysadmin(user):
        raise PermissionDenied("仅热线坐席、督办人员、领导或部门管理员可以查看热线指标")
    if by not in figures.DIMENSIONS:
        raise ValidationError({"by": f"统计维度不正确：应为 {'、'.join(figures.DIMENSIONS)} 之一"})
    today = timezone.localdate()
    end = end or today
    start = start or today.replace(day=1)
    if end < start:
        raise ValidationError({"end": "结束日期不能早于开始日期"})
    if (end - start).days > 366 * 3:
        raise ValidationError({"start": "统计期间不能超过三年"})
    wanted = [t for t in types.split(",") if t.strip()]
    chosen = figures.clean_types(wanted)
    if any(not figures.clean_types([t]) for t in wanted):
        raise ValidationError({"types": f"诉求类型不正确：应为 {'、'.join(t.value for t in rules.TYPE_LABELS)} 之一"})
    rep = figures.report(user, by, start, end, chosen)
    plain = lambda r: {**{k: v for k, v in r.items() if k != "key"}}  # noqa: E731
    return {"dimension": rep["dimension"], "types": rep["types"], "start": start, "end": end, "rows": [plain(r) for r in rep["rows"]],
            "total": plain(rep["total"]),
            "definitions": [{"key": k, "title": t, "definition": d} for k, t, d in figures.DEFINITIONS]}


class CallsIn(Schema):
    day: dt.date = Field(..., description="日期（YYYY-MM-DD）")
    line: str = Field("12345", description="线路或分中心标识")
    offered: int = Field(..., description="人工服务请求量：请求人工服务的呼入次数")
    answered: int = Field(..., description="人工应答量：其中由坐席应答的次数")
    region_code: str = ""


class CallsOut(Schema):
    day: dt.date
    line: str
    offered: int
    answered: int
    answer_rate: Optional[float]


@router.put("/calls", response={200: CallsOut, **ERRORS}, auth=[ApiKeyAuth(services.CALLS_SCOPE), SessionAuth()],
            summary="话务系统报送一天的话务量（同一日期和线路再次报送即覆盖，不会重复计数）")
def report_calls(request, payload: CallsIn):
    auth = request.auth
    if isinstance(auth, ApiKey):
        row = services.report_calls(None, system=auth.name, **payload.dict())
    else:
        row = services.report_calls(_staff(request), **payload.dict())
    return {"day": row.day, "line": row.line, "offered": row.offered, "answered": row.answered,
            "answer_rate": rules.rate(row.answered, row.offered)}


# -- the 效能投诉 and 办不成事 ledgers (api_ledger.py) -----------------------------------------------------------
from .api_ledger import router as _ledger_router  # noqa: E402

router.add_router("", _ledger_router)
