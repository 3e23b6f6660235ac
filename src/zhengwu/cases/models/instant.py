"""秒批: an item's automatic-approval rules and each case's automatic decision with its checks."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InstantRule(models.Model):
    """秒批规则 of an item (zhengwu.cases.instant_rules): when enabled and every condition holds on
    verified data, a submitted case is accepted and approved at once."""

    service_item = models.OneToOneField("catalog.ServiceItem", verbose_name="事项", on_delete=models.CASCADE,
                                        related_name="instant_rule")
    enabled = models.BooleanField("启用秒批", default=False)
    rules_text = models.TextField("规则", help_text="每行一条：来源 运算 值，如“年龄 >= 60”")
    basis = models.CharField("依据", max_length=300, help_text="规则所依据的法律、政策条款")
    lock_version = models.PositiveIntegerField("版本锁", default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "秒批规则"
        verbose_name_plural = "秒批规则"


class InstantDecision(models.Model):
    """What 秒批 found for one submitted case: decided at once, or left to a person (and why)."""

    class Outcome(models.TextChoices):
        APPROVED = "approved", "秒批准予"
        MANUAL = "manual", "转人工办理"

    class Review(models.TextChoices):
        PENDING = "pending", "待复核"
        CONFIRMED = "confirmed", "复核无误"
        OBJECTED = "objected", "复核有异议"
        NONE = "none", "无需复核"

    case = models.OneToOneField("cases.Case", verbose_name="办件", on_delete=models.CASCADE,
                                related_name="instant_decision")
    outcome = models.CharField("秒批结果", max_length=10, choices=Outcome.choices)
    rules_text = models.TextField("当时的规则")
    basis = models.CharField("依据", max_length=300, blank=True)
    checks = models.JSONField("逐条核对", default=list)
    decided_at = models.DateTimeField("判定时间", auto_now_add=True)
    review = models.CharField("复核", max_length=10, choices=Review.choices, default=Review.NONE)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="复核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("复核时间", null=True, blank=True)
    review_note = models.CharField("复核意见", max_length=500, blank=True)

    class Meta:
        verbose_name = "秒批判定"
        verbose_name_plural = "秒批判定"
        indexes = [models.Index(fields=["review", "decided_at"], name="case_instant_review")]
