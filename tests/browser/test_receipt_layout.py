"""申请回执 on a phone (375px) and a desktop (1366px): each label on one line, nothing past the card or
the screen — on a phone the labels stand above their values."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

# Per label: how many lines it takes (one per line box); the widths of the page, the card and the table.
MEASURE = """() => {
  const card = document.querySelector('#receipt');
  const lines = [...card.querySelectorAll('th')].map(th => {
    const r = document.createRange(); r.selectNodeContents(th);
    return [th.textContent.trim(), new Set([...r.getClientRects()].map(x => Math.round(x.top))).size];
  });
  const box = card.getBoundingClientRect();
  const overflowing = [...card.querySelectorAll('table, th, td')].filter(
    el => el.getBoundingClientRect().right > box.right + 0.5).map(el => el.textContent.trim().slice(0, 20));
  return {lines, overflowing, page: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
          card: [card.scrollWidth, card.clientWidth]};
}"""


@pytest.fixture
def receipt_case(food_licence_item):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from zhengwu.accounts.backends import login_username
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.models import User
    from zhengwu.cases.services import applying

    item = food_licence_item()
    citizen = User.objects.get(username=login_username(CITIZEN_ID))
    case = applying.create_draft(citizen, item, form_data={"shop_name": "老王小吃"})
    applying.upload_material(citizen, case, SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
                             name="食品经营许可申请书")
    case.refresh_from_db()
    case.delivery_method = "window"  # the longest row: 凭办件编号到<部门>受理窗口领取
    case.save(update_fields=["delivery_method"])
    case.refresh_from_db()
    return applying.submit(citizen, case, case.lock_version)


@pytest.mark.parametrize("width, large", [(375, False), (375, True), (1366, False)], ids=["phone", "phone-大字版", "desktop"])
def test_receipt_fits_its_card_and_the_screen(live_server, browser, login, receipt_case, width, large, tmp_path):
    from zhengwu.accounts.demo import CITIZEN_ID

    page = browser.new_context(locale="zh-CN", viewport={"width": width, "height": 900}).new_page()
    login(page, live_server.url, CITIZEN_ID)
    page.goto(f"{live_server.url}/cases/{receipt_case.pk}/receipt/", wait_until="load")
    assert receipt_case.number in page.locator("#receipt-number").inner_text().replace("\n", "")
    if large:  # 大字版: the root font at 125%
        page.evaluate("document.documentElement.classList.add('zw-large')")
    page.screenshot(path=str(tmp_path / f"receipt-{width}{'-large' if large else ''}.png"), full_page=True)
    seen = page.evaluate(MEASURE)
    assert seen["page"][0] <= seen["page"][1], seen  # no horizontal scrolling
    assert seen["card"][0] <= seen["card"][1], seen
    assert seen["overflowing"] == [], seen
    assert [label for label, n in seen["lines"] if n != 1] == [], seen["lines"]  # 承诺办结时间 on one line
