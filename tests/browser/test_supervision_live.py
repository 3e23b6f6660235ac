"""效能监察 in the browser: the supervisor's live page refreshes its numbers without a reload, and
the figures page draws its ECharts charts (no CSP violation, no script error)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_live_page_refreshes_and_figures_draw_charts(live_server, browser, demo_people, login):
    from zhengwu.org.models import Hall, Region
    from zhengwu.queueing.models import BusinessType, Ticket

    hall = Hall.objects.filter(region__code="410105000000").first() or Hall.objects.create(
        name="金水区政务服务中心", region=Region.objects.get(code="410105000000"), address="郑州市金水区")
    bt = BusinessType.objects.create(hall=hall, prefix="A", name="综合受理")
    now = timezone.now()
    today = timezone.localdate()

    def waiting(n, minutes):
        Ticket.objects.create(hall=hall, business_type=bt, day=today, number=n, display=f"A{n:03d}", source="kiosk",
                              issued_at=now - dt.timedelta(minutes=minutes))

    waiting(1, 5)
    errors = []
    page = browser.new_context(locale="zh-CN").new_page()
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, live_server.url, "duban")
    page.goto(f"{live_server.url}/workbench/queueing/supervision/{hall.pk}/")
    expect(page.locator("#sv-waiting")).to_have_text("1")
    expect(page.locator("#sv-overdue")).to_contain_text("暂无超时等待")
    waiting(2, 45)  # an overdue ticket arrives: the page shows it at its next refresh, without a reload
    page.evaluate("window.__marker = 1")
    expect(page.locator("#sv-waiting")).to_have_text("2", timeout=20_000)
    expect(page.locator("#sv-overdue")).to_contain_text("A002")
    assert page.evaluate("window.__marker") == 1  # same document: no reload
    page.goto(f"{live_server.url}/workbench/queueing/supervision/{hall.pk}/figures/")
    expect(page.locator("#chart-hour canvas")).to_have_count(1)
    expect(page.locator("#chart-day canvas")).to_have_count(1)
    expect(page.locator("#figures-total")).to_contain_text("2")
    assert not errors, errors
