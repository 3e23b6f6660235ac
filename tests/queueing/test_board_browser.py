"""The call board and a window screen in Chromium: live from the push server within 1 s, and
polling the board API when the push server cannot be reached."""

from __future__ import annotations

import os
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.queueing.test_board_api import call, issue, make_hall
from tests.queueing.test_board_sse import free_port, push_server

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "headless": True, "args": CHROMIUM_ARGS}


# speechSynthesis.speak recorded instead of said (headless Chromium has no voices).
SPEECH_RECORDER = """
window.__spoken = [];
if (window.speechSynthesis) {
  window.speechSynthesis.speak = function (u) { window.__spoken.push(u.text + "|" + u.lang); };
}
"""


def assert_accessible(page):
    """No WCAG 2.1 A/AA violation (axe-core, as tests/browser/test_a11y.py checks the other pages)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
    violations = Axe().run(page, options=options).response["violations"]
    assert [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations] == []


@pytest.fixture
def hall(transactional_db, district):
    return make_hall(district, windows=("3", "5"))


def test_board_shows_a_call_within_one_second(live_server, page, hall, settings):
    w3 = hall.windows.get(number="3")
    with push_server() as port:
        settings.ZHENGWU_PUSH_URL = f"http://127.0.0.1:{port}"
        page.add_init_script(SPEECH_RECORDER)
        page.goto(f"{live_server.url}/hall/{hall.pk}/board/")
        expect(page.locator("#zw-board")).to_have_attribute("data-mode", "push", timeout=5000)
        call(issue(hall), hall.windows.get(number="5"))  # before sound is enabled: shown, not said
        expect(page.locator("#board-latest")).to_have_text("请 A001 号到 5 号窗口", timeout=1000)
        expect(page.locator("#board-sound-hint")).to_be_visible()
        page.locator("#board-sound-hint").click()  # the first tap enables speech
        expect(page.locator("#board-sound-hint")).to_be_hidden()
        t = issue(hall)
        started = time.monotonic()
        call(t, w3)
        expect(page.locator("#board-latest")).to_have_text("请 A002 号到 3 号窗口", timeout=1000)
        assert time.monotonic() - started < 1.0
        expect(page.locator("#board-calls tr").first.locator("td").first).to_have_text("A002")
        assert page.evaluate("window.__spoken") == ["语音播报已开启|zh-CN", "请 A002 号到 3 号窗口|zh-CN",
                                                    "请 A002 号到 3 号窗口|zh-CN"]
        expect(page.locator('#board-waiting li[data-prefix="A"] .zw-board-count')).to_have_text("0")
        issue(hall, "B")
        expect(page.locator('#board-waiting li[data-prefix="B"] .zw-board-count')).to_have_text("1", timeout=1000)
        assert_accessible(page)


def test_board_falls_back_to_polling_when_the_push_server_is_down(live_server, page, hall, settings):
    settings.ZHENGWU_PUSH_URL = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    page.goto(f"{live_server.url}/hall/{hall.pk}/board/")
    expect(page.locator("#zw-board")).to_have_attribute("data-mode", "poll", timeout=5000)
    expect(page.locator("#board-mode")).to_have_text("轮询更新")
    call(issue(hall), hall.windows.get(number="5"))
    expect(page.locator("#board-latest")).to_have_text("请 A001 号到 5 号窗口", timeout=7000)


def test_window_screen_follows_its_window(live_server, page, hall, settings, make_staff):
    from zhengwu.queueing.models import WindowSetup

    w5 = hall.windows.get(number="5")
    clerk = make_staff("window")
    with push_server() as port:
        settings.ZHENGWU_PUSH_URL = f"http://127.0.0.1:{port}"
        page.goto(f"{live_server.url}/hall/windows/{w5.pk}/screen/")
        expect(page.locator("#screen-closed")).to_have_text("暂停服务")
        expect(page.locator("#zw-board")).to_have_attribute("data-mode", "push", timeout=5000)
        WindowSetup.objects.filter(window=w5).update(is_open=True, opened_by=clerk)
        call(issue(hall), w5)
        expect(page.locator("#screen-ticket")).to_have_text("A001", timeout=1500)
        expect(page.locator("#screen-clerk")).to_have_text(clerk.display_name)
        expect(page.locator("#screen-closed")).to_be_hidden()
        assert_accessible(page)
