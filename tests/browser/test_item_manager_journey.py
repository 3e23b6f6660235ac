"""Journey: an item manager (事项管理员) edits a published item and submits version 2; he may not
approve his own version (双人复核, ADR 0059) — a second 事项管理员 approves and publishes it."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published_item(demo_people):
    from zhengwu.accounts.models import User
    from zhengwu.catalog.services import items as svc
    from zhengwu.org.models import Department

    manager = User.objects.get(username="shixiang")
    item = svc.create_item(manager, department=Department.objects.get(short_name="市场监管局"), data={
        "name": "食品经营许可（新办）", "item_type": "01", "service_object": "legal",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条", "acceptance_conditions": "已依法取得营业执照",
        "case_type": "committed", "statutory_days": 20, "promised_days": 5, "visits": 1,
        "channels": ["window", "online"], "online_depth": 3, "locations": "金水区政务服务中心B区",
        "consult_phone": "0371-65500004", "office_hours": "周一至周五 9:00-17:30",
    }, materials=[{"name": "食品经营许可申请书"}, {"name": "营业执照", "source": "government", "license_type": "营业执照"}])
    svc.submit_for_review(manager, item, lock_version=item.lock_version)
    item.refresh_from_db()
    svc.approve_and_publish(User.objects.get(username="shenhe"), item, lock_version=item.lock_version)
    item.refresh_from_db()
    return item


def test_item_manager_publishes_a_new_version(live_server, page, browser, published_item, login):
    login(page, live_server.url, "shixiang")
    page.wait_for_url(f"{live_server.url}/workbench/")

    page.get_by_role("link", name="事项管理").first.click()
    page.wait_for_url("**/workbench/catalog/items/")
    page.fill("#f-q", "食品经营")
    page.click("#item-filter button")
    page.click("#item-table >> text=食品经营许可（新办）")
    assert "现行版本：第1版" in page.locator("#live-version").inner_text()

    # A new draft copies version 1; the public keeps seeing version 1 meanwhile.
    page.fill("#new-draft-note", "压缩承诺时限")
    page.click("#new-draft")
    expect(page.locator("body")).to_contain_text("已根据现行版本新建草稿")
    page.click("#draft-edit")
    page.fill("#id_promised_days", "25")
    page.click("#guide-save")
    # A rule of the guide is shown next to the field, in Chinese, and nothing is saved.
    assert "承诺时限（25个工作日）不能超过法定时限（20个工作日）" in page.locator("#field-promised_days").inner_text()
    page.fill("#id_promised_days", "4")
    page.locator("#rows-process_steps .zw-row-add").click()
    page.locator("#rows-process_steps tbody tr").last.locator("input").first.fill("现场核查")
    page.click("#guide-save")
    page.wait_for_url(f"**/items/{published_item.pk}/")
    expect(page.locator("body")).to_contain_text("第2版草稿已保存")
    assert "4个工作日" in page.locator("#draft-card").inner_text()
    assert "5个工作日" in page.locator("#live-card").inner_text()

    page.click("#draft-submit")
    expect(page.locator("body")).to_contain_text("已提交审核")
    # 双人复核: the submitter's review page says why he cannot approve, and lets him withdraw.
    assert "不能审核自己提交的版本" in page.locator("#draft-review-refused").inner_text()
    page.click("#draft-review")
    assert "不能审核自己提交的版本：请由另一位事项管理员审核" in page.locator("#review-refused").inner_text()
    expect(page.locator("input[name=decision][value=approve]")).to_be_disabled()
    expect(page.locator("#review-withdraw")).to_be_visible()

    # Another 事项管理员 finds it in the 待审核 queue, sees who submitted it, and approves.
    reviewer = browser.new_context(locale="zh-CN").new_page()
    login(reviewer, live_server.url, "shenhe")
    reviewer.goto(f"{live_server.url}/workbench/catalog/items/")
    reviewer.click("#pending-filter")
    row = reviewer.locator("#item-table tr", has_text="食品经营许可（新办）")
    assert "提交人：周事项" in row.inner_text()
    row.get_by_role("link", name="食品经营许可（新办）").click()
    reviewer.wait_for_url(f"**/items/{published_item.pk}/")
    reviewer.click("#draft-review")
    assert "提交人：周事项" in reviewer.locator("#review-people").inner_text()
    assert "承诺时限（工作日）" in reviewer.locator("#review-diff").inner_text()
    reviewer.check("input[name=decision][value=approve]")
    reviewer.fill("textarea[name=note]", "同意发布")
    reviewer.click("#review-submit")
    reviewer.wait_for_url(f"**/items/{published_item.pk}/")
    expect(reviewer.locator("body")).to_contain_text("第2版已发布")

    page.goto(f"{live_server.url}/workbench/catalog/items/{published_item.pk}/")
    assert "现行版本：第2版" in page.locator("#live-version").inner_text()
    live = page.locator("#live-card").inner_text()
    assert "4个工作日" in live and "现场核查" in live and "审核人：何审核" in live

    page.click("text=变更历史")
    versions = page.locator("#version-table").inner_text()
    assert "第2版" in versions and "已发布" in versions and "已替代" in versions

    # Citizens see version 2 on the public guide page.
    page.goto(f"{live_server.url}/items/{published_item.pk}/")
    expect(page.locator("body")).to_contain_text("4个工作日")
