"""The guide's 申请办理 for a signed-in applicant of a kind the item does not serve: the reason
(服务对象) in place of a button that would lead to a refusal; anonymous visitors and applicants of
the right kind keep the button, and the cached guide never carries one visitor's note to another."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):
    from zhengwu.org.demo import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.click("#login-submit")


def test_enterprise_is_told_why_a_citizens_item_is_not_for_it(live_server, browser, food_licence_item):
    from zhengwu.accounts.demo import CITIZEN_ID, ENTERPRISE_USCC

    item = food_licence_item(service_object="person")
    base, url = live_server.url, f"{live_server.url}/items/{item.pk}/"

    anonymous = browser.new_context().new_page()
    anonymous.goto(url)  # fills the anonymous page cache and the guide body cache
    expect(anonymous.locator("#apply-online")).to_be_visible()

    company = browser.new_context().new_page()
    _login(company, base, ENTERPRISE_USCC)
    company.goto(url)
    expect(company.locator("#apply-refused")).to_have_text(
        "“食品经营许可证核发”的服务对象为个人（自然人），企业或其他组织（法人）不能申请")
    expect(company.locator("#apply-online")).to_have_count(0)
    expect(company.locator("#print-guide")).to_be_visible()

    citizen = browser.new_context().new_page()
    _login(citizen, base, CITIZEN_ID)
    citizen.goto(url)
    expect(citizen.locator("#apply-online")).to_be_visible()
    expect(citizen.locator("#apply-refused")).to_have_count(0)

    anonymous.reload()  # the enterprise's note stayed with the enterprise
    expect(anonymous.locator("#apply-online")).to_be_visible()
    expect(anonymous.locator("#apply-refused")).to_have_count(0)
