"""取号 and 叫号 services: numbering, limits, priority, position, calling, close, transfer, end."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.queueing.test_queue_fixtures import *
from zhengwu.core.identifiers import make_id_number
from zhengwu.queueing.models import HallRules, Ticket, TicketEvent
from zhengwu.queueing.services import calling
from zhengwu.queueing.services.tickets import check_in, issue_ticket, position


def kiosk(hall, bt, **kw):
    return issue_ticket(hall=hall, business_type=bt, source="kiosk", **kw)


def test_numbers_per_type_per_day_with_events(hall, btype_a, btype_b):
    a1, a2, b1 = kiosk(hall, btype_a), kiosk(hall, btype_a), kiosk(hall, btype_b)
    assert [a1.display, a2.display, b1.display] == ["A001", "A002", "B001"]
    assert TicketEvent.objects.filter(action="issue").count() == 3
    from zhengwu.core.models import AuditEvent

    assert AuditEvent.objects.filter(action="queue.issue").count() == 3


def test_daily_limit_in_chinese(hall, btype_a):
    btype_a.daily_limit = 1
    btype_a.save()
    kiosk(hall, btype_a)
    with pytest.raises(ValidationError) as exc:
        kiosk(hall, btype_a)
    assert "今日取号已达上限" in str(exc.value)
    assert Ticket.objects.count() == 1


def test_idempotency_key_returns_the_same_ticket(hall, btype_a):
    t1 = kiosk(hall, btype_a, idempotency_key="k-1")
    t2 = kiosk(hall, btype_a, idempotency_key="k-1")
    assert t1.pk == t2.pk and Ticket.objects.count() == 1


def test_elder_gets_priority_and_id_is_encrypted(hall, btype_a):
    old = make_id_number("41010519500101001")
    t = kiosk(hall, btype_a, id_number=old)
    assert (t.priority, t.priority_reason) == (10, "70岁以上老年人")
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT id_number FROM queueing_ticket WHERE id = %s", [t.pk])
        raw = cur.fetchone()[0]
    assert raw and old not in raw


def test_bad_id_number_names_the_field(hall, btype_a):
    with pytest.raises(ValidationError) as exc:
        kiosk(hall, btype_a, id_number="123")
    assert "身份证号" in exc.value.message_dict["id_number"][0]


def test_position_and_estimate(hall, btype_a, opened):
    t1, _t2, t3 = kiosk(hall, btype_a), kiosk(hall, btype_a), kiosk(hall, btype_a)
    elder = kiosk(hall, btype_a, id_number=make_id_number("41010519500101002"))
    assert position(t1) == (1, 5)  # the elder is called first; 2 open windows serve A
    assert position(t3) == (3, 15)
    assert position(elder) == (0, 0)


def test_remote_needs_login_and_once_a_day(hall, btype_a, citizen_q):
    with pytest.raises(PermissionDenied):
        issue_ticket(hall=hall, business_type=btype_a, source="remote")
    issue_ticket(hall=hall, business_type=btype_a, source="remote", user=citizen_q)
    with pytest.raises(ValidationError) as exc:
        issue_ticket(hall=hall, business_type=btype_a, source="remote", user=citizen_q)
    assert "请勿重复取号" in str(exc.value)
    HallRules.objects.create(hall=hall, remote_ticket=False)
    with pytest.raises(ValidationError):
        issue_ticket(hall=hall, business_type=btype_a, source="remote", user=citizen_q)


def test_clerk_issue_needs_window_role(hall, btype_a, clerk1, citizen_q):
    assert issue_ticket(hall=hall, business_type=btype_a, source="clerk", clerk=clerk1).source == "clerk"
    with pytest.raises(PermissionDenied):
        issue_ticket(hall=hall, business_type=btype_a, source="clerk", clerk=citizen_q)


def test_call_order_priority_then_issue(hall, btype_a, opened, clerk1):
    w1, _ = opened
    t1 = kiosk(hall, btype_a)
    kiosk(hall, btype_a)
    elder = kiosk(hall, btype_a, id_number=make_id_number("41010519500101003"))
    got = calling.call_next(window=w1, user=clerk1)
    assert got.pk == elder.pk and got.status == "called"
    assert TicketEvent.objects.get(ticket=got, action="call").text == f"请 {elder.display} 号到 1 号窗口"
    calling.mark_no_show(ticket=got, user=clerk1)
    assert calling.call_next(window=w1, user=clerk1).pk == t1.pk


def test_call_refused_when_closed_busy_or_empty(hall, btype_a, window1, clerk1):
    with pytest.raises(ValidationError, match="尚未开窗"):
        calling.call_next(window=window1, user=clerk1)
    calling.open_window(window=window1, user=clerk1)
    assert calling.call_next(window=window1, user=clerk1) is None
    kiosk(hall, btype_a)
    kiosk(hall, btype_a)
    calling.call_next(window=window1, user=clerk1)
    with pytest.raises(ValidationError, match="尚未处理完"):
        calling.call_next(window=window1, user=clerk1)


def test_full_service_and_rating_visit(hall, btype_a, opened, clerk1):
    w1, _ = opened
    kiosk(hall, btype_a)
    t = calling.call_next(window=w1, user=clerk1)
    t = calling.recall(ticket=t, user=clerk1)
    assert t.call_count == 2
    t = calling.start(ticket=t, user=clerk1)
    t = calling.end(ticket=t, user=clerk1)
    assert t.status == "done" and t.visit is not None and t.visit.window_id == w1.pk
    with pytest.raises(ValidationError, match="已结束"):
        calling.recall(ticket=t, user=clerk1)
    assert list(TicketEvent.objects.filter(ticket=t).order_by("id").values_list("action", flat=True)) == [
        "issue", "call", "recall", "start", "end"]


def test_other_clerk_cannot_act_on_my_ticket(hall, btype_a, opened, clerk1, clerk2):
    kiosk(hall, btype_a)
    t = calling.call_next(window=opened[0], user=clerk1)
    with pytest.raises(PermissionDenied):
        calling.start(ticket=t, user=clerk2)


def test_close_window_requeues_called_tickets(hall, btype_a, opened, clerk1, clerk2):
    w1, w2 = opened
    first = kiosk(hall, btype_a)
    kiosk(hall, btype_a)
    t = calling.call_next(window=w1, user=clerk1)
    assert t.pk == first.pk
    back = calling.close_window(window=w1, user=clerk1)
    assert [x.pk for x in back] == [first.pk]
    first.refresh_from_db()
    assert first.status == "waiting" and first.window_id is None
    assert TicketEvent.objects.filter(ticket=first, action="requeue").exists()
    # its place is kept: the next call of the other window gets it again
    assert calling.call_next(window=w2, user=clerk2).pk == first.pk


def test_close_refused_while_serving(hall, btype_a, opened, clerk1):
    kiosk(hall, btype_a)
    t = calling.call_next(window=opened[0], user=clerk1)
    calling.start(ticket=t, user=clerk1)
    with pytest.raises(ValidationError, match="正在办理中"):
        calling.close_window(window=opened[0], user=clerk1)


def test_transfer_keeps_priority_and_order(hall, btype_a, btype_b, opened, clerk1):
    w1, _ = opened
    elder = kiosk(hall, btype_a, id_number=make_id_number("41010519500101004"))
    later_b = kiosk(hall, btype_b)
    t = calling.call_next(window=w1, user=clerk1)
    assert t.pk == elder.pk
    new = calling.transfer(ticket=t, user=clerk1, business_type=btype_b)
    t.refresh_from_db()
    assert t.status == "transferred" and new.source == "transfer" and new.transferred_from_id == t.pk
    assert new.priority == 10 and new.issued_at == elder.issued_at and new.display == "B002"
    assert new.id_number == elder.id_number
    assert position(new)[0] == 0 and position(later_b)[0] == 1
    with pytest.raises(ValidationError):
        calling.transfer(ticket=new, user=clerk1, business_type=btype_a)  # waiting: not called yet


def _appointment(hall, bt, user, start):
    from zhengwu.queueing.models import Appointment, Slot

    slot = Slot.objects.create(hall=hall, business_type=bt, date=start.date(), start=start.time(),
                               end=(start + dt.timedelta(minutes=30)).time(), capacity=5, booked=1)
    return Appointment.objects.create(code=f"Y{slot.pk:06d}", slot=slot, user=user)


def test_check_in_gives_priority_once(hall, btype_a, citizen_q):
    now = timezone.localtime().replace(second=0, microsecond=0)
    appt = _appointment(hall, btype_a, citizen_q, now)
    t = check_in(appointment=appt)
    assert t.source == "appointment" and t.priority == 20 and t.priority_reason == "预约签到"
    appt.refresh_from_db()
    assert appt.status == "checked_in"
    assert check_in(appointment=appt).pk == t.pk  # a double tap


def test_check_in_outside_the_window(hall, btype_a, citizen_q):
    later = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(hours=2)
    if later.date() != timezone.localdate():
        pytest.skip("near midnight")
    appt = _appointment(hall, btype_a, citizen_q, later)
    with pytest.raises(ValidationError, match="签到时间为"):
        check_in(appointment=appt)


def test_conditional_claim_retries_after_a_lost_race(hall, btype_a, monkeypatch):
    """The SQLite path: another clerk claims the candidate between the read and the UPDATE."""
    from django.db.models import QuerySet

    first, second = kiosk(hall, btype_a), kiosk(hall, btype_a)
    orig, raced = QuerySet.update, []

    def racing_update(self, **kw):
        if self.model is Ticket and kw == {"status": "called"} and not raced:
            raced.append(1)
            Ticket.objects.filter(pk=first.pk).update(status="called")  # the other clerk wins
        return orig(self, **kw)

    monkeypatch.setattr(QuerySet, "update", racing_update)
    got = calling._claim_conditional([btype_a.pk], timezone.localdate())
    assert raced and got.pk == second.pk
