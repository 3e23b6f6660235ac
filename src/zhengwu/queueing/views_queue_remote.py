"""远程取号 in the portal: a logged-in citizen takes a number of a hall's business type before
coming (when the hall allows it, in its 办公时间), and sees their tickets of today with the people
ahead."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from zhengwu.org.models import Hall

from . import hall_rules as hours
from .models import BusinessType, Ticket
from .services.slots import extras_of, weekly_of
from .services.tickets import (
    cancel,
    hall_rules,
    issue_ticket,
    position,
    remote_hours_refusal,
)


@login_required
def remote_take(request, hall_id: int):
    hall = Hall.objects.filter(pk=hall_id, is_active=True).first()
    if hall is None:
        raise Http404("大厅不存在")
    rules = hall_rules(hall)
    types = list(BusinessType.objects.filter(hall=hall, is_active=True))
    error = None
    if request.method == "POST" and request.POST.get("cancel"):
        t = Ticket.objects.filter(pk=request.POST["cancel"] if request.POST["cancel"].isdigit() else 0,
                                  user=request.user).first()
        if t is None:
            raise Http404("排队号不存在")
        try:
            cancel(ticket=t, user=request.user)
            return redirect("queueing:remote_take", hall_id=hall.pk)
        except ValidationError as exc:
            error = "；".join(exc.messages)
    elif request.method == "POST":
        bt = next((b for b in types if str(b.pk) == request.POST.get("business_type")), None)
        try:
            issue_ticket(hall=hall, business_type=bt, source="remote", user=request.user,
                         idempotency_key=request.POST.get("idempotency_key") or None)
            return redirect("queueing:remote_take", hall_id=hall.pk)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        except PermissionDenied as exc:
            error = str(exc)
    mine = []
    for t in Ticket.objects.select_related("business_type", "window").filter(
            user=request.user, hall=hall, day=timezone.localdate()).order_by("-issued_at"):
        ahead, minutes = position(t)
        mine.append({"t": t, "ahead": ahead, "minutes": minutes})
    # Closed for every type (a 周末办 session of one type still opens the form): said before trying.
    closed = remote_hours_refusal(hall) if rules.remote_ticket else None
    return render(request, "queueing/queue/remote.html", {
        "hall": hall, "types": types, "enabled": rules.remote_ticket, "error": error, "mine": mine,
        "closed": closed, "hours": hours.describe_hours(weekly_of(hall), extras_of(hall)),
        "key": uuid.uuid4().hex}, status=400 if error else 200)
