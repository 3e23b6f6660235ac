"""Journey (基础库): the data admin uploads a small GBK CSV of persons, sees the quality report with
row numbers, downloads it, and finds a loaded person by 身份证号 (masked, then revealed)."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_data_admin_uploads_csv_and_sees_quality_report(live_server, browser, demo_people, login, tmp_path):
    from zhengwu.core.identifiers import make_id_number

    good = make_id_number("41010519900517123")
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    path = tmp_path / "人口.csv"
    path.write_bytes(("身份证号,姓名,性别,出生日期,民族,户籍地址,户籍区划,联系电话\n"
                      f"{good},张三,男,1990-05-17,汉族,郑州市花园路1号,410105000000,13800001234\n"
                      f"{bad},李四,男,,,,,\n"
                      f"{good},张三,男,,,,,\n").encode("gbk"))
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, base, "shuju")
    page.goto(f"{base}/workbench/")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name="基础库导入").first.click()
    page.select_option("#id_kind", "person")
    page.set_input_files("#id_file", str(path))
    with page.expect_navigation(wait_until="load"):
        page.click("#registry-upload-submit")
    expect(page.locator("#count-total")).to_have_text("3")
    expect(page.locator("#count-inserted")).to_have_text("1")
    expect(page.locator("#count-bad")).to_have_text("2")
    table = page.locator("#problem-table")
    expect(table).to_contain_text("校验位（第18位）不正确")
    expect(table).to_contain_text("与第2行重复")
    expect(table.locator("tr", has_text="校验位").locator("td").first).to_have_text("3")
    with page.expect_download() as download:
        page.click("#download-report")
    assert "行号" in open(download.value.path(), encoding="utf-8-sig").read()

    page.goto(f"{base}/workbench/data/registries/browse/")
    page.fill("#id_q", good)
    with page.expect_navigation(wait_until="load"):
        page.click("#search-submit")
    expect(page.locator("#pii-id_number")).to_contain_text(good[:4] + "*" * 10 + good[-4:])
    expect(page.locator("#registry-record")).not_to_contain_text(good)
    with page.expect_navigation(wait_until="load"):
        page.click("#btn-reveal-id_number")
    expect(page.locator("#pii-id_number")).to_contain_text(good)
    expect(page.locator("#pii-id_number")).to_contain_text("已记录查看")
