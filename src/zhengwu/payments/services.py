"""收费与缴款: the one write path — 开具缴款单, 柜台缴款 (with a 收据), provider notices, 退款, 作废.

Every change locks the order row, checks its state against :data:`rules.MACHINE` and its version,
writes a case history event (visible to the applicant) and an audit event, in one transaction.
"""

from __future__ import annotations

import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.cases.models import Case
from zhengwu.cases.services.base import record_event
from zhengwu.catalog.fee_rules import yuan
from zhengwu.core import audit
from zhengwu.core.errors import Conflict, NotFound
from zhengwu.core.transitions import Lifecycle, Stale
from zhengwu.org import permissions
from zhengwu.org.models import Role

from . import providers, rules
from .models import NoticeLog, Payment, PaymentOrder, Refund
from .rules import Actor, State

logger = logging.getLogger("zhengwu.payments")

CLERK_ROLES = (Role.WINDOW, Role.APPROVER)


class StaleOrder(Stale):
    message = "该缴款单已被他人处理或已更新，请刷新页面后重试"


class OrderNotFound(NotFound):
    message = "缴款单不存在"


LIFECYCLE = Lifecycle(rules.MACHINE, PaymentOrder, stale=StaleOrder, audit_prefix="payments",
                      missing=OrderNotFound)


def require_clerk(user, department) -> None:
    if not permissions.has_role(user, *CLERK_ROLES, department=department):
        raise PermissionDenied("仅该部门的窗口或审批人员可以办理收费")


def receives_for(user, order: PaymentOrder) -> bool:
    """The user is a window of the region that received the order's case for its department (跨域通办:
    异地代收 — the applicant pays where the result is picked up)."""
    from zhengwu.cases.services.tongban import is_receiver_of

    return is_receiver_of(user, order.case_id)


def may_collect(user, order: PaymentOrder) -> bool:
    """柜台收款: the department's 窗口/审批人员, or the receiving window of a 跨域代收 case."""
    return permissions.has_role(user, *CLERK_ROLES, department=order.department) or receives_for(user, order)


def _refuse_state(order: PaymentOrder, action: str) -> None:
    """A refused action as 409 (已缴款 twice is a conflict with what happened, not bad input)."""
    try:
        rules.MACHINE.check(order.state, action)
    except rules.MACHINE.refused as exc:
        raise Conflict(exc.message, code="transition") from None


# -- 开具缴款单 ------------------------------------------------------------------------------------
ORDERABLE_STATES = ("in_review", "suspended", "concluded")


@transaction.atomic
def create_order(user, case: Case, *, amounts: dict[str, int] | None = None,
                 reductions: dict[str, dict] | None = None, system: bool = False) -> PaymentOrder:
    """开具缴款单 for ``case`` from its guide's fee items (``amounts``: 分 for rule-priced fees;
    ``reductions``: the 减免 chosen per fee, with the reason). ``system``: the 准予 hook."""
    case = Case.objects.select_for_update(of=("self",)).select_related("department__region", "item_version").get(
        pk=case.pk)
    if not system:
        require_clerk(user, case.department)
    existing = PaymentOrder.objects.filter(case=case).first()
    if existing is not None:
        raise Conflict(f"该办件已开具缴款单（缴款码 {existing.pay_code}），不能重复开具")
    if case.state not in ORDERABLE_STATES or case.outcome == "rejected":
        raise ValidationError(f"办件当前为“{case.state_label}”，不能开具缴款单：受理后、送达前且未作不予决定的办件才能开具")
    fees = case.item_version.fees or []
    if not fees:
        raise ValidationError("该办件的事项不收费，无需开具缴款单")
    lines, problems = rules.order_lines(fees, amounts, reductions)
    if problems:
        raise ValidationError({"fees": problems})
    due = sum(line["due_fen"] for line in lines)
    order = PaymentOrder.objects.create(case=case, department=case.department, lines=lines, amount_due_fen=due,
                                        state=State.WAIVED if due == 0 else State.PENDING,
                                        created_by=None if system else user)
    region = case.department.region.code if case.department.region_id else "000000"
    order.pay_code = rules.pay_code(region, timezone.localdate().year, order.pk)
    order.save(update_fields=["pay_code"])
    chosen = [f"{line['name']}：{line['reduction']['name']}（{line['reduction']['reason']}）"
              for line in lines if line["reduction"]]
    record_event(case, "payment_order", "开具缴款单", None if system else user,
                 data={"pay_code": order.pay_code, "amount": yuan(due), "reductions": chosen})
    audit.record("payments.order_create", actor=None if system else user, obj=order,
                 after={"case": case.number, "pay_code": order.pay_code, "amount_due_fen": due, "reductions": chosen})
    return order


def fully_priced(fees: list[dict]) -> bool:
    """Every fee has a fixed amount (the 准予 hook may open the order without a clerk)."""
    lines, problems = rules.order_lines(fees)
    return bool(lines) and not problems


# -- 柜台缴款 --------------------------------------------------------------------------------------
@transaction.atomic
def pay_at_counter(user, order: PaymentOrder, expected_lock: int | None, method: str, amount_fen: int | None,
                   reference: str = "") -> Payment:
    """The clerk takes the money at the window: 现金 / POS刷卡 / 转账; a 收据 is numbered."""
    order = LIFECYCLE.lock(order.pk, None)
    if not may_collect(user, order):
        raise PermissionDenied("仅该部门的窗口或审批人员（或跨域代收窗口）可以柜台收款")
    if not permissions.has_role(user, *CLERK_ROLES, department=order.department):
        from zhengwu.cases.services.tongban import acting_here

        acting_here(user, order.case)  # 跨域代收: paid at the receiving window (the case's history says so)
    _refuse_state(order, "pay")  # 已缴款: 409, before the version (a double click says why)
    LIFECYCLE.check_version(order, expected_lock)
    errors = {}
    if method not in rules.COUNTER_METHODS:
        errors["method"] = ["缴款方式应为现金、POS刷卡或转账"]
    if amount_fen != order.amount_due_fen:
        errors["amount"] = [f"实收金额应与应缴金额一致：应缴 {order.due_yuan} 元"
                            + (f"，填写的是 {yuan(amount_fen)} 元" if amount_fen is not None else "")]
    reference = (reference or "").strip()
    if method in (rules.Method.POS, rules.Method.TRANSFER) and not reference:
        errors["reference"] = ["POS刷卡或转账须填写凭条号或转账流水号"]
    if len(reference) > 64:
        errors["reference"] = ["凭证号不超过64个字符"]
    if errors:
        raise ValidationError(errors)
    return _record_payment(order, user, providers.COUNTER.code, method, amount_fen, uuid.uuid4().hex, reference,
                           Actor.CLERK)


def _record_payment(order: PaymentOrder, user, provider: str, method: str, amount_fen: int, txn: str,
                    reference: str, actor: Actor) -> Payment:
    now = timezone.now()
    # One payment per order (a unique constraint): the order's id numbers the 收据 without a second write.
    payment = Payment.objects.create(order=order, provider=provider, method=method, amount_fen=amount_fen,
                                     transaction_id=txn, reference=reference, recorded_by=user, paid_at=now,
                                     receipt_number=f"SJ{timezone.localdate(now):%Y%m%d}{order.pk:08d}")
    order.paid_fen, order.paid_at = amount_fen, now
    label = rules.METHOD_LABELS.get(method, method)
    LIFECYCLE.move(order, "pay", actor, user, fields=["paid_fen", "paid_at"],
                   history=lambda before, target: record_event(
                       order.case, "payment", "缴款", user,
                       data={"amount": yuan(amount_fen), "method": label, "receipt": payment.receipt_number}),
                   audit_after={"pay_code": order.pay_code, "amount_fen": amount_fen, "provider": provider,
                                "method": method, "receipt": payment.receipt_number})
    return payment


# -- provider notices ------------------------------------------------------------------------------
class NoticeResult:
    def __init__(self, outcome: str, order: PaymentOrder | None = None, payment: Payment | None = None):
        self.outcome, self.order, self.payment = outcome, order, payment


def receive_notice(provider_code: str, body: bytes, headers) -> NoticeResult:
    """A provider's signed payment notice. Idempotent by the provider's transaction id: the
    same notice again answers "duplicate" and changes nothing. Raises ``NotFound`` (unknown
    provider or order), ``ValidationError`` (bad notice, amount not the amount due),
    ``Conflict`` (the order is already paid by another transaction), ``BadSignature``.
    Every notice with a valid signature is kept in :class:`NoticeLog` (对账), refused or not."""
    provider = providers.get(provider_code)
    if provider is None or provider is providers.COUNTER:
        raise NotFound("未配置该支付渠道")
    notice = provider.parse_notice(body, headers)  # BadSignature / ProviderError before anything is read
    try:
        with transaction.atomic():  # the booking and its log row: one commit
            result = _apply_notice(provider.code, notice)
            _log_notice(provider.code, notice, result.outcome)
    except IntegrityError:  # the transaction id is already booked (a twin that raced in, or another order's)
        with transaction.atomic():
            seen = Payment.objects.select_related("order").filter(provider=provider.code,
                                                                  transaction_id=notice.transaction_id).first()
            same = seen is not None and seen.order.pay_code == notice.pay_code
            result = NoticeResult(NoticeLog.Outcome.DUPLICATE if same else NoticeLog.Outcome.ALREADY_PAID,
                                  seen.order if seen else None, seen if same else None)
            result.txn_elsewhere = not same
            _log_notice(provider.code, notice, result.outcome)
    if result.outcome == NoticeLog.Outcome.UNKNOWN_ORDER:
        raise OrderNotFound(f"缴款单不存在：缴款码 {notice.pay_code} 没有对应的缴款单")
    if result.outcome == NoticeLog.Outcome.AMOUNT_MISMATCH:
        raise ValidationError({"amount": [f"金额不符：缴款单应缴 {result.order.due_yuan} 元，"
                                          f"通知金额 {yuan(notice.amount_fen)} 元；未入账"]})
    if result.outcome == NoticeLog.Outcome.ALREADY_PAID and getattr(result, "txn_elsewhere", False):
        raise Conflict(f"交易号 {notice.transaction_id} 已用于另一张缴款单，本次通知未入账，请核实")
    if result.outcome == NoticeLog.Outcome.ALREADY_PAID:
        raise Conflict(f"该缴款单已缴款（缴款码 {notice.pay_code}），本次通知未入账，请核实后原路退回")
    return result


def _log_notice(provider: str, notice: providers.Notice, outcome: str) -> None:
    NoticeLog.objects.create(provider=provider, transaction_id=notice.transaction_id, pay_code=notice.pay_code,
                             amount_fen=notice.amount_fen, outcome=outcome)


def _apply_notice(provider: str, notice: providers.Notice) -> NoticeResult:
    """Book ``notice`` (the caller holds the transaction): the order by its 缴款码, locked, in one
    query. On the hot path (a 待缴款 order, the right amount) nothing else is read: a transaction
    id already booked elsewhere is caught by the unique constraint (IntegrityError, see
    :func:`receive_notice`); the same notice again finds the order paid and its payment."""
    order = (PaymentOrder.objects.select_for_update(of=("self",)).select_related("case")
             .filter(pay_code=notice.pay_code).first())
    if order is None:
        return NoticeResult(NoticeLog.Outcome.UNKNOWN_ORDER)
    if order.state != State.PENDING:
        seen = Payment.objects.filter(provider=provider, transaction_id=notice.transaction_id).first()
        if seen is not None and seen.order_id == order.pk:
            return NoticeResult(NoticeLog.Outcome.DUPLICATE, order, seen)
        return NoticeResult(NoticeLog.Outcome.ALREADY_PAID, order)
    if notice.amount_fen != order.amount_due_fen:
        return NoticeResult(NoticeLog.Outcome.AMOUNT_MISMATCH, order)
    payment = _record_payment(order, None, provider, notice.method, notice.amount_fen, notice.transaction_id, "",
                              Actor.PROVIDER)
    return NoticeResult(NoticeLog.Outcome.RECORDED, order, payment)


# -- 退款 / 作废 -----------------------------------------------------------------------------------
@transaction.atomic
def refund(user, order: PaymentOrder, amount_fen: int | None, reason: str, method: str = rules.Method.CASH,
           idempotency_key: str = "") -> Refund:
    """退款 by a clerk: at most what was paid minus what was refunded, with a reason; paid back
    at the counter (现金/转账) — an online channel without a refund interface is never asked."""
    key = (idempotency_key or "").strip()[:64] or None
    order = LIFECYCLE.lock(order.pk, None)
    require_clerk(user, order.department)
    if key and (done := Refund.objects.filter(idempotency_key=key).first()) is not None:
        if done.order_id != order.pk:
            raise Conflict("该提交已用于另一缴款单的退款")
        return done  # the same submission again: nothing more is refunded
    try:
        rules.MACHINE.check(order.state, "refund")
    except rules.MACHINE.refused as exc:
        raise ValidationError(exc.message) from None
    problem = rules.refund_problem(amount_fen, order.paid_fen, order.refunded_fen, reason)
    if problem:
        raise ValidationError({"reason" if "原因" in problem else "amount": [problem]})
    if method not in rules.REFUND_METHODS:
        raise ValidationError({"method": ["退款方式应为现金或转账"]})
    payment = order.payments.order_by("pk").first()
    reference = providers.COUNTER.refund(payment, amount_fen)
    r = Refund.objects.create(order=order, payment=payment, provider=providers.COUNTER.code, method=method,
                              amount_fen=amount_fen, reason=reason.strip()[:300], idempotency_key=key,
                              created_by=user)
    r.number = f"TK{timezone.localdate():%Y%m%d}{r.pk:08d}" + (f"-{reference}" if reference else "")
    r.save(update_fields=["number"])
    order.refunded_fen += amount_fen
    target = rules.state_after_refund(order.paid_fen, order.refunded_fen)
    LIFECYCLE.move(order, "refund", Actor.CLERK, user, target=target, fields=["refunded_fen"],
                   history=lambda before, to: record_event(
                       order.case, "payment_refund", "退款", user, opinion=r.reason,
                       data={"amount": yuan(amount_fen), "refund": r.number}),
                   audit_after={"pay_code": order.pay_code, "amount_fen": amount_fen, "refund": r.number,
                                "reason": r.reason})
    return r


@transaction.atomic
def void(user, order: PaymentOrder, expected_lock: int | None, reason: str) -> PaymentOrder:
    """作废 an unpaid order (开错了, or the fee is not due); the case may then be delivered."""
    order = LIFECYCLE.lock(order.pk, None)
    require_clerk(user, order.department)
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": ["作废须填写原因（不少于4个字）"]})
    LIFECYCLE.check(order, "void", Actor.CLERK)
    LIFECYCLE.check_version(order, expected_lock)
    order.void_reason = reason[:300]
    LIFECYCLE.move(order, "void", Actor.CLERK, user, fields=["void_reason"],
                   history=lambda before, target: record_event(order.case, "payment_void", "作废缴款单", user,
                                                               opinion=order.void_reason),
                   audit_after={"pay_code": order.pay_code, "reason": order.void_reason})
    return order


__all__ = ["create_order", "pay_at_counter", "receive_notice", "refund", "void", "fully_priced"]
