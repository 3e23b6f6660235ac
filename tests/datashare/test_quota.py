"""Quota counters: the per-minute rate and the daily quota per grant, in the default cache —
and shared between processes when that cache is Redis (ZHENGWU_TEST_REDIS_URL, else skipped)."""

from __future__ import annotations

import os

import pytest

from zhengwu.datashare import quota
from zhengwu.datashare.verify_rules import Refusal


def test_daily_quota_counts_batches_and_refuses_with_retry_after():
    quota.count(9001, per_minute=0, daily_quota=5, calls=3)
    quota.count(9001, per_minute=0, daily_quota=5, calls=2)
    assert quota.used_today(9001) == 5
    with pytest.raises(Refusal) as exc:
        quota.count(9001, per_minute=0, daily_quota=5)
    assert exc.value.status == 429 and 0 < exc.value.retry_after <= 86400 + 1
    quota.count(9002, per_minute=0, daily_quota=5)  # another grant counts on its own


def test_per_minute_rate():
    quota.count(9003, per_minute=2, daily_quota=0)
    quota.count(9003, per_minute=2, daily_quota=0)
    with pytest.raises(Refusal) as exc:
        quota.count(9003, per_minute=2, daily_quota=0)
    assert "每分钟最多2次" in exc.value.detail and 1 <= exc.value.retry_after <= 60


REDIS = os.environ.get("ZHENGWU_TEST_REDIS_URL", "")


@pytest.mark.skipif(not REDIS, reason="ZHENGWU_TEST_REDIS_URL not set")
def test_two_processes_share_the_count_through_redis(settings, monkeypatch):
    """Two cache clients (two processes' connections) to one Redis see one counter."""
    from django.core.cache.backends.redis import RedisCache

    first = RedisCache(REDIS, {})
    second = RedisCache(REDIS, {})
    first.clear()
    monkeypatch.setattr(quota, "cache", first)
    quota.count(9004, per_minute=0, daily_quota=2)
    monkeypatch.setattr(quota, "cache", second)
    quota.count(9004, per_minute=0, daily_quota=2)
    with pytest.raises(Refusal):
        quota.count(9004, per_minute=0, daily_quota=2)
    monkeypatch.setattr(quota, "cache", first)
    with pytest.raises(Refusal):
        quota.count(9004, per_minute=0, daily_quota=2)
    first.clear()
