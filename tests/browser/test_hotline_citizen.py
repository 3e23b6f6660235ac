"""Journey (12345 for citizens): a citizen files a complaint on the web with a photo and the
place (区县 → 街道 + address) → the operator sees the photo (audited) and dispatches → the
department claims and replies → the citizen sees the reply and rates it, once."""

import struct
import zlib

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _png() -> bytes:
    """A real 2×2 PNG."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _setup():
    """The 12345 categories (on top of demo_people)."""
    from zhengwu.hotline import demo, services

    report = services.import_categories(None, (demo.DATA / "taxonomy.csv").read_bytes(), "taxonomy.csv")
    assert report["ok"], report


def _submit(page, selector):
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def test_citizen_files_with_photo_and_place_then_rates_the_reply(live_server, browser, demo_people, login):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.core.models import AuditEvent
    from zhengwu.hotline.models import Category, Ticket, TicketPhoto
    from zhengwu.org.models import Department

    _setup()
    base = live_server.url
    citizen = browser.new_context(locale="zh-CN").new_page()
    operator = browser.new_context(locale="zh-CN").new_page()
    desk = browser.new_context(locale="zh-CN").new_page()
    errors = []
    citizen.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    # The citizen files the complaint: type, text, 区县 → 街道, address, a photo.
    login(citizen, base, CITIZEN_ID)
    citizen.goto(f"{base}/hotline/")
    citizen.select_option("#c-type", "complaint")
    citizen.fill("#c-content", "花园路一家饭店后厨卫生脏乱差，吃完后腹泻，商家拒绝赔偿。")
    expect(citizen.locator("#c-map")).to_have_count(0)  # no tile source configured: no map
    citizen.select_option("#c-district", "410105000000")
    citizen.select_option("#c-region", label="花园路街道")
    citizen.fill("#c-address", "花园路18号")
    citizen.set_input_files("#c-photos", {"name": "现场.png", "mimeType": "image/png", "buffer": _png()})
    _submit(citizen, "#citizen-submit")
    expect(citizen.locator(".alert-success")).to_contain_text("您的诉求已提交")
    expect(citizen.locator("#my-photos")).to_contain_text("1 张")
    ticket = Ticket.objects.get()
    assert ticket.region_code == "410105002000" and ticket.address == "花园路18号"
    photo = TicketPhoto.objects.get(ticket=ticket)

    # The operator sees the photo (an audited read) and dispatches.
    login(operator, base, "rexian")
    operator.goto(f"{base}/workbench/hotline/tickets/{ticket.pk}/")
    expect(operator.locator(f"#photo-{photo.pk}")).to_be_visible()
    r = operator.request.get(f"{base}/workbench/hotline/tickets/{ticket.pk}/photos/{photo.pk}/")
    assert r.status == 200 and r.headers["content-type"] == "image/png" and r.body() == _png()
    assert AuditEvent.objects.filter(action="hotline.photo.read", object_id=str(ticket.pk)).exists()
    leaf = Category.objects.filter(path__contains="餐饮").order_by("path").first() or \
        Category.objects.filter(level=3).order_by("path").first()
    operator.select_option("#d-category", str(leaf.pk))
    market = Department.objects.get(short_name="市场监管局")
    operator.select_option("#d-department", str(market.pk))
    _submit(operator, "#do-dispatch")
    expect(operator.locator("#ticket-state")).to_contain_text("待签收")

    # The department claims and replies.
    login(desk, base, "bumen_sj")
    desk.goto(f"{base}/workbench/hotline/tickets/{ticket.pk}/")
    _submit(desk, "#do-claim")
    desk.fill("#reply-text", "经现场检查，该饭店后厨卫生不达标，已责令停业整改，并督促赔偿诉求人医药费。")
    _submit(desk, "#do-reply")
    expect(desk.locator("#ticket-state")).to_contain_text("待回访")

    # The citizen sees the reply and rates it — once.
    citizen.goto(f"{base}/hotline/mine/{ticket.pk}/")
    expect(citizen.locator("#ticket-reply")).to_contain_text("责令停业整改")
    citizen.check("#rate-4")
    _submit(citizen, "#rate-submit")
    expect(citizen.locator("#my-rating")).to_contain_text("满意")
    expect(citizen.locator("#rate-form")).to_have_count(0)
    ticket.refresh_from_db()
    assert (ticket.satisfaction, ticket.satisfaction_source) == (4, "citizen")
    assert not errors, errors


def test_map_appears_with_a_tile_source_and_a_click_sets_the_place(live_server, browser, settings, demo_people, login):
    """With a tile source configured the form shows a map; a click fills the coordinates sent with
    the complaint (tiles from our own origin here: the page loads no outside resource)."""
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.hotline.models import Ticket

    _setup()
    settings.ZHENGWU_HOTLINE_MAP_TILES = "/static/zhengwu/favicon.svg?z={z}&x={x}&y={y}"
    settings.ZHENGWU_HOTLINE_MAP_CENTER = "34.7466,113.6253"
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    login(page, base, CITIZEN_ID)
    page.goto(f"{base}/hotline/")
    expect(page.locator("#c-map img.zw-tile").first).to_be_attached()
    page.locator("#c-map").click(position={"x": 40, "y": 40})
    lat, lon = float(page.input_value("#c-lat")), float(page.input_value("#c-lon"))
    assert 34.74 < lat < 34.76 and 113.61 < lon < 113.63  # up-left of the centre, within a few hundred metres
    assert lat > 34.7466 and lon < 113.6253
    page.fill("#c-content", "花园路路灯不亮，晚上很黑")
    page.select_option("#c-region", label="花园路街道")
    _submit(page, "#citizen-submit")
    t = Ticket.objects.get()
    assert (round(t.latitude, 4), round(t.longitude, 4)) == (round(lat, 4), round(lon, 4))
    assert not errors, errors
