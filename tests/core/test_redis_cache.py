"""With ``REDIS_URL`` (recommended in production, README) the cache is Redis, shared by every
process: the settings select it and its client is installed."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        socket.create_connection(REDIS, timeout=0.5).close()
        return True
    except OSError:
        return False


def test_redis_url_selects_the_redis_cache(tmp_path):
    code = ("import django; django.setup(); from django.conf import settings; "
            "print(settings.CACHES['default']['BACKEND'])")
    env = dict(os.environ, REDIS_URL="redis://127.0.0.1:6379/15", DJANGO_SETTINGS_MODULE="zhengwu.settings",
               ZHENGWU_DATA_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "django.core.cache.backends.redis.RedisCache"


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_the_redis_cache_keeps_the_overview_generation():
    from django.core.cache.backends.redis import RedisCache

    cache = RedisCache("redis://127.0.0.1:6379/15", {"KEY_PREFIX": f"zw-test-{os.getpid()}"})
    try:
        cache.set("catalog:overview:gen", 1, None)
        assert cache.incr("catalog:overview:gen") == 2
        cache.set("page", (200, [("Content-Type", "text/html")], "办事指南".encode()), 60)
        assert cache.get("page") == (200, [("Content-Type", "text/html")], "办事指南".encode())
    finally:
        cache.delete_many(["catalog:overview:gen", "page"])
