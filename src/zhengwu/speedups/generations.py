"""Values cached under a generation number (缓存代次): bump it and every cached value is recomputed.

The catalogue's overviews, the 好差评 figures and the department subtrees behind staff grants are
all costly to compute and change rarely. Each is cached for a few seconds or minutes under a
generation number kept in the cache; the code that changes the underlying data bumps the
generation after its commit. The process that made the change sees it at once; with the
per-process memory cache the others within the TTL, with the shared Redis cache (``REDIS_URL``)
every process at once.

A counter can disappear from the cache (evicted, or Redis restarted). It then starts again from
the clock (microseconds), never from 0 or 1: a number it had before would name values cached
before the bumps since, and hand them out again until their TTL ran out.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache

T = TypeVar("T")


def _fresh_start() -> int:
    """A counter's first value: above any value an earlier counter of the same key reached
    (it would have needed more bumps than microseconds have passed since it started)."""
    return time.time_ns() // 1000


class Generation:
    """One generation counter (``<prefix>:gen`` in the cache) and the values cached under it."""

    def __init__(self, prefix: str, seconds: int):
        self.prefix = prefix
        self.seconds = seconds
        self._key = f"{prefix}:gen"

    def bump(self) -> None:
        """The data changed (call after the commit): every value is computed again."""
        try:
            cache.incr(self._key)
        except ValueError:  # not set yet (or evicted)
            cache.set(self._key, _fresh_start(), None)

    def current(self) -> int:
        value = cache.get(self._key)
        if value is None:  # not set yet (or evicted): another process may be setting it too
            start = _fresh_start()
            cache.add(self._key, start, None)
            value = cache.get(self._key, start)
        return value

    def cached(self, name: str, build: Callable[[], T], *parts, fresh: bool = False) -> T:
        """``build()`` cached for ``seconds`` under ``name`` and ``parts`` (plain values: a list of
        tuples or dicts unpickles in microseconds, model instances do not). ``fresh``: built now
        whatever the cache holds, and kept for the next reader."""
        key = f"{self.prefix}:{self.current()}:{name}:" + ":".join(str(p) for p in parts)
        value = None if fresh else cache.get(key)
        if value is None:
            value = build()
            cache.set(key, value, self.seconds)
        return value
