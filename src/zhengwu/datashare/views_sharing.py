"""Workbench pages of 共享申请: the lists (本部门申请、待我审核、待会签、已授权), the request form, a
request's page with its actions, and the key shown once. Writes go through
:mod:`.services.sharing`."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from zhengwu.catalog.models import ServiceItem
from zhengwu.catalog.models.items import ItemStatus
from zhengwu.org.models import Role
from zhengwu.workbench.views import roles_required

from . import sharing_rules as rules
from .models import DataResource, ShareGrant
from .services import sharing as svc

SHARE_ROLES = (Role.DEPT_ADMIN, Role.APPROVER, Role.DATA_ADMIN)
share_staff = roles_required(*SHARE_ROLES, what="部门管理员、审批人员或数据管理员")
LIST_LIMIT = 200


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"__all__": exc.messages}


def _version(request) -> int | None:
    try:
        return int(request.POST.get("lock_version", ""))
    except ValueError:
        return None


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


@share_staff
def request_list(request):
    user = request.user
    tabs = [("mine", "本部门的申请", svc.mine(user)), ("provider", "待我审核", svc.awaiting_provider(user)),
            ("countersign", "待会签", svc.awaiting_countersign(user)), ("grants", "已授权（可撤销）", svc.provided_grants(user))]
    counts = {key: qs.values("pk")[:LIST_LIMIT + 1].count() for key, _label, qs in tabs}
    tab = request.GET.get("tab") or next((k for k in ("provider", "countersign") if counts[k]), "mine")
    if tab not in counts:
        tab = "mine"
    rows = list(next(qs for key, _l, qs in tabs if key == tab)[:LIST_LIMIT])
    return render(request, "datashare/sharing/list.html", {
        "tabs": [(key, label, counts[key]) for key, label, _qs in tabs], "tab": tab, "rows": rows,
        "limit": LIST_LIMIT, "can_request": svc.consumer_departments(user).exists(),
        "state_labels": rules.STATE_LABELS})


def _items():
    return (ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).select_related("department")
            .order_by("department__name", "name")[:2000])


@share_staff
def request_new(request):
    user = request.user
    departments = list(svc.consumer_departments(user))
    if not departments:
        raise PermissionDenied("仅部门管理员或审批人员可以申请共享：您没有本部门的申请权限")
    resources = list(svc.requestable_resources())
    source = request.POST if request.method == "POST" else request.GET
    resource = None
    if source.get("resource"):
        resource = DataResource.objects.select_related("provider").filter(
            pk=int(source["resource"]) if source["resource"].isdigit() else 0).first()
        if resource is None:
            raise Http404("资源不存在")
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST" and resource is not None:
        consumer = next((d for d in departments if str(d.pk) == request.POST.get("consumer")), None)
        item_ids = [int(v) for v in request.POST.getlist("items") if v.isdigit()]
        try:
            if consumer is None:
                raise ValidationError({"consumer": ["申请部门：请选择"]})
            quota_text = (request.POST.get("daily_quota") or "").strip()
            quota = int(quota_text) if quota_text.isdigit() else None
            req = svc.submit(user, consumer=consumer, resource=resource, fields=request.POST.getlist("fields"),
                             purpose=request.POST.get("purpose", ""), legal_basis=request.POST.get("legal_basis", ""),
                             items=list(ServiceItem.objects.filter(pk__in=item_ids, status=ItemStatus.PUBLISHED)),
                             period_start=_date(request.POST.get("period_start")),
                             period_end=_date(request.POST.get("period_end")), daily_quota=quota)
        except ValidationError as exc:
            errors, status = _errors(exc), 400
        else:
            messages.success(request, f"共享申请已提交，编号 {req.number}，等待提供方审核")
            return redirect("datashare:share_request", pk=req.pk)
    refusal = svc.refusal_of(resource) if resource is not None else ""
    fields = []
    if resource is not None and not refusal:
        types = svc.field_types(resource)
        # 最小必要原则: nothing is ticked for the requester; a returned form keeps what they ticked.
        chosen = set(request.POST.getlist("fields")) if request.method == "POST" else set()
        for f in resource.fields.order_by("seq", "pk"):
            closed = types[f.key] == rules.NONE
            fields.append({"f": f, "type": types[f.key], "closed": closed,
                           "type_label": dict(DataResource._meta.get_field("share_type").choices).get(types[f.key]),
                           "checked": not closed and f.key in chosen})
    today = timezone.localdate()
    ctx = {"departments": departments, "resources": resources, "resource": resource, "refusal": refusal,
           "fields": fields, "items": _items() if resource is not None and not refusal else [],
           "errors": errors, "form": source,
           "chosen_items": set(source.getlist("items")) if hasattr(source, "getlist") else set(),
           "default_start": today.isoformat(), "default_end": (today + dt.timedelta(days=364)).isoformat()}
    return render(request, "datashare/sharing/new.html", ctx, status=status)


def _detail_context(request, req, errors=None):
    user = request.user
    grant = ShareGrant.objects.select_related("api_key").filter(request=req).first()
    actions = svc.allowed_actions(user, req)
    fields = {f.key: f.name for f in req.resource.fields.all()}
    return {"req": req, "grant": grant, "actions": actions, "fields": fields,
            "requested": [(k, fields.get(k, k)) for k in req.fields_requested],
            "approved": [(k, fields.get(k, k)) for k in req.fields_approved],
            "items": list(req.items.all()), "state_label": rules.STATE_LABELS.get(req.state, req.state),
            "is_consumer": svc.is_consumer(user, req), "errors": errors or {},
            "can_collect": bool(grant and grant.key_shown_at is None and grant.revoked_at is None
                                and req.state == rules.State.APPROVED and svc.is_consumer(user, req))}


@share_staff
def request_detail(request, pk: int):
    req = svc.get_visible(request.user, pk)
    return render(request, "datashare/sharing/detail.html", _detail_context(request, req))


ACTIONS = {"withdraw", "provider_approve", "provider_refuse", "countersign", "countersign_refuse", "revoke"}
DONE = {"withdraw": "申请已撤回", "provider_approve": "已同意共享", "provider_refuse": "已拒绝该申请",
        "countersign": "已会签同意，授权已生效", "countersign_refuse": "已会签不同意", "revoke": "授权已撤销，密钥即时失效"}


@require_POST
@share_staff
def request_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404("未知的操作")
    user = request.user
    req = svc.get_visible(user, pk)
    version = _version(request)
    reason = request.POST.get("reason", "")
    try:
        if action == "withdraw":
            svc.withdraw(user, req.pk, version)
        elif action == "provider_approve":
            req = svc.provider_approve(user, req.pk, version, request.POST.getlist("fields"))
        elif action == "provider_refuse":
            svc.provider_refuse(user, req.pk, version, reason)
        elif action == "countersign":
            svc.countersign(user, req.pk, version)
        elif action == "countersign_refuse":
            svc.countersign_refuse(user, req.pk, version, reason)
        else:
            svc.revoke(user, req.pk, version, reason)
    except ValidationError as exc:
        req.refresh_from_db()
        return render(request, "datashare/sharing/detail.html",
                      _detail_context(request, req, {"action": action, **_errors(exc)}), status=400)
    message = DONE[action]
    if action == "provider_approve" and req.state == rules.State.PROVIDER_APPROVED:
        message = "已同意共享：该资源为有条件共享，待数据管理员会签后生效"
    messages.success(request, message)
    return redirect("datashare:share_request", pk=pk)


@never_cache
@require_POST
@share_staff
def collect_key(request, pk: int):
    """The consumer's one look at the key: answered in this response only, never redirected to,
    stored or logged."""
    req = svc.get_visible(request.user, pk)
    try:
        grant, secret = svc.collect_key(request.user, req.pk)
    except ValidationError as exc:
        return render(request, "datashare/sharing/detail.html",
                      _detail_context(request, req, {"action": "collect", **_errors(exc)}), status=400)
    req.refresh_from_db()
    ctx = _detail_context(request, req)
    ctx.update({"secret": secret, "can_collect": False})
    response = render(request, "datashare/sharing/detail.html", ctx)
    response["Cache-Control"] = "no-store"
    return response
