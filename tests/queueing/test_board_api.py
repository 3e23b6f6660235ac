"""The board API, the window-screen API and the two public pages (no login, no names)."""

from __future__ import annotations

import itertools

import pytest
from django.utils import timezone

_n = itertools.count(1)


def make_hall(district, *, windows=("3",), types=(("A", "综合受理"), ("B", "企业开办"))):
    """A hall with windows and business types, as the hall part sets them up."""
    from zhengwu.org.models import Hall, Window
    from zhengwu.queueing.models import BusinessType, WindowSetup

    hall = Hall.objects.create(name=f"测试政务服务大厅{next(_n)}", region=district, address="测试路 1 号")
    for i, (prefix, name) in enumerate(types):
        BusinessType.objects.create(hall=hall, prefix=prefix, name=name, order=i)
    for number in windows:
        WindowSetup.objects.create(window=Window.objects.create(hall=hall, number=number, name=f"{number} 号综合窗口"))
    return hall


def issue(hall, prefix="A", *, person_name="李四"):
    """A waiting ticket and its ``issue`` event, as the queue part writes them."""
    from zhengwu.queueing.models import BusinessType, Ticket, TicketEvent

    bt = BusinessType.objects.get(hall=hall, prefix=prefix)
    number = Ticket.objects.filter(business_type=bt, day=timezone.localdate()).count() + 1
    t = Ticket.objects.create(hall=hall, business_type=bt, day=timezone.localdate(), number=number,
                              display=f"{prefix}{number:03d}", source="kiosk", person_name=person_name,
                              issued_at=timezone.now())
    TicketEvent.objects.create(hall=hall, ticket=t, action="issue", at=timezone.now())
    return t


def call(ticket, window, action="call"):
    """Call ``ticket`` to ``window`` (ticket row and its event in one go, as call_next does)."""
    from zhengwu.queueing.models import TicketEvent

    now = timezone.now()
    ticket.status, ticket.window, ticket.called_at = "called", window, now
    ticket.call_count += 1
    ticket.save()
    return TicketEvent.objects.create(hall=ticket.hall, ticket=ticket, window=window, action=action, at=now,
                                      text=f"请 {ticket.display} 号到 {window.number} 号窗口")


@pytest.fixture
def hall(district):
    return make_hall(district)


def test_board_lists_the_last_eight_calls_newest_first_and_waiting_counts(client, hall):
    window = hall.windows.get()
    tickets = [issue(hall) for _ in range(10)]
    issue(hall, "B")
    for t in tickets[:9]:
        call(t, window)
    recall = call(tickets[8], window, "recall")
    r = client.get(f"/api/v1/queueing/halls/{hall.pk}/board")
    assert r.status_code == 200
    data = r.json()
    assert [c["ticket"] for c in data["calls"]] == ["A009", "A009", "A008", "A007", "A006", "A005", "A004", "A003"]
    assert data["calls"][0] == {"ticket": "A009", "window": "3", "text": "请 A009 号到 3 号窗口",
                                "at": data["calls"][0]["at"], "event_id": recall.pk}
    assert data["waiting"] == {"A": 1, "B": 1}
    assert data["last_event_id"] == recall.pk
    assert "李四" not in r.content.decode()


def test_board_of_an_empty_hall_and_of_no_hall(client, hall):
    data = client.get(f"/api/v1/queueing/halls/{hall.pk}/board").json()
    assert data == {"calls": [], "waiting": {"A": 0, "B": 0}, "last_event_id": 0}
    r = client.get("/api/v1/queueing/halls/999999/board")
    assert r.status_code == 404 and r["Content-Type"].startswith("application/json")


def test_window_screen_shows_the_clerk_and_current_ticket_or_paused(client, hall, make_staff):
    from zhengwu.queueing.models import Duty, WindowSetup

    window = hall.windows.get()
    clerk = make_staff("window")
    Duty.objects.create(window=window, user=clerk, date=timezone.localdate(), period="day")
    url = f"/api/v1/queueing/windows/{window.pk}/screen"
    data = client.get(url).json()
    assert data["open"] is False and data["ticket"] is None and data["clerk"] == clerk.display_name
    WindowSetup.objects.filter(window=window).update(is_open=True, opened_by=clerk)
    call(issue(hall), window)
    data = client.get(url).json()
    assert data["open"] is True and data["ticket"]["display"] == "A001" and data["ticket"]["status_label"] == "已叫号"
    page = client.get(f"/hall/windows/{window.pk}/screen/").content.decode()
    assert "A001" in page and clerk.display_name in page and "3 号窗口" in page


def test_board_page_is_public_and_allows_the_push_server(client, hall, monkeypatch):
    monkeypatch.setenv("ZHENGWU_PUSH_PORT", "8123")
    window = hall.windows.get()
    call(issue(hall), window)
    r = client.get(f"/hall/{hall.pk}/board/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "请 A001 号到 3 号窗口" in html and hall.name in html and "李四" not in html
    assert 'data-events-url="http://testserver:8123/push/halls/%d/events"' % hall.pk in html
    assert "connect-src 'self' http://testserver:8123" in r["Content-Security-Policy"]
    assert "开启语音播报" in html


def test_push_url_setting_and_push_off(client, hall, settings, monkeypatch):
    settings.ZHENGWU_PUSH_URL = "https://push.example.org/"
    html = client.get(f"/hall/{hall.pk}/board/").content.decode()
    assert f'data-events-url="https://push.example.org/push/halls/{hall.pk}/events"' in html
    monkeypatch.setenv("ZHENGWU_PUSH", "off")
    r = client.get(f"/hall/{hall.pk}/board/")
    assert 'data-events-url=""' in r.content.decode()
    assert "push.example.org" not in r["Content-Security-Policy"]


def test_unknown_hall_and_window_pages_are_404(client, db):
    assert client.get("/hall/999999/board/").status_code == 404
    assert client.get("/hall/windows/999999/screen/").status_code == 404


@pytest.mark.parametrize("ident", ["99999999999999999999", "0", "-1"])
def test_ids_out_of_range_are_a_json_404(client, db, ident):
    for path in (f"/api/v1/queueing/halls/{ident}/board", f"/api/v1/queueing/windows/{ident}/screen"):
        r = client.get(path)
        assert r.status_code in (404, 422) and r["Content-Type"].startswith("application/json"), (path, r.status_code)
