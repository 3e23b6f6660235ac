"""The Jinja2 environment's globals and filters give what Django's tags and filters give (ADR 17)."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.template import Context, Template
from django.urls import reverse

from zhengwu.speedups import jinja_env


def _jinja(source: str, **context) -> str:
    return jinja_env.environment(autoescape=True).from_string(source).render(**context)


def _django(source: str, **context) -> str:
    return Template(source).render(Context(context))


@pytest.mark.parametrize("value,fmt", [
    (dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC), "Y年n月j日 H:i"),  # 4 月 1 日 01:30 in Asia/Shanghai
    (dt.date(2026, 11, 2), "Y年n月j日"), (None, "Y年n月j日"), ("", "Y年n月j日"),
])
def test_date_is_djangos_in_the_current_time_zone(value, fmt):
    assert _jinja(f'{{{{ d|date("{fmt}") }}}}', d=value) == _django(f'{{{{ d|date:"{fmt}" }}}}', d=value)
    if isinstance(value, dt.datetime):
        assert _jinja(f'{{{{ d|date("{fmt}") }}}}', d=value) == "2026年4月1日 01:30"


def test_linebreaksbr_escapes_first_and_is_not_escaped_twice():
    text = "第一行 <b>\n第二行 & 三"
    assert _jinja("{{ t|linebreaksbr }}", t=text) == _django("{{ t|linebreaksbr }}", t=text)
    assert "&lt;b&gt;<br>" in _jinja("{{ t|linebreaksbr }}", t=text)


@pytest.mark.parametrize("size", [0, 1, 1023, 1024, 1536, 3 * 1024 * 1024 + 1, 5 * 1024 ** 3])
def test_filesizeformat_is_djangos(size):
    # Jinja2's own would count in powers of 1000 and print "1.5 kB".
    assert _jinja("{{ n|filesizeformat }}", n=size) == _django("{{ n|filesizeformat }}", n=size)


def test_url_is_the_reversed_address():
    assert _jinja("{{ url('catalog:item_guide', 7) }}") == reverse("catalog:item_guide", args=[7])
    assert _jinja("{{ url('catalog:material_file', 3, 'sample') }}") == reverse("catalog:material_file",
                                                                             args=[3, "sample"])


def test_values_are_escaped():
    # The same characters escaped (a quote as &#34; here, &quot; in Django's: the same HTML).
    out = _jinja("{{ s }}", s='<script>"x"</script>')
    assert "<" not in out and '"' not in out
    assert html.unescape(out) == html.unescape(_django("{{ s }}", s='<script>"x"</script>'))


def test_a_missing_value_renders_empty_even_with_debug(settings):
    from django.template import engines

    settings.DEBUG = True
    engine = type(engines["jinja2"])({"NAME": "t", "DIRS": [], "APP_DIRS": False,
                                      "OPTIONS": {"environment": "zhengwu.speedups.jinja_env.environment"}})
    template = engine.from_string("[{{ fee.basis }}]{% if fee.basis %}x{% endif %}")
    assert template.render({"fee": {"name": "工本费"}}) == "[]"


def test_render_returns_html_a_django_template_shows_as_it_is():
    from django.utils.safestring import SafeString

    from types import SimpleNamespace

    case = SimpleNamespace(department=SimpleNamespace(name="市场监管局"), get_channel_display=lambda: "网上<申报>",
                           window=None, filed_by=None, submitted_at=None, promised_days=5, accepted_on=None,
                           due_date=None, suspended_workdays=0, process=None, refusal_reason="", commitment_text="")
    out = jinja_env.render("cases/staff/case_info.html", {"case": case, "time_left": None})
    assert isinstance(out, SafeString) and "网上&lt;申报&gt;" in out and "受理后计算" in out
    assert _django("{{ html }}", html=out) == out  # escaped once, by Jinja2
