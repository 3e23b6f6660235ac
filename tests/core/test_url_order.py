"""The prefixed routes come first in the root URLconf (zhengwu/urls.py): no unprefixed include
may hold a pattern under those prefixes, or moving them first would have changed what matches."""

from django.urls import get_resolver
from django.urls.resolvers import URLResolver


def _routes(resolver: URLResolver, prefix: str = ""):
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _routes(p, route)
        else:
            yield route


def test_no_unprefixed_pattern_lies_under_a_prefix_tried_first():
    root = get_resolver()
    first = [str(p.pattern) for p in root.url_patterns[:2]]
    assert first == ["api/v1/", "accounts/"]
    unprefixed = [p for p in root.url_patterns if str(p.pattern) == ""]
    clashes = [r for inc in unprefixed for r in _routes(inc) if r.startswith(tuple(first))]
    assert clashes == []
