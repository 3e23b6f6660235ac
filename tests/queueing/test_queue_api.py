"""The queue part of /api/v1/queueing/: 取号 (kiosk without login, CSRF and limits), 叫号 (window role)."""

from __future__ import annotations

import pytest

from tests.helpers import ApiClient
from tests.queueing.test_queue_fixtures import *
from zhengwu.queueing.models import Ticket

BASE = "/api/v1/queueing/"


@pytest.fixture
def anon():
    return ApiClient(base=BASE)


def take(client, hall, bt, key=None, **extra):
    return client.post("tickets", {"hall_id": hall.pk, "business_type_id": bt.pk, "source": "kiosk", **extra},
                       headers={"Idempotency-Key": key} if key else None)


def test_kiosk_ticket_without_login(anon, hall, btype_a, opened):
    r = take(anon, hall, btype_a, key="abc")
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["display"] == "A001" and body["ahead"] == 0 and body["status"] == "waiting"
    assert set(body) >= {"id", "display", "business_type", "ahead", "estimated_wait_minutes", "status"}
    again = take(anon, hall, btype_a, key="abc")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    second = take(anon, hall, btype_a)
    assert second.json()["ahead"] == 1 and second.json()["estimated_wait_minutes"] == 5
    got = anon.get(f"tickets/{body['id']}")
    assert got.status_code == 200 and got.json()["display"] == "A001"


def test_kiosk_needs_csrf(anon, hall, btype_a):
    r = anon.post("tickets", {"hall_id": hall.pk, "business_type_id": btype_a.pk, "source": "kiosk"}, csrf=False)
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]
    assert Ticket.objects.count() == 0


def test_kiosk_rate_limit(anon, hall, btype_a, monkeypatch):
    from zhengwu.queueing import api_queue

    monkeypatch.setattr(api_queue, "KIOSK_LIMIT", 3)
    codes = [take(anon, hall, btype_a).status_code for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]


def test_bad_input_is_json_in_chinese(anon, hall, btype_a, btype_b):
    r = take(anon, hall, btype_a, id_number="41010519")
    assert r.status_code == 400 and "身份证号" in r.json()["errors"]["id_number"][0]
    assert take(anon, hall, btype_a, source="nope").status_code == 400
    r = anon.post("tickets", {"hall_id": hall.pk, "business_type_id": 999999, "source": "kiosk"})
    assert r.status_code == 400 and "业务类型" in r.json()["detail"]
    assert anon.get("tickets/999999").status_code == 404
    assert take(anon, hall, btype_a, source="remote").status_code == 401


def test_calling_through_the_api(anon, hall, btype_a, btype_b, window1, clerk1, citizen_q):
    clerk = ApiClient(clerk1, base=BASE)
    take(anon, hall, btype_a)
    assert clerk.post(f"windows/{window1.pk}/call-next").status_code == 400  # not open
    assert clerk.post(f"windows/{window1.pk}/open").json()["is_open"] is True
    r = clerk.post(f"windows/{window1.pk}/call-next")
    assert r.status_code == 200 and r.json()["message"] == "请 A001 号到 1 号窗口"
    tid = r.json()["ticket"]["id"]
    r = clerk.post(f"tickets/{tid}/call-next".replace("call-next", "recall"))
    assert r.json()["ticket"]["call_count"] == 2
    assert clerk.post(f"tickets/{tid}/end").status_code == 400  # not started
    assert clerk.post(f"tickets/{tid}/start").json()["ticket"]["status"] == "serving"
    r = clerk.post(f"tickets/{tid}/transfer", {"business_type_id": btype_b.pk})
    assert r.status_code == 200 and r.json()["ticket"]["display"] == "B001"
    assert clerk.post(f"windows/{window1.pk}/call-next").json()["ticket"]["display"] == "B001"
    assert clerk.post(f"windows/{window1.pk}/close").json()["requeued"] == ["B001"]
    assert clerk.post(f"windows/{window1.pk}/call-next").json()["detail"].startswith("窗口")
    # a citizen may not call; nobody without a session may
    assert ApiClient(citizen_q, base=BASE).post(f"windows/{window1.pk}/open").status_code == 403
    assert anon.post(f"windows/{window1.pk}/open").status_code == 401


def test_stale_version_is_409(anon, hall, btype_a, opened, clerk1):
    clerk = ApiClient(clerk1, base=BASE)
    take(anon, hall, btype_a)
    t = clerk.post(f"windows/{opened[0].pk}/call-next").json()["ticket"]
    assert clerk.post(f"tickets/{t['id']}/start", {"version": t["version"] - 1}).status_code == 409
    assert clerk.post(f"tickets/{t['id']}/start", {"version": t["version"]}).status_code == 200


def test_check_in_by_code(anon, hall, btype_a, citizen_q):
    import datetime as dt

    from django.utils import timezone

    from zhengwu.queueing.models import Appointment, Slot

    now = timezone.localtime().replace(second=0, microsecond=0)
    slot = Slot.objects.create(hall=hall, business_type=btype_a, date=now.date(), start=now.time(),
                               end=(now + dt.timedelta(minutes=30)).time(), capacity=3, booked=1)
    Appointment.objects.create(code="YY0001", slot=slot, user=citizen_q)
    r = anon.post("appointments/yy0001/check-in")
    assert r.status_code == 201 and r.json()["priority_reason"] == "预约签到"
    assert anon.post("appointments/NOPE/check-in").status_code == 404
