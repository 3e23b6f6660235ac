"""Journey (告知承诺): a citizen chooses 告知承诺 when applying online, reads the 承诺书 and ticks
我已阅读并承诺 (refused without the tick) → the window sees the signed text and accepts on
commitment → the citizen sees the 承诺书 they signed and when."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _submit(page, selector):
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def test_choose_read_sign_accept_on_commitment_and_see_the_letter(live_server, browser, food_licence_item, login):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.cases.models import Case

    item = food_licence_item(allows_commitment=True, commitment_check_days=20,
                             acceptance_conditions="有与经营的食品品种相适应的经营场所")
    base = live_server.url
    citizen = browser.new_context(locale="zh-CN").new_page()
    staff = browser.new_context(locale="zh-CN").new_page()

    login(citizen, base, CITIZEN_ID)
    citizen.goto(f"{base}/cases/apply/{item.pk}/")
    box = citizen.locator("#commitment-box")
    assert not box.is_visible()  # 一般申请 by default: the letter opens when 告知承诺 is chosen
    citizen.check("#intake-commitment")
    assert box.is_visible()
    letter = citizen.locator("#commitment-text").inner_text()
    assert "20个工作日" in letter and "信用记录" in letter and "有与经营的食品品种相适应的经营场所" in letter
    citizen.get_by_label("店铺名称").fill("老王小吃")
    citizen.locator('[data-material="食品经营许可申请书"] input[type=file]').set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    _submit(citizen, "#btn-submit")  # without the tick: refused, kept as a draft
    assert "我已阅读并承诺" in citizen.locator("#commitment-error").inner_text()
    case = Case.objects.get(service_item=item)
    assert case.state == "draft" and case.commitment_text

    citizen.check("#commitment-agreed")
    _submit(citizen, "#btn-submit")
    case.refresh_from_db()
    assert case.state == "submitted" and case.commitment_signed_at is not None

    login(staff, base, "chuangkou")
    staff.goto(f"{base}/workbench/cases/{case.pk}/")
    assert "申请人已在线签署" in staff.content()
    staff.click("#panel-commitment summary")
    assert staff.locator("#commitment_commitment_text").input_value() == case.commitment_text
    _submit(staff, "#btn-commitment")
    case.refresh_from_db()
    assert case.state == "in_review" and case.intake_mode == "commitment"

    citizen.goto(f"{base}/cases/{case.pk}/")
    shown = citizen.locator("#commitment-letter").inner_text()
    assert "签署时间" in shown and "20个工作日" in shown and "撤销行政许可" in shown
