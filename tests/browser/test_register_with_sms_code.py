"""Journey: a citizen registers with a verified phone — 获取验证码 (in place, by sms-code.js), reads the
code from the SMS outbox (the local gateway; the test reads it as the person reads their phone),
submits, and is logged in. Then the same without JavaScript: the button posts the form."""

import pytest
from playwright.sync_api import expect

from tests.helpers import last_sms_code
from zhengwu.core.identifiers import make_id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PW = "Good#Pass2026"


def fill(page, name, number, phone):
    page.fill("#id_name", name)
    page.fill("#id_id_number", number)
    page.fill("#id_password", PW)
    page.fill("#id_password2", PW)
    page.fill("#id_phone", phone)


def test_register_with_sms_code(live_server, page):
    from zhengwu.accounts.models import Applicant

    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/register/person/")
    fill(page, "张验证", make_id_number("41010519900307123"), "13803710001")
    page.click("#sms-code-send")
    expect(page.locator("#sms-code-status")).to_contain_text("验证码已发送至138****0001")
    expect(page.locator("#sms-code-send")).to_be_disabled()  # counting down 60 s
    expect(page.locator("#sms-code-send")).to_contain_text("秒后可重新获取")
    code = last_sms_code("13803710001")
    page.fill("#id_sms_code", "000000" if code != "000000" else "111111")
    page.click("button:has-text('注册')")
    expect(page.locator("#id_sms_code_error")).to_contain_text("验证码不正确")
    # the page came back: passwords are typed again, the code is the right one now
    page.fill("#id_password", PW)
    page.fill("#id_password2", PW)
    page.fill("#id_sms_code", code)
    with page.expect_navigation(wait_until="load"):
        page.press("#id_sms_code", "Enter")  # Enter registers (not 获取验证码)
    expect(page.locator("#current-user")).to_contain_text("张验证")
    expect(page.locator("body")).to_contain_text("注册成功")
    assert Applicant.objects.get().name == "张验证"
    assert not errors


def test_register_without_javascript(live_server, browser):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/register/person/")
    fill(page, "李无脚", make_id_number("41010519850612234"), "13803710002")
    with page.expect_navigation():
        page.click("#sms-code-send")
    expect(page.locator("body")).to_contain_text("验证码已发送至138****0002")
    expect(page.locator("#id_name")).to_have_value("李无脚")
    page.fill("#id_password", PW)
    page.fill("#id_password2", PW)
    page.fill("#id_sms_code", last_sms_code("13803710002"))
    with page.expect_navigation():
        page.click("button:has-text('注册')")
    expect(page.locator("#current-user")).to_contain_text("李无脚")
    context.close()
