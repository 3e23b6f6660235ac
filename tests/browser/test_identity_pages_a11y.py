"""WCAG 2.1 AA (axe) on the identity pages: registration with 获取验证码, 账户与安全, 企业经办人管理,
绑定动态口令 — and the enterprise agent journey in a browser: the enterprise adds an agent, the
agent switches to 以企业身份办事 and sees it in the navbar."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_a11y import Checker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_identity_pages_have_no_wcag_aa_violation(live_server, browser, demo_people, login):
    from zhengwu.accounts.demo import CITIZEN_ID, ENTERPRISE_USCC

    base = live_server.url
    axe = Checker()
    anonymous = browser.new_context(locale="zh-CN").new_page()
    axe.visit(anonymous, base, "/accounts/register/person/")
    axe.visit(anonymous, base, "/accounts/register/legal/")

    enterprise = browser.new_context(locale="zh-CN").new_page()
    login(enterprise, base, ENTERPRISE_USCC)
    axe.visit(enterprise, base, "/accounts/agents/")
    enterprise.fill("#id_name", "张小民")
    enterprise.fill("#id_id_number", CITIZEN_ID)
    with enterprise.expect_navigation(wait_until="load"):
        enterprise.click("#agent-add-submit")
    expect(enterprise.locator("main")).to_contain_text("已添加经办人张小民")
    axe.check(enterprise, "/accounts/agents/ with an agent")

    citizen = browser.new_context(locale="zh-CN").new_page()
    login(citizen, base, CITIZEN_ID)
    axe.visit(citizen, base, "/accounts/security/")
    with citizen.expect_navigation(wait_until="load"):
        citizen.locator("[id^=act-for-]").click()
    expect(citizen.locator("#current-user")).to_contain_text("代“郑州金水示范餐饮有限公司”办事")

    window = browser.new_context(locale="zh-CN").new_page()
    login(window, base, "chuangkou")
    axe.visit(window, base, "/accounts/otp/setup/")
    expect(window.locator("#otp-qr svg")).to_be_visible()
    assert not axe.failures, f"{len(axe.failures)} WCAG 2.1 AA violations:\n" + "\n".join(axe.failures)
