"""Journey (资源目录): the 市场监管局's 部门管理员 registers an open resource with its 信息项 and
submits it; the 数据管理员 publishes it; it appears on the 开放数据 page."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page, selector):
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def test_department_registers_data_admin_publishes(live_server, browser, demo_people, login):
    base = live_server.url
    dept = browser.new_context(locale="zh-CN").new_page()
    login(dept, base, "bumen_sj")
    dept.goto(f"{base}/workbench/data/resources/")
    _submit(dept, "#resource-new")
    dept.fill("#f-code", "201001/000009")
    dept.fill("#f-name", "个体工商户登记统计")
    dept.fill("#f-summary", "按行业统计的个体工商户登记数量")
    dept.select_option("#f-share", "unconditional")
    dept.select_option("#f-open", "open")
    dept.fill("#f-cycle", "每月")
    dept.fill("#f-format", "XLSX")
    rows = dept.locator("#fields-table tbody tr")
    rows.nth(0).locator("input[name=field_key]").fill("industry")
    rows.nth(0).locator("input[name=field_name]").fill("行业")
    rows.nth(1).locator("input[name=field_key]").fill("count")
    rows.nth(1).locator("input[name=field_name]").fill("登记数量")
    rows.nth(1).locator("select[name=field_type]").select_option("数值型")
    _submit(dept, "#resource-save")
    expect(dept.locator("#resource-status")).to_have_text("草稿")
    expect(dept.locator("#fields-table")).to_contain_text("登记数量")
    expect(dept.locator("#action-approve")).to_have_count(0)
    _submit(dept, "#action-submit")
    expect(dept.locator("#resource-status")).to_have_text("待审核")
    url = dept.url

    admin = browser.new_context(locale="zh-CN").new_page()
    login(admin, base, "shuju")
    expect(admin.locator("body")).to_contain_text("资源目录")
    admin.goto(url)
    _submit(admin, "#action-approve")
    expect(admin.locator("#resource-status")).to_have_text("已发布")
    expect(admin.locator("#resource-version")).to_contain_text("v1")

    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{base}/open-data/")
    expect(public.locator("#open-list")).to_contain_text("个体工商户登记统计")


def test_catalogue_pages_have_no_wcag_aa_violation(live_server, browser, demo_people, login):
    import io

    from axe_playwright_python.sync_playwright import Axe

    from zhengwu.datashare import demo
    from zhengwu.datashare.models import DataResource

    demo.load(io.StringIO())
    wcag_aa = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    axe, failures = Axe(), []
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, base, "shuju")
    open_one = DataResource.objects.get(code="101002/000001")
    for path in ("/workbench/data/resources/", "/workbench/data/resources/new/",
                 f"/workbench/data/resources/{open_one.pk}/", "/workbench/data/resources/import/",
                 "/workbench/data/lists/needs/", "/workbench/data/lists/duties/", "/workbench/data/lists/negative/",
                 "/workbench/data/lists/unanswered/", "/workbench/data/systems/", "/workbench/data/systems/new/",
                 "/open-data/", f"/open-data/{open_one.pk}/"):
        response = page.goto(base + path, wait_until="load")
        assert response.status == 200, path
        for v in axe.run(page, options=wcag_aa).response["violations"]:
            failures += [f"{path}: {v['id']} {n['target']}" for n in v["nodes"]]
    assert not failures, "\n".join(failures)
