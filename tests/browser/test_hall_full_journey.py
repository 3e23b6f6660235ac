"""Journey (issue 25): a citizen books a 预约 on the portal → checks in at the hall's kiosk and gets
a ticket ahead of the walk-ins → the call board shows the call live (push server) → the clerk serves
the ticket, files the case for that person (窗口代录) and ends the service → the citizen rates the
service on the window's rating tablet; the ticket, the case and the rating are linked.

The hall is the demo hall (queueing demo). Today is made bookable whatever the calendar says: a 周末办
session and a slot starting a few minutes from now, so the check-in window is open."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_window_and_bundle_journeys import _item, _login, _no_csp, _page, _submit
from tests.queueing.test_board_sse import push_server

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _todays_slot(bt):
    """A slot of ``bt`` today starting in 5 minutes (a 周末办 session, so any non-holiday is open)."""
    from zhengwu.core.services import set_calendar_override
    from zhengwu.queueing.models import ExtraSession, Slot
    from zhengwu.queueing.services.slots import day_kind

    now = timezone.localtime()
    start = (now + dt.timedelta(minutes=5)).replace(second=0, microsecond=0)
    if start.date() != now.date() or (start + dt.timedelta(minutes=30)).date() != now.date():
        pytest.skip("too close to midnight for a slot today")
    if day_kind(now.date()).holiday:  # a statutory holiday: the hall would be closed (the booking says so)
        set_calendar_override(None, now.date(), "workday", "测试：今日上班")
    end = start + dt.timedelta(minutes=30)
    ExtraSession.objects.create(hall=bt.hall, kind="weekend", date=now.date(), start=start.time(), end=end.time(),
                                note="测试")
    return Slot.objects.create(hall=bt.hall, business_type=bt, date=now.date(), start=start.time(), end=end.time(),
                               capacity=3, session="weekend")


def test_book_check_in_call_serve_file_and_rate(live_server, browser, settings):
    from zhengwu.accounts.demo import CITIZEN_ID
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.cases.models import Case
    from zhengwu.org.demo import load as load_org
    from zhengwu.org.models import Window
    from zhengwu.queueing.demo import load as load_hall
    from zhengwu.queueing.models import Appointment, BusinessType, Ticket
    from zhengwu.queueing.services import tickets
    from zhengwu.ratings.models import Rating

    load_org(io.StringIO())
    load_accounts(io.StringIO())
    load_hall(io.StringIO())
    item = _item("市场监管局", "食品经营许可证核发", materials=("食品经营许可申请书",))
    window = Window.objects.get(number="A01", hall__region__code="410105000000")
    hall = window.hall
    bt = BusinessType.objects.get(hall=hall, prefix="A")
    slot = _todays_slot(bt)
    walk_in = tickets.issue_ticket(hall=hall, business_type=bt, source="kiosk")  # already waiting: A001
    base = live_server.url

    with push_server() as port:
        settings.ZHENGWU_PUSH_URL = f"http://127.0.0.1:{port}"
        # The hall's TV: the call board, live from the push server.
        board = _page(browser)
        board.goto(f"{base}/hall/{hall.pk}/board/")
        expect(board.locator("#zw-board")).to_have_attribute("data-mode", "push", timeout=5000)

        # 1. The citizen books today's slot on the portal (预约取号 in the menu).
        citizen = _page(browser)
        _login(citizen, base, CITIZEN_ID)
        citizen.goto(f"{base}/")
        _submit(citizen, "#nav-booking")
        _submit(citizen, "a[data-bt=A]")
        _submit(citizen, f"#dates a[href*='date={slot.date:%Y-%m-%d}']")
        _submit(citizen, f"#slots button[data-slot='{slot.start:%H:%M}']")
        code = citizen.locator("#booking-code").inner_text().strip()
        appointment = Appointment.objects.get(code=code)
        assert appointment.slot_id == slot.pk and appointment.status == "booked"
        _no_csp(citizen)

        # 2. At the hall's kiosk (no login) they check in with the code: a ticket ahead of the walk-in.
        kiosk = _page(browser)
        kiosk.goto(f"{base}/hall/{hall.pk}/kiosk/")
        _submit(kiosk, "#kiosk-checkin")
        kiosk.fill("#code", code)
        _submit(kiosk, "#checkin-submit")
        display = kiosk.locator("#ticket-display").inner_text().strip()
        mine = Ticket.objects.get(appointment=appointment)
        assert display == mine.display == "A002" and mine.source == "appointment" and mine.priority > 0
        expect(kiosk.locator("#ticket-ahead")).to_have_text("0")  # the walk-in A001 waits behind
        _no_csp(kiosk)

        # 3. The clerk of A01 opens the window and calls: the appointment comes first, on the board.
        clerk = _page(browser)
        _login(clerk, base, "chuangkou")
        clerk.goto(f"{base}/workbench/queue/")
        clerk.click("#btn-open")
        expect(clerk.locator("#window-state")).to_have_text("正在服务")
        clerk.click("#btn-call")
        expect(clerk.locator("#current-display")).to_have_text("A002")
        expect(board.locator("#board-latest")).to_have_text(f"请 A002 号到 {window.number} 号窗口", timeout=1000)
        clerk.click("#btn-start")
        expect(clerk.locator("#link-file")).to_be_visible()

        # 4. 窗口代录: the clerk files the case for this person, then comes back and ends the service.
        _submit(clerk, "#link-file")
        clerk.fill("#id_number", CITIZEN_ID)
        _submit(clerk, "#btn-lookup")
        clerk.locator("#id_item-search").fill("食品经营")
        clerk.locator("#id_item-search").press("Enter")
        _submit(clerk, "#btn-start")
        clerk.locator("input[type=file]").first.set_input_files(
            {"name": "申请书.pdf", "mimeType": "application/pdf", "buffer": PDF})
        _submit(clerk, "button[name=op][value=submit]")
        case = Case.objects.get(service_item=item)
        assert case.state == "submitted" and case.window_id == window.pk
        clerk.goto(f"{base}/workbench/queue/")
        expect(clerk.locator("#filed-case")).to_contain_text(case.number)
        clerk.click("#btn-end")
        expect(clerk.locator("#done-box")).to_contain_text(case.number)
        mine.refresh_from_db()
        assert mine.status == "done" and mine.case_id == case.pk and mine.visit_id
        _no_csp(clerk)

        # 5. The citizen rates the service on the window's tablet (现场一次一评).
        _submit(clerk, "#link-rate")
        clerk.click("label[for=level-5]")
        clerk.click("#rate-submit")
        expect(clerk.locator("#tablet-thanks")).to_contain_text("感谢您的评价")
        rating = Rating.objects.get(visit_id=mine.visit_id)
        assert rating.case_id == case.pk and rating.window_id == window.pk

        # The walk-in is next; the board's waiting count for A says so.
        expect(board.locator('#board-waiting li[data-prefix="A"] .zw-board-count')).to_have_text("1")
        assert Ticket.objects.get(pk=walk_in.pk).status == "waiting"
        _no_csp(board)
