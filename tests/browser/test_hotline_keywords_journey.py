"""Journey (12345, issue 28): the centre teaches the dispatch model a citizen's word without new
history — adds it to a category's 关键词 on the 诉求分类 page, retrains on the model page, and the
console's first suggestion for a call using that word changes to the category."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CALL = "昨天闹肚子到现在，怀疑是那碗凉皮有问题"


def _history(path):
    from zhengwu.hotline import trainingdata

    rows = trainingdata.generate(n=500, seed=11, noise=0)
    path.write_text("标题,内容,分类,承办单位\n" + "".join(
        f"{r['标题']},{r['内容'].replace(',', '，')},{r['_full']},{r['承办单位']}\n" for r in rows), encoding="utf-8")
    return path


def _first_suggestion(page, base):
    page.goto(f"{base}/workbench/hotline/console/")
    page.locator("#f-content").press_sequentially(CALL, delay=5)
    expect(page.locator("#suggest-0")).to_be_visible()
    return page.locator("#suggest-0").inner_text()


def test_a_keyword_added_on_the_taxonomy_page_reaches_the_model_after_retraining(
        live_server, browser, demo_people, login, tmp_path):
    from zhengwu.hotline import demo, services

    report = services.import_categories(None, (demo.DATA / "taxonomy.csv").read_bytes(), "taxonomy.csv")
    assert report["ok"], report
    history = _history(tmp_path / "history.csv")
    services.train_model(None, history.read_bytes(), history.name)
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, base, "rexian")
    assert "餐饮卫生" not in _first_suggestion(page, base)  # nobody in the history said 闹肚子 or 凉皮

    page.goto(f"{base}/workbench/hotline/taxonomy/")
    row = page.locator("#category-table tbody tr", has_text="市场监管/食品安全/餐饮卫生")
    field = row.locator("input[name=keywords]")
    field.fill(field.input_value() + " 闹肚子、凉皮")
    with page.expect_navigation(wait_until="load"):
        row.get_by_role("button", name="保存").click()
    expect(page.locator("body")).to_contain_text("已保存“市场监管/食品安全/餐饮卫生”的关键词")
    expect(page.locator("#category-table tbody tr", has_text="餐饮卫生").locator("input[name=keywords]")) \
        .to_have_value("食品 餐馆 变质 卫生 闹肚子 凉皮")

    page.goto(f"{base}/workbench/hotline/model/")
    page.set_input_files("#t-file", str(history))
    with page.expect_navigation(wait_until="load"):
        page.click("#train-submit")
    expect(page.locator("body")).to_contain_text("新模型已启用：v2")
    assert "市场监管/食品安全/餐饮卫生" in _first_suggestion(page, base)


def test_a_failed_suggestion_request_says_so_instead_of_showing_no_results(live_server, browser, demo_people, login):
    """The console's suggestions, knowledge and similar tickets come from one API call: when it fails
    (here a login replaced elsewhere: 401), the panels say 暂不可用, not 暂无建议 / 没有匹配的知识."""
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, base, "rexian")
    page.route("**/api/v1/hotline/assist*", lambda route: route.fulfill(
        status=401, content_type="application/json",
        body='{"detail": "您的账号已在其他地方登录，本次会话已结束。", "errors": {}, "code": "session_replaced"}'))
    page.goto(f"{base}/workbench/hotline/console/")
    page.locator("#f-content").press_sequentially(CALL, delay=5)
    expect(page.locator("#suggest-error")).to_contain_text("建议暂不可用：您的账号已在其他地方登录")
    expect(page.locator("#kb-list")).to_contain_text("暂不可用")
    expect(page.locator("#similar-list")).to_contain_text("暂不可用")
    expect(page.locator("#suggestions")).not_to_contain_text("暂无建议")
