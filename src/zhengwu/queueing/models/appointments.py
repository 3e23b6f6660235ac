"""预约: slots generated from the hall's hours and the windows' capacity, and the bookings in them."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Slot(models.Model):
    """A bookable period of one business type on one date. ``booked`` is changed only under a row lock."""

    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.CASCADE, related_name="+")
    business_type = models.ForeignKey("queueing.BusinessType", verbose_name="业务类型", on_delete=models.CASCADE,
                                      related_name="slots")
    date = models.DateField("日期")
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    capacity = models.PositiveIntegerField("号源数")
    booked = models.PositiveIntegerField("已预约", default=0)
    session = models.CharField("时段类型", max_length=8, default="normal",
                               choices=[("normal", "正常办公"), ("delayed", "延时办"), ("weekend", "周末办")])

    class Meta:
        verbose_name = "预约时段"
        verbose_name_plural = "预约时段"
        ordering = ["date", "start"]
        constraints = [
            models.UniqueConstraint(fields=["business_type", "date", "start"], name="queueing_slot_unique"),
            models.CheckConstraint(condition=models.Q(booked__lte=models.F("capacity")), name="queueing_slot_not_over",
                                   violation_error_message="该时段已约满"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.start:%H:%M}-{self.end:%H:%M}"


class Appointment(models.Model):
    class Status(models.TextChoices):
        BOOKED = "booked", "已预约"
        CANCELLED = "cancelled", "已取消"
        CHECKED_IN = "checked_in", "已签到"
        NO_SHOW = "no_show", "爽约"

    code = models.CharField("预约号", max_length=20, unique=True)
    slot = models.ForeignKey(Slot, verbose_name="预约时段", on_delete=models.PROTECT, related_name="appointments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="预约人", on_delete=models.PROTECT,
                             related_name="appointments")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.BOOKED)
    channel = models.CharField("渠道", max_length=8, default="portal",
                               choices=[("portal", "网上大厅"), ("mobile", "移动端"), ("window", "窗口代约")])
    rebooked_from = models.ForeignKey("self", verbose_name="改约自", null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")
    created_at = models.DateTimeField("预约时间", auto_now_add=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    reminded_at = models.DateTimeField("提醒时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    idempotency_key = models.CharField("防重复提交标识", max_length=64, null=True, blank=True, unique=True)

    class Meta:
        verbose_name = "预约"
        verbose_name_plural = "预约"
        ordering = ["-created_at"]
        constraints = [
            # One live booking per person per slot (a double submission, or booking the same slot twice).
            models.UniqueConstraint(fields=["slot", "user"], condition=models.Q(status__in=["booked", "checked_in"]),
                                    name="queueing_appt_once_per_slot",
                                    violation_error_message="您已预约该时段，请勿重复预约"),
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="queueing_appt_user"),
                   models.Index(fields=["status", "slot"], name="queueing_appt_status")]

    def __str__(self) -> str:
        return self.code


class BookingBlock(models.Model):
    """预约限制: a person may not book until ``until`` (repeated no-shows, or set by staff)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="人员", on_delete=models.CASCADE,
                             related_name="booking_blocks")
    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.CASCADE, related_name="+")
    until = models.DateField("限制至")
    reason = models.CharField("原因", max_length=200)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    lifted_at = models.DateTimeField("解除时间", null=True, blank=True)
    lifted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="解除人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "预约限制"
        verbose_name_plural = "预约限制"
        indexes = [models.Index(fields=["user", "until"], name="queueing_block_user")]
