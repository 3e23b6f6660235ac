"""No NUL character (U+0000) gets past the edge: a request holding one is refused with a 400.

PostgreSQL's text columns cannot hold NUL ("A string literal cannot contain NUL (0x00)
characters"), so a ``%00`` in a query parameter, a form field or a ``\\u0000`` in a JSON string
used to reach a query or an insert and come back as a 500 — on SQLite it was stored silently.
No field of ours has a use for it, so it is refused once, here, for every request, naming the
field: the path, the query string's parameters, form fields (urlencoded and multipart, not the
contents of uploaded files: a PDF legitimately holds 0x00 bytes), JSON bodies (strings and keys,
at any depth), header values and cookies.

The API (``/api/``, ``/open311/``) and clients that send or accept JSON get the JSON error shape
of :mod:`zhengwu.core.errors`; pages get a plain 400 page (``templates/400.html``).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template import loader

from .errors import error_json, is_api_path

NUL = "\x00"
RULE = "不能包含空字符（NUL）"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_NUL = b"\\u0000"  # how a NUL is written inside a JSON string (a raw 0x00 is not valid JSON)


def _name(key: str) -> str:
    return key.replace(NUL, "") or "（空名称）"


def _in_pairs(lists) -> str | None:
    for key, values in lists:
        if NUL in key or any(NUL in v for v in values):
            return _name(key)
    return None


def _in_json(value, path: str) -> str | None:
    """The dotted path (as the API's validation errors name fields) of the first string or key
    holding a NUL."""
    if isinstance(value, str):
        return (path or "请求内容") if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{_name(key)}" if path else _name(key)
            if NUL in key:
                return sub
            found = _in_json(item, sub)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _in_json(item, f"{path}.{i}" if path else str(i))
            if found:
                return found
    return None


def _in_body(request) -> str | None:
    if request.content_type in FORM_TYPES:
        # Parsed here as it would be by CSRF or the view (Django keeps the result); uploaded
        # files are in request.FILES and are not read.
        return _in_pairs(request.POST.lists()) or _in_pairs((k, []) for k in request.FILES)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length <= 0 or (limit is not None and length > limit):
        return None  # nothing to read, or too large to be read by anyone (Django refuses it)
    body = request.body
    if JSON_NUL not in body:  # the common case: no parsing
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None  # not JSON: whoever parses it refuses it
    return _in_json(data, "")


def nul_field(request) -> str | None:
    """The name of the first part of ``request`` that holds a NUL, or None."""
    if NUL in request.path_info:
        return "请求地址"
    query = request.META.get("QUERY_STRING", "")
    if "%00" in query or NUL in query:
        found = _in_pairs(request.GET.lists())
        if found:
            return found
    for key, value in request.META.items():
        if key.startswith("HTTP_") and NUL in value:
            return key[5:].replace("_", "-").title()
    if "\\000" in request.META.get("HTTP_COOKIE", ""):  # a quoted cookie's octal escape of NUL
        found = _in_pairs((k, [v]) for k, v in request.COOKIES.items())
        if found:
            return f"Cookie {found}"
    return _in_body(request)


def _wants_json(request) -> bool:
    return (is_api_path(request.path_info) or "json" in request.content_type
            or "application/json" in request.headers.get("Accept", ""))


def refusal(request, field: str):
    detail = f"{field} {RULE}"
    if _wants_json(request):
        return error_json(request.path_info, 400, detail, {field: [RULE]})
    return HttpResponseBadRequest(loader.render_to_string("400.html", {"detail": detail}))


class RefuseNulMiddleware:
    """Early in ``MIDDLEWARE``: nothing behind it (sessions, CSRF, views, the database) sees a NUL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = nul_field(request)
        if field is not None:
            return refusal(request, field)
        return self.get_response(request)
