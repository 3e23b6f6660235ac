"""The Jinja2 environment for the few templates rendered on hot paths (ADR 17).

Django's template language resolves every variable through a chain of lookups at render time;
Jinja2 compiles a template to Python once. Templates in an app's ``jinja2/`` folder use this
environment; they are rendered with :func:`render` (explicit: no request, no context
processors; what they show is what the view passes). The globals and filters below mirror the
Django tags and filters those templates use, with the same output:

- ``url(name, *args)``: ``{% url %}`` (remembered like zhengwu.speedups.templatetags.cached_url);
- ``|date(format)``: Django's ``date`` filter (zhengwu.speedups.templatetags.fast_date), in the current
  time zone as Django's is;
- ``icon(name, label)``: ``{% icon %}`` (zhengwu.core.icons), the same SVG;
- ``|linebreaksbr``: Django's, escaping first (its result is marked safe for Jinja2 too);
- ``|filesizeformat``: Django's ("1.2\xa0MB"), not Jinja2's own ("1.2 MB" in powers of 1000).
"""

from __future__ import annotations

from django.template import defaultfilters, engines
from django.template.backends.jinja2 import Jinja2
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import template_localtime
from jinja2 import Environment, Undefined

from zhengwu.core.icons import icon
from zhengwu.speedups.templatetags.cached_url import cached_reverse
from zhengwu.speedups.templatetags.fast_date import format_date


def _url(name: str, *args) -> str:
    return cached_reverse(name, tuple(args))


def _date(value, fmt: str = "") -> str:
    return format_date(template_localtime(value), fmt)


def _linebreaksbr(value) -> str:
    return defaultfilters.linebreaksbr(value, autoescape=True)


def environment(**options) -> Environment:
    # A missing value renders empty, as in Django's templates, also with DEBUG on (Django's
    # backend would otherwise print the expression: a guide's fee without 依据 is normal data).
    options["undefined"] = Undefined
    env = Environment(**options)
    env.globals["url"] = _url
    env.globals["icon"] = icon  # {% icon %} of zhengwu.core.templatetags.icons
    env.filters["date"] = _date
    env.filters["linebreaksbr"] = _linebreaksbr
    env.filters["filesizeformat"] = defaultfilters.filesizeformat
    return env


def render(template_name: str, context: dict) -> SafeString:
    """A template of the Jinja2 engine (settings.TEMPLATES, alias ``jinja2``), rendered; safe to
    put into a Django template as it is (the engine escapes every value: autoescape is on)."""
    engine: Jinja2 = engines["jinja2"]
    return mark_safe(engine.get_template(template_name).render(context))  # noqa: S308 - autoescaped
