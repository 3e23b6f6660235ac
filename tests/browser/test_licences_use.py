"""Journey (免提交): the demo enterprise applies for an item needing 营业执照; it holds a valid
营业执照, so the form says the licence is called instead of showing an upload box, and the
application goes in without it."""

import datetime as dt

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_enterprise_applies_and_the_licence_replaces_the_upload(live_server, browser, food_licence_item, login):
    from django.utils import timezone

    from tests.licenses import use_factories as uf
    from zhengwu.accounts.demo import ENTERPRISE_USCC
    from zhengwu.accounts.models import Applicant
    from zhengwu.catalog.models import Material
    from zhengwu.cases.models import Case
    from zhengwu.licenses.models import LicenceUse
    from zhengwu.org.models import Department

    item = food_licence_item(materials=("食品经营许可申请书", "营业执照"))
    market = Department.objects.get(short_name="市场监管局")
    lt = uf.licence_type("营业执照", "legal")
    Material.objects.filter(version=item.published_version, name="营业执照").update(licence_type=lt,
                                                                                  license_type=lt.name)
    until = timezone.localdate() + dt.timedelta(days=365)
    uf.licence(lt, issuer=market, applicant=Applicant.objects.get(uscc=ENTERPRISE_USCC), valid_until=until)

    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, base, ENTERPRISE_USCC)
    page.goto(f"{base}/cases/apply/{item.pk}/")
    licence_row = page.locator('[data-material="营业执照"]')
    assert f"已调用电子证照：营业执照（有效期至{until:%Y年%m月%d日}）" in licence_row.inner_text()
    assert licence_row.locator("input[type=file]").count() == 0
    page.get_by_label("店铺名称").fill("金水示范餐厅")
    page.locator('[data-material="食品经营许可申请书"] input[type=file]').set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with page.expect_navigation(wait_until="load"):
        page.click("#btn-submit")
    case = Case.objects.get(service_item=item)
    assert case.state == "submitted" and case.number in page.content()
    assert LicenceUse.objects.get(case=case).material_name == "营业执照"
