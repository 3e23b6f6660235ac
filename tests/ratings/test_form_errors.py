"""The rating form says each problem once, next to what it concerns: no level chosen is
“请选择总体评价” under the level buttons, not a rule about integers twice (top and bottom)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from zhengwu.ratings.models import Rating

pytestmark = pytest.mark.django_db


def _block(body: str, fieldset_start: str) -> str:
    start = body.index(fieldset_start)
    return body[start:body.index("</fieldset>", start)]


def test_no_level_chosen_is_said_once_next_to_the_levels(client, concluded_case, citizen):
    client.force_login(citizen)
    url = reverse("ratings:rate_case", args=[concluded_case.pk])
    r = client.post(url, {"comment": "还行"})
    body = r.content.decode()
    assert r.status_code == 400 and not Rating.objects.exists()
    assert body.count("请选择总体评价") == 1
    assert "请选择总体评价" in _block(body, "<legend class=\"h6\">总体评价")
    assert "1 至 5 的整数" not in body
    assert 'aria-describedby="level-error"' in body and 'id="level-error"' in body
    assert "请按下方标出的提示修改" in body  # the top says where to look, not the message again


def test_a_bad_rating_without_reason_is_said_once_under_the_problems(client, concluded_case, citizen):
    client.force_login(citizen)
    body = client.post(reverse("ratings:rate_case", args=[concluded_case.pk]), {"level": "1"}).content.decode()
    assert len(re.findall("请至少选择一个遇到的问题", body)) == 1
    assert "请至少选择一个遇到的问题" in _block(body, 'id="bad-problems"')


def test_errors_not_tied_to_a_field_stay_on_top():
    from zhengwu.ratings import forms, rules

    ctx = forms.form_context(rules.Kind.WINDOW, None, {"__all__": ["评价二维码已过期"], "dims": ["请为每个维度评分"],
                                                       "level": ["请选择总体评价"]})
    assert ctx["error_list"] == ["评价二维码已过期"]
    assert ctx["dim_errors"] == ["请为每个维度评分"]
