"""Journey (电子证照, issue 23): a citizen opens 我的证照, clicks 亮证 and reads the code to a clerk;
the clerk types it on the workbench and sees the licence once; the 亮证记录 shows who viewed it;
anyone checking the licence's identifier on the public verification page reads 有效."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _axe(page, failures: list, where: str) -> None:
    for v in Axe().run(page, options=WCAG_AA).response["violations"]:
        failures += [f"{where}: {v['id']} {n['target']}" for n in v["nodes"]]


def test_holder_shows_a_licence_and_a_clerk_sees_it(live_server, browser, demo_people, login):
    from tests.licenses import factories as f
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.org.models import Department

    market = Department.objects.get(short_name="市场监管局")
    ltype = f.licence_type(market, name="食品经营许可证")
    lic = f.licence(ltype, market, holder_name="张小民", holder_id_number=CITIZEN_ID, number="JY14101050099999")
    base = live_server.url
    a11y: list[str] = []

    citizen = browser.new_context(locale="zh-CN").new_page()
    citizen.clock.install()  # the page's clock, to let the 亮证码 run out below
    login(citizen, base, CITIZEN_ID)
    citizen.click("#nav-my-licences")
    expect(citizen.locator("#my-licences")).to_contain_text("JY14101050099999")
    _axe(citizen, a11y, "我的证照")
    with citizen.expect_navigation(wait_until="load"):
        citizen.locator(".licence-row").first.click()
    expect(citizen.locator("#licence-status")).to_have_text("有效")
    _axe(citizen, a11y, "证照详情")
    with citizen.expect_navigation(wait_until="load"):
        citizen.click("#show-button")
    expect(citizen.locator("#show-qr svg")).to_be_visible()
    code = citizen.locator("#show-code").inner_text().strip()
    assert len(code.replace("-", "")) == 8
    expect(citizen.locator("#show-expired")).to_be_hidden()
    _axe(citizen, a11y, "亮证")

    clerk = browser.new_context(locale="zh-CN").new_page()
    login(clerk, base, "chuangkou")
    clerk.goto(f"{base}/workbench/")
    with clerk.expect_navigation(wait_until="load"):
        clerk.get_by_role("link", name="亮证核验").first.click()
    clerk.fill("#code", code)
    with clerk.expect_navigation(wait_until="load"):
        clerk.click("#show-check-submit")
    expect(clerk.locator("#shown-holder")).to_have_text("张小民")
    expect(clerk.locator("#shown-number")).to_have_text("JY14101050099999")
    expect(clerk.locator("#shown-status")).to_have_text("有效")
    _axe(clerk, a11y, "亮证核验")
    clerk.fill("#code", code)  # a second time: refused
    with clerk.expect_navigation(wait_until="load"):
        clerk.click("#show-check-submit")
    expect(clerk.locator("#show-errors")).to_contain_text("已使用")
    expect(clerk.locator("#shown-licence")).to_have_count(0)

    # A minute later the page no longer shows a dead code: it says so and offers a new one.
    citizen.clock.fast_forward("01:01")
    expect(citizen.locator("#show-code")).to_be_hidden()
    expect(citizen.locator("#show-expired")).to_contain_text("亮证码已过期")
    with citizen.expect_navigation(wait_until="load"):
        citizen.click("#show-again")
    expect(citizen.locator("#show-code")).to_be_visible()
    assert citizen.locator("#show-code").inner_text().strip() != code

    citizen.goto(f"{base}/licences/mine/{lic.pk}/")
    expect(citizen.locator("#licence-shows")).to_contain_text("王窗口")

    anyone = browser.new_context(locale="zh-CN").new_page()
    anyone.goto(f"{base}/licences/verify")
    anyone.fill("#q", lic.identifier)
    with anyone.expect_navigation(wait_until="load"):
        anyone.click("#verify-submit")
    expect(anyone.locator("#verify-outcome")).to_have_text("有效")
    expect(anyone.locator(".verify-result")).to_contain_text("张**")
    expect(anyone.locator(".verify-result")).not_to_contain_text("张小民")
    _axe(anyone, a11y, "电子证照验证")
    assert a11y == []
