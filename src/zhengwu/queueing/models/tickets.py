"""取号叫号: tickets, the per-day number counters and the append-only ticket events.

``TicketEvent`` doubles as the stream the call boards follow: its ids increase, each row names
its hall, and the push server sends every new row of a hall to that hall's boards.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.pii import BlindIndexField, EncryptedField


class TicketCounter(models.Model):
    """The last number given for a business type on a day (locked to give the next one)."""

    business_type = models.ForeignKey("queueing.BusinessType", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "号码计数"
        verbose_name_plural = "号码计数"
        constraints = [models.UniqueConstraint(fields=["business_type", "day"], name="queueing_counter_unique")]


class Ticket(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", "等候中"
        CALLED = "called", "已叫号"
        SERVING = "serving", "办理中"
        DONE = "done", "已办结"
        NO_SHOW = "no_show", "过号"
        TRANSFERRED = "transferred", "已转移"
        CANCELLED = "cancelled", "已取消"

    class Source(models.TextChoices):
        KIOSK = "kiosk", "自助取号机"
        REMOTE = "remote", "远程取号"
        CLERK = "clerk", "窗口/帮办代取"
        APPOINTMENT = "appointment", "预约签到"
        TRANSFER = "transfer", "转移"

    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.PROTECT, related_name="+")
    business_type = models.ForeignKey("queueing.BusinessType", verbose_name="业务类型", on_delete=models.PROTECT,
                                      related_name="tickets")
    day = models.DateField("日期")
    number = models.PositiveIntegerField("序号")
    display = models.CharField("号码", max_length=8, help_text="例如 A001")
    source = models.CharField("取号方式", max_length=12, choices=Source.choices)
    priority = models.PositiveSmallIntegerField("优先级", default=0)
    priority_reason = models.CharField("优先原因", max_length=40, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.WAITING)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="取号人账号", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="queue_tickets")
    person_name = EncryptedField("姓名", kind="name")
    id_number = EncryptedField("身份证号", kind="id_number", index=True)
    id_number_index = BlindIndexField()
    appointment = models.OneToOneField("queueing.Appointment", verbose_name="预约", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="ticket")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    window = models.ForeignKey("org.Window", verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="服务人员", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    transferred_from = models.ForeignKey("self", verbose_name="转自", null=True, blank=True,
                                         on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey("cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    visit = models.ForeignKey("ratings.WindowVisit", verbose_name="现场服务", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("取号时间")
    called_at = models.DateTimeField("叫号时间", null=True, blank=True)
    call_count = models.PositiveSmallIntegerField("叫号次数", default=0)
    started_at = models.DateTimeField("开始办理", null=True, blank=True)
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "排队号"
        verbose_name_plural = "排队号"
        constraints = [models.UniqueConstraint(fields=["business_type", "day", "number"], name="queueing_ticket_unique")]
        indexes = [
            # The next ticket to call: waiting tickets of a business type by priority, then number.
            models.Index(fields=["business_type", "day", "status", "-priority", "number"], name="queueing_ticket_next"),
            models.Index(fields=["hall", "day", "status"], name="queueing_ticket_hall_day"),
            models.Index(fields=["user", "-issued_at"], name="queueing_ticket_user"),
        ]

    def __str__(self) -> str:
        return self.display


class TicketEvent(models.Model):
    """Append-only history of a ticket; the call boards' event stream (ids increase)."""

    class Action(models.TextChoices):
        ISSUE = "issue", "取号"
        CALL = "call", "叫号"
        RECALL = "recall", "重呼"
        NO_SHOW = "no_show", "过号"
        START = "start", "开始办理"
        END = "end", "办结"
        TRANSFER = "transfer", "转移"
        REQUEUE = "requeue", "退回队列"
        CANCEL = "cancel", "取消"
        WINDOW = "window", "窗口开关"

    hall = models.ForeignKey("org.Hall", on_delete=models.CASCADE, related_name="+", db_index=False)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=10, choices=Action.choices)
    window = models.ForeignKey("org.Window", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    text = models.CharField("播报/说明", max_length=120, blank=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "排队事件"
        verbose_name_plural = "排队事件"
        indexes = [models.Index(fields=["hall", "id"], name="queueing_event_stream")]
