"""领导驾驶舱 in Chromium: the leader sees the cards and the charts drawn by the vendored ECharts
(canvas), with no console error (no CSP refusal of an inline script or style)."""

from __future__ import annotations

import io

import pytest

from tests.browser.test_window_and_bundle_journeys import _login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_leader_dashboard_draws_its_charts(live_server, browser, settings, tmp_path):
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.org.demo import load as load_org

    settings.DATA_DIR = tmp_path
    load_org(io.StringIO())
    load_accounts(io.StringIO())
    base = live_server.url
    page = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900}).new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    _login(page, base, "lingdao")
    assert page.goto(base + "/workbench/insights/leader/").status == 200
    page.locator("#trend-chart[data-rendered='1']").wait_for()
    assert page.locator("#trend-chart canvas, #trend-chart svg").count() >= 1
    assert page.locator("#dashboard-cards .card").count() == 8
    page.get_by_role("link", name="指标口径").first.click()
    page.wait_for_url("**/workbench/insights/figures/")
    assert page.locator("#figure-registry tbody tr").count() >= 13
    assert not errors, errors
