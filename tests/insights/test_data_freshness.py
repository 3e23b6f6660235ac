"""Walk finding #10: the 领导驾驶舱, 部门驾驶舱 and 大屏 read the rollups (refreshed every 10 minutes)
while their 查看明细 lists are live, so a headline said 50 accepted over a list of 52. The rollups
stay rollups; each dashboard says when its numbers were computed and how often they are, and the
drill-down pages say they are live."""

import dataclasses
import datetime as dt
import re

import pytest
from django.core.cache import cache
from django.utils import timezone

from zhengwu.insights import rollups, rules

pytestmark = pytest.mark.django_db
TEN = dt.timedelta(minutes=10)


def card(html: str, key: str) -> str:
    m = re.search(rf'data-key="{re.escape(key)}">.*?<p class="fs-3[^"]*">(.*?)</p>', html, re.S)
    assert m, key
    return re.sub(r"<[^>]+>", "", m.group(1)).replace("（查看明细）", "").strip()


@pytest.fixture
def world(district, make_department, make_citizen, publish_item):
    """Two cases accepted today, rolled up at 09:32; then a third accepted (not yet rolled up)."""
    from zhengwu.cases.models import Case
    from zhengwu.insights.models import RollupDay

    dept = make_department(name="市场监管局")
    item = publish_item(dept, "食品经营许可", promised_days=5)
    person = make_citizen()
    today = timezone.localdate()

    def accept():
        Case.objects.create(service_item=item, item_version=item.published_version, department=dept, region=district,
                            applicant=person.applicant, channel="window", visits=1, state="in_review",
                            promised_days=5, submitted_at=timezone.now(), accepted_on=today,
                            due_date=today + dt.timedelta(days=7))

    accept()
    accept()
    rollups.rollup_days(today.replace(day=1), today)
    RollupDay.objects.filter(day=today).update(
        computed_at=timezone.make_aware(dt.datetime.combine(today, dt.time(9, 32))))
    accept()
    return dept


def test_the_cockpit_says_when_its_numbers_were_rolled_up_and_the_drill_down_says_live(client, leader, world):
    client.force_login(leader)
    resp = client.get("/workbench/insights/leader/")
    html = resp.content.decode()
    assert card(html, "cases.accepted") == "2 件"  # the rollup's number (a rollup, for performance) …
    assert re.search(r'id="data-as-of"[^>]*>数据更新于 09:32（每10分钟更新）</span>', html)  # … says its time
    url = {c["key"]: c for c in resp.context["cards"]}["cases.accepted"]["url"]
    drill = client.get(url).content.decode()
    assert drill.count('class="drill-row"') == 3  # the live list has the third case already
    assert 'id="live-note"' in drill and "实时" in drill and "数据更新于" in drill
    figures = client.get("/workbench/cases/figures/").content.decode()
    assert 'id="live-note"' in figures


def test_the_department_cockpit_and_the_screen_say_it_too(client, leader, world):
    from zhengwu.insights.models import ScreenLayout

    client.force_login(leader)
    html = client.get(f"/workbench/insights/department/?department={world.pk}").content.decode()
    assert card(html, "cases.accepted") == "2 件"
    assert "数据更新于 09:32（每10分钟更新）" in html
    ScreenLayout.objects.create(name="大屏", title="政务服务大屏", is_current=True, tiles=[
        {"figure": "cases.accepted", "show": "number", "by": "", "period": "day"}])
    page = client.get("/workbench/insights/screen/").content.decode()
    assert re.search(r"<span data-as-of[^>]*>数据更新于 09:32（每10分钟更新）</span>", page)
    data = client.get("/workbench/insights/screen/data.json").json()
    assert data["as_of_text"] == "数据更新于 09:32（每10分钟更新）" and data["tiles"][0]["text"] == "2 件"


def test_live_numbers_and_a_past_month_are_labelled_as_such(client, leader, world):
    from zhengwu.insights.models import RollupDay, ScreenLayout

    client.force_login(leader)
    today = timezone.localdate()
    last_month = rules.add_months(today.replace(day=1), -1)
    html = client.get(f"/workbench/insights/leader/?month={last_month:%Y-%m}").content.decode()
    assert re.search(r'id="data-as-of"[^>]*>实时数据</span>', html)  # not rolled up: computed live
    rollups.rollup_days(last_month, rules.month_end(last_month))
    RollupDay.objects.filter(day=rules.month_end(last_month)).update(
        computed_at=timezone.make_aware(dt.datetime.combine(today, dt.time(3, 5))))
    cache.clear()  # the cockpit is cached a minute per scope and month
    html = client.get(f"/workbench/insights/leader/?month={last_month:%Y-%m}").content.decode()
    assert f"数据更新于 {today:%Y-%m-%d} 03:05</span>" in html  # a closed month: when, not how often
    # A screen of figures never rolled up (平均等待时间) is live.
    ScreenLayout.objects.create(name="大厅", title="大厅", is_current=True, tiles=[
        {"figure": "queueing.avg_wait", "show": "number", "by": "", "period": "day"}])
    assert client.get("/workbench/insights/screen/data.json").json()["as_of_text"] == "实时数据"


def test_the_configured_refresh_period_is_the_one_shown(client, leader, world, monkeypatch):
    from zhengwu.core import schedule

    job = schedule.job("insights.rollups")
    monkeypatch.setitem(schedule._jobs, job.name, dataclasses.replace(job, every=dt.timedelta(minutes=15)))
    client.force_login(leader)
    assert "数据更新于 09:32（每15分钟更新）" in client.get("/workbench/insights/leader/").content.decode()


def test_freshness_rules():
    today = dt.date(2026, 12, 7)
    at = dt.datetime(2026, 12, 7, 22, 32)
    assert rules.freshness_text(at, today, TEN, current=True) == "数据更新于 22:32（每10分钟更新）"
    assert rules.freshness_text(at, dt.date(2026, 12, 8), TEN, current=True) == "数据更新于 2026-12-07 22:32（每10分钟更新）"
    assert rules.freshness_text(at, today, TEN, current=False) == "数据更新于 2026-12-07 22:32"
    assert rules.freshness_text(None, today, TEN, current=True) == "实时数据"
    assert rules.interval_text(dt.timedelta(hours=1)) == "每1小时"
    assert rules.interval_text(dt.timedelta(minutes=90)) == "每90分钟"
