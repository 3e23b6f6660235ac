"""``{% url %}`` that reverses a URL name without arguments once per process.

Every portal page's navigation bar names a dozen pages by ``{% url 'portal:home' %}`` and the
like; Django reverses each of them on every render (about 45 µs each here, half a millisecond a
page). A name without arguments always gives the same address for the same script prefix,
URLconf, language and current application, so those four are the key. Everything else (arguments,
``as var``, a name held in a variable) is Django's own tag unchanged. Installed as a template
builtin (settings.TEMPLATES), so it replaces the built-in tag everywhere.
"""

from __future__ import annotations

from django import template
from django.template.defaulttags import URLNode
from django.template.defaulttags import url as django_url
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils import translation
from django.utils.html import conditional_escape

register = template.Library()

_reversed: dict[tuple, str] = {}


class CachedURLNode(URLNode):
    def render(self, context):
        name = self.view_name.var
        if self.args or self.kwargs or self.asvar or self.view_name.filters or not isinstance(name, str):
            return super().render(context)
        request = getattr(context, "request", None)
        current_app = getattr(request, "current_app", None)
        if current_app is None:
            current_app = getattr(getattr(request, "resolver_match", None), "namespace", None)
        key = (name, current_app, get_script_prefix(), get_urlconf(), translation.get_language())
        url = _reversed.get(key)
        if url is None:
            try:
                url = reverse(name, current_app=current_app)
            except NoReverseMatch:
                return super().render(context)  # Django's error, as before
            _reversed[key] = url
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    node = django_url(parser, token)
    return CachedURLNode(node.view_name, node.args, node.kwargs, node.asvar)
