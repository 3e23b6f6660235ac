"""Journey (12345): an operator registers a call, accepts the suggested category and dispatches;
the department claims and replies; the centre calls back; the ticket closes."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _setup():
    """The 12345 categories and a trained model (on top of demo_people)."""
    from zhengwu.hotline import demo, services, trainingdata

    report = services.import_categories(None, (demo.DATA / "taxonomy.csv").read_bytes(), "taxonomy.csv")
    assert report["ok"], report
    rows = trainingdata.generate(n=500, seed=11, noise=0)
    text = "标题,内容,分类,承办单位\n" + "".join(
        f"{r['标题']},{r['内容'].replace(',', '，')},{r['_full']},{r['承办单位']}\n" for r in rows)
    services.train_model(None, text.encode(), "journey.csv")


def _submit(page, selector):
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def test_register_dispatch_claim_reply_callback_close(live_server, browser, demo_people, login):
    from zhengwu.hotline.models import Ticket
    from zhengwu.org.models import Department

    _setup()
    market = Department.objects.get(short_name="市场监管局")
    base = live_server.url
    operator = browser.new_context(locale="zh-CN").new_page()
    desk = browser.new_context(locale="zh-CN").new_page()

    # The operator registers the call; the suggestion appears while typing and is accepted.
    login(operator, base, "rexian")
    operator.goto(f"{base}/workbench/hotline/console/")
    operator.fill("#f-phone", "13803719999")
    operator.fill("#f-caller", "周先生")
    operator.select_option("#f-type", "complaint")
    operator.fill("#f-address", "经八路88号")
    operator.locator("#f-content").press_sequentially("经八路一家饭店后厨卫生脏乱差，吃完后腹泻，商家拒绝赔偿", delay=5)
    expect(operator.locator("#suggest-0")).to_contain_text("餐饮卫生")
    operator.click("#suggest-0")
    expect(operator.locator("#f-department")).to_have_value(str(market.pk))
    _submit(operator, "#submit-dispatch")
    expect(operator.locator("#ticket-state")).to_contain_text("待签收")
    expect(operator.locator("#ticket-category")).to_contain_text("市场监管/食品安全/餐饮卫生")
    expect(operator.locator("#ticket-department")).to_contain_text("市场监督管理局")
    ticket = Ticket.objects.get()
    assert ticket.suggested["suggestions"][0]["category"] == "市场监管/食品安全/餐饮卫生"

    # The department claims and replies.
    login(desk, base, "bumen_sj")
    desk.goto(f"{base}/workbench/hotline/department/")
    expect(desk.locator("#ticket-table")).to_contain_text(ticket.number)
    _submit(desk, f"#open-{ticket.pk}")
    _submit(desk, "#do-claim")
    expect(desk.locator("#ticket-state")).to_contain_text("办理中")
    desk.fill("#reply-text", "经现场检查，该饭店后厨卫生不达标，已责令停业整改，并督促赔偿诉求人医药费。")
    _submit(desk, "#do-reply")
    expect(desk.locator("#ticket-state")).to_contain_text("待回访")

    # The centre calls back: reached, resolved, satisfied; then closes.
    operator.goto(f"{base}/workbench/hotline/tickets/{ticket.pk}/")
    expect(operator.locator("#ticket-reply")).to_contain_text("责令停业整改")
    operator.check("#cb-resolved-1")
    operator.select_option("#cb-satisfaction", "5")
    _submit(operator, "#do-callback")
    expect(operator.locator("#ticket-state")).to_contain_text("待办结")
    _submit(operator, "#do-close")
    expect(operator.locator("#ticket-state")).to_contain_text("已办结")
    expect(operator.locator("#history")).to_contain_text("回访")
    ticket.refresh_from_db()
    assert ticket.state == "closed" and ticket.satisfaction == 5 and ticket.closed_on_time
