"""|date formats plain formats itself and gives exactly what Django's filter gives."""

from __future__ import annotations

import datetime as dt
import itertools
import zoneinfo

import pytest
from django.template import Context, Template, defaultfilters

from zhengwu.speedups.templatetags import fast_date

VALUES = [
    dt.datetime(2026, 3, 1, 9, 5, 7), dt.datetime(2026, 12, 31, 23, 59, 59), dt.datetime(2026, 1, 2, 0, 0),
    dt.datetime(987, 7, 4, 14, 30), dt.datetime(2026, 4, 1, 1, 30, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai")),
    dt.date(2026, 11, 2), dt.date(2026, 1, 31), dt.date(45, 6, 9),
]
FORMATS = [
    "Y-m-d H:i", "Y年n月j日", "Y-m-d", "n月j日 H:i", "m-d", "m-d H:i", "Y-m-d H:i:s", "G时", "Y/n/j %d",
    "Y年第m期 k", "",  # a literal that is no format character; an empty format (DATE_FORMAT)
    "D, d M Y", "y-m-d", "Y-m-d\\TH:i", "DATE_FORMAT", "N j, Y, P", "c", "U",  # Django's own path
]


@pytest.mark.parametrize("value,fmt", itertools.product(VALUES, FORMATS))
def test_the_same_as_djangos_filter(value, fmt):
    try:
        expected = defaultfilters.date(value, fmt)
    except TypeError as exc:  # a time asked of a date: Django's error, unchanged
        with pytest.raises(TypeError, match=str(exc)[:40]):
            fast_date.format_date(value, fmt)
        return
    assert fast_date.format_date(value, fmt) == expected


@pytest.mark.parametrize("value", [None, "", "2026-01-02", 0])
def test_what_is_no_date_is_djangos_answer(value):
    assert fast_date.format_date(value, "Y-m-d") == defaultfilters.date(value, "Y-m-d")


def test_the_formats_that_are_used_take_the_short_path():
    for fmt in ("Y-m-d H:i", "Y年n月j日", "Y-m-d", "n月j日 H:i", "m-d", "m-d H:i", "Y-m-d H:i:s"):
        assert fast_date._compile(fmt) is not None, fmt
    for fmt in ("D, d M Y", "Y-m-d\\TH:i", "DATE_FORMAT", "", "y"):
        assert fast_date._compile(fmt) is None, fmt


def test_django_templates_use_it_in_the_current_time_zone(settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    out = Template('{{ d|date:"Y年n月j日 H:i" }}').render(Context({"d": dt.datetime(2026, 3, 31, 17, 30, tzinfo=dt.UTC)}))
    assert out == "2026年4月1日 01:30"
    assert Template("{{ d|date }}").engine.template_builtins[-1].filters["date"] is fast_date.date
