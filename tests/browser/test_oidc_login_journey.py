"""Journey (统一身份认证): a citizen clicks 统一身份认证登录 on the login page, logs in at the real local
provider (devtools/idp over HTTP), comes back logged in and applies for an item that needs 实名等级
L2; a citizen at L1 is told to raise the level instead."""

import pytest

from tests.accounts.idp_server import IDP_PASSWORD, idp_server  # noqa: F401 - the fixture
from tests.browser.journey import new_page, no_csp, submit

# One worker starts the local identity provider (a session fixture) for this and test_oidc_flow.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.xdist_group("idp_server")]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def l2_item(food_licence_item):
    item = food_licence_item(materials=("食品经营许可申请书",))
    item.min_real_name_level = "L2"
    item.save()
    return item


def _provider_login(page, base, username):
    page.goto(f"{base}/accounts/login/")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="统一身份认证登录").click()
    assert page.url.startswith("http://127.0.0.1:") and "/login/" in page.url  # at the provider
    page.fill("#id_username", username)
    page.fill("#id_password", IDP_PASSWORD)
    with page.expect_navigation(wait_until="load"):
        page.click("#idp-submit")
    page.wait_for_url(f"{base}/**")


def test_oidc_login_then_apply_for_an_l2_item(live_server, browser, settings, idp_server, l2_item):  # noqa: F811
    from zhengwu.cases.models import Case

    base = live_server.url
    idp_server.allow(base)
    settings.ZHENGWU_OIDC_PROVIDERS = idp_server.providers()

    # 张小民 (the demo citizen, registered with a password) comes in through 统一身份认证: linked by 身份证号.
    page = new_page(browser)
    _provider_login(page, base, "zhangxiaomin")
    assert page.locator("#current-user").inner_text() == "张小民"
    page.goto(f"{base}/cases/apply/{l2_item.pk}/")
    assert page.locator("#real-name-short").count() == 0
    assert "来自实名认证信息" in page.locator("#applicant-info").inner_text()
    page.get_by_label("店铺名称").fill("老王小吃")
    page.locator('[data-material="食品经营许可申请书"] input[type=file]').set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    submit(page, "#btn-submit")
    case = Case.objects.get(service_item=l2_item)
    assert case.state == "submitted" and case.applicant.name == "张小民"
    no_csp(page)
    page.goto(f"{base}/accounts/security/")
    assert "L2" in page.locator("#current-level").inner_text()

    # 李手机 is only L1 at the provider: a new account, told to raise the level, cannot apply.
    other = new_page(browser)
    _provider_login(other, base, "lishouji")
    assert other.locator("#current-user").inner_text() == "李手机"
    other.goto(f"{base}/cases/apply/{l2_item.pk}/")
    notice = other.locator("#real-name-short").inner_text()
    assert "L2" in notice and "L1" in notice
    other.get_by_label("店铺名称").fill("李记")
    other.locator('[data-material="食品经营许可申请书"] input[type=file]').set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    submit(other, "#btn-submit")
    assert "实名等级不足" in other.content()
    assert Case.objects.filter(service_item=l2_item).count() == 1
    no_csp(other)
