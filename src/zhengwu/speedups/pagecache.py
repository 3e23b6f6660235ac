"""Whole public pages cached for anonymous visitors (ADR 0012).

Most of the portal's traffic is people who have not logged in reading the same pages: the home
page, search results for common questions, 办事指南, the department and theme lists. For them a
page depends only on its address, the data it shows and the large-font preference, so the
rendered page is kept under a generation number of that data (a :class:`.generations.Generation`
the writers bump after their commit) and served again without running the view. The domain
names the generation: the catalogue's pages use :func:`zhengwu.catalog.overview.anonymous_page`.

What is never cached or served from the cache:
- a request carrying a session cookie (perhaps logged in: the navbar and the page differ) or a
  pending message (django.contrib.messages: shown once);
- anything but a GET answered 200 with a plain (non-streaming) body and no cookie of its own.

The pages carry a CSRF token (the font toggle is a POST form). It is rendered as a placeholder
(:func:`context`) and replaced with the visitor's own token when the page is served, so a cached
page never hands one visitor's token to another.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers

CSRF_PLACEHOLDER = "zw-csrf-placeholder-7f3c"
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()
_MARK = "_zw_page_cache"


def context(request) -> dict:
    """Context processor: while a page is rendered for the cache, its CSRF token is a placeholder.

    Listed after Django's built-in csrf processor, whose ``csrf_token`` it overrides."""
    return {"csrf_token": CSRF_PLACEHOLDER} if getattr(request, _MARK, False) else {}


def _cacheable_request(request) -> bool:
    cookies = request.COOKIES
    return (request.method == "GET" and settings.SESSION_COOKIE_NAME not in cookies
            and "messages" not in cookies)


def _key(request, prefix: str, generation: Callable[[], int]) -> str:
    path = hashlib.sha1(request.get_full_path().encode()).hexdigest()  # noqa: S324 - a cache key
    font = "L" if request.COOKIES.get("zw_font") == "large" else "N"
    lang = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)
    return f"{prefix}:{generation()}:{lang}:{font}:{path}"


def _with_token(request, body: bytes) -> bytes:
    """The page with the visitor's own CSRF token in place of the placeholder (sets the cookie if new)."""
    return body.replace(_PLACEHOLDER_BYTES, get_token(request).encode()) if _PLACEHOLDER_BYTES in body else body


def _serve(request, status: int, headers: list[tuple[str, str]], body: bytes) -> HttpResponse:
    response = HttpResponse(_with_token(request, body), status=status)
    for name, value in headers:
        response[name] = value
    # The page differs for a logged-in visitor: no HTTP cache may hand this one to them (the
    # session middleware says so itself only when the view reads the session).
    patch_vary_headers(response, ("Cookie",))
    return response


def cached_for_anonymous(generation: Callable[[], int], seconds: int, *, prefix: str):
    """Cache a public page's whole response for visitors without a session (see the module),
    for ``seconds`` under ``prefix`` and the current value of ``generation()``: bump the
    generation and every page is rendered again."""
    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _cacheable_request(request):
                return view(request, *args, **kwargs)
            key = _key(request, prefix, generation)
            hit = cache.get(key)
            if hit is not None:
                return _serve(request, *hit)
            setattr(request, _MARK, True)
            try:
                response = view(request, *args, **kwargs)
            finally:
                setattr(request, _MARK, False)
            if response.status_code != 200 or response.streaming or response.cookies:
                return _fill_placeholder(request, response)
            headers = [(k, v) for k, v in response.items() if k.lower() not in ("content-length", "set-cookie")]
            cache.set(key, (response.status_code, headers, response.content), seconds)
            return _serve(request, response.status_code, headers, response.content)
        return wrapper
    return decorator


def _fill_placeholder(request, response):
    """A response not cached (an error page, a redirect) still gets the real token."""
    if not response.streaming:
        response.content = _with_token(request, response.content)
    return response
