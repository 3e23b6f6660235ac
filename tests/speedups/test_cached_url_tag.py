"""The {% url %} builtin: names without arguments reversed once per key, everything else as Django."""

from __future__ import annotations

from unittest import mock

import pytest
from django.template import Context, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix

from zhengwu.speedups.templatetags import cached_url


def _render(source: str, context: dict | None = None, request=None) -> str:
    return engines["django"].from_string(source).render(context or {}, request)


def test_a_name_without_arguments_is_reversed_once():
    cached_url._reversed.clear()
    with mock.patch.object(cached_url, "reverse", wraps=reverse) as spy:
        first = _render("{% url 'portal:home' %}|{% url 'catalog:item_search' %}")
        again = _render("{% url 'portal:home' %}|{% url 'catalog:item_search' %}")
    assert first == again == f"{reverse('portal:home')}|{reverse('catalog:item_search')}"
    assert spy.call_count == 2


def test_arguments_are_part_of_the_key():
    cached_url._reversed.clear()
    with mock.patch.object(cached_url, "reverse", wraps=reverse) as spy:
        html = _render("{% for i in ids %}{% url 'catalog:item_guide' i %}|{% endfor %}", {"ids": [7, 8, 7, 8]})
    assert html == "|".join(reverse("catalog:item_guide", args=[i]) for i in [7, 8, 7, 8]) + "|"
    assert spy.call_count == 2


def test_keywords_objects_and_as_are_djangos_tag():
    class Named:
        def __str__(self):
            return "9"

    html = _render("{% url 'catalog:item_guide' pk=7 %}|{% url name %}|{% url 'catalog:item_guide' obj %}|"
                   "{% url 'portal:home' as home %}[{{ home }}]", {"name": "catalog:item_search", "obj": Named()})
    assert html == (f"{reverse('catalog:item_guide', kwargs={'pk': 7})}|{reverse('catalog:item_search')}|"
                    f"{reverse('catalog:item_guide', args=[9])}|[{reverse('portal:home')}]")
    assert not any(isinstance(a, Named) for key in cached_url._reversed for a in key[1])
    with pytest.raises(NoReverseMatch):
        _render("{% url 'no-such-page' %}")


def test_the_script_prefix_is_part_of_the_key():
    cached_url._reversed.clear()
    request = RequestFactory().get("/")
    try:
        set_script_prefix("/zw/")
        assert _render("{% url 'portal:home' %}", request=request).startswith("/zw/")
    finally:
        set_script_prefix("/")
    assert not _render("{% url 'portal:home' %}", request=request).startswith("/zw/")


def test_the_memory_is_bounded(monkeypatch):
    cached_url._reversed.clear()
    monkeypatch.setattr(cached_url, "MAX_REMEMBERED", 3)
    for i in range(10):
        assert cached_url.cached_reverse("catalog:item_guide", (i,)) == reverse("catalog:item_guide", args=[i])
    assert len(cached_url._reversed) <= 3


def test_escaped_unless_autoescape_is_off():
    cached_url._reversed.clear()
    template = engines["django"].engine.from_string("{% url 'portal:home' %}")
    try:
        set_script_prefix("/a&b/")
        assert template.render(Context()) == "/a&amp;b/"
        assert template.render(Context(autoescape=False)) == "/a&b/"
    finally:
        set_script_prefix("/")
