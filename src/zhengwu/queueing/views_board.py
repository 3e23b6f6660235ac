"""The hall's call board (TV) and each window's small screen: public pages, no login, no names."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from zhengwu.org.models import Hall, Window

from .push import store
from .push import urls as push_urls


def _with_push(request, response):
    """Let the page's EventSource reach the push server (CSP connect-src), when it has its own origin."""
    base = push_urls.push_base(request)
    if base:
        response._csp_update = {"connect-src": [base]}
    return response


@never_cache
def board(request, hall_id: int):
    hall = get_object_or_404(Hall, pk=hall_id, is_active=True)
    snapshot = store.board(hall.pk)
    names = store.business_type_names(hall.pk)
    ctx = {
        "hall": hall, "snapshot": snapshot, "latest": snapshot["calls"][0] if snapshot["calls"] else None,
        "waiting": [(p, names.get(p, p), n) for p, n in snapshot["waiting"].items()],
        "events_url": push_urls.events_url(request, hall.pk),
        "api_url": f"/api/v1/queueing/halls/{hall.pk}/board",
    }
    return _with_push(request, render(request, "queueing/board/board.html", ctx))


@never_cache
def window_screen(request, window_id: int):
    window = get_object_or_404(Window.objects.select_related("hall"), pk=window_id, is_active=True)
    ctx = {"window": window, "screen": store.window_screen(window),
           "events_url": push_urls.events_url(request, window.hall_id, window.pk),
           "api_url": f"/api/v1/queueing/windows/{window.pk}/screen"}
    return _with_push(request, render(request, "queueing/board/screen.html", ctx))
