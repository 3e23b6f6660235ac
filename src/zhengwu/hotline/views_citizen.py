"""Portal pages of the hotline: a logged-in citizen or enterprise submits a 诉求 (with photos and
a location) and follows it, and rates the reply once it is answered."""

from __future__ import annotations

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

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


def _messages(request, exc: ValidationError) -> None:
    for msgs in (exc.message_dict.values() if hasattr(exc, "error_dict") else [exc.messages]):
        for m in msgs:
            messages.error(request, m)


# -- the location: 区县 → 街道 cascade, and a map only when a tile source is configured ---------------
def map_tiles() -> str:
    """The tile URL template (``https://tiles.example/{z}/{x}/{y}.png``) from the setting
    ``ZHENGWU_HOTLINE_MAP_TILES``; empty: no map is shown."""
    return str(getattr(settings, "ZHENGWU_HOTLINE_MAP_TILES", "") or "")


def region_choices():
    """(districts, streets) the citizen picks from: the deployment's district(s) and their streets."""
    from zhengwu.org.models import Region

    base = services.default_region(None)
    if base.level >= 3:
        districts = [base if base.level == 3 else base.parent]
    else:
        districts = list(Region.objects.filter(prefix__startswith=base.prefix, level=3).order_by("code")[:50])
    streets = list(Region.objects.filter(parent__in=districts, level=4).select_related("parent").order_by("code")[:500])
    return districts, streets


def _pick_region(post, districts, streets) -> str:
    """The region code of the form's 区县 + 街道 (the street when one is chosen)."""
    district, street = post.get("district", ""), post.get("region", "")
    known = {d.code for d in districts}
    by_street = {s.code: s.parent.code for s in streets}
    if street:
        if street not in by_street:
            raise ValidationError({"region": "所选街道不存在，请重新选择"})
        if district and by_street[street] != district:
            raise ValidationError({"region": "所选街道不属于所选区县，请重新选择"})
        return street
    if district in known:
        return district
    raise ValidationError({"region": "请选择诉求所在的区县和街道"})


def _allow_tiles(response):
    """Let the page load the configured tile server's images (the site-wide CSP allows our own
    origin only); a same-origin tile path needs nothing."""
    parts = urlsplit(map_tiles().replace("{", "").replace("}", ""))
    if parts.scheme in ("http", "https") and parts.netloc:
        response._csp_update = {"img-src": [f"{parts.scheme}://{parts.netloc}"]}
    return response


def submit(request):
    applicant = _applicant(request)
    if applicant is None:
        return redirect_to_login(request.get_full_path())
    districts, streets = region_choices()
    if request.method == "POST":
        data = {k: request.POST.get(k, "") for k in ("ticket_type", "title", "content", "address", "latitude",
                                                      "longitude")}
        data["caller_name"] = applicant.name
        data["phone"] = applicant.phone.reveal_unaudited() if applicant.phone else ""
        data["confidential"] = request.POST.get("confidential") == "on"
        data["address_public"] = request.POST.get("address_public") == "on"
        if not map_tiles():
            data["latitude"] = data["longitude"] = ""
        if data["ticket_type"] == rules.TicketType.ENTERPRISE and applicant.kind != "legal":
            messages.error(request, "“企业诉求”须使用企业账号提交")
        else:
            key = request.POST.get("idempotency_key", "")
            try:
                data["region"] = _pick_region(request.POST, districts, streets)
                photos = services.check_photos(request.FILES.getlist("photos"))
                with transaction.atomic():  # the ticket and its photos, or nothing
                    t = services.register(request.user, data, channel=Channel.WEB, applicant=applicant,
                                          actor=Actor.CITIZEN,
                                          idempotency_key=f"web:{request.user.pk}:{key}"[:64] if key else None)
                    services.add_photos(request.user, t, photos)
            except ValidationError as exc:
                _messages(request, exc)
            else:
                messages.success(request, f"您的诉求已提交，工单编号 {t.number}。我们将在规定时限内答复。")
                return redirect("hotline:my_ticket", t.pk)
    return _allow_tiles(render(request, "hotline/citizen_submit.html", {
        "types": [(t.value, rules.TYPE_LABELS[t]) for t in rules.TicketType], "form": request.POST,
        "districts": districts, "streets": streets, "key": uuid.uuid4().hex, "applicant": applicant,
        "max_photos": services.MAX_PHOTOS, "map_tiles": map_tiles(),
        "map_center": str(getattr(settings, "ZHENGWU_HOTLINE_MAP_CENTER", "") or ""),
    }))


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
    events = list(t.events.filter(public=True).select_related("department").order_by("at", "pk"))
    for e in events:
        e.citizen_text = e.opinion if e.action in rules.CITIZEN_TEXT_ACTIONS else ""
    rateable = (t.state in rules.RATEABLE_STATES and bool(t.reply) and t.satisfaction is None)
    return render(request, "hotline/citizen_ticket.html", {
        "t": t, "events": events, "rateable": rateable, "ratings": list(rules.CITIZEN_RATINGS.items()),
        "rating_label": rules.SATISFACTION_LABELS.get(t.satisfaction) if t.satisfaction else "",
        "photos": list(t.photos.values_list("original_name", flat=True)),
    })


@require_POST
def rate(request, pk: int):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    t = queries.citizen_ticket(request.user, pk)
    try:
        services.rate_by_citizen(request.user, t, request.POST.get("satisfaction"))
    except ValidationError as exc:
        _messages(request, exc)
    else:
        messages.success(request, "感谢您的评价")
    return redirect("hotline:my_ticket", t.pk)
