"""The 好差评 numbers drill down to the ratings behind them: the 评价列表 filtered by period,
department, window, 差评 and 主动评价, with removable chips; bad input is a 400 naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengwu.insights import registry
from zhengwu.ratings import services

pytestmark = pytest.mark.django_db


def _rows(page: str) -> int:
    body = page.split('id="rating-table"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return body.count("<tr>") - body.count("暂无评价")


def test_satisfaction_drills_to_the_active_ratings_of_the_department(client, make_case, citizen, other_citizen, leader):
    good = make_case(citizen)
    bad = make_case(other_citizen)
    services.rate_case(citizen, good, level=5)
    services.rate_case(other_citizen, bad, level=1, tags=["办理时间长、效率低"])
    today = timezone.localdate()
    figure = registry.get("ratings.satisfaction_rate")
    rows = figure.compute(today, today, user=leader, by="department")
    row = next(r for r in rows if r.key == good.department_id)
    assert (row.numerator, row.denominator) == (1, 2)  # 1 满意 of 2 主动评价

    client.force_login(leader)
    url = figure.drill_url(today, today, good.department_id, by="department")
    assert url.startswith(reverse("ratings:list")) and "active=1" in url
    page = client.get(url).content.decode()
    assert _rows(page) == row.denominator
    assert 'id="chip-department"' in page and 'id="chip-period"' in page and 'id="chip-active"' in page

    bad_url = registry.get("ratings.rectify_rate").drill_url(today, today, good.department_id, by="department")
    page = client.get(bad_url).content.decode()
    assert _rows(page) == 1 and "非常不满意" in page and 'id="chip-bad"' in page

    yesterday = today - dt.timedelta(days=1)
    page = client.get(figure.drill_url(yesterday, yesterday, good.department_id, by="department")).content.decode()
    assert _rows(page) == 0  # nothing rated that day


def test_bad_filters_are_refused_naming_the_field(client, leader):
    client.force_login(leader)
    res = client.get(reverse("ratings:list") + "?start=2026-13-01&department=x")
    page = res.content.decode()
    assert res.status_code == 400 and "开始日期格式不正确" in page and "部门编号不正确" in page
    res = client.get(reverse("ratings:list") + "?start=2026-11-10&end=2026-11-01")
    assert res.status_code == 400 and "结束日期不能早于开始日期" in res.content.decode()


def test_a_viewer_without_a_ratings_grant_gets_empty_figures_not_an_error(make_staff, make_case, citizen):
    from zhengwu.insights import rollups
    from zhengwu.ratings import queries

    services.rate_case(citizen, make_case(citizen), level=5)
    agent = make_staff("hotline")  # 12345 坐席: no 好差评 figures grant
    today = timezone.localdate()
    report = queries.figures_report(start=today, end=today, user=agent)
    assert report.rows == [] and report.total.counts.ratings == 0
    with rollups.live_only():
        assert registry.get("ratings.satisfaction_rate").compute(today, today, user=agent)[0].value is None
