"""Tables of the core app: calendar overrides and the append-only audit chain."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models


class CalendarOverride(models.Model):
    """One date whose status differs from chinese-calendar's data (节假日/调休 override)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", "放假（节假日）"
        WORKDAY = "workday", "上班（调休工作日）"

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    note = models.CharField("说明", max_length=100, blank=True, help_text="例如：2027年春节")
    source = models.CharField(
        "依据", max_length=200, help_text="例如：国务院办公厅关于2027年部分节假日安排的通知"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "节假日调整"
        verbose_name_plural = "节假日调整"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.date and not (dt.date(2000, 1, 1) <= self.date <= dt.date(2100, 12, 31)):
            raise ValidationError({"date": "日期超出范围：应在2000年至2100年之间"})


class CalendarYear(models.Model):
    """Whether a year's holiday schedule has been entered and checked (已核实)."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    verified = models.BooleanField("已核实", default=True)
    source = models.CharField("依据", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "年度节假日核实"
        verbose_name_plural = "年度节假日核实"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.year}年（{'已核实' if self.verified else '未核实'}）"

    def clean(self) -> None:
        if self.year is not None and not 2000 <= self.year <= 2100:
            raise ValidationError({"year": "年份超出范围：应在2000至2100之间"})


class AuditEvent(models.Model):
    """An append-only, hash-chained audit record (审计日志).

    ``hash = HMAC-SM3(audit key, prev_hash ‖ canonical JSON of the other fields)`` with a key
    the database does not hold (``scheme`` 1, ADR 0020); events written before that have
    ``scheme`` 0, ``hash = SM3(prev_hash ‖ …)``. ``zhengwu audit verify`` recomputes the chains
    and checks them against the signed checkpoints. Rows are never updated or deleted by the
    application, and on PostgreSQL a trigger refuses UPDATE and DELETE.

    ``seq`` is the global order (unique, increasing, not necessarily contiguous). Events form
    several chains (ADR 0007): ``chain`` names the event's chain and ``prev_seq`` the ``seq`` of
    the previous event of the same chain (0 for a chain's first event). Events written before
    the chains were partitioned have ``chain`` 1 and no ``prev_seq`` (their predecessor is
    ``seq - 1``).
    """

    seq = models.BigIntegerField("序号", unique=True)
    chain = models.PositiveSmallIntegerField("链", default=1)
    prev_seq = models.BigIntegerField("本链前一条序号", null=True, blank=True)
    at = models.DateTimeField("时间")
    actor_id = models.BigIntegerField("操作人ID", null=True, blank=True)
    actor = models.CharField("操作人", max_length=150, blank=True)
    action = models.CharField("操作", max_length=80)
    object_type = models.CharField("对象类型", max_length=80, blank=True)
    object_id = models.CharField("对象ID", max_length=64, blank=True)
    ip = models.CharField("来源地址", max_length=45, blank=True)
    before = models.JSONField("变更前", null=True, blank=True)
    after = models.JSONField("变更后", null=True, blank=True)
    prev_hash = models.CharField("前一条摘要", max_length=64)
    hash = models.CharField("摘要", max_length=64)
    # 0: plain SM3 (events from before ADR 0020); 1: HMAC-SM3 with ZHENGWU_AUDIT_KEY.
    scheme = models.PositiveSmallIntegerField("摘要算法", default=0)

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-seq"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor_id", "-at"]),
            # Filtered by exact action only: a plain index (db_index=True would add a LIKE index
            # on PostgreSQL that every audited write also maintains).
            models.Index(fields=["action"], name="audit_action"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("审计日志只能追加，不能删除")


class AuditHead(models.Model):
    """The tip of one audit chain (``id`` = chain number); appending locks one head row, so
    writers serialise per chain, not globally (ADR 0007). A database trigger lets a head only
    move forward (ADR 0020): no lower ``seq``, no other ``id``, no DELETE on PostgreSQL."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = "审计链头"
        verbose_name_plural = "审计链头"


class AuditCheckpoint(models.Model):
    """审计链检查点: the heads of every chain at one moment, signed with the Ed25519 key kept
    outside the database (ADR 0020). ``document`` is the signed JSON line, the same as the line
    appended to ``$ZHENGWU_AUDIT_DIR/checkpoints.jsonl``. Append-only, like the events."""

    n = models.PositiveIntegerField("序号", unique=True)
    at = models.DateTimeField("时间")
    events = models.BigIntegerField("记录数")
    document = models.TextField("签名文本")

    class Meta:
        verbose_name = "审计链检查点"
        verbose_name_plural = "审计链检查点"
        ordering = ["n"]

    def __str__(self) -> str:
        return f"检查点 #{self.n}（{self.events} 条记录）"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("审计检查点只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("审计检查点只能追加，不能删除")


class ScheduledJob(models.Model):
    """定时任务的运行记录: one row per periodic job (``zhengwu.core.schedule``); claiming a run is a
    conditional UPDATE of ``last_started_at``, so several workers never run a job twice."""

    name = models.CharField("任务", max_length=60, unique=True)
    last_started_at = models.DateTimeField("最近开始", null=True, blank=True)
    last_finished_at = models.DateTimeField("最近结束", null=True, blank=True)
    last_ok = models.BooleanField("最近是否成功", null=True, blank=True)
    last_message = models.TextField("最近结果", blank=True)
    last_seconds = models.FloatField("最近用时（秒）", null=True, blank=True)

    class Meta:
        verbose_name = "定时任务"
        verbose_name_plural = "定时任务"

    def __str__(self) -> str:
        return self.name


class FeedRecord(models.Model):
    """One record of a feed to an upper-level platform (上报队列: 12345 工单, 办件, …), written in the
    transaction of the domain change (``zhengwu.core.outbox``), pushed by the worker with back-off,
    pulled through the API, resent from the 上报队列 page. ``payload`` is what goes upward: built by
    the domain's feed, with personal data masked or left out; never logged."""

    class Status(models.TextChoices):
        PENDING = "pending", "待推送"
        FAILED = "failed", "推送失败（将重试）"
        DEAD = "dead", "推送失败（已停止重试）"
        SENT = "sent", "已送达"

    feed = models.CharField("上报数据项", max_length=32)
    object_type = models.CharField("对象类型", max_length=40)
    object_id = models.CharField("对象编号", max_length=64)
    object_ref = models.CharField("业务编号", max_length=64, blank=True, help_text="工单编号、办件编号等")
    event = models.CharField("事件", max_length=24)
    version = models.PositiveIntegerField("对象版本", default=0)
    payload = models.JSONField("上报内容", default=dict)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField("推送次数", default=0)
    next_attempt_at = models.DateTimeField("下次推送时间")
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    receipt = models.CharField("上级回执", max_length=100, blank=True)
    created_at = models.DateTimeField("入队时间")
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)

    class Meta:
        verbose_name = "上报记录"
        verbose_name_plural = "上报记录"
        constraints = [models.UniqueConstraint(fields=["feed", "object_type", "object_id", "event", "version"],
                                               name="feed_record_once")]
        indexes = [
            # The push job: a feed's records due for a (re)try, earliest first.
            models.Index(fields=["feed", "next_attempt_at"], name="feed_record_due",
                         condition=models.Q(status__in=["pending", "failed"])),
            # The pull API and the 上报队列 page: a feed's unsent records in order.
            models.Index(fields=["feed", "status", "id"], name="feed_record_unsent",
                         condition=~models.Q(status="sent")),
            # 最近送达 per feed.
            models.Index(fields=["feed", "sent_at"], name="feed_record_sent"),
            # One object's records (the domain's history of what went upward).
            models.Index(fields=["object_type", "object_id"], name="feed_record_object"),
        ]

    def __str__(self) -> str:
        return f"{self.feed} {self.object_ref or self.object_id} {self.event}"


class WorkerHeartbeat(models.Model):
    """A background worker (``zhengwu worker``) says it is alive: its heartbeat thread refreshes
    ``last_seen`` every ``ZHENGWU_HEARTBEAT_SECONDS``. ``/api/v1/ready`` and ``/metrics`` read it
    (zhengwu.core.heartbeat); a clean stop deletes the row, rows of dead workers are pruned."""

    hostname = models.CharField("主机名", max_length=255)
    pid = models.PositiveIntegerField("进程号")
    started_at = models.DateTimeField("启动时间")
    last_seen = models.DateTimeField("最近心跳", db_index=True)

    class Meta:
        verbose_name = "后台任务进程心跳"
        verbose_name_plural = "后台任务进程心跳"
        constraints = [models.UniqueConstraint(fields=["hostname", "pid"], name="worker_heartbeat_once")]

    def __str__(self) -> str:
        return f"{self.hostname}:{self.pid}"
