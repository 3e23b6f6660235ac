"""A citizen reads the 办事指南 of 出生登记, downloads its 空白表格 (a real spreadsheet listing the
form's fields) and prints the guide: the print layout lets sections break across pages (no half
empty first page) and ends with a QR code back to the guide online."""

import io

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def birth_registration(demo_people, monkeypatch):
    from zhengwu.catalog import demo
    from zhengwu.catalog.models import ServiceItem

    monkeypatch.setattr(demo, "_refresh_search_index", lambda *args: "")
    demo.load(io.StringIO())
    return ServiceItem.objects.get(region__code="410105000000", name="出生登记")


def test_download_the_blank_form_and_print_the_guide(live_server, page, tmp_path, birth_registration):
    from openpyxl import load_workbook

    url = f"{live_server.url}/items/{birth_registration.pk}/"
    page.goto(url)
    expect(page.locator("#guide-title")).to_have_text("出生登记")
    link = page.locator("#guide-materials .zw-blank-form").first
    expect(link).to_be_visible()
    expect(page.locator("#guide-materials .zw-sample").first).to_be_visible()
    with page.expect_download() as info:
        link.click()
    path = tmp_path / "blank.xlsx"
    info.value.save_as(path)
    assert info.value.suggested_filename == "出生登记申请表-空白表格.xlsx"
    cells = {str(c.value) for row in load_workbook(path).active.iter_rows() for c in row if c.value}
    assert {"新生儿姓名", "出生日期", "落户地址（户口簿住址）"} <= cells

    expect(page.locator("#guide-qr")).to_be_hidden()  # on screen: the page itself is the guide
    page.emulate_media(media="print")
    qr = page.locator("#guide-qr")
    expect(qr).to_be_visible()
    expect(qr).to_contain_text(url)
    box = qr.locator("svg").bounding_box()
    assert box and box["width"] > 60 and abs(box["width"] - box["height"]) < 1  # ~28 mm square
    assert not page.locator("#print-guide").is_visible()  # the buttons are not printed
    breaks = page.evaluate("""[...document.querySelectorAll('.zw-guide section')]
        .map(s => getComputedStyle(s).breakInside)""")
    assert breaks and all(b == "auto" for b in breaks), breaks  # a long section may continue on page 2
    heading = page.evaluate("getComputedStyle(document.querySelector('.zw-guide h2')).breakAfter")
    assert heading in ("avoid", "avoid-page")
    assert page.pdf(format="A4").startswith(b"%PDF")
