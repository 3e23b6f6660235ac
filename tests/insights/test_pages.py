"""The 指标口径 page and the 领导驾驶舱: who may open them, what they show, the chart specs."""

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def login(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ["leader", "supervisor", "data_admin", "dept_admin"])
def test_figures_page_lists_every_registered_figure(client, make_staff, role):
    from zhengwu.insights import registry

    resp = login(client, make_staff(role)).get("/workbench/insights/figures/")
    assert resp.status_code == 200
    html = resp.content.decode()
    for f in registry.figures():
        assert f.name in html and f.formula in html
    assert "按时办结件数 ÷ 办结件数" in html
    # The “查看” link to the domain page, for those the page admits (办件指标: not the 数据管理员).
    assert ('href="/workbench/cases/figures/"' in html) == (role != "data_admin")


@pytest.mark.parametrize("path", ["/workbench/insights/figures/", "/workbench/insights/leader/"])
def test_a_window_clerk_is_refused(client, make_staff, path):
    resp = login(client, make_staff("window")).get(path)
    assert resp.status_code == 403


@pytest.mark.parametrize("role", ["data_admin", "dept_admin"])
def test_the_dashboard_is_for_leaders_and_supervisors(client, make_staff, role):
    assert login(client, make_staff(role)).get("/workbench/insights/leader/").status_code == 403


def chart_spec(html: str, element_id: str) -> dict:
    m = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert m, f"no {element_id}"
    return json.loads(m.group(1))


@pytest.fixture
def concluded_cases(district, make_department, make_citizen, publish_item):
    """This month: A one case on time, one late; last month: A one on time."""
    from zhengwu.cases.models import Case

    a = make_department(name="市场监管局")
    item = publish_item(a, "食品经营许可", case_type="committed", promised_days=5, online_depth=2, visits=1,
                        statutory_days=None)
    person = make_citizen()
    today = timezone.localdate()
    first = today.replace(day=1)
    last_month = (first - dt.timedelta(days=1)).replace(day=1)
    noon = dt.time(12)

    def case(accepted, on_time):
        concluded = timezone.make_aware(dt.datetime.combine(accepted, noon))
        Case.objects.create(service_item=item, item_version=item.published_version, department=a, region=district,
                            applicant=person.applicant, channel="window", visits=1, state="concluded",
                            promised_days=5, submitted_at=concluded, accepted_on=accepted, due_date=accepted,
                            concluded_at=concluded, concluded_on_time=on_time, outcome="approved")

    case(first, True)
    case(first, False)
    case(last_month, True)
    return first, last_month


@pytest.mark.parametrize("role", ["leader", "supervisor"])
def test_dashboard_cards_trend_and_ranking(client, make_staff, concluded_cases, role):
    first, last_month = concluded_cases
    resp = login(client, make_staff(role)).get("/workbench/insights/leader/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert '<meta http-equiv="refresh" content="300">' in html
    cards = {c["key"]: c for c in resp.context["cards"]}
    assert len(cards) == 8
    on_time = cards["cases.on_time_rate"]
    assert (on_time["value"], on_time["previous"], on_time["change"]) == (50.0, 100.0, -50.0)
    assert on_time["change_text"] == "−50 个百分点"
    assert cards["cases.accepted"]["value"] == 2 and cards["cases.accepted"]["change_text"] == "+1 件"
    assert f'href="/workbench/cases/figures/cases/?what=accepted&amp;start={first:%Y-%m-%d}' in html
    today = timezone.localdate()
    same = f"上月同期（{last_month:%m-%d} 至 {min(last_month + dt.timedelta(days=today.day - 1), first - dt.timedelta(days=1)):%m-%d}）"
    assert f"与{same}比较" in html and "较上月同期" in html  # the month so far against the same days, not all of last month

    trend = chart_spec(html, "trend-chart-data")
    assert len(trend["x"]) == 12 and trend["x"][-1] == f"{first:%Y-%m}" and trend["x"][-2] == f"{last_month:%Y-%m}"
    series = {s["name"]: s for s in trend["series"]}
    assert series["受理量"]["type"] == "bar" and series["受理量"]["data"][-2:] == [1, 2]
    assert series["按时办结率"]["type"] == "line" and series["按时办结率"]["axis"] == 1
    assert series["按时办结率"]["data"][-2:] == [100.0, 50.0]

    ranking = chart_spec(html, "ranking-chart-data")
    assert ranking["x"] == ["市场监管局"] and ranking["series"][0]["data"] == [50.0]
    assert 'data-chart="trend-chart-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert "<script>" not in html  # no inline script (CSP)


def test_dashboard_for_a_chosen_month_and_a_bad_month(client, leader, concluded_cases):
    first, last_month = concluded_cases
    login(client, leader)
    resp = client.get(f"/workbench/insights/leader/?month={last_month:%Y-%m}")
    assert resp.status_code == 200
    assert {c["key"]: c["value"] for c in resp.context["cards"]}["cases.on_time_rate"] == 100.0
    resp = client.get("/workbench/insights/leader/?month=2026-13")
    assert resp.status_code == 400
    assert "月份格式不正确" in resp.content.decode()


def test_dashboard_is_cached_per_scope_and_month(client, leader, make_staff, concluded_cases,
                                                  django_assert_max_num_queries):
    login(client, leader)
    client.get("/workbench/insights/leader/")
    with django_assert_max_num_queries(12):  # session, user, grants, menu: no figure is computed again
        resp = client.get("/workbench/insights/leader/")
    assert resp.status_code == 200
    from zhengwu.insights import dashboard

    other = make_staff("leader", department=None)
    assert dashboard.scope_key(other) == dashboard.scope_key(leader)  # the same grants: the same answer
    scoped = make_staff("supervisor")
    assert dashboard.scope_key(scoped) != dashboard.scope_key(leader)


def test_menu_entries(make_staff):
    from zhengwu.workbench.menu import entries_for

    leader_entries = {e["label"]: e for e in entries_for(make_staff("leader"))}
    assert leader_entries["领导驾驶舱"]["group"] == "统计分析"
    assert leader_entries["指标口径"]["url"] == "/workbench/insights/figures/"
    clerk = {e["label"] for e in entries_for(make_staff("window"))}
    assert "领导驾驶舱" not in clerk and "指标口径" not in clerk
    data_admin = {e["label"] for e in entries_for(make_staff("data_admin"))}
    assert "指标口径" in data_admin and "领导驾驶舱" not in data_admin


def test_figures_page_shows_chinese_names_not_the_internal_codes(client, make_staff):
    """Officials read 受理量, not cases.accepted: the code stays only in attributes (data-key, title)."""
    from zhengwu.insights import registry

    html = login(client, make_staff("leader")).get("/workbench/insights/figures/").content.decode()
    text = re.sub(r"<[^>]+>", " ", html)  # what is shown, without tags and their attributes
    for f in registry.figures():
        assert f.name in text and f.key not in text, f.key
    assert 'data-key="cases.accepted"' in html
