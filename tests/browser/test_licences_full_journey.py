"""Journey (电子证照, issue 23): a citizen applies for an item whose materials are 居民身份证 and
营业执照 → neither is asked for (both held as valid e-licences) → accepted and approved → the
食品经营许可证 is issued, sealed → 我的证照 shows it → the public verify page says 有效 → the
department 注销 it → the verify page says 已注销."""

import datetime as dt
import io
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _submit(page, selector):
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


@pytest.fixture
def item(food_licence_item):
    """食品经营许可证核发 needing the applicant's 居民身份证 and 营业执照, issuing a 食品经营许可证,
    approved in one step by 市场监管局; the demo licence types and the citizen's 居民身份证."""
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.models import Applicant, User
    from zhengwu.catalog.models import Material
    from zhengwu.cases.services.approval import save_process_definition
    from zhengwu.core.pii import blind_index
    from zhengwu.licenses import demo
    from zhengwu.licenses.models import LicenceType
    from zhengwu.licenses.services import issuing
    from zhengwu.org.models import Department

    demo.load(io.StringIO())
    market = Department.objects.get(short_name="市场监管局")
    citizen = Applicant.objects.get(kind="person", id_number_index=blind_index("id_number", CITIZEN_ID))
    # A 个体工商户 registered as the person: the 营业执照 is the citizen's.
    business = LicenceType.objects.get(name="营业执照")
    issuing.issue_direct(None, business, market, citizen,
                         {"name": "金水区老王小吃店", "uscc": "92410105MA9XKT3Q3P"[:17] + "0",
                          "business_scope": "小吃服务"}, issued_on=dt.date(2024, 3, 1))

    item = food_licence_item(materials=("申请人居民身份证", "营业执照"),
                             results=[{"name": "食品经营许可证", "type": "证照"}])
    version = item.published_version
    for name, type_name in (("申请人居民身份证", "居民身份证"), ("营业执照", "营业执照")):
        lt = LicenceType.objects.get(name=type_name)
        Material.objects.filter(version=version, name=name).update(licence_type=lt, license_type=lt.name)
    version.result_licence_type = LicenceType.objects.get(name="食品经营许可证")
    version.save(update_fields=["result_licence_type"])
    save_process_definition(User.objects.get(username="shixiang"), item, [
        {"id": "market", "name": "食品安全审查", "role": "approver", "department": market.pk, "share": 1.0,
         "actions": ["pass", "reject"]},
    ])
    return item


def test_apply_without_uploads_approve_issue_show_verify_cancel(live_server, browser, item, login, tmp_path):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.cases.models import Case
    from zhengwu.licenses.models import Licence, LicenceUse

    base = live_server.url
    citizen = browser.new_context(locale="zh-CN").new_page()

    # Applying: both licences are called, no upload box is shown.
    login(citizen, base, CITIZEN_ID)
    citizen.goto(f"{base}/cases/apply/{item.pk}/")
    for material, type_name in (("申请人居民身份证", "居民身份证"), ("营业执照", "营业执照")):
        row = citizen.locator(f'[data-material="{material}"]')
        expect(row).to_contain_text(f"已调用电子证照：{type_name}")
        expect(row.locator("input[type=file]")).to_have_count(0)
    citizen.get_by_label("店铺名称").fill("老王小吃")
    _submit(citizen, "#btn-submit")
    case = Case.objects.get(service_item=item)
    assert case.state == "submitted"
    assert sorted(LicenceUse.objects.filter(case=case).values_list("material_name", flat=True)) == \
        ["申请人居民身份证", "营业执照"]

    # Accepted at the window, approved by 市场监管局: the licence is issued with the decision.
    staff = browser.new_context(locale="zh-CN").new_page()
    login(staff, base, "chuangkou")
    staff.goto(f"{base}/workbench/cases/intake/")
    staff.click(f"#open-{case.pk}")
    _submit(staff, "#btn-accept")
    desk = browser.new_context(locale="zh-CN").new_page()
    login(desk, base, "shenpi_sj")
    desk.goto(f"{base}/workbench/cases/inbox/")
    desk.click(f"#open-{case.pk}-market")
    desk.check("#step_market_action_0")
    desk.fill("#step_market_opinion", "符合条件，同意")
    _submit(desk, "#btn-step-market")
    case.refresh_from_db()
    assert case.state == "concluded" and case.outcome == "approved"
    licence = Licence.objects.get(case=case)
    assert licence.type.name == "食品经营许可证" and licence.status == "valid"

    # The licence PDF is sealed: an independent verifier (poppler's pdfsig) accepts it.
    if Path("/usr/bin/pdfsig").exists():
        pdf = tmp_path / "licence.pdf"
        with licence.pdf_file.open("rb") as fh:
            pdf.write_bytes(fh.read())
        out = subprocess.run(["pdfsig", str(pdf)], capture_output=True, text=True).stdout
        assert "Signature is Valid" in out and "Total document signed" in out

    # 我的证照 lists it.
    citizen.goto(f"{base}/licences/mine/")
    expect(citizen.locator("main")).to_contain_text("食品经营许可证")
    expect(citizen.locator("main")).to_contain_text(licence.number)

    # The public verify page (the QR code's address) says 有效.
    anyone = browser.new_context(locale="zh-CN").new_page()
    anyone.goto(f"{base}/licences/verify?id={licence.identifier}")
    expect(anyone.locator("#verify-outcome")).to_have_text("有效")

    # The department cancels it (注销) with a reason; the verify page then says 已注销.
    admin = browser.new_context(locale="zh-CN").new_page()
    login(admin, base, "bumen_sj")
    admin.goto(f"{base}/workbench/licences/{licence.pk}/")
    admin.locator("#end-licence summary").click()
    admin.fill("#end-reason", "经营者申请注销食品经营许可")
    _submit(admin, "#cancel-submit")
    expect(admin.locator("#licence-status")).to_have_text("已注销")
    anyone.goto(f"{base}/licences/verify?id={licence.identifier}")
    expect(anyone.locator("#verify-outcome")).to_have_text("已注销")
