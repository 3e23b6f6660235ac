"""Journey (数据共享, issue 24): the 公安分局's 审批人员 asks for the 市场监管局's 有条件共享 resource
(no field is ticked for them, a 不予共享 field cannot be ticked), the 市场监管局's 部门管理员 approves one field less, the
数据管理员 countersigns, and the requester collects the API key — shown once, then never again."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_share_request_to_key_once(live_server, browser, demo_people, login):
    from tests.datashare import sharing_factories as sf
    from zhengwu.accounts import apikeys
    from zhengwu.datashare.models import ShareGrant, ShareRequest
    from zhengwu.org.models import Department

    market = Department.objects.get(short_name="市场监管局")
    res = sf.resource(market, name="市场主体登记信息", share_type="conditional",
                      fields=[("uscc", "统一社会信用代码", ""), ("name", "名称", ""), ("legal_rep", "法定代表人", ""),
                              ("inspection", "内部检查记录", "none")])
    base = live_server.url

    page = browser.new_context(locale="zh-CN").new_page()
    login(page, base, "shenpi_ga")
    page.goto(f"{base}/workbench/")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="共享申请").first.click()
    with page.expect_navigation(wait_until="load"):
        page.click("#new-share-request")
    page.select_option("#resource", str(res.pk))
    with page.expect_navigation(wait_until="load"):
        page.click("#resource-choose")
    expect(page.locator("#field-inspection")).to_be_disabled()
    # 最小必要原则: no field is ticked for the requester, and a request without one is refused.
    expect(page.locator("#share-fields input:checked")).to_have_count(0)
    page.fill("#purpose", "核验企业登记信息，办理治安许可")
    page.fill("#legal_basis", "《政务信息资源共享管理暂行办法》第十条")
    with page.expect_navigation(wait_until="load"):
        page.click("#share-submit")
    expect(page.locator("#share-fields")).to_contain_text("申请信息项：至少选择一项")
    for key in ("uscc", "name", "legal_rep"):
        page.check(f"#field-{key}")
    with page.expect_navigation(wait_until="load"):
        page.click("#share-submit")
    expect(page.locator("#share-state")).to_have_text("待提供方审核")
    req = ShareRequest.objects.get()
    expect(page.locator("#share-number")).to_have_text(req.number)
    assert req.fields_requested == ["uscc", "name", "legal_rep"]

    provider = browser.new_context(locale="zh-CN").new_page()
    login(provider, base, "bumen_sj")
    provider.goto(f"{base}/workbench/data/share-requests/?tab=provider")
    with provider.expect_navigation(wait_until="load"):
        provider.get_by_role("link", name=req.number).click()
    provider.uncheck("#approve-legal_rep")
    with provider.expect_navigation(wait_until="load"):
        provider.click("#approve-submit")
    expect(provider.locator("#share-state")).to_have_text("待管理机构会签")

    bureau = browser.new_context(locale="zh-CN").new_page()
    login(bureau, base, "shuju")
    bureau.goto(f"{base}/workbench/data/share-requests/?tab=countersign")
    with bureau.expect_navigation(wait_until="load"):
        bureau.get_by_role("link", name=req.number).click()
    with bureau.expect_navigation(wait_until="load"):
        bureau.click("#countersign-submit")
    expect(bureau.locator("#share-state")).to_have_text("已批准")
    expect(bureau.locator("#key-collect")).to_have_count(0)  # only the requester collects the key

    page.reload()
    expect(page.locator("#share-state")).to_have_text("已批准")
    expect(page.locator("#fields-approved")).to_contain_text("统一社会信用代码")
    expect(page.locator("#fields-approved")).not_to_contain_text("法定代表人")
    with page.expect_navigation(wait_until="load"):
        page.click("#key-collect-submit")
    secret = page.locator("#key-secret").input_value()
    grant = ShareGrant.objects.get(request=req)
    assert apikeys.check(secret, "data:query") == grant.api_key
    page.goto(f"{base}/workbench/data/share-requests/{req.pk}/")
    expect(page.locator("#key-collected")).to_contain_text("不再显示")
    expect(page.locator("#key-secret")).to_have_count(0)
    assert secret not in page.content()
