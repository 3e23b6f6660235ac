"""Hall management (大厅管理): zones, business types, what each window serves, the roster and the hours.

The hall and its windows themselves are ``org.Hall`` / ``org.Window``; this app adds what the queue
needs of them. Which *dates* a hall is open follows the working-day calendar (``core.calendar``):
the weekly :class:`OpeningPeriod` rows apply on working days, :class:`ExtraSession` rows add
延时办 (later hours on a working day) and 周末办 (hours on a rest day).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Zone(models.Model):
    """功能区: a part of the hall (综合受理区, 企业开办专区, 自助服务区…)."""

    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.CASCADE, related_name="zones")
    name = models.CharField("功能区名称", max_length=60)
    floor = models.CharField("楼层/位置", max_length=40, blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)

    class Meta:
        verbose_name = "功能区"
        verbose_name_plural = "功能区"
        ordering = ["hall", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["hall", "name"], name="queueing_zone_unique_name",
                                               violation_error_message="该大厅已有同名功能区")]

    def __str__(self) -> str:
        return self.name


class BusinessType(models.Model):
    """业务类型: what a ticket is taken for; its letter prefixes the ticket number (A001…)."""

    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.CASCADE, related_name="business_types")
    zone = models.ForeignKey(Zone, verbose_name="功能区", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="business_types")
    prefix = models.CharField("号码字头", max_length=2, help_text="一至两个大写字母，例如 A")
    name = models.CharField("业务类型名称", max_length=60)
    items = models.ManyToManyField("catalog.ServiceItem", verbose_name="包含事项", blank=True, related_name="+")
    service_minutes = models.PositiveSmallIntegerField("平均办理时长（分钟）", default=10)
    bookable = models.BooleanField("可预约", default=True)
    appointment_share = models.PositiveSmallIntegerField("预约号源比例（%）", default=50,
                                                         help_text="每个时段可用于预约的办理能力比例")
    daily_limit = models.PositiveIntegerField("每日取号上限", default=0, help_text="0 表示不限")
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "业务类型"
        verbose_name_plural = "业务类型"
        ordering = ["hall", "order", "prefix"]
        constraints = [models.UniqueConstraint(fields=["hall", "prefix"], name="queueing_btype_unique_prefix",
                                               violation_error_message="该大厅已有相同号码字头的业务类型")]

    def __str__(self) -> str:
        return f"{self.prefix} {self.name}"


class WindowSetup(models.Model):
    """What an ``org.Window`` serves in the queue and whether it is open now."""

    window = models.OneToOneField("org.Window", verbose_name="窗口", on_delete=models.CASCADE, related_name="setup")
    zone = models.ForeignKey(Zone, verbose_name="功能区", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="windows")
    business_types = models.ManyToManyField(BusinessType, verbose_name="办理业务类型", blank=True,
                                            related_name="windows")
    is_open = models.BooleanField("正在服务", default=False, help_text="窗口人员开窗后为是，暂停或关窗后为否")
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="当前人员", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField("开窗时间", null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "窗口设置"
        verbose_name_plural = "窗口设置"

    def __str__(self) -> str:
        return str(self.window)


class Duty(models.Model):
    """排班: who is on duty at which window on a date (AM, PM or the whole day)."""

    class Period(models.TextChoices):
        DAY = "day", "全天"
        AM = "am", "上午"
        PM = "pm", "下午"
        EXTRA = "extra", "延时/周末"

    window = models.ForeignKey("org.Window", verbose_name="窗口", on_delete=models.CASCADE, related_name="duties")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="值班人员", on_delete=models.CASCADE,
                             related_name="window_duties")
    date = models.DateField("日期")
    period = models.CharField("班次", max_length=8, choices=Period.choices, default=Period.DAY)

    class Meta:
        verbose_name = "排班"
        verbose_name_plural = "排班"
        ordering = ["date", "window"]
        constraints = [models.UniqueConstraint(fields=["window", "date", "period"], name="queueing_duty_unique",
                                               violation_error_message="该窗口该班次已有值班人员")]
        indexes = [models.Index(fields=["user", "date"], name="queueing_duty_user_date")]


class OpeningPeriod(models.Model):
    """办公时间: one period of a weekday on working days (e.g. 周一 09:00–12:00)."""

    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.CASCADE, related_name="opening_periods")
    weekday = models.PositiveSmallIntegerField("星期", choices=[(0, "周一"), (1, "周二"), (2, "周三"), (3, "周四"),
                                                                (4, "周五"), (5, "周六"), (6, "周日")])
    start = models.TimeField("开始")
    end = models.TimeField("结束")

    class Meta:
        verbose_name = "办公时间"
        verbose_name_plural = "办公时间"
        ordering = ["hall", "weekday", "start"]


class ExtraSession(models.Model):
    """延时办 / 周末办: hours beyond the weekly periods, on one date or every such weekday."""

    class Kind(models.TextChoices):
        DELAYED = "delayed", "延时办"
        WEEKEND = "weekend", "周末办"

    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.CASCADE, related_name="extra_sessions")
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    date = models.DateField("日期", null=True, blank=True, help_text="某一天；留空则按星期每周重复")
    weekday = models.PositiveSmallIntegerField("每周星期", null=True, blank=True)
    start = models.TimeField("开始")
    end = models.TimeField("结束")
    business_types = models.ManyToManyField(BusinessType, verbose_name="办理业务类型", blank=True, related_name="+",
                                            help_text="留空表示全部业务类型")
    note = models.CharField("说明", max_length=100, blank=True)

    class Meta:
        verbose_name = "延时/周末办"
        verbose_name_plural = "延时/周末办"
        ordering = ["hall", "date", "weekday", "start"]


class HallRules(models.Model):
    """The hall's configurable rules (预约、取号、效能监察)."""

    hall = models.OneToOneField("org.Hall", verbose_name="大厅", on_delete=models.CASCADE, related_name="queue_rules")
    slot_minutes = models.PositiveSmallIntegerField("预约时段长度（分钟）", default=30)
    booking_days = models.PositiveSmallIntegerField("可预约天数", default=7)
    checkin_before_minutes = models.PositiveSmallIntegerField("提前签到（分钟）", default=30)
    checkin_after_minutes = models.PositiveSmallIntegerField("迟到可签到（分钟）", default=15)
    noshow_limit = models.PositiveSmallIntegerField("爽约次数", default=3)
    noshow_days = models.PositiveSmallIntegerField("爽约统计天数", default=30)
    block_days = models.PositiveSmallIntegerField("限制预约天数", default=30)
    priority_age = models.PositiveSmallIntegerField("优先取号年龄", default=70, help_text="0 表示不设年龄优先")
    appointment_priority = models.PositiveSmallIntegerField("预约签到优先级", default=20)
    group_priority = models.PositiveSmallIntegerField("优先群体优先级", default=10)
    overdue_wait_minutes = models.PositiveSmallIntegerField("超时等待阈值（分钟）", default=30)
    remote_ticket = models.BooleanField("允许远程取号", default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "大厅规则"
        verbose_name_plural = "大厅规则"
