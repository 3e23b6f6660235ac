"""缴款单 through the write path: opened at 准予, paid at the counter once, refunded within what was
paid, voided; delivery waits until paid."""

import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection

from zhengwu.cases.models import Case, CaseEvent
from zhengwu.cases.services import approval
from zhengwu.core.errors import Conflict
from zhengwu.core.models import AuditEvent
from zhengwu.payments import services
from zhengwu.payments.models import Payment, PaymentOrder, Refund

pytestmark = pytest.mark.django_db


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_approval_opens_the_order_with_a_pay_code(approved, order):
    assert order is not None and order.state == "pending" and order.amount_due_fen == 2000
    assert len(order.pay_code) == 20 and order.pay_code.startswith(approved.department.region.code[:6])
    assert CaseEvent.objects.filter(case=approved, action="payment_order").exists()
    assert AuditEvent.objects.filter(action="payments.order_create").exists()


def test_rule_priced_fees_wait_for_the_clerk(make_case, rule_item, approver, window_staff):
    case = make_case(rule_item, approver=approver)
    assert not PaymentOrder.objects.filter(case=case).exists()
    with pytest.raises(ValidationError) as exc:
        services.create_order(window_staff, case)
    assert "检测费" in str(exc.value) and "须填写本办件的应缴金额" in str(exc.value)
    order = services.create_order(window_staff, case, amounts={"检测费": 5000},
                                  reductions={"工本费": {"name": "低保家庭", "reason": "核验低保证 No.1"}})
    assert order.amount_due_fen == 5000 and order.lines[0]["reduction"]["name"] == "低保家庭"
    with pytest.raises(Conflict, match="不能重复开具"):
        services.create_order(window_staff, case, amounts={"检测费": 5000})


def test_rule_fee_amount_must_be_positive(make_case, rule_item, window_staff):
    case = make_case(rule_item, approve=False)
    with pytest.raises(ValidationError, match="应缴金额应大于0"):
        services.create_order(window_staff, case, amounts={"检测费": 0})


def test_full_waiver_gives_a_waived_order_that_lets_delivery_through(make_case, fee_item, approver, window_staff):
    case = make_case(fee_item, approve=False)
    order = services.create_order(window_staff, case, reductions={"工本费": {"name": "低保家庭", "reason": "核验低保证"}})
    assert order.state == "waived" and order.amount_due_fen == 0
    from zhengwu.cases.services import approval as appr

    for step in ("review", "decide"):
        c = fresh(case)
        appr.act_on_step(approver, c, step, "pass", c.lock_version, "符合条件")
    c = fresh(case)
    approval.deliver(window_staff, c, c.lock_version, "window")
    assert fresh(case).state == "delivered"


def test_counter_payment_makes_a_receipt_and_twice_is_refused(order, window_staff):
    p = services.pay_at_counter(window_staff, order, order.lock_version, "cash", 2000)
    assert p.receipt_number.startswith("SJ") and fresh(order).state == "paid" and fresh(order).paid_fen == 2000
    with pytest.raises(Conflict, match="该缴款单已缴款，不能重复缴款"):
        services.pay_at_counter(window_staff, order, order.lock_version, "cash", 2000)
    assert Payment.objects.filter(order=order).count() == 1


def test_counter_payment_bad_input(order, window_staff, make_staff):
    with pytest.raises(ValidationError) as exc:
        services.pay_at_counter(window_staff, order, order.lock_version, "pos", 1500, "")
    assert "应缴 20.00 元" in str(exc.value) and "凭条号" in str(exc.value)
    with pytest.raises(ValidationError, match="缴款方式应为现金、POS刷卡或转账"):
        services.pay_at_counter(window_staff, order, order.lock_version, "bitcoin", 2000)
    with pytest.raises(PermissionDenied):
        services.pay_at_counter(make_staff("hotline"), order, order.lock_version, "cash", 2000)
    assert fresh(order).state == "pending" and not Payment.objects.exists()


def test_refund_within_paid_minus_refunded(order, window_staff):
    services.pay_at_counter(window_staff, order, order.lock_version, "cash", 2000)
    with pytest.raises(ValidationError, match="超过可退金额 20.00 元"):
        services.refund(window_staff, fresh(order), 2001, "多收退还")
    r = services.refund(window_staff, fresh(order), 500, "多收退还", idempotency_key="k1")
    again = services.refund(window_staff, fresh(order), 500, "多收退还", idempotency_key="k1")
    assert again.pk == r.pk and Refund.objects.count() == 1  # the same submission twice: one refund
    o = fresh(order)
    assert o.state == "part_refunded" and o.refunded_fen == 500
    with pytest.raises(ValidationError, match="超过可退金额 15.00 元"):
        services.refund(window_staff, o, 1600, "多收退还")
    services.refund(window_staff, o, 1500, "申请人撤回")
    assert fresh(order).state == "refunded" and AuditEvent.objects.filter(action="payments.refund").count() == 2


def test_refund_of_an_unpaid_order_is_refused(order, window_staff):
    with pytest.raises(ValidationError, match="只有已缴款的缴款单可以退款"):
        services.refund(window_staff, order, 100, "多收退还")


def test_delivery_is_refused_until_paid(approved, order, window_staff):
    case = fresh(approved)
    with pytest.raises(ValidationError, match="应缴 20.00 元：缴款后方可登记送达"):
        approval.deliver(window_staff, case, case.lock_version, "window")
    assert fresh(approved).state == "concluded" and not fresh(approved).result.delivered_at
    services.pay_at_counter(window_staff, order, order.lock_version, "cash", 2000)
    case = fresh(approved)
    approval.deliver(window_staff, case, case.lock_version, "window")
    assert fresh(approved).state == "delivered"


def test_delivery_of_a_fee_case_without_order_is_refused(make_case, rule_item, approver, window_staff):
    case = make_case(rule_item, approver=approver)
    with pytest.raises(ValidationError, match="尚未开具缴款单"):
        approval.deliver(window_staff, case, case.lock_version, "window")


def test_voided_order_lets_delivery_through_and_free_items_are_untouched(approved, order, window_staff, make_case,
                                                                          free_item, approver):
    with pytest.raises(ValidationError, match="作废须填写原因"):
        services.void(window_staff, order, order.lock_version, "")
    services.void(window_staff, order, order.lock_version, "开错了缴款单")
    case = fresh(approved)
    approval.deliver(window_staff, case, case.lock_version, "window")
    free = make_case(free_item, approver=approver)
    assert not PaymentOrder.objects.filter(case=free).exists()
    approval.deliver(window_staff, free, free.lock_version, "window")
    assert fresh(free).state == "delivered"


@pytest.mark.django_db(transaction=True)
def test_two_clerks_paying_the_same_order_at_once_make_one_payment(make_case, fee_item, approver, window_staff):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers: no real concurrency to test")
    case = make_case(fee_item, approver=approver)
    order = case.payment_order
    outcomes, barrier = [], threading.Barrier(2)

    def pay():
        from django.db import connections

        try:
            barrier.wait()
            services.pay_at_counter(window_staff, order, order.lock_version, "cash", 2000)
            outcomes.append("paid")
        except Conflict as exc:
            outcomes.append(exc.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["paid", "该缴款单已缴款，不能重复缴款"]
    assert Payment.objects.filter(order=order).count() == 1 and Case.objects.get(pk=case.pk)
