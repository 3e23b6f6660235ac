"""No NUL character (U+0000) gets past the edge: a request holding one is refused with a 400.

PostgreSQL's text columns cannot hold NUL ("A string literal cannot contain NUL (0x00)
characters"), so a ``%00`` in a query parameter, a form field or a ``\\u0000`` in a JSON string
used to reach a query or an insert and come back as a 500 — on SQLite it was stored silently.
No field of ours has a use for it, so it is refused once, here, for every request, naming the
field: the path, the query string's parameters, form fields (urlencoded and multipart, not the
contents of uploaded files: a PDF legitimately holds 0x00 bytes), JSON bodies (strings and keys,
at any depth), header values and cookies.

A JSON string may also spell a lone UTF-16 surrogate (``"\\ud800"``): Python parses it into a
string that no database driver can encode (UTF-8 refuses surrogates), so it is refused here too,
for JSON bodies (where only such escapes can produce one: query strings and forms are decoded
with replacement characters).

The API (``/api/``, ``/open311/``) and clients that send or accept JSON get the JSON error shape
of :mod:`zhengwu.core.errors`; pages get a plain 400 page (``templates/400.html``).
"""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.template import loader

from .errors import error_json, is_api_path

NUL = "\x00"
RULE = "不能包含空字符（NUL）"
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
JSON_NUL = b"\\u0000"  # how a NUL is written inside a JSON string (a raw 0x00 is not valid JSON)
SURROGATE_RULE = "包含无效的Unicode字符（未配对的代理项）"
JSON_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")  # how a surrogate is written inside a JSON string
SURROGATE = re.compile("[\ud800-\udfff]")  # after parsing, a valid pair is one character: what is left is lone


def _name(key: str) -> str:
    return key.replace(NUL, "") or "（空名称）"


def _in_pairs(lists) -> str | None:
    for key, values in lists:
        if NUL in key or any(NUL in v for v in values):
            return _name(key)
    return None


def _has_nul(text: str) -> bool:
    return NUL in text


def _has_surrogate(text: str) -> bool:
    return SURROGATE.search(text) is not None


def _in_json(value, path: str, bad=_has_nul) -> str | None:
    """The dotted path (as the API's validation errors name fields) of the first string or key
    for which ``bad`` holds (default: it holds a NUL)."""
    if isinstance(value, str):
        return (path or "请求内容") if bad(value) else None
    if isinstance(value, dict):
        for key, item in value.items():
            sub = f"{path}.{_name(SURROGATE.sub('?', key))}" if path else _name(SURROGATE.sub("?", key))
            if bad(key):
                return sub
            found = _in_json(item, sub, bad)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = _in_json(item, f"{path}.{i}" if path else str(i), bad)
            if found:
                return found
    return None


def _in_body(request) -> str | None:
    if request.content_type in FORM_TYPES:
        # Parsed here as it would be by CSRF or the view (Django keeps the result); uploaded
        # files are in request.FILES and are not read.
        return _in_pairs(request.POST.lists()) or _in_pairs((k, []) for k in request.FILES)
    body = _json_body(request)
    if not body or JSON_NUL not in body:  # the common case: no parsing
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None  # not JSON: whoever parses it refuses it
    return _in_json(data, "")


def _json_body(request) -> bytes | None:
    """The body when it may be JSON and is small enough to be read, else None."""
    if request.content_type in FORM_TYPES:
        return None
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if length <= 0 or (limit is not None and length > limit):
        return None  # nothing to read, or too large to be read by anyone (Django refuses it)
    return request.body


def surrogate_field(request) -> str | None:
    """The name of the first string or key of a JSON body that holds a lone surrogate, or None."""
    body = _json_body(request)
    if not body or not JSON_SURROGATE.search(body):  # the common case: no parsing
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return _in_json(data, "", _has_surrogate)


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


def refusal(request, field: str, rule: str = RULE):
    detail = f"{field} {rule}"
    if _wants_json(request):
        return error_json(request.path_info, 400, detail, {field: [rule]})
    return HttpResponseBadRequest(loader.render_to_string("400.html", {"detail": detail}))


class RefuseNulMiddleware:
    """Early in ``MIDDLEWARE``: nothing behind it (sessions, CSRF, views, the database) sees a NUL."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        field = nul_field(request)
        if field is not None:
            return refusal(request, field)
        field = surrogate_field(request)
        if field is not None:
            return refusal(request, field, SURROGATE_RULE)
        return self.get_response(request)
