"""Browser (Playwright, system Chromium): a citizen books a 预约 on the portal, sees the code and the
QR code, finds it under 我的预约 and cancels it after a confirmation page; a phone-sized screen
shows the same pages."""

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
    expect(page.locator("h1")).to_have_text("预约成功")  # not "预约已预约"
    assert Appointment.objects.get(code=code).user.username == login_username(CITIZEN_ID)
    expect(page.locator("#booking-qr svg")).to_be_visible()
    page.goto(f"{base}/yuyue/mine/")
    expect(page.locator("#booking-list")).to_contain_text(code)
    # 取消预约 asks first (like 撤回申请); backing out keeps the booking
    with page.expect_navigation(wait_until="load"):
        page.click(f"[data-cancel='{code}']")
    expect(page.locator("#cancel-confirm")).to_contain_text(code)
    assert Appointment.objects.get(code=code).status == "booked"
    with page.expect_navigation(wait_until="load"):
        page.click("#cancel-back")
    expect(page.locator("#booking-list")).to_contain_text(code)
    assert Appointment.objects.get(code=code).status == "booked"
    with page.expect_navigation(wait_until="load"):
        page.click(f"[data-cancel='{code}']")
    with page.expect_navigation(wait_until="load"):
        page.click("#confirm-cancel")
    expect(page.locator("body")).to_contain_text(f"已取消预约 {code}")
    assert Appointment.objects.get(code=code).status == "cancelled"


WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def test_hall_and_booking_pages_pass_axe(live_server, browser):
    import io

    from axe_playwright_python.sync_playwright import Axe

    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.org.demo import DEMO_PASSWORD
    from zhengwu.org.demo import load as load_org
    from zhengwu.org.models import Hall
    from zhengwu.queueing.demo import load as load_hall
    from zhengwu.queueing.models import BusinessType, Slot
    from zhengwu.queueing.services import booking

    load_org(io.StringIO())
    load_accounts(io.StringIO())
    load_hall(io.StringIO())
    hall = Hall.objects.get(name="金水区政务服务中心")
    bt = BusinessType.objects.get(hall=hall, prefix="A")
    base, axe, failures = live_server.url, Axe(), []

    def visit(page, path):
        assert page.goto(base + path, wait_until="load").status == 200, path
        for v in axe.run(page, options=WCAG_AA).response["violations"]:
            failures.extend(f"{path}: {v['id']} {n['target']}" for n in v["nodes"])

    def log_in(username):
        page = browser.new_context(locale="zh-CN").new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        with page.expect_navigation(wait_until="load"):
            page.click("#login-submit")
        return page

    citizen = log_in(CITIZEN_ID)
    from zhengwu.accounts.backends import login_username
    from zhengwu.accounts.models import User

    slot = Slot.objects.filter(business_type=bt, booked__lt=10).order_by("-date").first()
    appt = booking.book(user=User.objects.get(username=login_username(CITIZEN_ID)), slot=slot)
    for path in ("/yuyue/", f"/yuyue/types/{bt.pk}/", "/yuyue/mine/", f"/yuyue/mine/{appt.code}/",
                 f"/yuyue/mine/{appt.code}/cancel/"):
        visit(citizen, path)
    staff = log_in("duban")
    for path in ("/workbench/halls/", f"/workbench/halls/{hall.pk}/", f"/workbench/halls/{hall.pk}/roster/",
                 f"/workbench/halls/{hall.pk}/window/new/", f"/workbench/halls/{hall.pk}/btype/new/",
                 f"/workbench/halls/{hall.pk}/rules/"):
        visit(staff, path)
    assert failures == []
