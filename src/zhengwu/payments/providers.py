"""Payment providers (支付渠道) behind one interface.

A provider is a plugin: the platform never pretends a gateway it cannot reach said yes. Two
ship here:

- :class:`CounterProvider` ``counter`` (柜台缴款) — the working local provider: the window clerk
  takes 现金 / POS刷卡 / 转账 and records it; refunds are paid back at the counter the same way.
- :class:`HmacNoticeProvider` — an online channel (a bank, the province's 非税 platform) that
  sends a signed notice to ``POST /api/v1/payments/notices/<code>``: the JSON body signed with
  HMAC-SHA256 under a shared secret, hex in the ``X-Signature`` header. It has no outbound
  refund call (we hold no such interface): :meth:`refund` refuses, and the clerk refunds at the
  counter instead.

Providers are configured in ``settings.ZHENGWU_PAYMENT_PROVIDERS``::

    {"bank": {"class": "zhengwu.payments.providers.HmacNoticeProvider", "label": "合作银行",
              "secret": "…"}}  # or "secret_env": "ZHENGWU_PAY_BANK_SECRET"

A provider without a secret is not offered (its notices are refused, 404). Writing another
plugin: subclass nothing, implement the :class:`PaymentProvider` protocol (docs/payments.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.module_loading import import_string

from . import rules


class ProviderError(ValidationError):
    """The provider refuses or cannot do it (a Chinese message; 400 in the API)."""


class BadSignature(Exception):
    """The notice is not signed by the configured secret (401 in the API)."""


@dataclass(frozen=True)
class Notice:
    """A verified notice: the order's 缴款码, the provider's transaction id, the sum paid (分)."""

    pay_code: str
    transaction_id: str
    amount_fen: int
    method: str = rules.Method.ONLINE


@dataclass(frozen=True)
class Instructions:
    """How the payer pays this order through the provider (shown with the order)."""

    text: str


class PaymentProvider(Protocol):
    code: str
    label: str

    def create_order(self, order) -> Instructions:
        """Register the order with the provider (if it needs to know) and say how to pay."""

    def parse_notice(self, body: bytes, headers) -> Notice:
        """Verify the notice's signature (:class:`BadSignature`) and read it (:class:`ProviderError`)."""

    def refund(self, payment, amount_fen: int) -> str:
        """Pay ``amount_fen`` back for ``payment``; returns the provider's refund reference, or
        raises :class:`ProviderError` when it cannot (never a pretended success)."""


class CounterProvider:
    code = "counter"
    label = "柜台缴款"

    def create_order(self, order) -> Instructions:
        return Instructions("请持缴款码到办事大厅窗口缴款（现金、POS刷卡或转账），窗口出具收据。")

    def parse_notice(self, body: bytes, headers) -> Notice:
        raise ProviderError("柜台缴款由窗口人员登记，不接收支付通知")

    def refund(self, payment, amount_fen: int) -> str:
        return ""  # paid back at the counter by the clerk who records it


class HmacNoticeProvider:
    """An online channel whose notices are signed with HMAC-SHA256 (hex, header ``X-Signature``).

    Body: ``{"pay_code": "…", "transaction_id": "…", "amount": "20.00"}`` (amount in 元, as a
    string or a number with at most two decimals)."""

    def __init__(self, code: str, label: str, secret: str):
        self.code, self.label, self._secret = code, label, secret.encode()

    def sign(self, body: bytes) -> str:
        return hmac.new(self._secret, body, hashlib.sha256).hexdigest()

    def create_order(self, order) -> Instructions:
        return Instructions(f"可通过{self.label}以缴款码缴款，到账后自动确认。")

    def parse_notice(self, body: bytes, headers) -> Notice:
        given = (headers.get("X-Signature") or "").strip().lower()
        if not given or not hmac.compare_digest(given, self.sign(body)):
            raise BadSignature()
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ProviderError("支付通知不是有效的 JSON") from None
        if not isinstance(data, dict):
            raise ProviderError("支付通知应为 JSON 对象")
        missing = [k for k in ("pay_code", "transaction_id", "amount") if data.get(k) in (None, "")]
        if missing:
            raise ProviderError({k: ["必填"] for k in missing})
        amount = data["amount"]
        if isinstance(amount, float):
            amount = repr(amount)
        try:
            fen = rules.parse_yuan_to_fen(amount)
        except (ValueError, TypeError):
            fen = None
        if fen is None or fen <= 0:
            raise ProviderError({"amount": ["金额应为大于0、最多两位小数的元"]})
        txn = str(data["transaction_id"]).strip()
        if len(txn) > 64:
            raise ProviderError({"transaction_id": ["交易号不超过64个字符"]})
        return Notice(pay_code=str(data["pay_code"]).strip()[:40], transaction_id=txn, amount_fen=fen)

    def refund(self, payment, amount_fen: int) -> str:
        raise ProviderError(f"{self.label}未开通退款接口：请在窗口以现金或转账退款并登记")


COUNTER = CounterProvider()


def configured() -> dict[str, dict]:
    return dict(getattr(settings, "ZHENGWU_PAYMENT_PROVIDERS", {}) or {})


@lru_cache(maxsize=32)
def _build(code: str, class_path: str, label: str, secret: str):
    cls = import_string(class_path)
    return cls(code, label, secret)


def get(code: str):
    """The provider ``code`` (None when it is not configured, or has no secret)."""
    if code == COUNTER.code:
        return COUNTER
    conf = configured().get(code)
    if not conf:
        return None
    secret = conf.get("secret") or os.environ.get(conf.get("secret_env", ""), "")
    if not secret:
        return None
    return _build(code, conf.get("class", "zhengwu.payments.providers.HmacNoticeProvider"),
                  conf.get("label", code), secret)


def online() -> list:
    return [p for p in (get(code) for code in configured()) if p is not None]


def how_to_pay(order) -> list[str]:
    """What the applicant is told for a 待缴款 order: each connected online channel's way, then the counter."""
    return [p.create_order(order).text for p in online()] + [COUNTER.create_order(order).text]
