"""Every clerk action on a hall queue ticket, in a state where it may not apply, with the current
version, is refused with a Chinese 4xx — never a 500 (the cases' test_actions_out_of_state, for
queue tickets).

Each action is tried in each state inside a savepoint that is rolled back, so every action meets
the same ticket. The clerk took the ticket himself (远程取号), so he may also cancel it: 取消 has no
API, only the remote page's form, which is tried the same way."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import ApiClient, answer_rolled_back
from tests.queueing.test_queue_fixtures import *
from zhengwu.queueing.models import Ticket

pytestmark = pytest.mark.django_db
BASE = "/api/v1/queueing/"
TICKET_ACTIONS = ("recall", "no-show", "start", "end", "transfer")
WINDOW_ACTIONS = ("open", "call-next", "close")


def _in_state(state, hall, btype_a, window, clerk):
    from zhengwu.queueing.services import calling
    from zhengwu.queueing.services.tickets import issue_ticket

    ticket = issue_ticket(hall=hall, business_type=btype_a, source="remote", user=clerk)
    if state != "waiting":
        assert calling.call_next(window=window, user=clerk).pk == ticket.pk
    if state in ("serving", "done"):
        calling.start(ticket=Ticket.objects.get(pk=ticket.pk), user=clerk)
    if state == "done":
        calling.end(ticket=Ticket.objects.get(pk=ticket.pk), user=clerk)
    t = Ticket.objects.get(pk=ticket.pk)
    assert t.status == state
    return t


@pytest.mark.parametrize("state", ["waiting", "called", "serving", "done"])
def test_no_action_answers_500_in_a_state_where_it_does_not_apply(hall, btype_a, btype_b, window1, clerk1, state):
    from zhengwu.queueing.services import calling

    calling.open_window(window=window1, user=clerk1)
    ticket = _in_state(state, hall, btype_a, window1, clerk1)
    client = ApiClient(clerk1, base=BASE)
    answers = {}
    for action in TICKET_ACTIONS + WINDOW_ACTIONS:
        path = f"tickets/{ticket.pk}/{action}" if action in TICKET_ACTIONS else f"windows/{window1.pk}/{action}"
        body = {"version": ticket.version, **({"business_type_id": btype_b.pk} if action == "transfer" else {})}
        answers[action] = answer_rolled_back(lambda: client.post(path, body), action).status_code
    # 取消 (no API): the remote page's form; refused → the page again with the reason (400), done → redirect.
    r = answer_rolled_back(lambda: client.client.post(reverse("queueing:remote_take", args=[hall.pk]),
                                                      {"cancel": ticket.pk}, headers=client.headers),
                           "cancel", explained=())
    answers["cancel"] = 200 if r.status_code == 302 else r.status_code
    if state == "waiting":
        assert r.status_code == 302, r.status_code  # 取消 applies to a waiting ticket only
    else:
        from django.utils.html import escape

        from zhengwu.core.statemachine import TransitionRefused
        from zhengwu.queueing.queue_rules import MACHINE

        with pytest.raises(TransitionRefused) as refused:
            MACHINE.check(state, "cancel", "citizen")
        assert r.status_code == 400 and escape(refused.value.message) in r.content.decode()  # the page gives the reason
    assert any(code == 200 for code in answers.values()), answers  # the state is real: something applies
