"""缴款单 (PaymentOrder), its payments (Payment, each with a 收据), refunds, the notices providers
sent, and the daily 对账 report. Money in integer 分."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.catalog.fee_rules import yuan

from .rules import METHOD_LABELS, STATE_LABELS, State

STATE_CHOICES = [(s.value, label) for s, label in STATE_LABELS.items()]
METHOD_CHOICES = [(m.value, label) for m, label in METHOD_LABELS.items()]


class PaymentOrder(models.Model):
    """缴款单: what one case owes (one per case), its 缴款码 and where it stands."""

    case = models.OneToOneField("cases.Case", verbose_name="办件", on_delete=models.PROTECT,
                                related_name="payment_order")
    department = models.ForeignKey("org.Department", verbose_name="执收部门", on_delete=models.PROTECT,
                                   related_name="+")
    pay_code = models.CharField("缴款码", max_length=20, unique=True, null=True, blank=True)
    lines = models.JSONField("收费明细", default=list,
                             help_text='[{"name", "basis", "amount_fen", "reduction", "due_fen"}]')
    amount_due_fen = models.BigIntegerField("应缴金额（分）")
    paid_fen = models.BigIntegerField("已缴金额（分）", default=0)
    refunded_fen = models.BigIntegerField("已退金额（分）", default=0)
    state = models.CharField("状态", max_length=16, choices=STATE_CHOICES, default=State.PENDING.value)
    void_reason = models.CharField("作废原因", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="开单人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("开单时间", auto_now_add=True)
    paid_at = models.DateTimeField("缴款时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    lock_version = models.PositiveIntegerField("版本", default=0)

    class Meta:
        verbose_name = "缴款单"
        verbose_name_plural = "缴款单"
        indexes = [models.Index(fields=["department", "state"], name="payments_order_dept_state")]

    def __str__(self) -> str:
        return self.pay_code or f"缴款单#{self.pk}"

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def how_to_pay(self) -> list[str]:
        from .providers import how_to_pay

        return how_to_pay(self)

    @property
    def due_yuan(self) -> str:
        return yuan(self.amount_due_fen)

    @property
    def paid_yuan(self) -> str:
        return yuan(self.paid_fen)

    @property
    def refunded_yuan(self) -> str:
        return yuan(self.refunded_fen)

    @property
    def refundable_fen(self) -> int:
        return self.paid_fen - self.refunded_fen


class Payment(models.Model):
    """One payment of an order: at the counter (the clerk's record) or a provider's notice.

    Unique per (provider, transaction id): the same notice twice is one payment; one settled
    payment per order (a partial unique constraint), so two clerks or two notices racing cannot
    both be paid."""

    order = models.ForeignKey(PaymentOrder, verbose_name="缴款单", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField("支付渠道", max_length=32)
    method = models.CharField("缴款方式", max_length=16, choices=METHOD_CHOICES)
    amount_fen = models.BigIntegerField("金额（分）")
    transaction_id = models.CharField("渠道交易号", max_length=64)
    reference = models.CharField("凭证号/参考号", max_length=64, blank=True,
                                 help_text="POS 凭条号、转账流水号等；现金可空")
    receipt_number = models.CharField("收据编号", max_length=32, unique=True, null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="收款人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    paid_at = models.DateTimeField("缴款时间")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "缴款记录"
        verbose_name_plural = "缴款记录"
        constraints = [
            models.UniqueConstraint(fields=["provider", "transaction_id"], name="payments_payment_unique_txn"),
            models.UniqueConstraint(fields=["order"], name="payments_payment_one_per_order"),
        ]
        indexes = [models.Index(fields=["paid_at"], name="payments_payment_paid_at")]

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)


class Refund(models.Model):
    order = models.ForeignKey(PaymentOrder, verbose_name="缴款单", on_delete=models.PROTECT, related_name="refunds")
    payment = models.ForeignKey(Payment, verbose_name="原缴款", on_delete=models.PROTECT, related_name="refunds")
    provider = models.CharField("退款渠道", max_length=32)
    method = models.CharField("退款方式", max_length=16, choices=METHOD_CHOICES)
    amount_fen = models.BigIntegerField("金额（分）")
    reason = models.CharField("退款原因", max_length=300)
    number = models.CharField("退款单号", max_length=32, unique=True, null=True, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("退款时间", auto_now_add=True)

    class Meta:
        verbose_name = "退款记录"
        verbose_name_plural = "退款记录"
        indexes = [models.Index(fields=["created_at"], name="payments_refund_created_at")]

    @property
    def amount_yuan(self) -> str:
        return yuan(self.amount_fen)


class NoticeLog(models.Model):
    """Every provider notice with a valid signature, and what became of it: the provider's side
    of 对账 (a refused notice is money the provider may hold that no order shows)."""

    class Outcome(models.TextChoices):
        RECORDED = "recorded", "已入账"
        DUPLICATE = "duplicate", "重复通知（未变更）"
        UNKNOWN_ORDER = "unknown_order", "缴款单不存在"
        AMOUNT_MISMATCH = "amount_mismatch", "金额不符"
        ALREADY_PAID = "already_paid", "缴款单已缴款"

    provider = models.CharField("支付渠道", max_length=32)
    transaction_id = models.CharField("渠道交易号", max_length=64)
    pay_code = models.CharField("缴款码", max_length=40)
    amount_fen = models.BigIntegerField("通知金额（分）")
    outcome = models.CharField("处理结果", max_length=20, choices=Outcome.choices)
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        verbose_name = "支付通知"
        verbose_name_plural = "支付通知"
        indexes = [models.Index(fields=["received_at"], name="payments_notice_received_at")]


class DailyReport(models.Model):
    """日对账: one row per day, built by the worker job (and rebuilt on demand)."""

    day = models.DateField("对账日期", unique=True)
    data = models.JSONField("对账数据", default=dict)
    built_at = models.DateTimeField("生成时间", auto_now=True)

    class Meta:
        verbose_name = "日对账报表"
        verbose_name_plural = "日对账报表"
        ordering = ["-day"]
