"""Feeds to upper-level platforms (上报): one outbox for every feed (12345 工单, 办件, …).

A domain declares its feed once, in its ``AppConfig.ready``::

    from zhengwu.core import outbox
    outbox.register(outbox.Feed("hotline", "12345工单", scope="feed:hotline", object_type="hotline.ticket",
                                build=feed.payload, ref=lambda t: t.number, events={"created": "受理", …}))

and its services call ``outbox.enqueue("hotline", ticket, "created")`` inside the transaction of the
change: a rolled-back change leaves no record, and the same object, event and version is enqueued
once (a unique constraint; a repeat is ignored). Then:

- the worker's job ``feeds.push`` (every minute) hands the due records of each feed to its gateway
  (:mod:`zhengwu.core.feed_gateways`: a local file drop by default, HTTP to the upper platform when
  configured); a record becomes *sent* only when the gateway confirms it. A failed try waits with
  exponential back-off (:mod:`zhengwu.core.outbox_rules`) and after ``max_attempts`` the record is
  *dead* (dead letter): the 上报队列 page lists it with its error and a person resends it;
- the upper platform may instead pull: ``GET /api/v1/feeds/<feed>/records`` (the unsent records in
  order) and ``POST /api/v1/feeds/<feed>/ack`` with an 应用密钥 holding the feed's scope.

Core knows no domain: the feeds are registered by the domain apps. Payloads are built by the
domain's feed with personal data masked or left out, and never logged (errors name the feed, the
count and the failure, not the content).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Max
from django.utils import timezone

from . import audit, outbox_rules

log = logging.getLogger("zhengwu.feeds")

BATCH = 200  # records per gateway call
PER_RUN = 2000  # records per feed per run of the job (the rest in the next minute)
LEASE = dt.timedelta(minutes=5)  # a claimed batch is not claimed again by another worker meanwhile
ACK_MAX = 1000
PULL_MAX = 1000


@dataclass(frozen=True)
class Feed:
    name: str  # in URLs and settings: hotline, cases
    label: str  # 中文: 12345工单
    scope: str  # the 应用密钥 scope that may pull it: feed:hotline
    object_type: str  # app_label.model of the objects it reports
    build: Callable[[Any, str], dict] = field(compare=False)  # (object, event) → the payload
    ref: Callable[[Any], str] = field(default=lambda obj: "", compare=False)  # the business number
    events: dict[str, str] = field(default_factory=dict, compare=False)  # event → 中文
    description: str = ""


_feeds: dict[str, Feed] = {}


def register(feed: Feed) -> None:
    _feeds[feed.name] = feed


def get(name: str) -> Feed | None:
    return _feeds.get(name)


def feeds() -> list[Feed]:
    return sorted(_feeds.values(), key=lambda f: f.name)


def max_attempts() -> int:
    return int(getattr(settings, "ZHENGWU_FEED_MAX_ATTEMPTS", outbox_rules.MAX_ATTEMPTS))


# -- enqueue (in the domain's transaction) -------------------------------------------------------
def enqueue(name: str, obj, event: str, *, version: int | None = None) -> None:
    """Queue ``event`` of ``obj`` for the feed ``name``, in the caller's transaction. ``version``:
    the object's version after the change (default its ``lock_version``); the same object, event
    and version is queued once. One INSERT."""
    from .models import FeedRecord

    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox.enqueue() must run inside the transaction of the change")
    feed = _feeds[name]
    if event not in feed.events:
        raise ValueError(f"上报数据项 {name} 没有事件 {event}")
    now = timezone.now()
    version = int(getattr(obj, "lock_version", 0) if version is None else version)
    FeedRecord.objects.bulk_create([FeedRecord(
        feed=name, object_type=feed.object_type, object_id=str(obj.pk), object_ref=str(feed.ref(obj) or "")[:64],
        event=event, version=version, payload=feed.build(obj, event), status=FeedRecord.Status.PENDING,
        next_attempt_at=now, created_at=now)], ignore_conflicts=True)


# -- what a record looks like upward (push and pull alike) ---------------------------------------
def envelope(rec) -> dict:
    return {"id": rec.pk, "feed": rec.feed, "key": f"{rec.object_type}:{rec.object_id}:{rec.event}:{rec.version}",
            "event": rec.event, "object_type": rec.object_type, "object_id": rec.object_id, "ref": rec.object_ref,
            "version": rec.version, "created_at": timezone.localtime(rec.created_at).isoformat(),
            "payload": rec.payload}


# -- push (the worker's job) ----------------------------------------------------------------------
@dataclass
class PushResult:
    """What a gateway says of a batch: the ids the upper platform confirmed, those it refused
    (id → reason) and its receipt. Ids in neither count as not confirmed (a failed try)."""

    accepted: set[int] = field(default_factory=set)
    rejected: dict[int, str] = field(default_factory=dict)
    receipt: str = ""


DUE = ("pending", "failed")


def _claim(name: str, now: dt.datetime, n: int) -> list:
    """Up to ``n`` due records of a feed, leased for :data:`LEASE` (another worker skips them)."""
    from .models import FeedRecord

    with transaction.atomic():
        rows = list(FeedRecord.objects.select_for_update(skip_locked=True)
                    .filter(feed=name, status__in=DUE, next_attempt_at__lte=now).order_by("next_attempt_at", "id")[:n])
        if rows:
            FeedRecord.objects.filter(pk__in=[r.pk for r in rows]).update(next_attempt_at=now + LEASE)
    return rows


def _mark_sent(name: str, ids, receipt: str, now: dt.datetime) -> int:
    from .models import FeedRecord

    if not ids:
        return 0
    return (FeedRecord.objects.filter(feed=name, pk__in=list(ids)).exclude(status=FeedRecord.Status.SENT)
            .update(status=FeedRecord.Status.SENT, sent_at=now, attempts=F("attempts") + 1,
                    receipt=(receipt or "")[:100], last_error=""))


def _mark_failed(rows: list, errors: dict[int, str], now: dt.datetime) -> int:
    """One failed try for each of ``rows`` (error per id): back-off, or dead after the last try.
    One UPDATE per (attempts, error) pair — a handful, not one per row."""
    from .models import FeedRecord

    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for r in rows:
        groups[(r.attempts, errors[r.pk][:300])].append(r.pk)
    n, top = 0, max_attempts()
    for (attempts, error), ids in groups.items():
        status, when = outbox_rules.after_failure(attempts + 1, now, max_attempts=top)
        n += FeedRecord.objects.filter(pk__in=ids, status__in=DUE).update(
            status=status, attempts=attempts + 1, next_attempt_at=when, last_error=error)
    return n


def push_feed(name: str, *, now: dt.datetime | None = None, limit: int = PER_RUN) -> dict[str, int]:
    """Hand a feed's due records to its gateway, batch by batch; how many were sent and failed."""
    from .feed_gateways import GatewayError, gateway_for

    feed = _feeds[name]
    gateway = gateway_for(name)
    counts = {"sent": 0, "failed": 0}
    if not gateway.pushes:
        return counts  # 仅供拉取: records wait for the upper platform's pull
    done = 0
    while done < limit:
        start = now or timezone.now()
        rows = _claim(name, start, min(BATCH, limit - done))
        if not rows:
            break
        done += len(rows)
        try:
            result = gateway.push(feed, [envelope(r) for r in rows])
        except GatewayError as exc:
            errors = {r.pk: str(exc) for r in rows}
            result = None
        except Exception as exc:  # a broken gateway is a failed try, never a lost record
            errors = {r.pk: f"{type(exc).__name__}: 推送异常"[:300] for r in rows}
            log.exception("上报推送异常 feed=%s records=%d", name, len(rows))
            result = None
        finished = timezone.now() if now is None else now
        if result is not None:
            counts["sent"] += _mark_sent(name, result.accepted & {r.pk for r in rows}, result.receipt, finished)
            errors = {r.pk: result.rejected.get(r.pk, "上级平台未确认接收") for r in rows if r.pk not in result.accepted}
        failed = [r for r in rows if r.pk in errors]
        if failed:
            counts["failed"] += _mark_failed(failed, errors, finished)
            log.warning("上报推送失败 feed=%s gateway=%s records=%d: %s", name, gateway.name, len(failed),
                        next(iter(errors.values()))[:200])
            break  # the upper platform is failing: the rest waits for the next run
    return counts


def push_due(now: dt.datetime | None = None) -> str:
    """The job ``feeds.push``: every registered feed in turn."""
    parts = []
    for feed in feeds():
        c = push_feed(feed.name, now=now)
        if c["sent"] or c["failed"]:
            parts.append(f"{feed.label}：送达 {c['sent']} 条，失败 {c['failed']} 条")
    return "；".join(parts) or "没有待推送的上报记录"


# -- resend (the 上报队列 page) -------------------------------------------------------------------
RESENDABLE = ("failed", "dead")


def resend(actor, name: str, ids: list[int] | None = None, *, status: str | None = None) -> int:
    """重新推送: put failed or dead records of a feed back in the queue now, with a fresh series of
    tries (``ids``: those; else every record of ``status`` — failed or dead). Audited. The caller
    checks that ``actor`` may (数据管理员, 系统管理员)."""
    from .models import FeedRecord

    if name not in _feeds:
        raise ValueError(f"没有名为 {name} 的上报数据项")
    qs = FeedRecord.objects.filter(feed=name, status__in=RESENDABLE)
    if ids is not None:
        qs = qs.filter(pk__in=[int(i) for i in ids][:ACK_MAX])
    elif status in RESENDABLE:
        qs = qs.filter(status=status)
    with transaction.atomic():
        now = timezone.now()
        n = qs.update(status=FeedRecord.Status.PENDING, attempts=0, next_attempt_at=now)
        audit.record("feeds.resend", actor=actor, object_type="core.feedrecord", object_id=name,
                     after={"feed": name, "count": n, **({"ids": [int(i) for i in ids][:50]} if ids is not None
                                                         else {"status": status or "failed+dead"})})
    return n


# -- pull (the API) --------------------------------------------------------------------------------
def unsent(name: str, *, after: int = 0, limit: int = 100) -> list[dict]:
    """The feed's records not yet confirmed, in order, after the id ``after`` (a cursor)."""
    from .models import FeedRecord

    limit = max(1, min(int(limit), PULL_MAX))
    rows = (FeedRecord.objects.filter(feed=name, pk__gt=after).exclude(status=FeedRecord.Status.SENT)
            .order_by("pk")[:limit])
    return [envelope(r) for r in rows]


def ack(name: str, ids: list[int], receipt: str = "", *, actor=None, api_key=None) -> int:
    """The upper platform confirms it received these records (ids of other feeds are ignored)."""
    ids = [int(i) for i in ids][:ACK_MAX]
    with transaction.atomic():
        n = _mark_sent(name, ids, receipt or "pull", timezone.now())
        audit.record("feeds.ack", actor=actor, object_type="core.feedrecord", object_id=name,
                     after={"feed": name, "ids": ids[:50], "count": n, "receipt": (receipt or "")[:100],
                            **({"api_key": str(api_key)} if api_key is not None else {})})
    return n


# -- the 上报队列 page ------------------------------------------------------------------------------
def summary() -> list[dict]:
    """Per feed: how many records wait, failed (will retry), are dead; the last success. Counts
    read the unsent rows only (a partial index); the last success one indexed MAX per feed."""
    from .models import FeedRecord

    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for row in (FeedRecord.objects.exclude(status=FeedRecord.Status.SENT).values("feed", "status")
                .annotate(n=Count("id")).order_by()):
        counts[row["feed"]][row["status"]] = row["n"]
    out = []
    for feed in feeds():
        c = counts.get(feed.name, {})
        last = FeedRecord.objects.filter(feed=feed.name, sent_at__isnull=False).aggregate(m=Max("sent_at"))["m"]
        out.append({"feed": feed, "pending": c.get("pending", 0), "failed": c.get("failed", 0),
                    "dead": c.get("dead", 0), "last_sent_at": last})
    return out
