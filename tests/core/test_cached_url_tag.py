"""The {% url %} builtin: names without arguments reversed once per key, everything else as Django."""

from __future__ import annotations

from unittest import mock

import pytest
from django.template import Context, engines
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse, set_script_prefix

from zhengwu.core.templatetags import cached_url


def _render(source: str, context: dict | None = None, request=None) -> str:
    return engines["django"].from_string(source).render(context or {}, request)


def test_a_name_without_arguments_is_reversed_once():
    cached_url._reversed.clear()
    with mock.patch.object(cached_url, "reverse", wraps=reverse) as spy:
        first = _render("{% url 'portal:home' %}|{% url 'catalog:item_search' %}")
        again = _render("{% url 'portal:home' %}|{% url 'catalog:item_search' %}")
    assert first == again == f"{reverse('portal:home')}|{reverse('catalog:item_search')}"
    assert spy.call_count == 2


def test_arguments_variables_and_as_are_djangos_tag():
    html = _render("{% url 'catalog:item_guide' 7 %}|{% url name %}|{% url 'portal:home' as home %}[{{ home }}]",
                   {"name": "catalog:item_search"})
    assert html == f"{reverse('catalog:item_guide', args=[7])}|{reverse('catalog:item_search')}|[{reverse('portal:home')}]"
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


def test_escaped_unless_autoescape_is_off():
    node_output = engines["django"].engine.from_string("{% url 'portal:home' %}").render(Context(autoescape=False))
    assert node_output == reverse("portal:home")
