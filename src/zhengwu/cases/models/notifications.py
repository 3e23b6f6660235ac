"""Notifications to applicants: in-app messages and SMS (through a gateway plugin)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.pii import BlindIndexField, EncryptedField


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE,
                                  related_name="notifications", db_index=False)  # leads notification_inbox
    case = models.ForeignKey("cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.CASCADE,
                             related_name="notifications")
    title = models.CharField("标题", max_length=100)
    body = models.TextField("内容")
    # A page of the platform the message points to (a path, e.g. the licence a case issued), shown
    # as a link under it; "" for none.
    link = models.CharField("链接", max_length=200, blank=True, default="")
    link_label = models.CharField("链接文字", max_length=20, blank=True, default="")
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox")]


class SmsMessage(models.Model):
    """An SMS handed to a gateway. The local gateway leaves it here (outbox) for staff to read."""

    class Status(models.TextChoices):
        QUEUED = "queued", "待发送"
        SENT = "sent", "已发送"
        OUTBOX = "outbox", "已写入发件箱（本地网关）"
        FAILED = "failed", "发送失败"

    phone = EncryptedField("手机号码", kind="phone", index=True)
    phone_index = BlindIndexField()
    body = models.CharField("短信内容", max_length=500)
    case = models.ForeignKey("cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="sms_messages")
    gateway = models.CharField("网关", max_length=40)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    error = models.CharField("错误信息", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信"
        verbose_name_plural = "短信发件箱"
        ordering = ["-created_at"]
