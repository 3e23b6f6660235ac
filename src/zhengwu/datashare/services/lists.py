"""三张清单: 需求清单 (a department's data needs), 责任清单 (who provides what by when) and
负面清单 (what may not be shared, with its legal basis). Answering a need links a resource."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Min
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.org.models import Department

from ..models import DataNeed, DataResource, NegativeEntry, ProvideDuty
from .catalogue import can_edit, can_review


def _department(value, field: str = "department") -> Department:
    if isinstance(value, Department):
        return value
    dept = Department.objects.filter(pk=value).first() if str(value or "").isdigit() else None
    if dept is None:
        raise ValidationError({field: ["请选择部门"]})
    return dept


def _text(data: Mapping, key: str, label: str, max_len: int, required: bool = True) -> str:
    value = str(data.get(key) or "").strip()
    if required and not value:
        raise ValidationError({key: [f"{label}不能为空"]})
    if len(value) > max_len:
        raise ValidationError({key: [f"{label}不能超过{max_len}字"]})
    return value


def _resource(value, field: str = "resource") -> DataResource | None:
    if value in (None, ""):
        return None
    r = DataResource.objects.filter(pk=value).first() if str(value).isdigit() else None
    if r is None:
        raise ValidationError({field: ["资源不存在"]})
    return r


@transaction.atomic
def create_need(actor, data: Mapping) -> DataNeed:
    dept = _department(data.get("department"))
    if not can_edit(actor, dept):
        raise PermissionDenied(f"您无权为“{dept.name}”登记数据需求")
    provider = _department(data.get("provider"), "provider") if data.get("provider") else None
    description = _text(data, "description", "所需数据", 300)
    if DataNeed.objects.filter(department=dept, provider=provider, description=description,
                               status=DataNeed.Status.OPEN).exists():
        raise ValidationError({"description": ["已登记过相同的待响应需求"]})  # a double submission
    need = DataNeed.objects.create(
        department=dept, provider=provider, item_id=data.get("item") or None, description=description,
        fields_wanted=_text(data, "fields_wanted", "所需信息项", 500, required=False))
    audit.record("datashare.need.create", actor=actor, obj=need, after={"description": need.description})
    return need


@transaction.atomic
def answer_need(actor, pk: int, *, resource=None, decline: bool = False, answer: str = "") -> DataNeed:
    """The proposed provider (or 数据管理员) answers: a resource that meets the need, or a reason
    why it cannot be met."""
    need = DataNeed.objects.select_for_update().get(pk=pk)
    if need.status != DataNeed.Status.OPEN:
        raise ValidationError("该需求已响应")
    allowed = can_review(actor, need.department) or (need.provider_id and can_edit(actor, need.provider))
    if not allowed:
        raise PermissionDenied("只有拟提供部门或数据管理员可以响应该需求")
    answer = _text({"answer": answer}, "answer", "响应说明", 300, required=decline)
    if decline:
        need.status = DataNeed.Status.DECLINED
    else:
        res = _resource(resource)
        if res is None:
            raise ValidationError({"resource": ["请选择满足需求的资源"]})
        need.resource, need.status = res, DataNeed.Status.ANSWERED
        need.provider_id = need.provider_id or res.provider_id
    need.answer, need.answered_at = answer, timezone.now()
    need.save()
    audit.record("datashare.need.answer", actor=actor, obj=need,
                 after={"status": need.status, "resource": need.resource_id, "answer": answer})
    return need


@transaction.atomic
def create_duty(actor, data: Mapping) -> ProvideDuty:
    dept = _department(data.get("department"))
    if not can_review(actor, dept):
        raise PermissionDenied("只有数据管理员可以登记责任清单")
    due = data.get("due_date") or None
    if isinstance(due, str):
        try:
            due = dt.date.fromisoformat(due)
        except ValueError:
            raise ValidationError({"due_date": ["完成时限应为日期，例如 2026-12-31"]}) from None
    description = _text(data, "description", "应提供的数据", 300)
    if ProvideDuty.objects.filter(department=dept, description=description, done=False).exists():
        raise ValidationError({"description": ["该部门已有相同的未完成责任"]})  # a double submission
    duty = ProvideDuty.objects.create(department=dept, resource=_resource(data.get("resource")), due_date=due,
                                      description=description)
    audit.record("datashare.duty.create", actor=actor, obj=duty, after={"description": duty.description})
    return duty


@transaction.atomic
def mark_duty_done(actor, pk: int) -> ProvideDuty:
    duty = ProvideDuty.objects.select_for_update().get(pk=pk)
    if not can_edit(actor, duty.department):
        raise PermissionDenied("您无权办结该责任")
    if not duty.done:
        duty.done = True
        duty.save(update_fields=["done"])
        audit.record("datashare.duty.done", actor=actor, obj=duty)
    return duty


@transaction.atomic
def create_negative(actor, data: Mapping) -> NegativeEntry:
    dept = _department(data.get("department"))
    if not can_edit(actor, dept):
        raise PermissionDenied(f"您无权为“{dept.name}”登记负面清单")
    description = _text(data, "description", "不予共享的数据", 300)
    if NegativeEntry.objects.filter(department=dept, description=description).exists():
        raise ValidationError({"description": ["负面清单中已有该部门的相同条目"]})  # a double submission
    entry = NegativeEntry.objects.create(
        department=dept, resource=_resource(data.get("resource")), description=description,
        legal_basis=_text(data, "legal_basis", "法律法规依据", 300))
    audit.record("datashare.negative.create", actor=actor, obj=entry,
                 after={"description": entry.description, "legal_basis": entry.legal_basis})
    return entry


def unanswered_needs(days: int, *, now=None, queryset=None):
    """Open needs older than ``days`` days, counted by the department that asked (and the
    oldest one's date): [{department__name, n, oldest}]."""
    now = now or timezone.now()
    qs = queryset if queryset is not None else DataNeed.objects.all()
    qs = qs.filter(status=DataNeed.Status.OPEN, created_at__lt=now - dt.timedelta(days=max(days, 0)))
    return list(qs.values("department_id", "department__name").annotate(n=Count("pk"), oldest=Min("created_at"))
                .order_by("-n", "department__name"))
