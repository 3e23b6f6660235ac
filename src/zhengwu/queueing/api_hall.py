"""JSON API of the hall part of 取号叫号 (预约), mounted by api.py under /api/v1/queueing/:

- ``GET halls/{hall_id}/slots?business_type_id=&date=`` — the slots of a date with free places
  (no login: public hall data);
- ``POST appointments`` {slot_id, item_id?} (+ header ``Idempotency-Key``) → 201 {code, …};
- ``POST appointments/{code}/cancel``, ``POST appointments/{code}/rebook`` {slot_id};
- ``GET appointments`` — mine.

Session auth (CSRF-checked for POST, as the rest of the API); errors are JSON with Chinese
messages (the API root's handlers): full slot, closed day, twice, blocked → 400.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Header, Query, Router, Status

from zhengwu.accounts.api_auth import SessionAuth
from zhengwu.core.errors import NotFound
from zhengwu.core.schemas import ERRORS, Schema

from .models import BusinessType, Slot
from .services import booking as svc
from .services import slots as slot_svc

router = Router(tags=["大厅取号叫号与预约"])


class SlotOut(Schema):
    id: int
    date: dt.date
    start: str
    end: str
    capacity: int
    booked: int
    free: int
    session: str
    bookable: bool = Field(..., description="尚有余号且未开始")


class SlotsOut(Schema):
    hall_id: int
    business_type_id: int
    business_type: str
    date: dt.date
    closed: bool
    message: str = ""
    slots: list[SlotOut]


class BookIn(Schema):
    slot_id: int
    item_id: int | None = None


class RebookIn(Schema):
    slot_id: int


class AppointmentOut(Schema):
    code: str
    status: str
    status_label: str
    hall_id: int
    hall: str
    business_type_id: int
    business_type: str
    item_id: int | None = None
    date: dt.date
    start: str
    end: str
    slot_id: int
    rebooked_from: str | None = None
    created_at: dt.datetime


class SlotQuery(Schema):
    business_type_id: int
    date: dt.date | None = None


def _appt(a) -> dict:
    s = a.slot
    return {"code": a.code, "status": a.status, "status_label": a.get_status_display(), "hall_id": s.hall_id,
            "hall": s.hall.name, "business_type_id": s.business_type_id, "business_type": s.business_type.name,
            "item_id": a.item_id, "date": s.date, "start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}",
            "slot_id": s.pk, "rebooked_from": a.rebooked_from.code if a.rebooked_from_id else None,
            "created_at": a.created_at}


@router.get("halls/{hall_id}/slots", auth=None, response={200: SlotsOut, **ERRORS}, summary="预约时段及余号")
def slots(request, hall_id: int, q: Query[SlotQuery]):
    bt = BusinessType.objects.filter(pk=q.business_type_id, hall_id=hall_id, is_active=True).first()
    if bt is None:
        raise NotFound("该大厅没有这个业务类型")
    if not bt.bookable:
        raise ValidationError({"business_type_id": [f"业务类型“{bt.name}”暂不开放预约"]})
    day = q.date or timezone.localdate()
    rows = slot_svc.slots_of(bt, day)
    message = ""
    if not rows:
        kind = slot_svc.day_kind(day)
        message = (f"{day:%Y年%m月%d日}为法定节假日，大厅不办公" if kind.holiday
                   else f"{day:%Y年%m月%d日}大厅不办公或不在可预约期内")
    return {"hall_id": hall_id, "business_type_id": bt.pk, "business_type": bt.name, "date": day,
            "closed": not rows, "message": message,
            "slots": [{"id": s.pk, "date": s.date, "start": f"{s.start:%H:%M}", "end": f"{s.end:%H:%M}",
                       "capacity": s.capacity, "booked": s.booked, "free": s.free, "session": s.session,
                       "bookable": s.free > 0 and not s.past} for s in rows]}


@router.post("appointments", auth=SessionAuth(), response={201: AppointmentOut, **ERRORS}, summary="预约",
             description="每人每天每类业务只能有一个有效预约（已预约或已签到）；再约同日同类业务返回 400，"
                         "errors.slot_id 说明已有的预约，改时间请用改约。同一 Idempotency-Key 只预约一次。")
def book(request, payload: BookIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    slot = Slot.objects.filter(pk=payload.slot_id).select_related("business_type").first()
    if slot is None:
        raise ValidationError({"slot_id": ["所选时段不存在，请刷新后重新选择"]})
    item = None
    if payload.item_id is not None:
        from zhengwu.catalog.models import ServiceItem

        item = ServiceItem.objects.filter(pk=payload.item_id).first()
        if item is None:
            raise ValidationError({"item_id": ["事项不存在"]})
    key = f"{request.user.pk}:{idempotency_key}" if idempotency_key else None
    appt = svc.book(user=request.user, slot=slot, item=item, channel="portal", idempotency_key=key)
    return Status(201, _appt(svc.find_mine(request.user, appt.code)))


@router.post("appointments/{code}/cancel", auth=SessionAuth(), response={200: AppointmentOut, **ERRORS},
             summary="取消预约")
def cancel(request, code: str):
    appt = svc.cancel(appointment=svc.find_mine(request.user, code), user=request.user)
    return _appt(svc.find_mine(request.user, appt.code))


@router.post("appointments/{code}/rebook", auth=SessionAuth(), response={201: AppointmentOut, **ERRORS},
             summary="改约：取消原预约并预约新时段（同一事务）")
def rebook(request, code: str, payload: RebookIn):
    appt = svc.find_mine(request.user, code)
    slot = Slot.objects.filter(pk=payload.slot_id).first()
    if slot is None:
        raise ValidationError({"slot_id": ["所选时段不存在，请刷新后重新选择"]})
    new = svc.rebook(appointment=appt, user=request.user, slot=slot)
    return Status(201, _appt(svc.find_mine(request.user, new.code)))


@router.get("appointments", auth=SessionAuth(), response={200: list[AppointmentOut], **ERRORS}, summary="我的预约")
def mine(request):
    return [_appt(a) for a in svc.my_appointments(request.user)[:100]]



