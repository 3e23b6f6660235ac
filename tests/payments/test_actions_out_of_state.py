"""Every action on a 缴款单, in a state where it may not apply, with the current lock version, is
refused with a Chinese 4xx — never a 500 (the cases' test_actions_out_of_state, for payment
orders).

The API has one transition, a payment channel's signed notice (缴款); 柜台收款, 退款 and 作废 have no
API, so the order page's forms are tried. Each action is tried in each state inside a savepoint
that is rolled back, so every action meets the same order; the clerk is a window of the order's
department, who may take every action."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.helpers import answer_rolled_back
from zhengwu.payments.models import PaymentOrder

pytestmark = pytest.mark.django_db
FORMS = {
    "pay": {"method": "cash", "amount": "20.00"},
    "refund": {"method": "cash", "amount": "5.00", "reason": "多收费用退回"},
    "void": {"reason": "缴款单开错了"},
}


def _in_state(state, order, clerk):
    from zhengwu.payments import services

    if state in ("paid", "part_refunded"):
        services.pay_at_counter(clerk, order, order.lock_version, "cash", order.amount_due_fen)
    if state == "part_refunded":
        services.refund(clerk, PaymentOrder.objects.get(pk=order.pk), 500, "多收费用退回")
    order = PaymentOrder.objects.get(pk=order.pk)
    assert order.state == state
    return order


@pytest.mark.parametrize("state", ["pending", "paid", "part_refunded"])
def test_no_action_answers_500_in_a_state_where_it_does_not_apply(order, window_staff, bank, state):
    order = _in_state(state, order, window_staff)
    answers = {}
    # 缴款 by a channel's signed notice (the API).
    body = json.dumps({"pay_code": order.pay_code, "transaction_id": "T-OUT-OF-STATE", "amount": "20.00"}).encode()
    answers["notice"] = answer_rolled_back(
        lambda: Client().post("/api/v1/payments/notices/bank", body, content_type="application/json",
                              HTTP_X_SIGNATURE=bank(body)), "notice").status_code
    # The order page's forms: refused → the page again with the reason (400, 409), done → redirect.
    client = Client()
    client.force_login(window_staff)
    for action, form in FORMS.items():
        answers[action] = answer_rolled_back(
            lambda: client.post(reverse("payments:order_action", args=[order.pk, action]),
                                {"lock_version": order.lock_version, **form}),
            action, page=True, explained=range(400, 500)).status_code
    assert any(code in (200, 302) for code in answers.values()), answers  # the state is real: something applies
