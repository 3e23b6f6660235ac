"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/): categories are *services*, tickets
are *service requests*, so standard Open311 clients can list categories, file and read tickets.

- ``GET  /open311/v2/services.json`` — the active leaf categories (service_code = category code);
- ``GET  /open311/v2/requests.json`` — requests, filters ``service_request_id`` (comma list),
  ``service_code``, ``start_date``, ``end_date`` (ISO 8601), ``status`` (open/closed); without
  dates the last 90 days, at most 1,000 rows, newest first;
- ``POST /open311/v2/requests.json`` — form-encoded: ``service_code``, ``description``, ``lat`` +
  ``long`` or ``address_string``; optional ``api_key``, ``first_name``, ``last_name``, ``phone``,
  ``email``, ``device_id``, ``account_id``; answers ``[{"service_request_id", "service_notice",
  "account_id"}]``;
- ``GET  /open311/v2/requests/{id}.json`` — one request (as a one-element list, as the spec says).

Errors are the spec's ``[{"code": …, "description": …}]`` with the same HTTP status. Public
listings never carry the caller's name or phone, and confidential tickets are not listed; the
description shown is the ticket's summary (标题), not the full text.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from ninja.errors import HttpError

from zhengwu.accounts import apikeys
from zhengwu.accounts.models import ApiKey

from . import rules, services
from .models import Category, Channel, Ticket
from .rules import Actor, State

MAX_ROWS = 1000
DEFAULT_DAYS = 90
CLOSED = (State.CLOSED, State.ARCHIVED, State.MERGED, State.CANCELLED)


def _error(status: int, description: str) -> JsonResponse:
    return JsonResponse([{"code": status, "description": description}], status=status, safe=False,
                        json_dumps_params={"ensure_ascii": False})


def _ok(data, status: int = 200) -> JsonResponse:
    resp = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    resp["Access-Control-Allow-Origin"] = "*"
    return resp


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


@require_GET
def discovery(request):
    base = request.build_absolute_uri("/open311/v2/")
    return _ok({"changeset": "2026-11-28T00:00:00+08:00", "contact": "12345 政务服务便民热线",
                "key_service": "向派单中心申请接入密钥",
                "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                               "changeset": "2026-11-28T00:00:00+08:00", "type": "production", "formats": ["application/json"]}]})


@require_GET
def services_list(request):
    rows = []
    for c in Category.objects.filter(level=3, is_active=True).select_related("parent__parent").order_by("code"):
        rows.append({"service_code": c.code, "service_name": c.name, "description": c.path, "metadata": False,
                     "type": "batch", "keywords": ",".join((c.keywords or "").split()),
                     "group": c.parent.parent.name if c.parent_id and c.parent.parent_id else ""})
    return _ok(rows)


def request_out(t: Ticket) -> dict:
    return {
        "service_request_id": t.number,
        "status": "closed" if t.state in CLOSED else "open",
        "status_notes": rules.STATE_LABELS[State(t.state)],
        "service_name": t.category.name if t.category_id else "",
        "service_code": t.category.code if t.category_id else "",
        "description": t.title,
        "agency_responsible": t.lead_department.name if t.lead_department_id else "",
        "service_notice": f"办理时限：{t.time_limit}" if t.time_limit else "",
        "requested_datetime": _iso(t.created_at),
        "updated_datetime": _iso(t.updated_at),
        "expected_datetime": _iso(t.due_at),
        "address": t.address,
        "address_id": "",
        "zipcode": "",
        "lat": t.latitude,
        "long": t.longitude,
        "media_url": "",
    }


def _public():
    return Ticket.objects.filter(confidential=False).select_related("category", "lead_department")


def _parse_dt(value: str, name: str) -> dt.datetime:
    try:
        v = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"{name} 格式不正确：应为 ISO 8601，例如 2026-11-01T00:00:00+08:00") from None
    return v if v.tzinfo else timezone.make_aware(v)


@csrf_exempt
def requests_view(request):
    if request.method == "POST":
        return _create(request)
    if request.method != "GET":
        return _error(405, "只支持 GET 和 POST")
    qs = _public()
    ids = [i.strip() for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    try:
        if ids:
            qs = qs.filter(number__in=ids[:MAX_ROWS])
        else:
            end = _parse_dt(request.GET["end_date"], "end_date") if request.GET.get("end_date") else timezone.now()
            start = (_parse_dt(request.GET["start_date"], "start_date") if request.GET.get("start_date")
                     else end - dt.timedelta(days=DEFAULT_DAYS))
            if start > end:
                return _error(400, "start_date 不能晚于 end_date")
            qs = qs.filter(created_at__gte=start, created_at__lte=end)
            codes = [c.strip() for c in request.GET.get("service_code", "").split(",") if c.strip()]
            if codes:
                qs = qs.filter(category__code__in=codes)
            status = request.GET.get("status", "").strip()
            if status == "open":
                qs = qs.exclude(state__in=CLOSED)
            elif status == "closed":
                qs = qs.filter(state__in=CLOSED)
            elif status:
                return _error(400, "status 应为 open 或 closed")
    except ValidationError as exc:
        return _error(400, "；".join(exc.messages))
    return _ok([request_out(t) for t in qs.order_by("-id")[:MAX_ROWS]])


@require_GET
def request_detail(request, number: str):
    t = _public().filter(number=number).first()
    if t is None:
        return _error(404, f"service_request_id {number} 不存在")
    return _ok([request_out(t)])


def _client(key: str) -> ApiKey | None:
    """The 应用密钥 behind an Open311 ``api_key``: active, unexpired, with the hotline scope."""
    try:
        return apikeys.check(key, rules.API_SCOPE)
    except HttpError:
        return None


def _create(request):
    p = request.POST
    client = None
    if getattr(settings, "ZHENGWU_OPEN311_REQUIRE_KEY", False) and not p.get("api_key"):
        return _error(403, "本平台要求 api_key：请向12345派单中心申请接入密钥")
    if p.get("api_key"):
        client = _client(p["api_key"])
        if client is None:
            return _error(403, "api_key 无效、已停用、已过期或未授权提交12345诉求")
    code = p.get("service_code", "").strip()
    if not code:
        return _error(400, "service_code 必填")
    category = Category.objects.filter(code=code, level=3, is_active=True).first()
    if category is None:
        return _error(404, f"service_code {code} 不存在")
    lat, lon, addr = p.get("lat", "").strip(), p.get("long", "").strip(), p.get("address_string", "").strip()
    if not addr and not (lat and lon):
        return _error(400, "须提供位置：lat 和 long，或 address_string")
    description = p.get("description", "").strip()
    if not description:
        return _error(400, "description 必填：请描述问题")
    name = (p.get("last_name", "") + p.get("first_name", "")).strip()
    data = {"ticket_type": p.get("attribute[ticket_type]") or rules.TicketType.HELP, "content": description,
            "address": addr, "latitude": lat or None, "longitude": lon or None, "category": category.pk,
            "caller_name": name, "phone": p.get("phone", "")}
    key = request.headers.get("Idempotency-Key")
    try:
        t = services.register(None, data, channel=Channel.OPEN311, actor=Actor.SYSTEM,
                              idempotency_key=f"o311:{key}"[:64] if key else None)
    except ValidationError as exc:
        msgs = ["；".join(v) for v in exc.message_dict.values()] if hasattr(exc, "error_dict") else exc.messages
        return _error(400, "；".join(msgs))
    except PermissionDenied as exc:
        return _error(403, str(exc))
    if client is not None:
        services.record_event(t, "note", None, opinion=f"由接入系统“{client.name}”通过 Open311 提交", public=False)
    return _ok([{"service_request_id": t.number, "service_notice": f"已受理，工单编号 {t.number}",
                 "account_id": p.get("account_id") or None}], status=201)
