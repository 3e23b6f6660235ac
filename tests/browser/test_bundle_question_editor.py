"""事项管理员 edits a 一件事's 情形引导 in the catalogue workbench: adds a question with two answers
(one selects the 消防 check, the other skips it and waives a material), is told what is wrong
with a bad answer, edits the question and deletes it — each change audited."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bundle(demo_people, food_licence_item, publish_item):
    from zhengwu.catalog.models import Bundle, BundleItem
    from zhengwu.org.models import Department

    food = food_licence_item()
    fire = publish_item(Department.objects.get(short_name="市场监管局"), "公众聚集场所投入使用、营业前消防安全检查",
                        region=food.region, service_object="both")
    b = Bundle.objects.create(region=food.region, name="开办餐饮店一件事", status=Bundle.Status.DRAFT, target="both")
    BundleItem.objects.create(bundle=b, service_item=food, seq=1)
    BundleItem.objects.create(bundle=b, service_item=fire, seq=2, optional=True)
    return {"bundle": b, "food": food, "fire": fire}


def _submit(page, selector):
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def test_item_manager_adds_edits_and_deletes_a_question(live_server, page, bundle):
    from zhengwu.core.models import AuditEvent
    from zhengwu.org.demo import DEMO_PASSWORD

    b, fire = bundle["bundle"], bundle["fire"]
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "shixiang")
    page.fill("input[name=password]", DEMO_PASSWORD)
    _submit(page, "#login-submit")
    page.goto(f"{live_server.url}/workbench/catalog/bundles/{b.pk}/")
    _submit(page, "#question-new")

    page.fill("#q-text", "经营场所是否属于公众聚集场所？")
    page.fill("#option-1-label", "是")
    page.check(f"#option-1-select-{fire.pk}")
    page.check(f"#option-1-skip-{fire.pk}")  # both at once: refused
    _submit(page, "#question-save")
    expect(page.locator("#question-errors")).to_contain_text("选项：至少设置两个选项")
    expect(page.locator("#question-errors")).to_contain_text("第1个选项：同一事项不能既“需要办理”又“无需办理”")
    expect(page.locator("#q-text")).to_have_value("经营场所是否属于公众聚集场所？")  # kept

    page.uncheck(f"#option-1-skip-{fire.pk}")
    page.fill("#option-2-label", "否（小吃店、外卖店等）")
    page.check(f"#option-2-skip-{fire.pk}")
    page.fill("#option-2-waive", "消防安全制度、灭火和应急疏散预案")
    _submit(page, "#question-save")
    questions = page.locator("#bundle-questions")
    expect(questions).to_contain_text("情形引导（1个问题）")
    expect(questions).to_contain_text("是：办理 公众聚集场所投入使用、营业前消防安全检查")
    expect(questions).to_contain_text("否（小吃店、外卖店等）；不办理 公众聚集场所投入使用、营业前消防安全检查；免交 消防安全制度、灭火和应急疏散预案")

    q = b.questions.get()
    _submit(page, f"#question-edit-{q.pk}")
    expect(page.locator("#option-2-label")).to_have_value("否（小吃店、外卖店等）")
    page.fill("#q-text", "是否属于公众聚集场所（设有大堂或包间）？")
    _submit(page, "#question-save")
    expect(questions).to_contain_text("是否属于公众聚集场所（设有大堂或包间）？")

    page.once("dialog", lambda d: d.accept())
    _submit(page, f"#question-delete-{q.pk}")
    expect(questions).to_contain_text("情形引导（0个问题）")
    assert not b.questions.exists()
    assert list(AuditEvent.objects.filter(action__startswith="catalog.bundle.question.").order_by("pk")
                .values_list("action", flat=True)) == ["catalog.bundle.question.create", "catalog.bundle.question.edit",
                                                       "catalog.bundle.question.delete"]
