"""Call counters of the 查询核验 service: a per-minute rate and a daily quota per grant.

Counted in Django's default cache: with ``REDIS_URL`` set that is Redis (settings.CACHES), so
every web process and every server counts the same grant together (``incr`` is atomic there);
without it the per-process local memory cache — each process then counts on its own, which is
right only for a single-process deployment (documented in ADR 0038). A refused call is counted
too, so a client hammering past its limit stays limited.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils import timezone

from . import verify_rules as rules

PREFIX = "ds:q"


def _bump(key: str, by: int, ttl: int) -> int:
    if cache.add(key, by, ttl):
        return by
    try:
        return cache.incr(key, by)
    except ValueError:  # expired between add and incr
        cache.add(key, by, ttl)
        return by


def count(grant_id: int, per_minute: int, daily_quota: int, calls: int = 1) -> None:
    """Count one request of ``calls`` subjects (a batch counts each subject against the daily
    quota and once against the per-minute rate); raise :class:`verify_rules.Refusal` (429, with
    Retry-After) past a limit."""
    now = timezone.now()
    minute, minute_left = rules.minute_window(now.timestamp())
    day, day_left = rules.day_window(timezone.localtime(now))
    m = _bump(f"{PREFIX}:m:{grant_id}:{minute}", 1, 70)
    d = _bump(f"{PREFIX}:d:{grant_id}:{day}", calls, day_left + 60)
    refusal = rules.quota_refusal(m, per_minute, minute_left, d, daily_quota, day_left)
    if refusal is not None:
        raise refusal


def used_today(grant_id: int) -> int:
    day, _ = rules.day_window(timezone.localtime())
    return int(cache.get(f"{PREFIX}:d:{grant_id}:{day}") or 0)
