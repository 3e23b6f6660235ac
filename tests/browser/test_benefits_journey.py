"""Journey (免申即享, issue 29): a 事项管理员 writes a policy with the rules editor, publishes it and
starts 资格比对; the worker runs it; the list shows the demo citizen masked with the rules that
matched; the citizen finds it under 我可享受的政策, reads why, and confirms with one tap."""

import io

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _axe(page, failures: list, where: str) -> None:
    for v in Axe().run(page, options=WCAG_AA).response["violations"]:
        failures += [f"{where}: {v['id']} {n['target']}" for n in v["nodes"]]


def test_policy_to_one_tap_confirmation(live_server, browser, demo_people, login):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.benefits.services import runs
    from zhengwu.datashare import demo_registries
    from zhengwu.org.models import Department

    demo_registries.load(io.StringIO())  # 张小民 in the 人口库
    hr = Department.objects.get(short_name="人社局")
    base = live_server.url
    a11y: list[str] = []

    staff = browser.new_context(locale="zh-CN").new_page()
    login(staff, base, "shixiang")
    staff.goto(f"{base}/workbench/")
    with staff.expect_navigation(wait_until="load"):
        staff.get_by_role("link", name="政策管理").first.click()
    with staff.expect_navigation(wait_until="load"):
        staff.click("#policy-new")
    staff.fill("#name", "青年就业补贴")
    staff.select_option("#department", str(hr.pk))
    staff.fill("#amount_text", "每月300元")
    staff.select_option("select[name=cond-0-what]", "age:between")
    staff.fill("input[name=cond-0-value]", "18")
    staff.fill("input[name=cond-0-value2]", "40")
    staff.select_option("select[name=cond-1-what]", "region:prefix")
    staff.fill("input[name=cond-1-value]", "410105")
    _axe(staff, a11y, "新增政策")
    with staff.expect_navigation(wait_until="load"):
        staff.click("#policy-save")
    expect(staff.locator("#policy-rules")).to_contain_text("年龄介于 18–40 周岁")
    with staff.expect_navigation(wait_until="load"):
        staff.click("#policy-publish")
    with staff.expect_navigation(wait_until="load"):
        staff.click("#policy-run")
    expect(staff.locator("#run-table")).to_contain_text("排队中")
    runs.run_queued()  # the worker's job
    staff.reload()
    expect(staff.locator("#run-table")).to_contain_text("已完成")
    expect(staff.locator("#entitlement-table")).to_contain_text("张**")
    expect(staff.locator("#entitlement-table")).not_to_contain_text("张小民")
    expect(staff.locator("#count-pending")).to_have_text("1")
    _axe(staff, a11y, "政策详情")

    citizen = browser.new_context(locale="zh-CN").new_page()
    login(citizen, base, CITIZEN_ID)
    with citizen.expect_navigation(wait_until="load"):
        citizen.click("#nav-my-benefits")
    expect(citizen.locator("#my-benefits")).to_contain_text("青年就业补贴")
    expect(citizen.locator(".benefit-why")).to_contain_text("年龄介于 18–40 周岁：您的信息为")
    _axe(citizen, a11y, "我可享受的政策")
    with citizen.expect_navigation(wait_until="load"):
        citizen.click(".benefit-confirm")
    expect(citizen.locator(".benefit-state")).to_have_text("已确认")
    expect(citizen.locator(".benefit-confirm")).to_have_count(0)
    staff.reload()
    expect(staff.locator("#count-confirmed")).to_have_text("1")
    assert a11y == []
