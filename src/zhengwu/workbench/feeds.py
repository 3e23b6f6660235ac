"""上报队列 (/workbench/feeds/): the feeds to upper-level platforms for the 数据管理员 and the
系统管理员 — per feed the records waiting, failing and given up, the last success and the
gateway; the failed and dead records with their error, filtered, and 重新推送 (POST, audited)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.core import outbox, outbox_rules
from zhengwu.core.feed_gateways import _gateways, gateway_name
from zhengwu.core.models import FeedRecord
from zhengwu.org.models import Role

from .views import roles_required

data_admin = roles_required(Role.DATA_ADMIN, Role.SYSADMIN, what="数据管理员和系统管理员")
PAGE = 100
STATUSES = {"failed": "推送失败（将重试）", "dead": "已停止重试", "pending": "待推送", "unsent": "全部未送达"}


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _records(feed: str, status: str, ref: str, start: dt.date | None, end: dt.date | None):
    qs = FeedRecord.objects.filter(feed=feed)
    if status == "unsent":
        qs = qs.exclude(status=FeedRecord.Status.SENT)
    else:
        qs = qs.filter(status=status)
    if ref:
        qs = qs.filter(object_ref=ref)
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(created_at__gte=dt.datetime.combine(start, dt.time.min, tz))
    if end:
        qs = qs.filter(created_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tz))
    return qs.order_by("-id").only("pk", "feed", "object_ref", "object_id", "event", "status", "attempts",
                                   "next_attempt_at", "last_error", "created_at")


@data_admin
def queue(request):
    summary = outbox.summary()
    names = [s["feed"].name for s in summary]
    feed = request.GET.get("feed") if request.GET.get("feed") in names else (names[0] if names else "")
    status = request.GET.get("status") if request.GET.get("status") in STATUSES else "failed"
    ref = (request.GET.get("ref") or "").strip()[:64]
    start, end = _day(request.GET.get("start")), _day(request.GET.get("end"))
    rows = list(_records(feed, status, ref, start, end)[:PAGE]) if feed else []
    current = outbox.get(feed)
    for r in rows:
        r.event_label = current.events.get(r.event, r.event) if current else r.event
    for s in summary:
        gw = gateway_name(s["feed"].name)
        s["gateway"] = getattr(_gateways.get(gw), "label", gw) or gw
    waits = [int(d.total_seconds() // 60) for d in outbox_rules.schedule(outbox.max_attempts())]
    return render(request, "workbench/feeds.html", {
        "summary": summary, "feed": feed, "status": status, "statuses": STATUSES, "status_label": STATUSES[status],
        "ref": ref, "start": start, "end": end, "rows": rows, "limit": PAGE, "schedule": waits,
        "max_attempts": outbox.max_attempts()})


@require_POST
@data_admin
def resend(request):
    feed = request.POST.get("feed", "")
    back = reverse("workbench:feeds") + f"?feed={feed}&status={request.POST.get('status', 'failed')}"
    if outbox.get(feed) is None:
        messages.error(request, "上报数据项：不存在，请从列表中选择")
        return redirect(reverse("workbench:feeds"))
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    every = request.POST.get("all")
    if not ids and every not in outbox.RESENDABLE:
        messages.error(request, "重新推送：请至少勾选一条推送失败的记录")
        return redirect(back)
    n = outbox.resend(request.user, feed, ids if ids else None, status=every if not ids else None)
    if n:
        messages.success(request, f"已将 {n} 条记录重新加入推送队列，将在1分钟内推送")
    else:
        messages.warning(request, "没有可重新推送的记录（只有推送失败或已停止重试的记录可以重新推送）")
    return redirect(back)
