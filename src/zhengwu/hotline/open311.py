"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/): categories are *services*, tickets
are *service requests*, so standard Open311 clients can list categories, file and read tickets.

- ``GET  /open311/v2/services.json`` — the active leaf categories (service_code = category code);
- ``GET  /open311/v2/requests.json`` — requests, filters ``service_request_id`` (comma list),
  ``service_code``, ``start_date``, ``end_date`` (ISO 8601), ``status`` (open/closed); without
  dates the last 90 days, at most 1,000 rows, newest first;
- ``POST /open311/v2/requests.json`` — form-encoded: ``api_key`` (an 应用密钥 with the
  ``hotline:tickets`` scope), ``service_code``, ``description``, ``lat`` + ``long`` or
  ``address_string``; optional ``first_name``, ``last_name``, ``phone``, ``email``, ``device_id``,
  ``account_id``, ``attribute[ticket_type]``, ``attribute[address_public]`` (``true`` when the
  citizen agreed to publish the address); header ``Idempotency-Key``. Answers 201
  ``[{"service_request_id", "service_notice", "account_id"}]``, 200 with the same body when the
  client repeats an ``Idempotency-Key``;
- ``GET  /open311/v2/requests/{id}.json`` — one request (as a one-element list, as the spec says).

Filing without ``api_key`` is refused (401) unless the deployment sets
``ZHENGWU_OPEN311_ANONYMOUS=1``; anonymous filing is then limited per client address
(``ZHENGWU_OPEN311_ANONYMOUS_LIMIT`` tickets per ``ZHENGWU_OPEN311_ANONYMOUS_WINDOW`` seconds,
counted in the database, 429 with ``Retry-After`` beyond it). Idempotency keys are namespaced
per client (the key's id, or the address for anonymous filing), so clients never share one (ADR 0018).

Errors are the spec's ``[{"code": …, "description": …}]`` with the same HTTP status. Public
listings never carry the caller's name or phone, and confidential tickets are not listed; the
description shown is the ticket's summary (标题), not the full text; the address and coordinates
only when the citizen agreed to publish them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET
from ninja.errors import HttpError

from zhengwu.accounts import apikeys
from zhengwu.accounts.models import ApiKey
from zhengwu.core.middleware import client_ip
from zhengwu.core.pii import blind_index

from . import rules, services
from .models import Category, Channel, Open311Quota, Ticket
from .rules import Actor, State

MAX_ROWS = 1000
DEFAULT_DAYS = 90
CLOSED = (State.CLOSED, State.ARCHIVED, State.MERGED, State.CANCELLED)
# Dates a query may name: far enough back for any imported history, and far enough from the ends
# of Python's calendar (years 1 and 9999) that a default window or a time zone never overflows.
EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
DATE_LABELS = {"start_date": "开始时间 start_date", "end_date": "结束时间 end_date"}
TRUE, FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def _error(status: int, description: str, retry_after: int | None = None) -> JsonResponse:
    resp = JsonResponse([{"code": status, "description": description}], status=status, safe=False,
                        json_dumps_params={"ensure_ascii": False})
    if retry_after is not None:
        resp["Retry-After"] = str(retry_after)
    return resp


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
        # Where the citizen lives or works is theirs to publish: shown only with their agreement.
        "address": t.address if t.address_public else "",
        "address_id": "",
        "zipcode": "",
        "lat": t.latitude if t.address_public else None,
        "long": t.longitude if t.address_public else None,
        "media_url": "",
    }


def _public():
    return Ticket.objects.filter(confidential=False).select_related("category", "lead_department")


def _parse_dt(value: str, name: str) -> dt.datetime:
    """An Open311 date parameter: ISO 8601, with or without a time zone (without: local time),
    between EARLIEST and LATEST; else ``ValidationError`` naming the parameter."""
    label = DATE_LABELS.get(name, name)
    try:
        v = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"{label} 格式不正确：应为 ISO 8601，例如 2026-11-01T00:00:00+08:00") from None
    if not EARLIEST <= v.date() <= LATEST:
        raise ValidationError(f"{label} 超出范围：应在 {EARLIEST} 至 {LATEST} 之间")
    try:
        v = v if v.tzinfo else timezone.make_aware(v)
        v.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        raise ValidationError(f"{label} 无法换算为本地时间：请写明时区，例如 +08:00") from None
    return v


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


def _idempotency_key(namespace: str, key: str | None) -> str | None:
    """The ticket's idempotency key for a client's ``Idempotency-Key``: ``o311:<client>:<key>``, the
    client's key hashed when the whole would pass the column's 64 characters (never cut: two long
    keys with the same beginning are two requests)."""
    if not key:
        return None
    raw = f"o311:{namespace}:{key}"
    if len(raw) <= 64:
        return raw
    head = f"o311:{namespace}:#"
    return head + hashlib.sha256(key.encode()).hexdigest()[:64 - len(head)]


def _spend_quota(client: str) -> int | None:
    """Count one anonymous filing by ``client`` (a digest of its address) in its current window.
    None when it is within the limit, else the seconds until the window ends. Runs inside the
    caller's transaction (the row stays locked until it ends, so concurrent processes count
    right, and a refused filing gives its count back)."""
    limit = settings.ZHENGWU_OPEN311_ANONYMOUS_LIMIT
    window = dt.timedelta(seconds=settings.ZHENGWU_OPEN311_ANONYMOUS_WINDOW)
    now = timezone.now()
    row = Open311Quota.objects.select_for_update().filter(client=client).first()
    if row is None:
        try:
            with transaction.atomic():
                Open311Quota.objects.create(client=client, started_at=now, count=1)
        except IntegrityError:  # another process counted this client's first filing first
            row = Open311Quota.objects.select_for_update().get(client=client)
        else:
            # Ended windows go; rows another filing holds are left for later (no waits, no deadlocks).
            ended = Open311Quota.objects.select_for_update(skip_locked=True).filter(started_at__lt=now - window)
            Open311Quota.objects.filter(pk__in=list(ended.values_list("pk", flat=True)[:1000])).delete()
            return None if limit >= 1 else math.ceil(window.total_seconds())
    if now - row.started_at >= window:
        row.started_at, row.count = now, 0
    if row.count >= limit:
        return max(1, math.ceil((row.started_at + window - now).total_seconds()))
    row.count += 1
    row.save(update_fields=["started_at", "count"])
    return None


def _flag(p, name: str) -> bool:
    value = p.get(name, "").strip().lower()
    if value in TRUE or value in FALSE:
        return value in TRUE
    raise ValidationError(f"{name} 应为 true 或 false")


def _create(request):
    p = request.POST
    client = None
    if p.get("api_key"):
        client = _client(p["api_key"])
        if client is None:
            return _error(403, "api_key 无效、已停用、已过期或未授权提交12345诉求")
    elif not settings.ZHENGWU_OPEN311_ANONYMOUS:
        return _error(401, "提交诉求须提供 api_key（应用密钥，权限 hotline:tickets）：请向12345派单中心申请接入密钥")
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
    try:
        address_public = _flag(p, "attribute[address_public]")
    except ValidationError as exc:
        return _error(400, "；".join(exc.messages))
    name = (p.get("last_name", "") + p.get("first_name", "")).strip()
    data = {"ticket_type": p.get("attribute[ticket_type]") or rules.TicketType.HELP, "content": description,
            "address": addr, "latitude": lat or None, "longitude": lon or None, "category": category.pk,
            "caller_name": name, "phone": p.get("phone", ""), "address_public": address_public}
    # Each client its own keys: the key's id, or (anonymous) a digest of the address, never the address.
    anonymous = None if client else blind_index("open311-client", client_ip(request) or "-")
    key = _idempotency_key(f"k{client.pk}" if client else f"a{anonymous[:16]}", request.headers.get("Idempotency-Key"))
    if key and (found := Ticket.objects.filter(idempotency_key=key).first()) is not None:
        return _created(found, p, status=200)
    try:
        with transaction.atomic():
            if anonymous and (retry := _spend_quota(anonymous)) is not None:
                return _error(429, f"本地址匿名提交过于频繁：请 {retry} 秒后再试，或申请接入密钥", retry_after=retry)
            t = services.register(None, data, channel=Channel.OPEN311, actor=Actor.SYSTEM, idempotency_key=key)
    except ValidationError as exc:
        msgs = ["；".join(v) for v in exc.message_dict.values()] if hasattr(exc, "error_dict") else exc.messages
        return _error(400, "；".join(msgs))
    except PermissionDenied as exc:
        return _error(403, str(exc))
    if client is not None:
        services.record_event(t, "note", None, opinion=f"由接入系统“{client.name}”通过 Open311 提交", public=False)
    return _created(t, p)


def _created(t: Ticket, p, status: int = 201) -> JsonResponse:
    return _ok([{"service_request_id": t.number, "service_notice": f"已受理，工单编号 {t.number}",
                 "account_id": p.get("account_id") or None}], status=status)
