"""Journey (一网通办): a citizen applies online with materials → the window requests 补正 → the
citizen fixes it → accepted → two departments approve in parallel → concluded → the citizen
downloads the decision document."""

import io

import pytest
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _setup():
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.accounts.models import User
    from zhengwu.cases.services.approval import save_process_definition
    from zhengwu.catalog.models import ItemVersion, Material, ServiceItem
    from zhengwu.catalog.models.items import ItemStatus, VersionState
    from zhengwu.org.demo import load as load_org
    from zhengwu.org.models import Department

    load_org(io.StringIO())
    load_accounts(io.StringIO())
    market = Department.objects.get(short_name="市场监管局")
    police = Department.objects.get(short_name="公安分局")
    item = ServiceItem.objects.create(region=market.region, department=market, name="食品经营许可证核发",
                                      item_type="01", status=ItemStatus.PUBLISHED, promised_days=10,
                                      statutory_days=20, online_depth=4, visits=0)
    version = ItemVersion.objects.create(
        service_item=item, number=1, state=VersionState.PUBLISHED, name=item.name, item_type="01",
        service_object="both", case_type="committed", statutory_days=20, promised_days=10, online_depth=4,
        channels=["online", "window"], published_at=timezone.now(), legal_basis="《中华人民共和国食品安全法》第三十五条",
        results=[{"name": "食品经营许可证", "type": "证照"}],
        form_schema={"type": "object", "required": ["shop_name"], "properties": {
            "shop_name": {"type": "string", "title": "店铺名称", "minLength": 2}}},
    )
    Material.objects.create(version=version, seq=1, name="食品经营许可申请书", necessity="required")
    Material.objects.create(version=version, seq=2, name="经营场所使用证明", necessity="required")
    item.published_version = version
    item.save()
    save_process_definition(User.objects.get(username="shixiang"), item, [
        {"id": "market", "name": "食品安全审查", "role": "approver", "department": market.pk, "share": 0.6,
         "parallel": "joint", "actions": ["pass", "reject"]},
        {"id": "police", "name": "治安审查", "role": "approver", "department": police.pk, "share": 0.6,
         "parallel": "joint", "actions": ["pass", "reject"]},
    ])
    return item


def _login(page, base, username):
    from zhengwu.org.demo import DEMO_PASSWORD

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    _submit(page, "#login-submit")


def _submit(page, selector):
    """Click a button that posts a form and wait until the answering page has loaded."""
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def _upload(page, material, name):
    page.locator(f'[data-material="{material}"] input[type=file]').set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": PDF})


def test_apply_supplement_accept_parallel_conclude_download(live_server, browser, tmp_path):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.cases.models import Case

    item = _setup()
    base = live_server.url
    citizen = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    staff = browser.new_context(locale="zh-CN").new_page()

    # The citizen applies online with materials.
    _login(citizen, base, CITIZEN_ID)
    citizen.goto(f"{base}/cases/apply/{item.pk}/")
    citizen.get_by_label("店铺名称").fill("老王小吃")
    _upload(citizen, "食品经营许可申请书", "申请书.pdf")
    _upload(citizen, "经营场所使用证明", "租赁合同.pdf")
    _submit(citizen, "#btn-submit")
    case = Case.objects.get(service_item=item)
    assert case.state == "submitted"
    assert case.number in citizen.content()

    # The window asks for a correction (一次性告知).
    _login(staff, base, "chuangkou")
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
        _login(desk, base, username)
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
