"""无障碍 (WCAG 2.1 AA, axe-core) on the 共享申请 and 交换监控 pages: the request form (with errors
shown), the lists, a request's page with the provider's actions, the monitoring dashboard with a
flagged row."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def test_sharing_pages_pass_axe(live_server, browser, demo_people, login):
    from tests.datashare import sharing_factories as sf
    from zhengwu.accounts.models import User
    from zhengwu.datashare.models import CallDaily
    from zhengwu.org.models import Department

    market, police = Department.objects.get(short_name="市场监管局"), Department.objects.get(short_name="公安分局")
    res = sf.resource(market, name="市场主体登记信息", fields=[("uscc", "统一社会信用代码", ""), ("secret", "内部记录", "none")])
    req = sf.submit(User.objects.get(username="shenpi_ga"), police, res, fields=["uscc"])
    CallDaily.objects.create(day=timezone.localdate(), consumer=police, resource=res, calls=900, errors=3, p95_ms=12.5,
                             flagged=True, flag_reason="当日调用900次，突增")
    base, axe, failures = live_server.url, Axe(), []

    def check(page, where):
        for v in axe.run(page, options=WCAG_AA).response["violations"]:
            failures.extend(f"{where}: {v['id']} {n['target']}" for n in v["nodes"])

    page = browser.new_context(locale="zh-CN").new_page()
    login(page, base, "shenpi_ga")
    page.goto(f"{base}/workbench/data/share-requests/")
    check(page, "list")
    page.goto(f"{base}/workbench/data/share-requests/new/?resource={res.pk}")
    page.fill("#purpose", "")
    with page.expect_navigation(wait_until="load"):
        page.click("#share-submit")
    assert "用途：必填" in page.locator("#form-errors").inner_text()
    check(page, "form with errors")

    provider = browser.new_context(locale="zh-CN").new_page()
    login(provider, base, "bumen_sj")
    provider.goto(f"{base}/workbench/data/share-requests/{req.pk}/")
    check(provider, "detail (provider)")

    bureau = browser.new_context(locale="zh-CN").new_page()
    console = []
    bureau.on("console", lambda m: console.append(m.text) if m.type in ("error", "warning") else None)
    login(bureau, base, "shuju")
    bureau.goto(f"{base}/workbench/data/monitoring/")
    assert "当日调用900次" in bureau.locator("#monitor-table").inner_text()
    # The daily chart (ECharts, served locally) is drawn, and the CSP refused nothing on the page.
    bureau.wait_for_selector("#monitor-chart[data-rendered='1'] canvas", timeout=5000)
    assert not [m for m in console if "Content Security Policy" in m or "Refused" in m], console
    check(bureau, "monitoring")
    assert failures == []
