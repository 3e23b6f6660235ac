"""部门驾驶舱, 大厅看板, 12345看板 and the region chart: who may open them, what scope they show."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db
GEOJSON = Path(__file__).parent / "fixtures" / "region.geojson"


def login(client, user):
    client.force_login(user)
    return client


def spec(html: str, element_id: str) -> dict:
    m = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html, re.S)
    assert m, f"no {element_id}"
    return json.loads(m.group(1))


def card(html: str, key: str) -> str:
    m = re.search(rf'data-key="{re.escape(key)}">.*?<p class="fs-3[^"]*">(.*?)</p>', html, re.S)
    assert m, key
    return re.sub(r"<[^>]+>", "", m.group(1)).replace("（查看明细）", "").strip()


# -- 部门驾驶舱 ---------------------------------------------------------------------------------
@pytest.fixture
def two_departments(district, make_department, make_citizen, publish_item):
    """A: two cases accepted today (one open past due); B: three accepted today."""
    from zhengwu.cases.models import Case

    a, b = make_department(name="市场监管局"), make_department(name="人社局")
    person = make_citizen()
    today = timezone.localdate()
    noon = timezone.make_aware(dt.datetime.combine(today, dt.time(9)))
    for dept, n in ((a, 2), (b, 3)):
        item = publish_item(dept, f"{dept.name}事项", promised_days=5)
        for i in range(n):
            overdue = dept is a and i == 0
            Case.objects.create(service_item=item, item_version=item.published_version, department=dept,
                                region=district, applicant=person.applicant, channel="window", visits=1,
                                state="in_review", promised_days=5, submitted_at=noon,
                                accepted_on=today - dt.timedelta(days=30 if overdue else 0),
                                due_date=today - dt.timedelta(days=10) if overdue else today + dt.timedelta(days=5))
    return a, b


def test_a_department_admin_sees_only_their_department(client, make_staff, two_departments):
    a, b = two_departments
    c = login(client, make_staff("dept_admin", department=a))
    resp = c.get("/workbench/insights/department/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "市场监管局" in html
    assert card(html, "cases.accepted") == "1 件"  # the overdue one was accepted 30 days ago
    assert re.search(r'id="overdue-count">\s*1 件', html)
    assert spec(html, "trend-chart-data")["series"][0]["name"] == "受理量"
    assert c.get(f"/workbench/insights/department/?department={b.pk}").status_code == 404
    assert "人社局" not in html.split('id="dashboard-cards"')[1]


def test_a_leader_picks_any_department_of_their_region(client, make_staff, two_departments):
    a, b = two_departments
    c = login(client, make_staff("leader"))
    html = c.get(f"/workbench/insights/department/?department={b.pk}").content.decode()
    assert card(html, "cases.accepted") == "3 件"
    assert 'id="overdue-count">0 件' in html.replace("\n", "")
    items = spec(html, "items-chart-data")
    assert items["series"][0]["data"] == [3] and items["horizontal"]
    html_a = c.get(f"/workbench/insights/department/?department={a.pk}").content.decode()
    assert card(html_a, "cases.accepted") == "1 件"
    # 查看明细 lists the chosen department's cases, not every department's.
    link = re.search(r'data-key="cases.accepted">.*?<a href="([^"]+)"', html, re.S).group(1).replace("&amp;", "&")
    assert f"department={b.pk}" in link
    listed = c.get(link).content.decode()
    assert "人社局事项" in listed and "市场监管局事项" not in listed


@pytest.mark.parametrize("role", ["window", "data_admin", "hotline"])
def test_the_department_dashboard_refuses_other_roles(client, make_staff, role):
    assert login(client, make_staff(role)).get("/workbench/insights/department/").status_code == 403


def test_a_bad_month_is_a_chinese_400(client, make_staff, two_departments):
    resp = login(client, make_staff("leader")).get("/workbench/insights/department/?month=2026-13")
    assert resp.status_code == 400 and "月份格式不正确" in resp.content.decode()


# -- 大厅看板 -----------------------------------------------------------------------------------
@pytest.fixture
def hall_today(district):
    from zhengwu.org.models import Hall, Window
    from zhengwu.queueing.models import BusinessType, Ticket, WindowSetup

    hall = Hall.objects.create(name="金水区政务服务中心", region=district, address="郑州市金水区")
    bt = BusinessType.objects.create(hall=hall, prefix="A", name="综合受理", order=1)
    w1 = Window.objects.create(hall=hall, number="1", name="综合窗口")
    WindowSetup.objects.create(window=w1, is_open=True)
    now = timezone.now()
    today = timezone.localdate()
    ago = lambda m: now - dt.timedelta(minutes=m)  # noqa: E731
    rows = [("done", 60, 50, 49, 40), ("serving", 30, 10, 9, None), ("waiting", 5, None, None, None),
            ("waiting", 2, None, None, None)]
    for n, (status, issued, called, started, ended) in enumerate(rows, start=1):
        Ticket.objects.create(hall=hall, business_type=bt, day=today, number=n, display=f"A{n:03d}", source="kiosk",
                              status=status, window=w1 if called else None, issued_at=ago(issued),
                              called_at=ago(called) if called else None, started_at=ago(started) if started else None,
                              ended_at=ago(ended) if ended else None)
    return hall, w1


@pytest.mark.parametrize("role", ["supervisor", "leader", "window"])
def test_the_hall_dashboard_shows_todays_queue(client, make_staff, hall_today, role):
    hall, w1 = hall_today
    c = login(client, make_staff(role))
    html = c.get("/workbench/insights/hall/").content.decode()
    assert 'data-num="waiting">2 人<' in html
    assert 'data-num="tickets">4 个<' in html
    assert 'data-num="served">1 件<' in html
    assert "A002" in html  # window 1 is serving A002
    data = c.get(f"/workbench/insights/hall/data.json?hall={hall.pk}").json()
    assert data["numbers"]["waiting"] == "2 人"
    assert data["tables"]["hall-windows"][0][2] == "A002"
    assert data["numbers"]["avg_wait"] == "15.0 分钟"  # (10 + 20) / 2 called tickets


def test_every_count_on_the_hall_dashboard_has_its_unit(client, make_staff, hall_today):
    """正在等候 2 beside 平均等待 15.0 分钟 read as something else: each count says 人 (等候), 个 (取号、窗口),
    件 (办结) or 条 (评价), on the page as in the data the page refreshes itself from."""
    hall, _ = hall_today
    c = login(client, make_staff("supervisor"))
    units = {"waiting": "人", "tickets": "个", "served": "件", "overdue": "人", "windows_open": "个",
             "ratings": "条", "bad": "条"}
    numbers = c.get(f"/workbench/insights/hall/data.json?hall={hall.pk}").json()["numbers"]
    for key, unit in units.items():
        assert re.fullmatch(rf"[\d,]+( / [\d,]+)? {unit}", numbers[key]), (key, numbers[key])
    assert numbers["windows_open"] == "1 / 1 个" and numbers["overdue"] == "0 人" and numbers["bad"] == "0 条"
    html = c.get(f"/workbench/insights/hall/?hall={hall.pk}").content.decode()
    shown = dict(re.findall(r'data-num="(\w+)">([^<]*)</p>', html))
    for key, unit in units.items():
        assert shown[key] == numbers[key], (key, shown[key])


def test_the_hall_dashboard_refuses_others_as_json(client, make_staff, hall_today):
    assert login(client, make_staff("dept_admin")).get("/workbench/insights/hall/").status_code == 403
    resp = client.get("/workbench/insights/hall/data.json")
    assert resp.status_code == 403 and "仅" in resp.json()["detail"]
    client.logout()
    assert client.get("/workbench/insights/hall/data.json").status_code == 401


def test_a_hall_out_of_scope_is_not_shown(client, make_staff, hall_today, other_district):
    hall, _ = hall_today
    c = login(client, make_staff("supervisor", region=other_district))
    assert c.get(f"/workbench/insights/hall/?hall={hall.pk}").status_code == 404
    assert c.get(f"/workbench/insights/hall/data.json?hall={hall.pk}").json()["errors"]["hall"]


# -- 12345看板 ----------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["hotline", "supervisor", "leader", "dept_admin"])
def test_the_hotline_dashboard_opens(client, make_staff, role):
    c = login(client, make_staff(role))
    resp = c.get("/workbench/insights/hotline/")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert spec(html, "hotline-hours-data")["x"][0] == "00时"
    assert c.get("/workbench/insights/hotline/data.json").json()["numbers"]["open_overdue"] == "0 件"


def test_the_hotline_dashboard_refuses_a_window_clerk(client, make_staff):
    assert login(client, make_staff("window")).get("/workbench/insights/hotline/").status_code == 403


# -- region chart -------------------------------------------------------------------------------
def test_the_region_chart_is_bars_without_a_boundary_file(client, make_staff, settings):
    settings.ZHENGWU_REGION_GEOJSON = ""
    html = login(client, make_staff("leader")).get("/workbench/insights/leader/").content.decode()
    assert 'id="region-card"' in html
    assert client.get("/workbench/insights/region.geojson").status_code == 404


def test_the_region_chart_is_a_map_with_a_boundary_file(client, make_staff, settings):
    from zhengwu.insights.dashboards import region

    settings.ZHENGWU_REGION_GEOJSON = str(GEOJSON)
    chart = region.chart_of_rows("hotline.received", [("经八路街道", 3), ("花园路街道", 1)])
    assert chart["map"] == "/workbench/insights/region.geojson"
    assert chart["data"][0] == {"name": "经八路街道", "value": 3}
    resp = login(client, make_staff("leader")).get("/workbench/insights/region.geojson")
    assert resp.status_code == 200
    assert json.loads(b"".join(resp.streaming_content))["features"][0]["properties"]["name"] == "经八路街道"


def test_a_broken_boundary_file_falls_back_to_bars(settings, tmp_path):
    from zhengwu.insights.dashboards import region

    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {}}]}')
    settings.ZHENGWU_REGION_GEOJSON = str(bad)
    assert region.load() is None and region.map_url() is None
    assert region.check({"type": "Feature"}) == "不是 GeoJSON FeatureCollection"


@pytest.fixture
def tickets_today(district, make_department):
    """Today: two tickets to A (phone, one past due), one to B (web)."""
    from zhengwu.hotline.models import Ticket

    a, b = make_department(name="城管局"), make_department(name="住建局")
    now = timezone.now()
    rows = [("RX1", "phone", "complaint", a, "handling", now - dt.timedelta(hours=1)),
            ("RX2", "phone", "consult", a, "dispatched", now + dt.timedelta(days=2)),
            ("RX3", "web", "complaint", b, "dispatched", now + dt.timedelta(days=2))]
    for number, channel, kind, dept, state, due in rows:
        Ticket.objects.create(number=number, channel=channel, ticket_type=kind, title="噪声扰民", content="夜间施工噪声",
                              caller_name="王先生", phone="13800001111", region=district, region_code=district.code,
                              lead_department=dept, state=state, created_at=now,
                              dispatched_at=now, due_at=due)
    return a, b


def test_the_hotline_dashboard_counts_todays_tickets_in_scope(client, make_staff, tickets_today):
    a, _ = tickets_today
    data = login(client, make_staff("hotline")).get("/workbench/insights/hotline/data.json").json()
    assert data["numbers"]["received"] == "3 件"
    assert data["numbers"]["open_overdue"] == "1 件"
    channels = {d["name"]: d["value"] for d in data["charts"]["hotline-channels"]["data"]}
    assert channels == {"电话": 2, "网站": 1}
    types = {d["name"]: d["value"] for d in data["charts"]["hotline-types"]["data"]}
    assert types == {"投诉": 2, "咨询": 1}
    assert sum(data["charts"]["hotline-hours"]["series"][0]["data"]) == 3
    assert data["tables"]["hot-regions"] == [["金水区", "3"]]
    client.logout()
    mine = login(client, make_staff("dept_admin", department=a)).get("/workbench/insights/hotline/data.json").json()
    assert mine["numbers"]["received"] == "2 件" and mine["numbers"]["open_overdue"] == "1 件"


def test_every_count_on_the_hotline_dashboard_has_its_unit(client, make_staff, tickets_today):
    """今日受理 3 件 beside 今日派单 and 今日直接办结 without one read as different things: each
    count says 件 (来电 通), on the page as in the refreshed data."""
    c = login(client, make_staff("hotline"))
    numbers = c.get("/workbench/insights/hotline/data.json").json()["numbers"]
    for key in ("received", "dispatched", "closed_direct", "open_overdue"):
        assert re.fullmatch(r"[\d,]+ 件", numbers[key]), (key, numbers[key])
    assert numbers["open_overdue"] == "1 件"
    assert numbers["calls"] == "—" or numbers["calls"].endswith(" 通")
    html = c.get("/workbench/insights/hotline/").content.decode()
    shown = dict(re.findall(r'data-num="(\w+)">([^<]*)</p>', html))
    for key in ("received", "dispatched", "closed_direct", "open_overdue"):
        assert shown[key].endswith(" 件"), (key, shown[key])


def test_todays_received_card_agrees_with_the_charts_after_todays_rollup(client, make_staff, tickets_today, district):
    """Today's rollup (made by the worker every 10 minutes) is older than the tickets: the card read
    it and said one less than the charts beside it."""
    from django.core.cache import cache

    from zhengwu.hotline.models import Ticket
    from zhengwu.insights import rollups

    rollups.rollup_day(timezone.localdate())  # the worker's last pass: 3 tickets today
    a, _ = tickets_today
    now = timezone.now()
    Ticket.objects.create(number="RX4", channel="phone", ticket_type="consult", title="路灯不亮", content="路灯坏了",
                          caller_name="李女士", phone="13800002222", region=district, region_code=district.code,
                          lead_department=a, state="dispatched", created_at=now, dispatched_at=now,
                          due_at=now + dt.timedelta(days=2))
    cache.clear()  # the dashboard's own 20-second cache
    data = login(client, make_staff("hotline")).get("/workbench/insights/hotline/data.json").json()
    charted = sum(data["charts"]["hotline-hours"]["series"][0]["data"])
    assert charted == 4 and data["numbers"]["received"] == "4 件"
    assert sum(d["value"] for d in data["charts"]["hotline-types"]["data"]) == 4
