"""收费与缴款 JSON API (/api/v1/payments/…).

- ``POST /api/v1/payments/notices/<provider>`` — a payment channel's signed notice (no session, no
  key: the HMAC-SHA256 signature of the raw body, hex in ``X-Signature``, is the authentication).
  Body ``{"pay_code": "…", "transaction_id": "…", "amount": "20.00"}``. Answers: 200 recorded or
  duplicate (the same transaction id again changes nothing); 401 bad signature; 404 unknown
  channel or unknown 缴款码; 400 malformed or amount not the amount due (nothing recorded); 409
  the order is already paid by another transaction (nothing recorded).
- ``GET /api/v1/payments/orders/<pay_code>`` — scope ``payments:read``: an order's amount and state.
"""

from __future__ import annotations

from ninja import Field, Router, Status

from zhengwu.accounts.api_auth import ApiKeyAuth
from zhengwu.catalog.fee_rules import yuan
from zhengwu.core.errors import NotFound
from zhengwu.core.schemas import ERRORS, Schema

from . import providers, services
from .models import PaymentOrder
from .rules import STATE_LABELS

PREFIX = "/payments"
router = Router(tags=["收费与缴款"])


class NoticeOut(Schema):
    status: str = Field(..., description="recorded 已入账 / duplicate 重复通知，未变更")
    pay_code: str
    receipt_number: str = Field("", description="收据编号")
    order_state: str = Field(..., description="缴款单状态")


@router.post("/notices/{provider}", auth=None, response={200: NoticeOut, **ERRORS}, summary="支付渠道的缴款通知（签名）")
def notice(request, provider: str):
    try:
        result = services.receive_notice(provider, request.body, request.headers)
    except providers.BadSignature:
        return Status(401, {"detail": "签名校验失败：通知未入账", "errors": {}})
    order = result.order
    payment = result.payment
    return Status(200, {"status": "recorded" if result.outcome == "recorded" else "duplicate",
                 "pay_code": order.pay_code if order else "",
                 "receipt_number": (payment.receipt_number or "") if payment else "",
                 "order_state": STATE_LABELS.get(order.state, order.state) if order else ""})


class OrderOut(Schema):
    pay_code: str
    case_number: str
    amount_due: str = Field(..., description="应缴金额（元）")
    paid: str = Field(..., description="已缴金额（元）")
    refunded: str = Field(..., description="已退金额（元）")
    state: str


@router.get("/orders/{pay_code}", auth=ApiKeyAuth("payments:read"), response={200: OrderOut, **ERRORS},
            summary="按缴款码查询缴款单")
def order(request, pay_code: str):
    o = PaymentOrder.objects.select_related("case").filter(pay_code=pay_code).first()
    if o is None:
        raise NotFound("缴款单不存在")
    return {"pay_code": o.pay_code, "case_number": o.case.number or "", "amount_due": yuan(o.amount_due_fen),
            "paid": yuan(o.paid_fen), "refunded": yuan(o.refunded_fen), "state": STATE_LABELS.get(o.state, o.state)}
