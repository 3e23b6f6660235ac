"""无障碍 (WCAG 2.1 AA; GB/T 37668-2019) and 适老化 on the pages citizens and clerks use.

axe-core (shipped inside axe-playwright-python, nothing fetched) checks the rules tagged wcag2a,
wcag2aa, wcag21a and wcag21aa on the portal home, search, guide, 长辈版, online application,
我的办件, the 12345 citizen form and the workbench, in the standard and the large-font mode, on a
desktop and a phone. The rest is walked with the keyboard: the skip link, the focus ring on the
navbar, errors and help texts read with their field, the large-font switch on a phone."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
PHONE = {"width": 375, "height": 740}


def _setup():
    from zhengwu.catalog import search
    from zhengwu.catalog.models import ItemVersion, Material, ServiceItem
    from zhengwu.catalog.models.items import ItemStatus, VersionState
    from zhengwu.org.models import Department

    market = Department.objects.get(short_name="市场监管局")
    item = ServiceItem.objects.create(region=market.region, department=market, name="食品经营许可证核发",
                                      popular_name="开小吃店办许可证", item_type="01", status=ItemStatus.PUBLISHED,
                                      promised_days=10, statutory_days=20, online_depth=4, visits=0)
    version = ItemVersion.objects.create(
        service_item=item, number=1, state=VersionState.PUBLISHED, name=item.name, item_type="01",
        service_object="both", case_type="committed", statutory_days=20, promised_days=10, online_depth=4,
        channels=["online", "window"], published_at=timezone.now(), legal_basis="《中华人民共和国食品安全法》第三十五条",
        form_schema={"type": "object", "required": ["shop_name"], "properties": {
            "shop_name": {"type": "string", "title": "店铺名称", "minLength": 2, "description": "与营业执照上的名称一致"},
            "area": {"type": "number", "title": "经营面积（平方米）"}}},
    )
    Material.objects.create(version=version, seq=1, name="食品经营许可申请书", necessity="required")
    item.published_version = version
    item.save()
    search.rebuild_index()
    return item


class Checker:
    def __init__(self):
        self.axe = Axe()
        self.failures: list[str] = []
        self.seen: list[str] = []

    def check(self, page, where):
        violations = self.axe.run(page, options=WCAG_AA).response["violations"]
        for v in violations:
            for node in v["nodes"]:
                self.failures.append(f"{where}: {v['id']} {node['target']} {(node.get('failureSummary') or '')[:200]}")
        self.seen.append(where)

    def visit(self, page, base, path, label=""):
        response = page.goto(base + path, wait_until="load")
        assert response.status == 200, (path, response.status)
        self.check(page, label or path)


def test_pages_have_no_wcag_aa_violation(live_server, browser, demo_people, login):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.cases.models import Case

    item = _setup()
    base = live_server.url
    axe = Checker()

    anonymous = browser.new_context(locale="zh-CN").new_page()
    for path in ("/", "/items/search/?q=开小吃店", f"/items/{item.pk}/", "/accounts/login/", "/elder/"):
        axe.visit(anonymous, base, path)
    expect(anonymous.locator("html")).to_have_class(re.compile("zw-large"))  # the 长辈版 page, large by default
    phone = browser.new_context(locale="zh-CN", viewport=PHONE).new_page()
    axe.visit(phone, base, "/", "/ on a phone")
    phone.locator("#font-toggle").click()
    expect(phone.locator("html")).to_have_class(re.compile("zw-large"))
    axe.check(phone, "/ on a phone, large font")
    axe.visit(phone, base, f"/items/{item.pk}/", "guide on a phone, large font")

    citizen = browser.new_context(locale="zh-CN").new_page()
    login(citizen, base, CITIZEN_ID)
    axe.visit(citizen, base, f"/cases/apply/{item.pk}/")
    citizen.get_by_label("店铺名称").fill("老王小吃")
    citizen.locator('[data-material="食品经营许可申请书"] input[type=file]').set_input_files(
        {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with citizen.expect_navigation(wait_until="load"):
        citizen.click("#btn-submit")
    case = Case.objects.get(service_item=item)
    axe.visit(citizen, base, "/cases/mine/")
    expect(citizen.locator("main")).to_contain_text(case.number)
    axe.visit(citizen, base, f"/cases/{case.pk}/")
    axe.visit(citizen, base, "/hotline/")

    admin = browser.new_context(locale="zh-CN").new_page()
    login(admin, base, "admin")
    axe.visit(admin, base, "/workbench/")
    window = browser.new_context(locale="zh-CN").new_page()
    login(window, base, "chuangkou")
    axe.visit(window, base, "/workbench/cases/intake/")
    axe.visit(window, base, f"/workbench/cases/{case.pk}/")

    assert len(axe.seen) == 15
    assert not axe.failures, f"{len(axe.failures)} WCAG 2.1 AA violations:\n" + "\n".join(axe.failures)


def test_keyboard_skip_link_and_focus_ring(live_server, page, demo_people):
    _setup()
    page.goto(f"{live_server.url}/items/search/?q=开小吃店")
    page.keyboard.press("Tab")
    skip = page.locator("#skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_have_text("跳到主要内容")
    box = skip.bounding_box()
    assert box and box["width"] > 20 and box["height"] > 10  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")  # the first thing in the main content, not the navbar again
    assert page.evaluate("document.activeElement.closest('main') !== null")

    # On the navbar's blue the focused link has a solid white ring (Bootstrap's own is a faint blue glow).
    page.goto(f"{live_server.url}/")
    for _ in range(4):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.navbar .nav-link')"):
            break
    ring = page.evaluate("""(() => { const s = getComputedStyle(document.activeElement);
        return [document.activeElement.textContent.trim(), s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; })()""")
    assert ring == ["首页", "solid", 3.0, "rgb(255, 255, 255)"], ring


def test_errors_and_help_are_read_with_their_field(live_server, page, demo_people):
    _setup()
    page.goto(f"{live_server.url}/accounts/register/person/")
    password = page.locator("#id_password")
    expect(password).to_have_accessible_description(re.compile("至少8位"))
    from zhengwu.core.identifiers import make_id_number

    page.fill("#id_name", "张三")
    page.fill("#id_id_number", make_id_number("41010519850101123"))
    page.fill("#id_phone", "13800138000")
    page.fill("#id_password", "abcdefgh")  # one kind of character: refused
    page.fill("#id_password2", "abcdefgh")
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("button", name=re.compile("注册")).click()
    password = page.locator("#id_password")
    expect(password).to_have_attribute("aria-invalid", "true")
    described = page.evaluate("""document.getElementById('id_password').getAttribute('aria-describedby')
        .split(' ').map(id => document.getElementById(id).textContent.trim())""")
    assert len(described) == 2 and "至少8位" in described[1], described
    assert described[0] and described[0] == page.locator("#id_password_error").text_content().strip()
    expect(page.locator("#id_name")).not_to_have_attribute("aria-invalid", "true")


def test_elder_home_is_large_and_leads_to_the_catalogue(live_server, page, demo_people):
    _setup()
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/")
    expect(page.locator("#font-toggle")).to_be_visible()  # on a phone, without opening the menu
    page.locator("#home-elder").click()
    expect(page.locator("#elder-title")).to_have_text("长辈版 · 常办事项")
    expect(page.locator("html")).to_have_class(re.compile("zw-large"))
    tiles = page.locator("#elder-topics [data-topic]")
    expect(tiles).to_have_count(4)
    assert [t.strip() for t in tiles.all_inner_texts()] == ["社保", "医保", "养老", "证明"]

    # Standard size when the person asks for it, and back.
    page.locator("#font-toggle").click()
    expect(page.locator("#elder-title")).to_be_visible()
    expect(page.locator("html")).not_to_have_class(re.compile("zw-large"))
    page.locator("#font-toggle").click()
    expect(page.locator("html")).to_have_class(re.compile("zw-large"))

    page.locator('[data-topic="证明"]').click()
    expect(page).to_have_url(re.compile(r"/items/search/\?q=%E8%AF%81%E6%98%8E"))
    expect(page.locator("html")).to_have_class(re.compile("zw-large"))  # the choice holds on the next page


def test_workbench_modules_show_svg_icons(live_server, page, demo_people, login):
    _setup()
    login(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/workbench/")
    cards = page.locator("#wb-modules .card")
    icons = page.locator("#wb-modules .card svg.zw-icon use")
    assert cards.count() > 10 and icons.count() == cards.count()
    href = icons.first.get_attribute("href")
    assert href.startswith("/static/zhengwu/icons/bootstrap-icons.svg#")
    sprite = page.request.get(live_server.url + href.split("#")[0])
    assert sprite.status == 200 and f'id="{href.split("#")[1]}"' in sprite.text()
    width = page.evaluate("document.querySelector('#wb-modules svg.zw-icon').getBoundingClientRect().width")
    assert 10 < width < 40  # sized as text by zhengwu.css (an unstyled <svg> is 300 px wide)
