"""自助终端 (kiosk) at /hall/<hall_id>/kiosk/: 取号, 预约签到, 查询办件进度, 好差评.

Public (no login), so every write is limited: a one-time key per form (a double tap returns the
same ticket) and a per-address rate limit (api_queue.throttle). The ticket page shows only the
number, the business type, the people ahead and the estimated wait — never a name.
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import ensure_csrf_cookie
from ninja.errors import HttpError

from zhengwu.org.models import Hall, Window

from .api_queue import throttle
from .models import Appointment, BusinessType, Ticket
from .services.tickets import check_in, hall_rules, issue_ticket, position


def _hall(hall_id: int) -> Hall:
    hall = Hall.objects.filter(pk=hall_id, is_active=True).first()
    if hall is None:
        raise Http404("大厅不存在")
    return hall


def _limited(request) -> str | None:
    try:
        throttle(request, "kiosk")
    except HttpError as exc:
        return str(exc)
    return None


@ensure_csrf_cookie
def home(request, hall_id: int):
    hall = _hall(hall_id)
    return render(request, "queueing/kiosk/home.html", {"hall": hall})


@ensure_csrf_cookie
def take(request, hall_id: int):
    hall = _hall(hall_id)
    types = list(BusinessType.objects.filter(hall=hall, is_active=True))
    error, field, chosen = None, None, None
    if request.method == "POST":
        chosen = next((bt for bt in types if str(bt.pk) == request.POST.get("business_type")), None)
        error = _limited(request)
        if error is None:
            try:
                t = issue_ticket(hall=hall, business_type=chosen, source="kiosk",
                                 id_number=request.POST.get("id_number", ""),
                                 idempotency_key=request.POST.get("idempotency_key") or None)
                return redirect("queueing:kiosk_ticket", hall_id=hall.pk, ticket_id=t.pk)
            except ValidationError as exc:
                field = next(iter(exc.message_dict), None) if hasattr(exc, "error_dict") else None
                error = "；".join(exc.messages)
    rules = hall_rules(hall)
    return render(request, "queueing/kiosk/take.html", {
        "hall": hall, "types": types, "error": error, "error_field": field, "chosen": chosen,
        "key": uuid.uuid4().hex, "priority_age": rules.priority_age,
    }, status=400 if error else 200)


def ticket(request, hall_id: int, ticket_id: int):
    hall = _hall(hall_id)
    t = Ticket.objects.select_related("business_type").filter(pk=ticket_id, hall=hall).first()
    if t is None:
        raise Http404("排队号不存在")
    ahead, minutes = position(t)
    return render(request, "queueing/kiosk/ticket.html", {"hall": hall, "t": t, "ahead": ahead, "minutes": minutes})


def scanned_code(text: str) -> str:
    """The appointment code from what was typed or scanned: a scanner types the QR's content, which
    may be the bare code or a link ending in it (…/appointments/Y123/ or …?code=Y123)."""
    text = (text or "").strip()
    if "code=" in text:
        text = text.split("code=", 1)[1].split("&", 1)[0]
    elif "/" in text:
        text = next((part for part in reversed(text.split("?", 1)[0].split("/")) if part), "")
    return text.strip().upper()[:20]


@ensure_csrf_cookie
def checkin(request, hall_id: int):
    hall = _hall(hall_id)
    error = None
    code = scanned_code(request.POST.get("code") or request.GET.get("code") or "")
    if request.method == "POST":
        error = _limited(request)
        if error is None:
            appt = Appointment.objects.select_related("slot").filter(code=code, slot__hall=hall).first() \
                if code else None
            if appt is None:
                error = "预约号：未找到该预约，请核对后重新输入（仅限本大厅的预约）"
            else:
                try:
                    t = check_in(appointment=appt)
                    return redirect("queueing:kiosk_ticket", hall_id=hall.pk, ticket_id=t.pk)
                except ValidationError as exc:
                    error = "；".join(exc.messages)
    return render(request, "queueing/kiosk/checkin.html", {"hall": hall, "error": error, "code": code},
                  status=400 if error else 200)


@ensure_csrf_cookie
def progress(request, hall_id: int):
    """查询办件进度: the 办件编号 on the receipt and the applicant's 身份证号 (the kiosk's card reader
    types it) or 统一社会信用代码; the state and dates, the applicant's name masked. Rate-limited like
    every kiosk write. A QR code of 我的办件 offers the full record on the person's own phone."""
    from zhengwu.cases import queries as case_queries
    from zhengwu.cases import rules as case_rules
    from zhengwu.core import audit, pii
    from zhengwu.ratings import qr

    hall = _hall(hall_id)
    link = request.build_absolute_uri(reverse("cases:my_cases"))
    ctx = {"hall": hall, "link": link, "qr_svg": qr.svg(link, scale=6), "number": "", "error": None, "case": None}
    if request.method == "POST":
        ctx["number"] = number = request.POST.get("number", "").strip()[:32]
        identifier = request.POST.get("identifier", "")
        ctx["error"] = _limited(request)
        if ctx["error"] is None:
            if not number or not identifier.strip():
                ctx["error"] = "请填写办件编号和身份证号（或统一社会信用代码）"
            else:
                case = case_queries.progress_by_receipt(number, identifier)
                if case is None:
                    ctx["error"] = "未查到该办件：请核对受理回执上的办件编号和申请人的身份证号（或统一社会信用代码）"
                else:
                    audit.record("cases.progress_lookup", actor=None, obj=case, after={"channel": "kiosk",
                                                                                      "hall": hall.pk})
                    ctx["case"] = case
                    ctx["state_label"] = case_rules.STATE_LABELS.get(case.state, case.state)
                    ctx["applicant_masked"] = pii.mask("name", case.applicant.name) if case.applicant.kind == "person" \
                        else case.applicant.name
    return render(request, "queueing/kiosk/progress.html", ctx, status=400 if ctx["error"] else 200)


def rate(request, hall_id: int):
    """好差评: the windows of the hall; a chosen window shows its rating QR code (the ratings app's
    扫码评价 flow) for the person to scan with a phone."""
    from zhengwu.ratings import qr
    from zhengwu.ratings import services as ratings

    hall = _hall(hall_id)
    windows = list(Window.objects.filter(hall=hall, is_active=True).order_by("number"))
    chosen = next((w for w in windows if str(w.pk) == request.GET.get("window")), None)
    ctx = {"hall": hall, "windows": windows, "chosen": chosen}
    if chosen is not None:
        if _limited(request):
            return render(request, "queueing/kiosk/rate.html", {**ctx, "chosen": None,
                                                                 "error": "操作过于频繁，请稍后再试"}, status=429)
        link = request.build_absolute_uri(reverse("ratings:qr_rate", args=[ratings.issue_token("window", chosen.pk)]))
        ctx.update(qr_svg=qr.svg(link, scale=8), link=link)
    return render(request, "queueing/kiosk/rate.html", ctx)
