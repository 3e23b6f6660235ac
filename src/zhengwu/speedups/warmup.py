"""What a new web worker loads before its first request (预热), registered by each app.

``zhengwu serve`` runs :func:`warm_up` once per worker, after the fork: every step an app
registered in its ``AppConfig.ready()`` (the catalogue's search dictionaries, the hotline's
tokenizer and classifier…), then it closes the database connections the steps opened and keeps
everything loaded so far out of the cyclic garbage collector's full passes (``gc.freeze``).

A full pass visits every tracked object that is not frozen, and what a worker loads lazily is
large (pypinyin's phrase dictionary alone is hundreds of thousands of lists): left unfrozen, it
made every full pass a pause long enough to land in some request every few seconds under load
(ADR 15; the figures are in this package's README). A step that fails is logged and skipped: a
cold cache is slower, not broken.
"""

from __future__ import annotations

import gc
from collections.abc import Callable

_steps: dict[str, Callable[[], None]] = {}


def register_warmup(name: str, step: Callable[[], None]) -> None:
    """Run ``step()`` in every new web worker before it serves (call from ``AppConfig.ready()``;
    registering a name again replaces its step)."""
    _steps[name] = step


def registered() -> dict[str, Callable[[], None]]:
    """The steps, by name, in the order they were registered."""
    return dict(_steps)


def warm_up(log) -> None:
    """Run every registered step (a failure is logged with ``log.warning``), close the
    connections, collect, then freeze what is loaded."""
    from django.db import connections

    for name, step in list(_steps.items()):
        try:
            step()
        except Exception as exc:  # a cold cache is slower, not broken
            log.warning("%s warm-up skipped: %s", name, exc)
    connections.close_all()  # the requests' threads open their own
    gc.collect()
    gc.freeze()
