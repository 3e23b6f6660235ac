"""部门驾驶舱, 大厅看板, 12345看板, the leader's region card and the 大屏 in Chromium: each draws its
charts with the vendored ECharts (canvas), with no console error (no CSP refusal), and with the
network cut off from anything but our own server. Screenshots go to /tmp/dash-*.png."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.browser.test_window_and_bundle_journeys import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
GEOJSON = Path(__file__).parent.parent / "insights" / "fixtures" / "region.geojson"


@pytest.fixture(autouse=True)
def _contexts():
    """The pages poll their JSON every few seconds: each test's browser contexts close with it."""
    opened.clear()
    yield
    while opened:
        opened.pop().close()


opened: list = []


def _page(browser, base, viewport):
    context = browser.new_context(locale="zh-CN", viewport=viewport)
    opened.append(context)
    blocked: list[str] = []

    def only_ours(route):
        if route.request.url.startswith(base):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_ours)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return page, errors, blocked


def _charts_drawn(page, ids):
    for chart_id in ids:
        page.locator(f"#{chart_id}[data-rendered='1']").wait_for()
        assert page.locator(f"#{chart_id} canvas, #{chart_id} svg").count() >= 1, chart_id


@pytest.fixture
def demo(settings, tmp_path, transactional_db):
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.insights.demo import ensure_default_screen
    from zhengwu.org.demo import load as load_org

    settings.DATA_DIR = tmp_path
    load_org(io.StringIO())
    load_accounts(io.StringIO())
    ensure_default_screen()


@pytest.mark.parametrize("who,path,charts,shot", [
    ("bumen_sj", "/workbench/insights/department/", ["trend-chart"], "department"),
    ("duban", "/workbench/insights/hall/", ["hall-hours", "hall-ratings"], "hall"),
    ("rexian", "/workbench/insights/hotline/", ["hotline-hours", "hotline-types", "hotline-channels",
                                                "hotline-regions"], "hotline"),
    ("lingdao", "/workbench/insights/leader/", ["trend-chart", "region-chart"], "leader"),
])
def test_each_dashboard_draws_its_charts_offline(live_server, browser, demo, who, path, charts, shot):
    base = live_server.url
    page, errors, blocked = _page(browser, base, {"width": 1366, "height": 900})
    _login(page, base, who)
    if who == "lingdao":  # the region card needs a number: one 12345 ticket today
        _one_ticket()
    assert page.goto(base + path).status == 200
    if page.locator("#" + charts[0]).count() == 0:
        pytest.fail(f"{path}: no chart (page says: {page.locator('main').inner_text()[:200]})")
    _charts_drawn(page, charts)
    page.screenshot(path=f"/tmp/dash-{shot}.png", full_page=True)
    assert not errors, errors
    assert not blocked, blocked


def _one_ticket():
    from django.utils import timezone

    from zhengwu.hotline.models import Ticket
    from zhengwu.org.models import Region

    region = Region.objects.get(code="410105000000")
    Ticket.objects.create(number="RX-B1", channel="phone", ticket_type="complaint", title="噪声", content="夜间施工噪声",
                          caller_name="王先生", phone="13800001111", region=region, region_code=region.code,
                          state="registered", created_at=timezone.now())


def test_the_screen_fills_1920_by_1080_dark_with_a_map(live_server, browser, demo, settings):
    from zhengwu.insights.models import ScreenLayout

    settings.ZHENGWU_REGION_GEOJSON = str(GEOJSON)
    ScreenLayout.objects.update(refresh_seconds=10)  # the shortest interval: the test sees one refresh
    base = live_server.url
    page, errors, blocked = _page(browser, base, {"width": 1920, "height": 1080})
    _login(page, base, "lingdao")
    assert page.goto(base + "/workbench/insights/screen/").status == 200
    assert page.locator("section.zw-tile").count() == 8
    _charts_drawn(page, [f"tile-{i}-chart" for i in range(4, 8)])
    assert page.locator("#tile-7-chart").get_attribute("data-region") == "map"
    # The whole screen is the viewport: nothing scrolls, the title is large.
    size = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    assert size == [1920, 1080], size
    assert page.evaluate("parseFloat(getComputedStyle(document.querySelector('.zw-tile-value')).fontSize)") >= 60
    page.screenshot(path="/tmp/dash-screen.png")
    first = page.locator("[data-at]").inner_text()
    page.wait_for_function("t => document.querySelector('[data-at]').textContent !== t", arg=first, timeout=20000)
    assert page.locator("#dash-stale").is_hidden()
    assert not errors, errors
    assert not blocked, blocked


def test_the_data_admin_composes_the_screen(live_server, browser, demo):
    base = live_server.url
    page, errors, _ = _page(browser, base, {"width": 1366, "height": 900})
    _login(page, base, "shuju")
    page.goto(base + "/workbench/insights/screens/")
    page.get_by_role("link", name="默认大屏", exact=True).click()
    page.select_option("#tile-0-show", "ranking")  # a ranking without a dimension: refused
    with page.expect_navigation():
        page.click("#screen-save")
    assert "须选择统计维度" in page.locator("#screen-errors").inner_text()
    errors.remove("Failed to load resource: the server responded with a status of 400 (Bad Request)")  # the refusal
    page.select_option("#tile-0-by", "department")
    with page.expect_navigation():
        page.click("#screen-save")
    assert "版面已保存" in page.locator("main").inner_text()
    page.screenshot(path="/tmp/dash-screens.png", full_page=True)
    assert not errors, errors
