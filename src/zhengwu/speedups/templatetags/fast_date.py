"""Django's ``date`` filter, the same output in a fraction of the time for plain formats.

Django's filter goes through ``formats.date_format`` → ``get_format`` (localisation lookups in
thread-local storage) → ``DateFormat`` (a time-zone check, a regular expression and a method
call per format character): slow enough to count when a list page shows dozens (README). The formats
our templates use (``Y-m-d H:i``, ``Y年n月j日``, ``m-d`` …) name only the year, month, day, hour,
minute and second, so such a format is turned once into a ``%``-format of the value's fields.
Any other format character, a backslash escape, a format setting's name (``DATE_FORMAT``), no
format, or a value that is not a date is Django's filter unchanged; so is a time character
asked of a ``date`` (Django's error). Installed as a template builtin (settings.TEMPLATES) it
replaces the built-in filter in Django's templates; the Jinja2 environment uses :func:`format_date`.
"""

from __future__ import annotations

import datetime as dt
from operator import attrgetter

from django import template
from django.template import defaultfilters
from django.utils.formats import FORMAT_SETTINGS

register = template.Library()

# Format character → (the value's attribute, %-format, is a time field). Django's meanings:
# Y four-digit year, m/d zero-padded month/day, n/j unpadded, H/i/s zero-padded, G unpadded hour.
_FIELDS = {
    "Y": ("year", "%04d", False), "m": ("month", "%02d", False), "n": ("month", "%d", False),
    "d": ("day", "%02d", False), "j": ("day", "%d", False), "H": ("hour", "%02d", True),
    "G": ("hour", "%d", True), "i": ("minute", "%02d", True), "s": ("second", "%02d", True),
}
# Every character Django's dateformat gives a meaning (django.utils.dateformat.re_formatchars).
_DJANGO_CHARS = frozenset("aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ")
_compiled: dict[str, tuple[str, attrgetter, int, bool] | None] = {}


def _compile(fmt: str) -> tuple[str, attrgetter, int, bool] | None:
    if fmt in FORMAT_SETTINGS or "\\" in fmt:
        return None
    pattern, attrs, has_time = [], [], False
    for ch in fmt:
        field = _FIELDS.get(ch)
        if field is not None:
            pattern.append(field[1])
            attrs.append(field[0])
            has_time = has_time or field[2]
        elif ch in _DJANGO_CHARS:
            return None
        else:
            pattern.append("%%" if ch == "%" else ch)
    if not attrs:
        return None
    return "".join(pattern), attrgetter(*attrs), len(attrs), has_time


def format_date(value, fmt: str | None = None) -> str:
    """What ``{{ value|date:fmt }}`` gives for an already localised ``value``."""
    if isinstance(value, dt.date) and isinstance(fmt, str):
        try:
            compiled = _compiled[fmt]
        except KeyError:
            compiled = _compile(fmt)
            if len(_compiled) < 1000:  # formats come from templates: a few dozen
                _compiled[fmt] = compiled
        if compiled is not None:
            pattern, get, n, has_time = compiled
            if not has_time or isinstance(value, dt.datetime):
                return pattern % (get(value) if n > 1 else (get(value),))
    return defaultfilters.date(value, fmt)


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    """Django's ``date`` filter (see the module)."""
    return format_date(value, arg)
