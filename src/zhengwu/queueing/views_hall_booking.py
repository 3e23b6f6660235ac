"""预约 on the portal (responsive: the same pages serve the phone): choose a hall and a business type
(or come from an item's guide), a date, a slot with its free places; book, 我的预约 with cancel and
rebook (cancel after a confirmation page), the confirmation with the code and a QR code for the
kiosk."""

from __future__ import annotations

import datetime as dt
import io
import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from zhengwu.org.models import Hall

from . import hall_rules as rules
from .models import BusinessType, Slot
from .services import booking as svc
from .services import slots as slot_svc


def _first_message(exc: ValidationError) -> str:
    if hasattr(exc, "message_dict"):
        for msgs in exc.message_dict.values():
            return msgs[0]
    return exc.messages[0]


def start(request):
    """选择大厅和业务类型 (or ``?item=``: the item's bookable business type)."""
    if item_id := request.GET.get("item", "").strip():
        bt = svc.business_type_for_item(int(item_id)) if item_id.isdigit() else None
        if bt is not None:
            return redirect(f"{_bt_url(bt)}?item={item_id}")
        messages.warning(request, "该事项暂未开放网上预约，请选择业务类型预约或直接到大厅取号")
    halls = (Hall.objects.filter(is_active=True, business_types__bookable=True, business_types__is_active=True)
             .distinct().order_by("name"))
    types = (BusinessType.objects.filter(hall__in=halls, bookable=True, is_active=True)
             .select_related("hall", "zone").order_by("hall_id", "order", "prefix"))
    by_hall = {}
    for bt in types:
        by_hall.setdefault(bt.hall, []).append(bt)
    return render(request, "queueing/hall/book_start.html", {"by_hall": by_hall})


def _bt_url(bt):
    from django.urls import reverse

    return reverse("queueing:book_type", args=[bt.pk])


def choose(request, bt_id: int):
    """日期和时段: the open dates with free places, and the slots of the chosen date."""
    bt = get_object_or_404(BusinessType.objects.select_related("hall"), pk=bt_id, bookable=True, is_active=True)
    dates = slot_svc.open_dates(bt.hall, bt)
    day = None
    error = ""
    if raw := request.GET.get("date"):
        try:
            day = dt.date.fromisoformat(raw)
        except ValueError:
            error = "日期格式不正确，请从下方选择日期"
    if day is None and dates and not error:
        day = next((d["date"] for d in dates if d["free"] > 0), dates[0]["date"])
    slots = slot_svc.slots_of(bt, day) if day else []
    if day and not slots and not error:
        kind = slot_svc.day_kind(day)
        error = (f"{day:%Y年%m月%d日}为法定节假日，大厅不办公" if kind.holiday else
                 f"{day:%Y年%m月%d日}大厅不办公或不在可预约期内，请选择其他日期")
    block = svc.active_block(request.user, bt.hall) if request.user.is_authenticated else None
    rebook = None
    if code := request.GET.get("rebook"):
        if request.user.is_authenticated:
            try:
                rebook = svc.find_mine(request.user, code)
            except Http404:
                rebook = None
    item = None
    if (item_id := request.GET.get("item", "")).isdigit():
        item = bt.items.filter(pk=int(item_id)).first()
    # One live booking per type and day: said before trying, with the way to 改约 it.
    held = svc.live_same_day(request.user, bt.pk, day) if request.user.is_authenticated and day else None
    if held is not None and rebook is not None and held.pk == rebook.pk:
        held = None
    return render(request, "queueing/hall/book_choose.html", {
        "held": held,
        "bt": bt, "hall": bt.hall, "dates": dates, "day": day, "slots": slots, "error": error, "booking_block": block,
        "rebook": rebook, "item": item, "token": secrets.token_urlsafe(16),
        "weekdays": rules.WEEKDAYS,
    })


@login_required
@require_POST
def book(request, slot_id: int):
    slot = get_object_or_404(Slot.objects.select_related("business_type"), pk=slot_id)
    item = None
    if (item_id := request.POST.get("item_id", "")).isdigit():
        item = slot.business_type.items.filter(pk=int(item_id)).first()
    key = request.POST.get("idempotency_key", "")
    try:
        appt = svc.book(user=request.user, slot=slot, item=item, channel=_channel(request),
                        idempotency_key=f"{request.user.pk}:{key}" if key else None)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, _first_message(exc) if isinstance(exc, ValidationError) else str(exc))
        return redirect(f"{_bt_url(slot.business_type)}?date={slot.date:%Y-%m-%d}")
    messages.success(request, "预约成功")
    return redirect("queueing:book_done", appt.code)


def _channel(request) -> str:
    ua = request.headers.get("User-Agent", "")
    return "mobile" if ("Mobile" in ua or "Android" in ua) else "portal"


@login_required
def done(request, code: str):
    appt = svc.find_mine(request.user, code)
    return render(request, "queueing/hall/book_done.html", {"a": appt, "qr_svg": mark_safe(_qr(appt.code))})


def _qr(text: str) -> str:
    import segno

    buf = io.BytesIO()
    segno.make(text, error="m").save(buf, kind="svg", scale=5, border=2, xmldecl=False, svgns=True, omitsize=False,
                                     title=f"预约号 {text}")
    return buf.getvalue().decode()


@login_required
def mine(request):
    appts = list(svc.my_appointments(request.user)[:50])
    now = timezone.now()
    for a in appts:
        a.can_change = a.status == rules.BOOKED and svc.slot_start_at(a.slot) > now
    blocks = [b for b in request.user.booking_blocks.filter(lifted_at__isnull=True, until__gte=timezone.localdate())
              .select_related("hall")]
    return render(request, "queueing/hall/book_mine.html", {"appts": appts, "blocks": blocks})


@login_required
def cancel(request, code: str):
    """取消预约, after a confirmation page (the same pattern as 撤回申请: works without JavaScript,
    a stray tap on 我的预约 changes nothing). GET asks, POST cancels."""
    appt = svc.find_mine(request.user, code)
    if request.method == "POST":
        try:
            svc.cancel(appointment=appt, user=request.user)
            messages.success(request, f"已取消预约 {appt.code}")
        except ValidationError as exc:
            messages.error(request, _first_message(exc))
        return redirect("queueing:book_mine")
    if (why := rules.refusal(appt.status, "cancel")) is not None:
        messages.error(request, why)
        return redirect("queueing:book_mine")
    if svc.slot_start_at(appt.slot) <= timezone.now():
        messages.error(request, "预约时段已开始，不能取消")
        return redirect("queueing:book_mine")
    return render(request, "queueing/hall/book_cancel.html", {"a": appt})


@login_required
@require_POST
def rebook(request, code: str):
    appt = svc.find_mine(request.user, code)
    slot = get_object_or_404(Slot, pk=request.POST.get("slot_id") or 0)
    try:
        new = svc.rebook(appointment=appt, user=request.user, slot=slot)
    except ValidationError as exc:
        messages.error(request, _first_message(exc))
        return redirect(f"{_bt_url(slot.business_type)}?date={slot.date:%Y-%m-%d}&rebook={appt.code}")
    messages.success(request, f"已改约，新的预约号 {new.code}")
    return redirect("queueing:book_done", new.code)
