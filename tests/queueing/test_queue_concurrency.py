"""Two clerks press 叫下一位 at the same moment, over many rounds: never the same ticket (PostgreSQL,
real threads and connections: SELECT … FOR UPDATE SKIP LOCKED)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from tests.queueing.test_queue_fixtures import *

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")

ROUNDS = 40


@pytest.mark.django_db(transaction=True)
def test_two_clerks_never_get_the_same_ticket(hall, btype_a, opened, clerk1, clerk2):
    from django.db import connections

    from zhengwu.queueing.services import calling
    from zhengwu.queueing.services.tickets import issue_ticket

    w1, w2 = opened
    for _ in range(ROUNDS * 2 + 3):
        issue_ticket(hall=hall, business_type=btype_a, source="kiosk")
    barrier = threading.Barrier(2)
    got: dict[str, list[int]] = {"1": [], "2": []}
    errors: list[BaseException] = []

    def clerk(window, user, key):
        try:
            for _ in range(ROUNDS):
                barrier.wait(timeout=30)
                t = calling.call_next(window=window, user=user)
                got[key].append(t.pk)
                calling.mark_no_show(ticket=t, user=user)  # frees the window for the next round
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=clerk, args=(w1, clerk1, "1")),
               threading.Thread(target=clerk, args=(w2, clerk2, "2"))]
    for th in threads:
        th.start()
    for th in threads:
        th.join(120)
    assert not errors, errors
    assert len(got["1"]) == len(got["2"]) == ROUNDS
    assert not set(got["1"]) & set(got["2"])
    assert len(set(got["1"] + got["2"])) == ROUNDS * 2


@pytest.mark.django_db(transaction=True)
def test_a_double_click_calls_one_ticket(hall, btype_a, opened, clerk1):
    """叫下一位 pressed twice at once on one window: one ticket is called, the other press is told
    the window is busy with it; nothing else leaves the queue."""
    from django.core.exceptions import ValidationError
    from django.db import connections

    from zhengwu.queueing.models import Ticket
    from zhengwu.queueing.services import calling
    from zhengwu.queueing.services.tickets import issue_ticket

    w1, _w2 = opened
    for _ in range(ROUNDS // 4 * 2 + 2):
        issue_ticket(hall=hall, business_type=btype_a, source="kiosk")
    for _ in range(ROUNDS // 4):
        barrier = threading.Barrier(2)
        called, refused, errors = [], [], []

        def press():
            try:
                barrier.wait(timeout=30)
                called.append(calling.call_next(window=w1, user=clerk1).pk)
            except ValidationError as exc:
                refused.append(exc)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=press) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join(60)
        assert not errors, errors
        assert len(called) == 1 and len(refused) == 1 and "尚未处理完" in str(refused[0]), (called, refused)
        assert Ticket.objects.filter(window=w1, status="called").count() == 1
        calling.mark_no_show(ticket=Ticket.objects.get(pk=called[0]), user=clerk1)
