"""The portal's overviews (departments with their item counts, themes) are counted over the whole
catalogue — too slow to repeat on every page view of a city's catalogue — and change only when
something is published or withdrawn. They are cached for OVERVIEW_CACHE_SECONDS under a
generation number that every index write bumps after its commit (:mod:`zhengwu.catalog.search`):
with the shared Redis cache (``REDIS_URL``) every process recounts at once; with the per-process
memory cache the process that published at once, the others within OVERVIEW_CACHE_SECONDS.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from zhengwu.speedups.generations import Generation
from zhengwu.speedups.pagecache import cached_for_anonymous

OVERVIEW_CACHE_SECONDS = 120
_OVERVIEWS = Generation("catalog:overview", OVERVIEW_CACHE_SECONDS)

T = TypeVar("T")


def overview_changed() -> None:
    """A published item or 一件事 changed (called after the commit): the overviews recount."""
    _OVERVIEWS.bump()


def overview_generation() -> int:
    return _OVERVIEWS.current()


def cached_overview(name: str, build: Callable[[], T], *parts) -> T:
    """``build()`` cached for OVERVIEW_CACHE_SECONDS under ``name`` and ``parts`` (plain values:
    a list of tuples or dicts unpickles in microseconds, model instances do not)."""
    return _OVERVIEWS.cached(name, build, *parts)


def anonymous_page(seconds: int = OVERVIEW_CACHE_SECONDS):
    """A public catalogue page kept whole for visitors without a session (ADR 0012,
    :mod:`zhengwu.speedups.pagecache`), under the overview generation: every index write renders
    the pages again."""
    return cached_for_anonymous(overview_generation, seconds, prefix="catalog:page")
