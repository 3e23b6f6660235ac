"""Journey: a staff member logs in and sees the workbench home page."""

import io
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_sees_workbench(live_server, page):
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.org.demo import DEMO_PASSWORD
    from zhengwu.org.demo import load as load_org

    load_org(io.StringIO())
    load_accounts(io.StringIO())
    page.goto(f"{live_server.url}/accounts/login/")
    assert "登录" in page.title()
    page.fill("input[name=username]", "chuangkou")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(f"{live_server.url}/workbench/")
    assert page.locator("h1").inner_text() == "工作台首页"
    assert "窗口人员" in page.locator("#my-grants").inner_text()
    assert "A01窗口" in page.locator("#my-grants").inner_text()
    # The large-font mode persists across pages.
    page.click("#font-toggle")
    expect(page.locator("html")).to_have_class(re.compile(r"\bzw-large\b"))
    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_class(re.compile(r"\bzw-large\b"))


def test_wrong_password_shows_chinese_message(live_server, page):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "nobody")
    page.fill("input[name=password]", "wrong")
    page.click("#login-submit")
    expect(page.locator("body")).to_contain_text("账号或密码不正确")
