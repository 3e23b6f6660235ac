"""The portal's side of the search log (:mod:`zhengwu.catalog.services.search_log`): which search
a citizen made and which guide they opened from its results — without knowing who they are.

Both pages are kept whole for anonymous visitors (ADR 12), so the tracking wraps the cached view:

- :func:`logged_search` — the search page puts what it found (result count, first item ids) in an
  internal response header, which the page cache keeps with the page; the wrapper takes it off the
  response, writes one log row, and gives the browser a cookie ``zw_search`` = a random session
  token and the row's id (30 minutes, HttpOnly). A page served from the cache is logged the same.
- :func:`tracked_guide` — result links carry ``?sr=<rank>``; the wrapper records the opened item
  and rank on the cookie's search row, then strips ``sr`` so that the guide is cached (and served)
  under its plain address.
"""

from __future__ import annotations

import secrets
from functools import wraps

from zhengwu.catalog.services import search_log

COOKIE = "zw_search"
HEADER = "X-Zw-Search-Log"
RANK_PARAM = "sr"


def mark_search(response, result_count: int, item_ids) -> None:
    """Called by the search view: what this page of results found (kept with a cached page)."""
    response[HEADER] = f"{int(result_count)};{','.join(str(int(i)) for i in list(item_ids)[:search_log.TOP_ITEMS])}"


def _cookie(request) -> tuple[str, str]:
    session, _, search_id = (request.COOKIES.get(COOKIE) or "").partition(".")
    if not (len(session) == 12 and session.isalnum()):
        session = ""
    return session, search_id


def logged_search(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        summary = response.get(HEADER)
        if summary is None:
            return response
        del response[HEADER]  # internal: the browser does not need it
        if response.status_code != 200:
            return response
        count, _, ids = summary.partition(";")
        session = _cookie(request)[0] or secrets.token_hex(6)
        search_id = search_log.record_search(request.GET.get("q", ""), int(count) if count.isdigit() else 0,
                                             [int(i) for i in ids.split(",") if i.isdigit()], session=session)
        if search_id:
            response.set_cookie(COOKIE, f"{session}.{search_id}", max_age=int(search_log.OPEN_WINDOW.total_seconds()),
                                httponly=True, samesite="Lax", secure=request.is_secure())
        return response

    return wrapper


def tracked_guide(view):
    @wraps(view)
    def wrapper(request, pk: int, *args, **kwargs):
        rank = request.GET.get(RANK_PARAM)
        if rank is None:
            return view(request, pk, *args, **kwargs)
        params = request.GET.copy()
        params.pop(RANK_PARAM, None)
        request.GET = params
        request.META["QUERY_STRING"] = params.urlencode()
        response = view(request, pk, *args, **kwargs)
        session, search_id = _cookie(request)
        if response.status_code == 200 and session and search_id.isdigit():
            search_log.record_open(search_id, session, pk, rank if rank.isdigit() else None)
        return response

    return wrapper
