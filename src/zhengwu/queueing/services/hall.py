"""大厅管理: the write path of zones, business types, windows (``org.Window`` + ``WindowSetup``),
roster, hours, 延时/周末办 and the hall's rules. Forms (forms_hall) validate; this saves with the
audit event in one transaction. Who manages which hall: 督办人员 of the hall's region, 系统管理员."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction

from zhengwu.core import audit
from zhengwu.org.models import Hall, Role
from zhengwu.org.permissions import grants, is_sysadmin

from ..models import HallRules, WindowSetup

MANAGER_ROLES = (Role.SUPERVISOR, Role.SYSADMIN)
MANAGERS = "督办人员、系统管理员"


def halls_for(user):
    """The halls the user manages: those in the regions of their 督办 grants (all for 系统管理员)."""
    qs = Hall.objects.select_related("region").order_by("region__code", "name")
    if is_sysadmin(user):
        return qs
    prefixes = [g.region_prefix for g in grants(user) if g.role == Role.SUPERVISOR]
    if not prefixes:
        return qs.none()
    from django.db.models import Q

    cond = Q(pk__in=[])
    for p in prefixes:
        cond |= Q(region__code__startswith=p)
    return qs.filter(cond)


def hall_of(user, hall_id: int) -> Hall:
    hall = halls_for(user).filter(pk=hall_id).first()
    if hall is None:
        raise PermissionDenied("无权管理该大厅：仅该大厅所在区划的督办人员或系统管理员可以管理")
    return hall


def _describe(obj) -> dict:
    out = {}
    for f in obj._meta.concrete_fields:
        if f.name in ("id", "version"):
            continue
        v = getattr(obj, f.attname)
        out[f.name] = v if isinstance(v, int | str | bool | type(None)) else str(v)
    return out


@transaction.atomic
def save(actor, hall: Hall, kind: str, form):
    """Save a validated hall form of ``kind`` (forms_hall.FORMS)."""
    if kind == "window":
        return save_window(actor, hall, form)
    obj = form.save(commit=False)
    adding = obj._state.adding
    if hasattr(obj, "hall_id") and kind != "duty":
        obj.hall = hall
    if hasattr(obj, "version") and not adding:
        obj.version += 1
    obj.full_clean()
    obj.save()
    form.save_m2m()
    audit.record(f"queueing.{kind}.{'add' if adding else 'change'}", actor=actor, obj=obj, after=_describe(obj))
    if kind == "btype":
        from .booking import bookable_items_changed

        transaction.on_commit(bookable_items_changed)
    return obj


def save_window(actor, hall: Hall, form):
    from zhengwu.org.services import save_window as org_save_window

    with transaction.atomic():
        window = form.save(commit=False)
        window.hall = hall
        window = org_save_window(actor, window, form.cleaned_data.get("departments"))
        setup, _ = WindowSetup.objects.get_or_create(window=window)
        setup.zone = form.cleaned_data.get("zone")
        setup.version += 1
        setup.save()
        setup.business_types.set(form.cleaned_data.get("business_types") or [])
        audit.record("queueing.window_setup.change", actor=actor, obj=setup,
                     after={"zone": setup.zone_id, "business_types": sorted(b.pk for b in setup.business_types.all())})
        return window


@transaction.atomic
def delete(actor, hall: Hall, kind: str, obj) -> None:
    before = _describe(obj)
    pk = obj.pk
    label = obj._meta.label_lower
    if kind == "window":  # a window keeps its history: it is disabled, not deleted
        obj.is_active = False
        obj.save(update_fields=["is_active"])
        audit.record("org.window.disable", actor=actor, obj=obj, before=before)
        return
    obj.delete()
    audit.record(f"queueing.{kind}.delete", actor=actor, object_type=label, object_id=pk, before=before)


def rules_of(hall: Hall) -> HallRules:
    return HallRules.objects.get_or_create(hall=hall)[0]


@transaction.atomic
def save_rules(actor, hall: Hall, form, expected_version: int | None = None) -> HallRules:
    from zhengwu.core.errors import Conflict

    current = HallRules.objects.select_for_update().filter(hall=hall).first()
    if current is not None and expected_version is not None and current.version != expected_version:
        raise Conflict("大厅规则已被他人修改，请刷新页面后重试", code="stale")
    obj = form.save(commit=False)
    obj.hall = hall
    obj.version += 1
    obj.save()
    audit.record("queueing.hall_rules.change", actor=actor, obj=obj, after=_describe(obj))
    return obj
