"""Journey (好差评): a citizen rates a window service on the tablet with a 差评 → the department
verifies, rectifies and calls back → the leader's figures page shows the 差评 and its 整改."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tablet_bad_rating_is_rectified_and_figures_change(live_server, browser, demo_people, login):
    base = live_server.url
    leader = browser.new_context(locale="zh-CN").new_page()
    login(leader, base, "lingdao")
    leader.goto(f"{base}/workbench/ratings/figures/?by=department")
    expect(leader.locator("#figures-table")).to_contain_text("该期间暂无评价")

    # The window binds its tablet to A01; after the service the citizen rates it (差评).
    tablet = browser.new_context(locale="zh-CN").new_page()
    login(tablet, base, "chuangkou")
    tablet.goto(f"{base}/workbench/ratings/tablet/")
    tablet.click("#tablet-bind")
    expect(tablet.locator("#tablet-serve")).to_be_visible()
    tablet.select_option("#department", label="市场监管局")
    tablet.click("#tablet-serve")
    expect(tablet.locator("#rate-submit")).to_be_visible()
    expect(tablet.locator("#visit-qr svg")).to_be_visible()
    tablet.click("label[for=level-2]")
    for dim, score in (("overall", "2"), ("efficiency", "2"), ("skill", "3"), ("attitude", "1")):
        tablet.select_option(f"#dim-{dim}", score)
    tablet.click("label[for=tag-b3]")  # 服务态度差 (rules.BAD_PROBLEMS["window"][2])
    tablet.fill("#comment", "窗口人员说话不耐烦")
    tablet.fill("#phone", "13900005555")
    tablet.click("#rate-submit")
    expect(tablet.locator("#tablet-thanks")).to_contain_text("感谢您的评价")
    expect(tablet.locator("#tablet-thanks")).to_contain_text("转交责任部门")
    expect(tablet.locator("#tablet-serve")).to_be_visible()  # reset for the next citizen

    leader.reload()
    expect(leader.locator("#figures-table")).to_contain_text("郑州市金水区市场监督管理局")
    expect(leader.locator("#figures-total")).to_contain_text("0.0%")  # 差评整改率 0 %

    # The department verifies → rectifies → calls back.
    desk = browser.new_context(locale="zh-CN").new_page()
    login(desk, base, "bumen_sj")
    desk.goto(f"{base}/workbench/ratings/rectifications/")
    expect(desk.locator("#rect-table")).to_contain_text("窗口人员说话不耐烦")
    desk.locator(".rect-link").first.click()
    expect(desk.locator("#rect-state")).to_contain_text("待核实")
    expect(desk.locator("#rater-phone")).to_contain_text("139****5555")
    desk.fill("#reason", "经调阅录像，情况属实")
    desk.click("#verify-submit")
    expect(desk.locator("#rect-state")).to_contain_text("整改中")
    desk.fill("#measures", "对窗口人员批评教育，组织文明服务培训")
    desk.click("#rectify-submit")
    expect(desk.locator("#rect-state")).to_contain_text("待回访")
    desk.click("#reveal-phone")
    expect(desk.locator("#rater-phone")).to_contain_text("13900005555")
    desk.check("#reached-yes")
    desk.check("#satisfied-yes")
    desk.fill("#note", "评价人对整改表示满意")
    desk.click("#callback-submit")
    expect(desk.locator("#rect-state")).to_contain_text("已办结")
    expect(desk.locator("#rect-history")).to_contain_text("回访满意")

    # The figures change: one 差评, rectified and called back.
    leader.reload()
    total = leader.locator("#figures-total")
    expect(total).to_contain_text("100.0%")
    expect(leader.locator("#definitions")).to_contain_text("非常满意 + 满意 + 基本满意")
