"""Browser (Playwright, system Chromium): a citizen books a 预约 on the portal, sees the code and the
QR code, finds it under 我的预约 and cancels it; a phone-sized screen shows the same pages."""

import os

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("ZHENGWU_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": ARGS}


def test_citizen_books_and_cancels(live_server, browser):
    import io

    from zhengwu.accounts.backends import login_username
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.org.demo import DEMO_PASSWORD
    from zhengwu.org.demo import load as load_org
    from zhengwu.queueing.demo import load as load_hall
    from zhengwu.queueing.models import Appointment, BusinessType, Slot

    load_org(io.StringIO())
    load_accounts(io.StringIO())
    load_hall(io.StringIO())
    bt = BusinessType.objects.get(prefix="A", hall__name="金水区政务服务中心")
    assert Slot.objects.filter(business_type=bt).exists()
    base = live_server.url
    page = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()  # a phone
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", CITIZEN_ID)
    page.fill("input[name=password]", DEMO_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.click("#login-submit")
    page.goto(f"{base}/yuyue/")
    with page.expect_navigation(wait_until="load"):
        page.click("a[data-bt=A]")
    expect(page.locator("#slots")).to_contain_text("余号")
    with page.expect_navigation(wait_until="load"):
        page.locator("#slots button[data-slot]").first.click()
    code = page.locator("#booking-code").inner_text().strip()
    assert Appointment.objects.get(code=code).user.username == login_username(CITIZEN_ID)
    expect(page.locator("#booking-qr svg")).to_be_visible()
    page.goto(f"{base}/yuyue/mine/")
    expect(page.locator("#booking-list")).to_contain_text(code)
    with page.expect_navigation(wait_until="load"):
        page.click(f"button[data-cancel='{code}']")
    expect(page.locator("body")).to_contain_text(f"已取消预约 {code}")
    assert Appointment.objects.get(code=code).status == "cancelled"
