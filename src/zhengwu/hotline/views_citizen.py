"""Portal pages of the hotline: a logged-in citizen or enterprise submits a 诉求 and follows it."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from . import queries, rules, services
from .models import Channel
from .rules import Actor

def _applicant(request):
    if not request.user.is_authenticated:
        return None
    applicant = getattr(request.user, "applicant", None)
    if applicant is None:
        raise PermissionDenied("请使用个人或企业账号登录后提交诉求")
    return applicant


def submit(request):
    applicant = _applicant(request)
    if applicant is None:
        return redirect_to_login(request.get_full_path())
    regions = services.default_region(None)
    from zhengwu.org.models import Region

    region_choices = list(Region.objects.filter(code__startswith=regions.prefix, level__lte=4).order_by("code")[:100])
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("ticket_type", "title", "content", "address", "region")}
        data["caller_name"] = applicant.name
        data["phone"] = applicant.phone.reveal_unaudited() if applicant.phone else ""
        data["confidential"] = request.POST.get("confidential") == "on"
        data["address_public"] = request.POST.get("address_public") == "on"
        if data["ticket_type"] == rules.TicketType.ENTERPRISE and applicant.kind != "legal":
            messages.error(request, "“企业诉求”须使用企业账号提交")
        else:
            try:
                t = services.register(request.user, data, channel=Channel.WEB, applicant=applicant, actor=Actor.CITIZEN,
                                      idempotency_key=f"web:{request.user.pk}:{request.POST.get('idempotency_key', '')}"[:64]
                                      if request.POST.get("idempotency_key") else None)
            except ValidationError as exc:
                for msgs in (exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]):
                    for m in msgs:
                        messages.error(request, m)
            else:
                messages.success(request, f"您的诉求已提交，工单编号 {t.number}。我们将在规定时限内答复。")
                return redirect("hotline:my_ticket", t.pk)
    return render(request, "hotline/citizen_submit.html", {
        "types": [(t.value, rules.TYPE_LABELS[t]) for t in rules.TicketType], "form": request.POST,
        "regions": region_choices, "key": uuid.uuid4().hex, "applicant": applicant,
    })


def my_tickets(request):
    applicant = _applicant(request)
    if applicant is None:
        return redirect_to_login(request.get_full_path())
    rows, nxt = queries.citizen_list(applicant, request.GET.get("before"))
    return render(request, "hotline/citizen_list.html", {"rows": rows, "next": nxt})


def my_ticket(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    t = queries.citizen_ticket(request.user, pk)
    events = list(t.events.filter(public=True).order_by("at", "pk"))
    return render(request, "hotline/citizen_ticket.html", {"t": t, "events": events})
