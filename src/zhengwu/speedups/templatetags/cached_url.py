"""``{% url %}`` that remembers what it reversed.

Every portal page's navigation bar names a dozen pages by ``{% url 'portal:home' %}`` and the
like, and every list names a page per row; Django reverses each on every render, which adds
up to a noticeable share of a page (figures in zhengwu/speedups/README.md). The
address of a name and its arguments is the same for the same script prefix, URLconf, language
and current application, so those are the key, and the most recent addresses are kept
(:data:`MAX_REMEMBERED`). Keyword arguments, ``as var``, arguments other than numbers and text,
and filtered names are Django's tag unchanged. Installed as a template builtin
(settings.TEMPLATES), so it replaces the built-in tag everywhere; :func:`cached_reverse` is the
same for Python code that builds HTML.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.html import conditional_escape

register = template.Library()

MAX_REMEMBERED = 20_000
_reversed: dict[tuple, str] = {}


def cached_reverse(name: str, args: tuple = (), current_app: str | None = None) -> str:
    """``reverse(name, args=args, current_app=current_app)``, remembered (see the module)."""
    key = (name, args, current_app, get_script_prefix(), get_urlconf(), translation.get_language())
    url = _reversed.get(key)
    if url is None:
        url = reverse(name, args=args, current_app=current_app)
        if len(_reversed) >= MAX_REMEMBERED:
            _reversed.clear()  # a bounded memory, refilled by what is asked next
        _reversed[key] = url
    return url


class CachedURLNode(URLNode):
    def render(self, context):
        if self.kwargs or self.asvar or self.view_name.filters:
            return super().render(context)
        name = self.view_name.resolve(context)
        args = tuple(arg.resolve(context) for arg in self.args)
        if not isinstance(name, str) or not all(isinstance(a, (int, str)) for a in args):
            return super().render(context)  # e.g. an object, whose text may change under the same key
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        try:
            url = cached_reverse(name, args, current_app)
        except NoReverseMatch:
            return super().render(context)  # Django's error, as before
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
