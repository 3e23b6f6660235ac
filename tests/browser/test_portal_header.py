"""The portal's header stays one row on a 1366-pixel laptop for an enterprise: its full name
(郑州金水示范餐饮有限公司) pushed the last menu entry onto a second line. The name is shortened with
an ellipsis, the whole name in its title; on a phone the menu still opens and shows it."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPANY = "郑州金水示范餐饮有限公司"


def _one_row(page) -> bool:
    """The brand, the menu's entries and the account controls all on one line (their middles
    within a few pixels of each other)."""
    middles = page.evaluate("""() => [...document.querySelectorAll(
        '.navbar-brand, #portalNav .nav-item, #portalNav #current-user, #portalNav .btn')]
        .map(e => e.getBoundingClientRect().top + e.getBoundingClientRect().height / 2)""")
    return len(middles) > 10 and max(middles) - min(middles) < 8


def test_enterprise_header_is_one_row_at_1366_and_works_at_375(live_server, browser, demo_people, login):
    from zhengwu.accounts.demo import ENTERPRISE_USCC

    wide = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 768}).new_page()
    wide.goto(f"{live_server.url}/")
    anonymous_height = wide.locator("nav[aria-label=主导航]").bounding_box()["height"]
    login(wide, live_server.url, ENTERPRISE_USCC)
    wide.goto(f"{live_server.url}/")
    assert _one_row(wide)
    assert wide.locator("nav[aria-label=主导航]").bounding_box()["height"] == anonymous_height
    assert wide.locator("#nav-ratings").is_visible()  # the last entry, on the same row
    expect(wide.locator("#current-user")).to_have_attribute("title", COMPANY)  # the whole name on hover

    phone = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 812}).new_page()
    login(phone, live_server.url, ENTERPRISE_USCC)
    phone.goto(f"{live_server.url}/")
    assert phone.locator("nav[aria-label=主导航]").bounding_box()["height"] < 80  # the menu folded away
    phone.locator(".navbar-toggler").click()
    expect(phone.locator("#nav-ratings")).to_be_visible()
    expect(phone.locator("#current-user")).to_be_visible()
    expect(phone.locator("#current-user")).to_have_text(COMPANY)
    box = phone.locator("#current-user").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 375  # inside the screen
