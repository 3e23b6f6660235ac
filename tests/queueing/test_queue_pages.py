"""The clerk's 叫号 panel (plain forms) and the kiosk pages (no login, limited writes)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.queueing.test_queue_fixtures import *
from zhengwu.queueing.models import Ticket

PANEL = "/workbench/queue/"


@pytest.fixture
def clerk_client(clerk1):
    c = Client()
    c.force_login(clerk1)
    return c


def test_panel_finds_the_usual_window_and_works_with_plain_forms(clerk_client, hall, btype_a, window1):
    r = clerk_client.get(PANEL)
    assert r.status_code == 200 and "1 号窗口" in r.content.decode() and 'id="btn-open"' in r.content.decode()
    post = lambda **d: clerk_client.post(PANEL, {"window": window1.pk, **d}, follow=True)
    assert "已开窗" in post(op="open").content.decode()
    assert "当前没有等候的号" in post(op="call").content.decode()
    assert "已帮办取号：A001" in post(op="issue", business_type=btype_a.pk, idempotency_key="x1").content.decode()
    page = post(op="call").content.decode()
    assert "请 A001 号到 1 号窗口" in page and 'id="btn-start"' in page
    t = Ticket.objects.get(display="A001")
    page = post(op="start", ticket=t.pk).content.decode()
    assert 'id="btn-end"' in page and 'id="link-file"' in page
    r = post(op="end", ticket=t.pk)
    assert 'id="link-rate"' in r.content.decode()
    t.refresh_from_db()
    assert t.status == "done" and t.visit_id
    assert "已结束" in post(op="recall", ticket=t.pk).content.decode()


def test_panel_is_for_window_staff(make_staff, client, window1):
    client.force_login(make_staff("approver"))
    assert client.get(PANEL).status_code == 403


def test_panel_chooser_without_duty_or_usual_window(make_staff, dept, window1):
    c = Client()
    c.force_login(make_staff("window", department=dept))
    r = c.get(PANEL)
    assert 'id="window-chooser"' in r.content.decode() and f"?window={window1.pk}" in r.content.decode()


def test_menu_entry(clerk_client):
    assert "/workbench/queue/" in clerk_client.get("/workbench/").content.decode()


def test_kiosk_take_and_ticket(hall, btype_a, btype_b, opened):
    c = Client()
    home = c.get(f"/hall/{hall.pk}/kiosk/")
    assert home.status_code == 200 and "取号" in home.content.decode()
    r = c.post(f"/hall/{hall.pk}/kiosk/take/", {"business_type": btype_b.pk, "idempotency_key": "k1"})
    assert r.status_code == 302
    again = c.post(f"/hall/{hall.pk}/kiosk/take/", {"business_type": btype_b.pk, "idempotency_key": "k1"})
    assert again["Location"] == r["Location"] and Ticket.objects.count() == 1
    page = c.get(r["Location"]).content.decode()
    assert "B001" in page and "前面还有" in page and "data-zw-print" in page


def test_kiosk_bad_id_number(hall, btype_a):
    r = Client().post(f"/hall/{hall.pk}/kiosk/take/", {"business_type": btype_a.pk, "id_number": "4101"})
    assert r.status_code == 400 and "身份证号" in r.content.decode()


def test_kiosk_checkin_unknown_code(hall):
    r = Client().post(f"/hall/{hall.pk}/kiosk/checkin/", {"code": "NOPE"})
    assert r.status_code == 400 and "未找到该预约" in r.content.decode()


def test_kiosk_rate_shows_a_window_qr(hall, window1):
    r = Client().get(f"/hall/{hall.pk}/kiosk/rate/?window={window1.pk}")
    assert r.status_code == 200 and "<svg" in r.content.decode()


def test_kiosk_progress_and_unknown_hall(hall):
    page = Client().get(f"/hall/{hall.pk}/kiosk/progress/").content.decode()
    # The QR scales with its 20rem box (walk finding #17: without a viewBox it sat in the corner).
    assert re.search(r'<svg [^>]*width="\d+" height="\d+"[^>]*viewBox="0 0 \d+ \d+"', page)
    assert Client().get("/hall/999999/kiosk/").status_code == 404


def test_remote_take_in_the_portal(hall, btype_a, citizen_q):
    c = Client()
    assert c.get(f"/hall/{hall.pk}/take/").status_code == 302  # login first
    c.force_login(citizen_q)
    r = c.post(f"/hall/{hall.pk}/take/", {"business_type": btype_a.pk, "idempotency_key": "r1"}, follow=True)
    assert "A001" in r.content.decode() and "前面 0 人" in r.content.decode()
    r = c.post(f"/hall/{hall.pk}/take/", {"business_type": btype_a.pk, "idempotency_key": "r2"})
    assert r.status_code == 400 and "请勿重复取号" in r.content.decode()


def test_duty_overrides_the_usual_window(clerk_client, clerk1, window1, window2):
    from django.utils import timezone

    from zhengwu.queueing.models import Duty

    assert f'value="{window1.pk}"' in clerk_client.get(PANEL).content.decode()
    Duty.objects.create(window=window2, user=clerk1, date=timezone.localdate())
    page = clerk_client.get(PANEL).content.decode()
    assert "2 号窗口" in page and f'name="window" value="{window2.pk}"' in page


@pytest.mark.parametrize("text, code", [("y0001", "Y0001"), ("https://x.cn/appointments/Y0001/", "Y0001"),
                                        ("https://x.cn/a?code=Y0001&x=1", "Y0001")])
def test_scanned_code(text, code):
    from zhengwu.queueing.views_kiosk import scanned_code

    assert scanned_code(text) == code


def test_remote_ticket_can_be_cancelled_by_its_holder(hall, btype_a, citizen_q, make_citizen):
    from zhengwu.queueing.models import TicketEvent

    c = Client()
    c.force_login(citizen_q)
    c.post(f"/hall/{hall.pk}/take/", {"business_type": btype_a.pk})
    t = Ticket.objects.get()
    other = Client()
    other.force_login(make_citizen(name="钱七"))
    assert other.post(f"/hall/{hall.pk}/take/", {"cancel": t.pk}).status_code == 404
    c.post(f"/hall/{hall.pk}/take/", {"cancel": t.pk})
    t.refresh_from_db()
    assert t.status == "cancelled" and TicketEvent.objects.filter(ticket=t, action="cancel").exists()
    r = c.post(f"/hall/{hall.pk}/take/", {"cancel": t.pk})
    assert r.status_code == 400 and "已结束" in r.content.decode()
    # a new one may be taken once the old one is cancelled
    assert c.post(f"/hall/{hall.pk}/take/", {"business_type": btype_a.pk}).status_code == 302


def test_kiosk_progress_by_receipt_number_and_id_number(hall, dept, publish_item, make_citizen):
    """查询办件进度 at the kiosk: the receipt's 办件编号 with the applicant's 身份证号 shows the state;
    a wrong number, someone else's ID or a missing field shows the same refusal, nothing else."""
    from zhengwu.cases.services import applying

    item = publish_item(dept, "咨询登记", materials=[])
    citizen, other = make_citizen(name="李四"), make_citizen(name="王五")
    case = applying.create_draft(citizen, item)
    case = applying.submit(citizen, case, case.lock_version)
    id_number = citizen.applicant.id_number.reveal_unaudited()
    url = f"/hall/{hall.pk}/kiosk/progress/"
    c = Client()
    r = c.post(url, {"number": case.number, "identifier": id_number.lower()})
    page = r.content.decode()
    assert r.status_code == 200 and "咨询登记" in page and "待受理" in page and "李*" in page
    assert id_number not in page and "李四" not in page
    for number, ident in ((case.number, other.applicant.id_number.reveal_unaudited()), ("X" + case.number, id_number),
                          (case.number, "")):
        r = c.post(url, {"number": number, "identifier": ident})
        assert r.status_code == 400 and ("未查到该办件" in r.content.decode() or "请填写" in r.content.decode())
        assert "咨询登记" not in r.content.decode()


def test_a_refused_clerk_ticket_keeps_what_the_clerk_typed(clerk_client, hall, btype_a, btype_b, window1):
    clerk_client.post(PANEL, {"window": window1.pk, "op": "open"})
    r = clerk_client.post(PANEL, {"window": window1.pk, "op": "issue", "business_type": btype_b.pk,
                                  "id_number": "4101051990030712", "idempotency_key": "k-bad"})
    html = r.content.decode()
    assert r.status_code == 400 and "身份证号" in html
    assert 'value="4101051990030712"' in html and 'aria-invalid="true"' in html
    assert f'<option value="{btype_b.pk}" selected>' in html
    assert not Ticket.objects.exists()
