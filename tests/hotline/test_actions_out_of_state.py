"""Every staff action on a 12345 ticket, in a state where it may not apply, with the current lock
version, is refused with a Chinese 4xx — never a 500 (the cases' test_actions_out_of_state, for
tickets).

Each action is tried in each state inside a savepoint that is rolled back, so every action meets
the same ticket; the person acting is both 派单中心 and the lead department's handler, so the role
checks never stop an action before its state is checked (except on a ticket not yet dispatched: it
has no lead department, so the department's actions are 403 there)."""

from __future__ import annotations

import pytest

from tests.helpers import answer_rolled_back
from zhengwu.hotline.models import Ticket

pytestmark = pytest.mark.django_db
API = "/api/v1/hotline/tickets"


def _actions(market, main):
    return {
        "dispatch": {"department": market.pk, "opinion": "请核实处理"},
        "direct_close": {"knowledge": None, "answer": "已电话答复"},
        "merge": {"merge_into": main.number, "opinion": "重复诉求"},
        "cancel": {"reason": "误登记"},
        "claim": {},
        "return": {"reason": "不属于本单位职责范围"},
        "redispatch": {"department": market.pk, "opinion": "改派"},
        "reject_return": {"opinion": "属于本单位职责"},
        "request_extension": {"days": 2, "reason": "需现场核查"},
        "approve_extension": {"opinion": "同意"},
        "reject_extension": {"opinion": "不同意延期"},
        "urge": {"opinion": "请尽快办理"},
        "reply": {"reply": "已到现场核查，责令商家整改并赔偿。"},
        "callback": {"reached": True, "resolved": True, "satisfaction": 5, "note": "满意"},
        "reopen": {"opinion": "诉求人不满意"},
        "close": {"opinion": "办结"},
        "archive": {},
    }


@pytest.fixture
def all_roles(centre, market):
    """派单中心 (hotline) and the lead department's 部门管理员 in one person."""
    from zhengwu.org.models import RoleGrant

    RoleGrant.objects.create(user=centre, role="dept_admin", region=market.region, department=market)
    return centre


def _in_state(state, ticket, user, market):
    from zhengwu.hotline import services

    def fresh():
        return Ticket.objects.get(pk=ticket.pk)

    steps = {
        "dispatched": lambda t: services.dispatch(user, t, t.lock_version, market.pk),
        "handling": lambda t: services.claim(user, t, t.lock_version),
        "returned": lambda t: services.return_ticket(user, t, t.lock_version, "不属于本单位职责范围"),
        "replied": lambda t: services.reply(user, t, t.lock_version, "已到现场核查，责令商家整改并赔偿。"),
        "callbacked": lambda t: services.callback(user, t, t.lock_version, reached=True, resolved=True, satisfaction=5),
        "closed": lambda t: services.close(user, t, t.lock_version),
    }
    path = {"registered": [], "dispatched": ["dispatched"], "handling": ["dispatched", "handling"],
            "returned": ["dispatched", "handling", "returned"],
            "replied": ["dispatched", "handling", "replied"],
            "callbacked": ["dispatched", "handling", "replied", "callbacked"],
            "closed": ["dispatched", "handling", "replied", "callbacked", "closed"]}[state]
    for step in path:
        steps[step](fresh())
    t = fresh()
    assert t.state == state
    return t


@pytest.mark.parametrize("state", ["registered", "dispatched", "handling", "returned", "replied", "callbacked",
                                   "closed"])
def test_no_action_answers_500_in_a_state_where_it_does_not_apply(client, all_roles, market, new_ticket, state):
    main = new_ticket(content="另一位市民反映经八路饭店卫生差", phone="13800002222")
    ticket = _in_state(state, new_ticket(), all_roles, market)
    client.force_login(all_roles)
    answers = {}
    for action, body in _actions(market, main).items():
        answers[action] = answer_rolled_back(
            lambda: client.post(f"{API}/{ticket.pk}/{action}", {"lock_version": ticket.lock_version, **body},
                                content_type="application/json"), action).status_code
    assert any(code == 200 for code in answers.values()), answers  # the state is real: something applies
