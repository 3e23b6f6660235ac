"""Journey (电子证照, issue 23): the 市场监管局's department administrator finds the demo
enterprise's 营业执照 in the licence list (holder shown, its licence number), opens it, is refused
a reason too short, then 吊销 it with a reason: the page shows 已吊销, the reason and the event."""

import io

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_revokes_a_licence_from_its_page(live_server, browser, demo_people, login):
    from zhengwu.licenses import demo
    from zhengwu.licenses.models import Licence

    demo.load(io.StringIO())
    licence = Licence.objects.get(type__name="营业执照")
    base = live_server.url

    page = browser.new_context(locale="zh-CN").new_page()
    login(page, base, "bumen_sj")
    page.goto(f"{base}/workbench/")
    page.get_by_role("button", name="电子证照", exact=True).click()  # the navbar's group (菜单分组)
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="电子证照", exact=True).first.click()
    expect(page.locator("#licence-table")).to_contain_text("郑州金水示范餐饮有限公司")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=licence.number).click()
    expect(page.locator("#licence-status")).to_have_text("有效")
    expect(page.locator("#licence-identifier")).to_have_text(licence.identifier)

    page.locator("#end-licence summary").click()
    page.fill("#end-reason", "违法")
    with page.expect_navigation(wait_until="load"):
        page.click("#revoke-submit")
    expect(page.locator("#licence-errors")).to_contain_text("吊销原因不能少于4个字")
    expect(page.locator("#licence-status")).to_have_text("有效")

    page.fill("#end-reason", "未经许可从事经营活动，情节严重，依法吊销")
    with page.expect_navigation(wait_until="load"):
        page.click("#revoke-submit")
    expect(page.locator("#licence-status")).to_have_text("已吊销")
    expect(page.locator("#licence-status-reason")).to_contain_text("依法吊销")
    expect(page.locator("#licence-events")).to_contain_text("吊销")
    expect(page.locator("#end-licence")).to_have_count(0)
    licence.refresh_from_db()
    assert licence.status == "revoked"
