"""Journey (一网通办): a citizen applies online with materials → the window requests 补正 → the
citizen fixes it → accepted → two departments approve in parallel → concluded → the citizen
downloads the decision document."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def item(food_licence_item):
    """食品经营许可证核发 with two materials, approved jointly by 市场监管局 and 公安分局."""
    from zhengwu.accounts.models import User
    from zhengwu.cases.services.approval import save_process_definition
    from zhengwu.org.models import Department

    item = food_licence_item(materials=("食品经营许可申请书", "经营场所使用证明"),
                             results=[{"name": "食品经营许可证", "type": "证照"}])
    market = Department.objects.get(short_name="市场监管局")
    police = Department.objects.get(short_name="公安分局")
    save_process_definition(User.objects.get(username="shixiang"), item, [
        {"id": "market", "name": "食品安全审查", "role": "approver", "department": market.pk, "share": 0.6,
         "parallel": "joint", "actions": ["pass", "reject"]},
        {"id": "police", "name": "治安审查", "role": "approver", "department": police.pk, "share": 0.6,
         "parallel": "joint", "actions": ["pass", "reject"]},
    ])
    return item


def _submit(page, selector):
    """Click a button that posts a form and wait until the answering page has loaded."""
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def _upload(page, material, name):
    page.locator(f'[data-material="{material}"] input[type=file]').set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": PDF})


def test_apply_supplement_accept_parallel_conclude_download(live_server, browser, tmp_path, item, login):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.cases.models import Case

    base = live_server.url
    citizen = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    staff = browser.new_context(locale="zh-CN").new_page()

    # The citizen applies online with materials.
    login(citizen, base, CITIZEN_ID)
    citizen.goto(f"{base}/cases/apply/{item.pk}/")
    citizen.get_by_label("店铺名称").fill("老王小吃")
    _upload(citizen, "食品经营许可申请书", "申请书.pdf")
    _upload(citizen, "经营场所使用证明", "租赁合同.pdf")
    _submit(citizen, "#btn-submit")
    case = Case.objects.get(service_item=item)
    assert case.state == "submitted"
    assert case.number in citizen.content()

    # The window asks for a correction (一次性告知).
    login(staff, base, "chuangkou")
    staff.goto(f"{base}/workbench/cases/intake/")
    staff.click(f"#open-{case.pk}")
    staff.click("#panel-supplement summary")
    staff.check("#supplement_pick_1")  # the second material of the guide: 经营场所使用证明
    staff.fill("#supplement_reason_1", "租赁合同未签字")
    _submit(staff, "#btn-supplement")
    case.refresh_from_db()
    assert case.state == "supplement"

    # The citizen sees what is needed, uploads the corrected file and resubmits in the same case.
    citizen.goto(f"{base}/cases/{case.pk}/")
    assert "租赁合同未签字" in citizen.locator("#needs").inner_text()
    citizen.click("#go-supplement")
    _upload(citizen, "经营场所使用证明", "租赁合同-已签字.pdf")
    _submit(citizen, "#btn-submit")
    case.refresh_from_db()
    assert case.state == "submitted"

    # Accepted at the window: the clock starts.
    staff.goto(f"{base}/workbench/cases/intake/")
    staff.click(f"#open-{case.pk}")
    _submit(staff, "#btn-accept")
    case.refresh_from_db()
    assert case.state == "in_review" and case.due_date

    # Two departments approve in parallel, each from its own inbox.
    for username, step in (("shenpi_sj", "market"), ("shenpi_ga", "police")):
        desk = browser.new_context(locale="zh-CN").new_page()
        login(desk, base, username)
        desk.goto(f"{base}/workbench/cases/inbox/")
        desk.click(f"#open-{case.pk}-{step}")
        desk.check(f"#step_{step}_action_0")
        desk.fill(f"#step_{step}_opinion", "符合条件，同意")
        _submit(desk, f"#btn-step-{step}")
        desk.context.close()
    case.refresh_from_db()
    assert case.state == "concluded" and case.outcome == "approved"

    # The citizen downloads the decision.
    citizen.goto(f"{base}/cases/{case.pk}/")
    assert "已办结" in citizen.locator("#case-state").inner_text()
    with citizen.expect_download() as info:
        citizen.click("#download-decision")
    path = tmp_path / "decision.pdf"
    info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
