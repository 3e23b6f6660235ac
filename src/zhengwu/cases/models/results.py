"""办结结果 and delivery (送达)."""

from __future__ import annotations

from django.db import models


class CaseResult(models.Model):
    class Delivery(models.TextChoices):
        WINDOW = "window", "窗口领取"
        MAIL = "mail", "邮寄送达"
        ELECTRONIC = "electronic", "电子送达"

    case = models.OneToOneField("cases.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="result")
    outcome = models.CharField("结果", max_length=8, choices=[("approved", "准予"), ("denied", "不予")])
    decision_number = models.CharField("决定书文号", max_length=64, unique=True)
    decision_file = models.FileField("决定书", upload_to="cases/decisions/%Y/", max_length=300)
    decision_sha256 = models.CharField("决定书SHA-256", max_length=64)
    reason = models.TextField("理由与依据", blank=True)
    # What the licence module needs to issue an e-licence (name, holder, validity, items).
    licence_payload = models.JSONField("证照数据", default=dict, blank=True)
    delivery_method = models.CharField("送达方式", max_length=12, choices=Delivery.choices, blank=True)
    address = models.CharField("邮寄地址", max_length=300, blank=True)
    carrier = models.CharField("快递公司", max_length=40, blank=True)
    tracking_number = models.CharField("运单号", max_length=60, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    created_at = models.DateTimeField("办结时间", auto_now_add=True)

    class Meta:
        verbose_name = "办结结果"
        verbose_name_plural = "办结结果"
