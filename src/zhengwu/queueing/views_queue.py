"""The clerk's 叫号 panel in the workbench (窗口人员).

The window: ``?window=`` if chosen, else today's 排班 (Duty), else the grant's usual window
(RoleGrant.window), else a chooser. Every button is a plain form posted here (works without
JavaScript); queueing-queue.js sends the same actions to the JSON API and refreshes the panel
without reloading the page.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from zhengwu.org.models import Role, Window
from zhengwu.org.permissions import grants, has_role
from zhengwu.workbench.views import roles_required

from . import queue_rules as rules
from .models import BusinessType, Duty, Ticket, WindowSetup
from .services import calling
from .services.tickets import issue_ticket, waiting_counts


def windows_for(user):
    """Windows with a queue setup in the halls of the clerk's grants (系统管理员: all)."""
    qs = Window.objects.filter(is_active=True, setup__isnull=False).select_related("hall", "hall__region")
    if has_role(user, Role.SYSADMIN):
        return qs
    prefixes = [g.region_prefix for g in grants(user) if g.role == Role.WINDOW]
    cond = Q(pk__in=[])
    for p in prefixes:
        cond |= Q(hall__region__code__startswith=p)
    return qs.filter(cond)


def my_window(user, allowed) -> Window | None:
    """Today's duty window, else the usual window of the grant (if the clerk may use it)."""
    duty = Duty.objects.filter(user=user, date=timezone.localdate()).order_by("period").first()
    if duty is not None:
        w = allowed.filter(pk=duty.window_id).first()
        if w is not None:
            return w
    usual = next((g.window_id for g in grants(user) if g.role == Role.WINDOW and g.window_id), None)
    return allowed.filter(pk=usual).first() if usual else None


def panel_context(request, window: Window) -> dict:
    setup = WindowSetup.objects.filter(window=window).prefetch_related("business_types").first()
    types = list(BusinessType.objects.filter(hall=window.hall, is_active=True))
    counts = waiting_counts(window.hall)
    served = {bt.pk for bt in setup.business_types.all()} if setup else set()
    current = calling.current(window)
    done = None
    done_id = request.GET.get("done")
    if done_id and done_id.isdigit():
        done = Ticket.objects.filter(pk=done_id, window=window, status=rules.DONE).first()
    api = "/api/v1/queueing/"
    return {
        "window": window, "setup": setup, "current": current, "done": done,
        "queue": [{"bt": bt, "waiting": counts.get(bt.pk, 0), "mine": bt.pk in served} for bt in types],
        "transfer_types": [bt for bt in types if not current or bt.pk != current.business_type_id],
        "api": api, "issue_key": uuid.uuid4().hex,
        "rate_url": reverse("ratings:tablet_rate", args=[window.pk, done.visit_id]) if done and done.visit_id else "",
        "file_url": reverse("cases:staff_file"),
        # 窗口代录 during this service: linked to the ticket (and the rating) at 办结.
        "filed": calling.filed_during(current, request.user) if current and current.started_at else None,
    }


OPS = {"recall": calling.recall, "no_show": calling.mark_no_show, "start": calling.start}


@roles_required(Role.WINDOW, what="窗口人员")
def panel(request):
    allowed = windows_for(request.user)
    wid = request.GET.get("window") or request.POST.get("window")
    window = allowed.filter(pk=wid).first() if wid and str(wid).isdigit() else my_window(request.user, allowed)
    if window is None or request.GET.get("choose"):
        return render(request, "queueing/queue/choose.html", {"windows": allowed.order_by("hall__name", "number")})
    if request.method == "POST":
        return _post(request, window)
    ctx = panel_context(request, window)
    if request.GET.get("partial"):
        return render(request, "queueing/queue/_panel.html", ctx)
    return render(request, "queueing/queue/panel.html", ctx)


def _post(request, window):
    op = request.POST.get("op", "")
    back = reverse("queueing:queue_panel") + f"?window={window.pk}"
    try:
        if op == "open":
            calling.open_window(window=window, user=request.user)
            messages.success(request, f"{window.number} 号窗口已开窗")
        elif op == "close":
            back_tickets = calling.close_window(window=window, user=request.user)
            messages.success(request, f"{window.number} 号窗口已暂停服务" +
                             (f"，{'、'.join(t.display for t in back_tickets)} 已退回队列" if back_tickets else ""))
        elif op == "call":
            t = calling.call_next(window=window, user=request.user)
            messages.info(request, rules.announcement(t.display, window.number) if t else "当前没有等候的号")
        elif op == "issue":
            bt = BusinessType.objects.filter(pk=request.POST.get("business_type") or 0, hall=window.hall).first()
            try:
                t = issue_ticket(hall=window.hall, business_type=bt, source="clerk", clerk=request.user,
                                 id_number=request.POST.get("id_number", ""),
                                 idempotency_key=request.POST.get("idempotency_key") or None)
            except ValidationError as exc:
                # The panel again with what the clerk typed (a redirect would lose it; the ID number is
                # not put in the session).
                messages.error(request, "；".join(exc.messages))
                ctx = panel_context(request, window)
                ctx.update(issue_type=bt.pk if bt else None, issue_id=request.POST.get("id_number", "")[:18],
                           issue_id_wrong="id_number" in getattr(exc, "error_dict", {}),
                           issue_key=request.POST.get("idempotency_key") or ctx["issue_key"])
                return render(request, "queueing/queue/panel.html", ctx, status=400)
            messages.success(request, f"已帮办取号：{t.display}")
        elif op in OPS or op in ("end", "transfer"):
            t = Ticket.objects.filter(pk=request.POST.get("ticket") or 0, window=window).first()
            if t is None:
                raise Http404("排队号不存在")
            version = request.POST.get("version")
            version = int(version) if version and version.isdigit() else None
            if op == "end":
                t = calling.end(ticket=t, user=request.user, expected_version=version)
                messages.success(request, f"{t.display} 已办结")
                return redirect(back + f"&done={t.pk}")
            if op == "transfer":
                bt = BusinessType.objects.filter(pk=request.POST.get("business_type") or 0).first()
                new = calling.transfer(ticket=t, user=request.user, business_type=bt, expected_version=version)
                messages.success(request, f"{t.display} 已转为 {new.display}")
            else:
                t = OPS[op](ticket=t, user=request.user, expected_version=version)
                messages.success(request, f"{t.display} {rules.MACHINE.label(op)}")
        else:
            messages.error(request, "未知的操作")
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    return redirect(back)
