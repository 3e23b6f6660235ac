"""JSON API of the queue part of 取号叫号, mounted by api.py under /api/v1/queueing/.

- 取号 ``POST tickets`` (kiosk: no login — a kiosk is public — but CSRF-checked like every page
  form and rate-limited per address; remote: the logged-in citizen; clerk: a 窗口人员), with
  ``Idempotency-Key``; ``GET tickets/{id}`` (number, status, people ahead: no personal data);
  ``POST appointments/{code}/check-in`` (预约签到, kiosk rules).
- 叫号 (session, 窗口人员): ``windows/{id}/open|close|call-next``, ``tickets/{id}/recall|no-show|
  start|end|transfer``.
Errors are the API root's JSON (services raise ValidationError → 400, PermissionDenied → 403…).
"""

from __future__ import annotations

import os

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Header, Router, Status
from ninja.errors import HttpError
from ninja.utils import check_csrf

from zhengwu.accounts.api_auth import SessionAuth
from zhengwu.core.errors import NotFound
from zhengwu.core.middleware import client_ip
from zhengwu.core.schemas import ERRORS, Schema
from zhengwu.org.models import Hall, Window

from .models import Appointment, BusinessType, Ticket
from .services import calling
from .services.tickets import _namespaced_key, check_in, issue_ticket, position

router = Router(tags=["大厅取号叫号与预约"])
session = SessionAuth()

# Writes per address per minute without login (a kiosk serves one person at a time); a load test
# from one address raises it with ZHENGWU_KIOSK_RATE.
KIOSK_LIMIT = int(os.environ.get("ZHENGWU_KIOSK_RATE", "30"))


class TicketNotFound(NotFound):
    message = "排队号不存在"


def throttle(request, scope: str, limit: int | None = None, seconds: int = 60) -> None:
    """A fixed-window counter per client address: 429 beyond ``limit`` (default KIOSK_LIMIT) per ``seconds``."""
    limit = KIOSK_LIMIT if limit is None else limit
    key = f"queueing:rl:{scope}:{client_ip(request)}"
    if cache.add(key, 1, seconds):
        return
    try:
        n = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds)
        return
    if n > limit:
        raise HttpError(429, "操作过于频繁，请稍后再试")


def _public_write(request) -> None:
    """A write without login (kiosk): still CSRF-checked (the kiosk page sets the cookie) and limited."""
    if check_csrf(request) is not None:
        raise HttpError(403, "CSRF 校验失败：请刷新页面后重试（请求头 X-CSRFToken 应为 csrftoken Cookie 的值）")
    throttle(request, "kiosk")


class QueueTicketOut(Schema):
    id: int
    display: str
    business_type: str
    business_type_id: int
    prefix: str
    status: str
    status_label: str
    ahead: int
    estimated_wait_minutes: int
    priority: int
    priority_reason: str
    window: str | None = None
    call_count: int
    version: int
    issued_at: str
    visit_id: int | None = None


def ticket_out(t: Ticket) -> dict:
    ahead, minutes = position(t)
    bt = t.business_type
    return {"id": t.pk, "display": t.display, "business_type": bt.name, "business_type_id": bt.pk,
            "prefix": bt.prefix, "status": t.status, "status_label": t.get_status_display(), "ahead": ahead,
            "estimated_wait_minutes": minutes, "priority": t.priority, "priority_reason": t.priority_reason,
            "window": t.window.number if t.window_id else None, "call_count": t.call_count, "version": t.version,
            "issued_at": t.issued_at.isoformat(), "visit_id": t.visit_id}


class QueueTicketIn(Schema):
    hall_id: int
    business_type_id: int
    source: str = "kiosk"
    id_number: str = ""
    person_name: str = ""


@router.post("/tickets", auth=None, response={200: QueueTicketOut, 201: QueueTicketOut, **ERRORS, 429: dict},
             summary="取号（自助终端、远程取号、窗口帮办取号）",
             description="source=kiosk 无需登录（限流）；remote 需群众登录，且只能在大厅办公时间内取号"
                         "（按工作日历、办公时间和延时/周末办，否则 400，errors.source 说明办公时间）；"
                         "clerk 需窗口人员登录。"
                         "同一 Idempotency-Key 只取一个号：重复请求返回同一个号。")
def create_ticket(request, payload: QueueTicketIn,
                  idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    hall = Hall.objects.filter(pk=payload.hall_id, is_active=True).first()
    if hall is None:
        raise NotFound("大厅不存在")
    bt = BusinessType.objects.filter(pk=payload.business_type_id, hall=hall).first()
    user = request.user if request.user.is_authenticated else None
    if payload.source == "kiosk":
        _public_write(request)
    elif payload.source in ("remote", "clerk"):
        if user is None:
            raise HttpError(401, "请先登录")
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF 校验失败：请刷新页面后重试（请求头 X-CSRFToken 应为 csrftoken Cookie 的值）")
    else:
        raise ValidationError({"source": ["取号方式：应为 kiosk、remote 或 clerk"]})
    key = _namespaced_key(idempotency_key, hall=hall, source=payload.source,
                          user=user if payload.source in ("remote", "clerk") else None)
    existing = bool(key) and Ticket.objects.filter(idempotency_key=key).exists()
    t = issue_ticket(hall=hall, business_type=bt, source=payload.source,
                     user=user if payload.source == "remote" else None,
                     clerk=user if payload.source == "clerk" else None, id_number=payload.id_number,
                     person_name=payload.person_name if payload.source == "clerk" else "",
                     idempotency_key=idempotency_key)
    return Status(200 if existing else 201, ticket_out(t))


@router.get("/tickets/{ticket_id}", auth=None, response={200: QueueTicketOut, **ERRORS},
            summary="排队号状态（号码、前面等候人数、预计等候时间；不含个人信息）")
def get_ticket(request, ticket_id: int):
    t = Ticket.objects.select_related("business_type", "window").filter(pk=ticket_id).first()
    if t is None:
        raise TicketNotFound()
    return ticket_out(t)


@router.post("/appointments/{code}/check-in", auth=None, response={201: QueueTicketOut, **ERRORS, 429: dict},
             summary="预约签到（自助终端）：预约号换排队号")
def appointment_check_in(request, code: str):
    _public_write(request)
    appt = Appointment.objects.select_related("slot").filter(code=code.strip().upper()[:20]).first()
    if appt is None:
        raise NotFound("预约号不存在，请核对后重新输入")
    t = check_in(appointment=appt, actor=request.user if request.user.is_authenticated else None)
    return Status(201, ticket_out(Ticket.objects.select_related("business_type", "window").get(pk=t.pk)))


# -- 叫号 (窗口人员) ------------------------------------------------------------------------------
class QueueCallOut(Schema):
    ticket: QueueTicketOut | None = None
    message: str


class QueueWindowOut(Schema):
    window_id: int
    number: str
    is_open: bool
    requeued: list[str] = Field(default_factory=list)
    message: str


def _window(window_id: int) -> Window:
    return get_object_or_404(Window.objects.select_related("hall"), pk=window_id)


def _ticket(ticket_id: int) -> Ticket:
    t = Ticket.objects.filter(pk=ticket_id).first()
    if t is None:
        raise TicketNotFound()
    return t


def _reload(t: Ticket) -> dict:
    return ticket_out(Ticket.objects.select_related("business_type", "window").get(pk=t.pk))


@router.post("/windows/{window_id}/open", auth=session, response={200: QueueWindowOut, **ERRORS}, summary="开窗")
def open_window(request, window_id: int):
    w = _window(window_id)
    calling.open_window(window=w, user=request.user)
    return {"window_id": w.pk, "number": w.number, "is_open": True, "message": f"{w.number} 号窗口已开窗"}


@router.post("/windows/{window_id}/close", auth=session, response={200: QueueWindowOut, **ERRORS},
             summary="关窗/暂停（已叫未办的号退回队列）")
def close_window(request, window_id: int):
    w = _window(window_id)
    back = calling.close_window(window=w, user=request.user)
    msg = f"{w.number} 号窗口已暂停服务" + (f"，{'、'.join(t.display for t in back)} 已退回队列" if back else "")
    return {"window_id": w.pk, "number": w.number, "is_open": False, "requeued": [t.display for t in back],
            "message": msg}


@router.post("/windows/{window_id}/call-next", auth=session, response={200: QueueCallOut, **ERRORS}, summary="叫下一位")
def call_next(request, window_id: int):
    w = _window(window_id)
    t = calling.call_next(window=w, user=request.user)
    if t is None:
        return {"ticket": None, "message": "当前没有等候的号"}
    return {"ticket": _reload(t), "message": f"请 {t.display} 号到 {w.number} 号窗口"}


class QueueVersionIn(Schema):
    version: int | None = None


ACTIONS = {"recall": (calling.recall, "已重呼"), "no-show": (calling.mark_no_show, "已过号"),
           "start": (calling.start, "开始办理"), "end": (calling.end, "已办结")}
SUMMARIES = {"recall": "重呼", "no-show": "过号", "start": "开始办理", "end": "办结（登记现场服务，供评价）"}


def _action_endpoint(name: str):
    fn, done = ACTIONS[name]

    def endpoint(request, ticket_id: int, payload: QueueVersionIn | None = None):
        t = fn(ticket=_ticket(ticket_id), user=request.user, expected_version=payload.version if payload else None)
        return {"ticket": _reload(t), "message": f"{t.display} {done}"}

    endpoint.__name__ = f"ticket_{name.replace('-', '_')}"
    return endpoint


for _name in ACTIONS:
    router.post(f"/tickets/{{ticket_id}}/{_name}", auth=session, response={200: QueueCallOut, **ERRORS},
                summary=SUMMARIES[_name])(_action_endpoint(_name))


class QueueTransferIn(Schema):
    business_type_id: int
    version: int | None = None


@router.post("/tickets/{ticket_id}/transfer", auth=session, response={200: QueueCallOut, **ERRORS},
             summary="转移到其他业务类型（新号保留优先级和原取号顺序）")
def ticket_transfer(request, ticket_id: int, payload: QueueTransferIn):
    t = _ticket(ticket_id)
    bt = BusinessType.objects.filter(pk=payload.business_type_id).first()
    if bt is None:
        raise ValidationError({"business_type_id": ["业务类型：不存在"]})
    new = calling.transfer(ticket=t, user=request.user, business_type=bt, expected_version=payload.version)
    return {"ticket": _reload(new), "message": f"{t.display} 已转为 {bt.name} {new.display}"}
