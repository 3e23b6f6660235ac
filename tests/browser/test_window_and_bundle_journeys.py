"""Journeys of issue 22 as a person walks them, under the strict CSP:

- an enterprise opens a citizens' item (出生登记) and is told why it may not apply;
- the window clerk files a case for a walk-in citizen with a searchable item picker, accepts it and
  prints the 受理通知书 from the case page;
- a citizen applies choosing 邮寄送达 (the address box appears only then); the clerk's 登记送达
  starts from that choice, and switching to 电子送达 hides the courier fields;
- a citizen answers the 情形 questions of 开办餐饮店一件事 and is not asked for the 营业执照 an item
  of the same application issues; a file chosen in a refused round is kept for the next one;
- after a refused round they answer a question again (重新选择): what they typed and the file still
  asked for stay, the file of the item no longer applied for is dropped.
"""

import re

import pytest
from django.utils import timezone

from tests.browser.journey import PDF
from tests.browser.journey import demo_people as _demo
from tests.browser.journey import log_in as _login
from tests.browser.journey import new_page as _page
from tests.browser.journey import no_csp as _no_csp
from tests.browser.journey import submit as _submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _item(short_name, name, *, service_object="both", promised=10, materials=("申请书",), results=(), schema=None):
    from zhengwu.catalog.models import ItemVersion, Material, ServiceItem
    from zhengwu.catalog.models.items import ItemStatus, VersionState
    from zhengwu.org.models import Department

    dept = Department.objects.get(short_name=short_name)
    item = ServiceItem.objects.create(region=dept.region, department=dept, name=name, item_type="01",
                                      status=ItemStatus.PUBLISHED, promised_days=promised, statutory_days=20,
                                      online_depth=4, visits=0, service_object=service_object)
    version = ItemVersion.objects.create(
        service_item=item, number=1, state=VersionState.PUBLISHED, name=name, item_type="01",
        service_object=service_object, case_type="committed" if promised else "instant", statutory_days=20,
        promised_days=promised, online_depth=4, channels=["online", "window"], published_at=timezone.now(),
        results=list(results), form_schema=schema or {})
    for seq, m in enumerate(materials, 1):
        Material.objects.create(version=version, seq=seq, name=m, necessity="required")
    item.published_version = version
    item.save()
    return item


def test_enterprise_is_told_why_it_may_not_apply(live_server, browser):
    from zhengwu.accounts.demo import ENTERPRISE_USCC

    _demo()
    birth = _item("公安分局", "出生登记", service_object="person", promised=0)
    page = _page(browser)
    _login(page, live_server.url, ENTERPRISE_USCC)
    response = page.goto(f"{live_server.url}/cases/apply/{birth.pk}/")
    assert response.status == 403
    text = page.locator("#not-for-you").inner_text()
    assert "“出生登记”的服务对象为个人（自然人），企业或其他组织（法人）不能申请" in text
    assert page.locator("#apply-form").count() == 0
    _no_csp(page)


def test_window_files_for_a_walk_in_and_prints_the_acceptance_notice(live_server, browser):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.cases.models import Case

    _demo()
    for n in range(30):  # a long list of items to pick from
        _item("市场监管局", f"示例事项{n:02d}")
    item = _item("市场监管局", "食品经营许可证核发", materials=("食品经营许可申请书",))
    base = live_server.url
    page = _page(browser)
    _login(page, base, "chuangkou")
    page.goto(f"{base}/workbench/cases/file/")
    page.fill("#id_number", CITIZEN_ID)
    _submit(page, "#btn-lookup")
    # The item picker narrows as the clerk types; Enter picks the first match.
    search = page.locator("#id_item-search")
    search.fill("食品经营")
    visible = page.locator("#id_item option:not([hidden])").all_inner_texts()
    assert [t for t in visible if "示例事项" in t] == [] and any("食品经营许可证核发" in t for t in visible)
    search.press("Enter")
    assert page.locator("#id_item").input_value() == str(item.pk)
    _submit(page, "#btn-start")
    page.locator("input[type=file]").first.set_input_files({"name": "申请书.pdf", "mimeType": "application/pdf",
                                                           "buffer": PDF})
    page.click("button[name=op][value=submit]")
    page.wait_for_load_state("load")
    case = Case.objects.get(service_item=item)
    assert case.state == "submitted"
    page.goto(f"{base}/workbench/cases/{case.pk}/")
    assert page.locator("#print-receipt").is_visible()
    assert "版本锁" not in page.content()
    _submit(page, "#btn-accept")
    assert page.locator("#print-acceptance").is_visible() and page.locator("#print-receipt").count() == 0
    href = page.locator("#print-acceptance").get_attribute("href")
    pdf = page.request.get(base + href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    _no_csp(page)


def test_delivery_follows_the_citizens_choice(live_server, browser):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.models import User
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import approval, intake

    _demo()
    item = _item("市场监管局", "食品经营许可证核发", materials=("食品经营许可申请书",))
    base = live_server.url
    citizen = _page(browser)
    _login(citizen, base, CITIZEN_ID)
    citizen.goto(f"{base}/cases/apply/{item.pk}/")
    assert citizen.locator("#delivery-address-box").is_hidden()
    citizen.check("#delivery-mail")
    assert citizen.locator("#delivery-address-box").is_visible()
    citizen.fill("#delivery_address", "河南省郑州市金水区花园路100号3单元201室")
    citizen.locator("[data-material='食品经营许可申请书'] input[type=file]").set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    _submit(citizen, "#btn-submit")
    _no_csp(citizen)
    case = Case.objects.get(service_item=item)
    assert case.delivery_method == "mail"
    clerk_user = User.objects.get(username="chuangkou")
    case = intake.accept(clerk_user, case, case.lock_version)
    approver = User.objects.get(username="shenpi_sj")
    for step in ("review", "decide"):
        case = Case.objects.get(pk=case.pk)
        approval.act_on_step(approver, case, step, "pass", case.lock_version)

    clerk = _page(browser)
    _login(clerk, base, "chuangkou")
    clerk.goto(f"{base}/workbench/cases/{case.pk}/")
    assert clerk.locator("#deliver_method_1").is_checked()  # 邮寄送达, the citizen's choice
    assert clerk.locator("#deliver_address").input_value() == "河南省郑州市金水区花园路100号3单元201室"
    assert clerk.locator("#deliver_carrier").input_value() == ""
    clerk.check("#deliver_method_2")  # 电子送达
    assert clerk.locator("#deliver-mail-fields").is_hidden()
    _submit(clerk, "#btn-deliver")
    _no_csp(clerk)
    citizen.goto(f"{base}/cases/{case.pk}/")
    body = citizen.content()
    assert "电子送达" in body and "EMS" not in body and "运单号" not in body


def test_citizen_answers_the_questions_and_is_not_asked_for_the_licence(live_server, browser):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.cases.models import BundleCase
    from zhengwu.catalog.models import Bundle, BundleItem, BundleOption, BundleQuestion

    _demo()
    licence = _item("市场监管局", "个体工商户设立登记", materials=("个体工商户登记申请书",),
                    results=[{"name": "营业执照（正、副本及电子营业执照）", "type": "证照"}])
    company = _item("市场监管局", "企业设立登记", service_object="legal", materials=("公司登记申请书",),
                    results=[{"name": "营业执照", "type": "证照"}])
    food = _item("市场监管局", "食品经营许可证核发", materials=("食品经营许可申请书", "营业执照"))
    bundle = Bundle.objects.create(region=food.region, name="开办餐饮店一件事", status="published", target="both")
    for seq, (it, optional) in enumerate([(licence, True), (company, True), (food, False)], 1):
        BundleItem.objects.create(bundle=bundle, service_item=it, seq=seq, optional=optional)
    q = BundleQuestion.objects.create(bundle=bundle, seq=1, text="您以什么身份开办餐饮店？")
    person = BundleOption.objects.create(question=q, seq=1, label="个体工商户（个人经营）")
    person.select_items.set([licence])
    person.skip_items.set([company])
    firm = BundleOption.objects.create(question=q, seq=2, label="公司等企业")
    firm.select_items.set([company])
    firm.skip_items.set([licence])

    base = live_server.url
    page = _page(browser)
    _login(page, base, CITIZEN_ID)
    page.goto(f"{base}/cases/bundle/{bundle.pk}/apply/")
    assert page.locator("#apply-form").count() == 0 and page.locator("#scenario-form").is_visible()
    page.check(f"#q_{q.pk}-{person.pk}")
    _submit(page, "#btn-scenario")
    assert page.locator("[data-item='企业设立登记']").get_attribute("data-selected") == "no"
    licence_box = page.locator("[data-material='营业执照']")
    assert licence_box.get_attribute("data-waived") == "yes" and "无需提交" in licence_box.inner_text()
    # One material forgotten: the round is refused, the file chosen is kept (no need to choose it again).
    page.locator("[data-material='个体工商户登记申请书'] input[type=file]").set_input_files(
        {"name": "个体工商户登记申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    _submit(page, "#btn-submit")
    assert "“食品经营许可申请书”是必要材料，请上传" in page.content() and not BundleCase.objects.exists()
    assert page.locator("#bundle-kept").is_visible()
    kept = page.locator("[data-material='个体工商户登记申请书'] .zw-staged")
    assert "已上传：个体工商户登记申请书.pdf" in kept.inner_text() and kept.get_by_label("移除").count() == 1
    page.locator("[data-material='食品经营许可申请书'] input[type=file]").set_input_files(
        {"name": "食品经营许可申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    _submit(page, "#btn-submit")
    bc = BundleCase.objects.get()
    assert sorted(c.service_item.name for c in bc.cases.all()) == ["个体工商户设立登记", "食品经营许可证核发"]
    assert sorted(bc.cases.values_list("materials__original_name", flat=True)) == [
        "个体工商户登记申请书.pdf", "食品经营许可申请书.pdf"]  # each once, in its case
    assert re.search(bc.number, page.content())
    _no_csp(page)


def test_choosing_again_keeps_the_fields_and_files_that_still_apply(live_server, browser):
    from pathlib import Path

    from django.conf import settings

    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.cases.models import BundleCase
    from zhengwu.catalog.models import Bundle, BundleItem, BundleOption, BundleQuestion

    _demo()
    licence = _item("市场监管局", "个体工商户设立登记", materials=("个体工商户登记申请书",),
                    results=[{"name": "营业执照（正、副本及电子营业执照）", "type": "证照"}])
    fire = _item("市场监管局", "公众聚集场所投入使用、营业前消防安全检查", materials=("消防安全检查申报表",))
    food = _item("市场监管局", "食品经营许可证核发", materials=("食品经营许可申请书", "营业执照"), schema={
        "type": "object", "required": ["shop_name"],
        "properties": {"shop_name": {"type": "string", "title": "店铺名称", "maxLength": 50}}})
    bundle = Bundle.objects.create(region=food.region, name="开办餐饮店一件事", status="published", target="both")
    for seq, (it, optional) in enumerate([(licence, True), (fire, True), (food, False)], 1):
        BundleItem.objects.create(bundle=bundle, service_item=it, seq=seq, optional=optional)
    q1 = BundleQuestion.objects.create(bundle=bundle, seq=1, text="您以什么身份开办餐饮店？")
    person = BundleOption.objects.create(question=q1, seq=1, label="个体工商户（个人经营）")
    person.select_items.set([licence])
    q2 = BundleQuestion.objects.create(bundle=bundle, seq=2, text="是否属于公众聚集场所？")
    venue = BundleOption.objects.create(question=q2, seq=1, label="是")
    venue.select_items.set([fire])
    small = BundleOption.objects.create(question=q2, seq=2, label="否")
    small.skip_items.set([fire])
    staged_root = Path(settings.MEDIA_ROOT) / "cases" / "staged"

    def staged() -> set[Path]:
        return {p for p in staged_root.rglob("*") if p.is_file()} if staged_root.exists() else set()

    before = staged()
    base = live_server.url
    page = _page(browser)
    _login(page, base, CITIZEN_ID)
    page.goto(f"{base}/cases/bundle/{bundle.pk}/apply/")
    page.check(f"#q_{q1.pk}-{person.pk}")
    page.check(f"#q_{q2.pk}-{venue.pk}")
    _submit(page, "#btn-scenario")
    page.fill("[data-key='shop_name'] input", "老王小吃")
    for name in ("个体工商户登记申请书", "消防安全检查申报表"):
        page.locator(f"[data-material='{name}'] input[type=file]").set_input_files(
            {"name": f"{name}.pdf", "mimeType": "application/pdf", "buffer": PDF})
    _submit(page, "#btn-submit")  # 食品经营许可申请书 forgotten: refused, both files kept
    assert "“食品经营许可申请书”是必要材料，请上传" in page.content() and len(staged() - before) == 2
    # Not a public venue after all: choose again.
    page.check(f"#q_{q2.pk}-{small.pk}")
    _submit(page, "#btn-scenario")
    assert page.locator(f"[data-item='{fire.name}']").get_attribute("data-selected") == "no"
    assert page.locator("[data-material='消防安全检查申报表']").count() == 0
    assert page.locator("[data-key='shop_name'] input").input_value() == "老王小吃"
    kept = page.locator("[data-material='个体工商户登记申请书'] .zw-staged")
    assert "已上传：个体工商户登记申请书.pdf" in kept.inner_text()
    assert page.locator("#item-errors, #form-errors, .invalid-feedback").count() == 0  # nothing refused
    assert len(staged() - before) == 1  # the fire check's copy deleted
    page.locator("[data-material='食品经营许可申请书'] input[type=file]").set_input_files(
        {"name": "食品经营许可申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with page.expect_navigation(wait_until="load"):  # Enter in a field submits the application
        page.press("[data-key='shop_name'] input", "Enter")
    bc = BundleCase.objects.get()
    assert sorted(c.service_item.name for c in bc.cases.all()) == ["个体工商户设立登记", "食品经营许可证核发"]
    assert sorted(bc.cases.values_list("materials__original_name", flat=True)) == [
        "个体工商户登记申请书.pdf", "食品经营许可申请书.pdf"]
    assert bc.form_data == {"shop_name": "老王小吃"} and staged() - before == set()
    _no_csp(page)
