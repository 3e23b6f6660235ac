"""Workbench pages of hall management (大厅管理): the halls one manages, a hall's page (功能区,
业务类型, 窗口, 办公时间, 延时/周末办, 规则, 预约限制), the roster week grid, one edit page per kind.
Thin: forms_hall validates, services.hall saves."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.org.models import Window
from zhengwu.workbench.views import roles_required

from . import forms_hall
from . import hall_rules as rules
from .models import (
    BookingBlock,
    BusinessType,
    Duty,
    ExtraSession,
    OpeningPeriod,
    Slot,
    Zone,
)
from .services import booking as booking_svc
from .services import hall as svc
from .services import slots as slot_svc

MODELS = {"zone": Zone, "btype": BusinessType, "window": Window, "duty": Duty, "period": OpeningPeriod,
          "extra": ExtraSession}


def _obj(hall, kind, pk):
    model = MODELS.get(kind)
    if model is None:
        raise Http404("没有这类设置")
    if pk is None:
        return None
    if kind == "duty":
        return get_object_or_404(Duty, pk=pk, window__hall=hall)
    return get_object_or_404(model, pk=pk, hall=hall)


@roles_required(*svc.MANAGER_ROLES, what=svc.MANAGERS)
def hall_list(request):
    return render(request, "queueing/hall/hall_list.html", {"halls": svc.halls_for(request.user)})


@roles_required(*svc.MANAGER_ROLES, what=svc.MANAGERS)
def hall_detail(request, hall_id: int):
    hall = svc.hall_of(request.user, hall_id)
    windows = list(Window.objects.filter(hall=hall).select_related("setup", "setup__zone")
                   .prefetch_related("setup__business_types").order_by("number"))
    for w in windows:
        w.setup_row = getattr(w, "setup", None) if hasattr(w, "setup") else None
    periods = OpeningPeriod.objects.filter(hall=hall)
    today = timezone.localdate()
    extras = list(ExtraSession.objects.filter(hall=hall).prefetch_related("business_types"))
    for x in extras:
        x.when = f"{x.date:%Y年%m月%d日}" if x.date else f"每{rules.WEEKDAYS[x.weekday]}" if x.weekday is not None else ""
    return render(request, "queueing/hall/hall_detail.html", {
        "hall": hall, "zones": Zone.objects.filter(hall=hall),
        "btypes": BusinessType.objects.filter(hall=hall).select_related("zone").prefetch_related("items", "windows"),
        "windows": windows, "periods": periods, "weekdays": rules.WEEKDAYS,
        "extras": extras,
        "hall_rules": svc.rules_of(hall), "blocks": booking_svc.blocks_of_hall(hall),
        "slot_count": Slot.objects.filter(hall=hall, date__gte=today).count(),
    })


@roles_required(*svc.MANAGER_ROLES, what=svc.MANAGERS)
def edit(request, hall_id: int, kind: str, pk: int | None = None):
    hall = svc.hall_of(request.user, hall_id)
    obj = _obj(hall, kind, pk)
    form_class, label = forms_hall.FORMS[kind]
    initial = {}
    if kind == "duty" and request.GET.get("date"):
        initial = {"date": request.GET["date"], "window": request.GET.get("window")}
    form = form_class(request.POST or None, instance=obj, hall=hall, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            svc.save(request.user, hall, kind, form)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"已保存{label}")
            if kind == "duty":
                return redirect("queueing:hall_roster", hall.pk)
            return redirect(f"{_detail_url(hall)}#{kind}")
    return render(request, "queueing/hall/edit.html", {"hall": hall, "form": form, "label": label, "obj": obj,
                                                       "kind": kind}, status=400 if form.errors else 200)


def _detail_url(hall):
    from django.urls import reverse

    return reverse("queueing:hall_detail", args=[hall.pk])


@require_POST
@roles_required(*svc.MANAGER_ROLES, what=svc.MANAGERS)
def delete(request, hall_id: int, kind: str, pk: int):
    hall = svc.hall_of(request.user, hall_id)
    obj = _obj(hall, kind, pk)
    svc.delete(request.user, hall, kind, obj)
    messages.success(request, "窗口已停用" if kind == "window" else f"已删除{forms_hall.FORMS[kind][1]}")
    if kind == "duty":
        return redirect("queueing:hall_roster", hall.pk)
    return redirect(f"{_detail_url(hall)}#{kind}")


@roles_required(*svc.MANAGER_ROLES, what=svc.MANAGERS)
def hall_rules_edit(request, hall_id: int):
    hall = svc.hall_of(request.user, hall_id)
    current = svc.rules_of(hall)
    form = forms_hall.HallRulesForm(request.POST or None, instance=current, hall=hall)
    if request.method == "POST" and form.is_valid():
        try:
            svc.save_rules(request.user, hall, form, int(request.POST.get("lock_version") or current.version))
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "已保存大厅规则")
            return redirect(f"{_detail_url(hall)}#rules")
    return render(request, "queueing/hall/edit.html", {"hall": hall, "form": form, "label": "大厅规则",
                                                       "obj": current, "kind": "rules",
                                                       "lock_version": current.version},
                  status=400 if form.errors else 200)


@roles_required(*svc.MANAGER_ROLES, what=svc.MANAGERS)
def roster(request, hall_id: int):
    hall = svc.hall_of(request.user, hall_id)
    try:
        start = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        start = timezone.localdate()
    start -= dt.timedelta(days=start.weekday())
    days = [start + dt.timedelta(days=i) for i in range(7)]
    windows = list(Window.objects.filter(hall=hall, is_active=True).order_by("number"))
    duties = Duty.objects.filter(window__hall=hall, date__range=(days[0], days[-1])).select_related("user")
    cell: dict[tuple[int, dt.date], list] = {}
    for d in duties:
        cell.setdefault((d.window_id, d.date), []).append(d)
    cal_kinds = {d: slot_svc.day_kind(d) for d in days}
    grid = [{"window": w, "cells": [{"date": d, "duties": cell.get((w.pk, d), [])} for d in days]} for w in windows]
    return render(request, "queueing/hall/roster.html", {
        "hall": hall, "days": [{"date": d, "label": rules.WEEKDAYS[d.weekday()], "kind": cal_kinds[d]} for d in days],
        "grid": grid, "prev": days[0] - dt.timedelta(days=7), "next": days[0] + dt.timedelta(days=7),
    })


@require_POST
@roles_required(*svc.MANAGER_ROLES, what=svc.MANAGERS)
def generate_slots(request, hall_id: int):
    hall = svc.hall_of(request.user, hall_id)
    r = slot_svc.generate(hall, actor=request.user)
    messages.success(request, f"已生成预约时段：新增 {r['created']} 个，更新 {r['updated']} 个，移除 {r['removed']} 个")
    return redirect(f"{_detail_url(hall)}#slots")


@require_POST
@roles_required(*svc.MANAGER_ROLES, what=svc.MANAGERS)
def lift_block(request, hall_id: int, pk: int):
    hall = svc.hall_of(request.user, hall_id)
    block = get_object_or_404(BookingBlock, pk=pk, hall=hall)
    try:
        booking_svc.lift_block(block=block, user=request.user)
        messages.success(request, "已解除预约限制")
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect(f"{_detail_url(hall)}#blocks")
