"""Adapters: each module registers its domain's figures, computed by the domain's own figure
functions (read-only, scoped to the viewer as the domain page scopes it).

One domain report gives several figures (the cases report has 受理量, 办结量, 按时办结率 …): inside
``with memo():`` a report asked for again with the same arguments is computed once (the dashboard
computes a dozen figures for several periods in one go).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from contextvars import ContextVar
from urllib.parse import urlencode

_memo: ContextVar[dict | None] = ContextVar("insights_memo", default=None)


@contextlib.contextmanager
def memo():
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def cached(key: tuple, build):
    """``build()``, once per ``key`` inside :func:`memo` (every time outside it)."""
    store = _memo.get()
    if store is None:
        return build()
    if key not in store:
        store[key] = build()
    return store[key]


def user_key(user) -> object:
    return getattr(user, "pk", None)


def url(name: str, **params) -> str | None:
    from django.urls import NoReverseMatch, reverse

    try:
        base = reverse(name)
    except NoReverseMatch:
        return None
    query = {k: (f"{v:%Y-%m-%d}" if isinstance(v, dt.date) else v) for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(query)}" if query else base


def load() -> None:
    """Register every domain's figures (called from the app's ready())."""
    # dashboards: the figures only the role dashboards need (超期在办数)
    from . import cases, dashboards, hotline, inspections, licenses, queueing, ratings  # noqa: F401
