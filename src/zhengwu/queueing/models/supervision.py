"""效能监察: the 超时等待 alerts (one per ticket) and the daily rollups the figures read.

A hall issues ~2.5M tickets a year; figures over months must not scan them. ``queueing.rollup``
folds each finished day into :class:`DailyRollup` + :class:`RollupCell` rows (per business type
and window, and per hour of issue: counts, sums and a per-minute wait histogram for the p90), and the
figures read those for past days and the live tickets only for today (ADR 0042).
"""

from __future__ import annotations

from django.db import models


class OverdueAlert(models.Model):
    """超时等待提醒: written once per ticket (unique), with the supervisors it notified."""

    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.CASCADE, related_name="+")
    ticket = models.OneToOneField("queueing.Ticket", verbose_name="排队号", on_delete=models.CASCADE,
                                  related_name="overdue_alert")
    day = models.DateField("日期")
    wait_minutes = models.PositiveIntegerField("提醒时已等候（分钟）")
    threshold_minutes = models.PositiveSmallIntegerField("阈值（分钟）")
    notified = models.PositiveSmallIntegerField("通知人数", default=0)
    created_at = models.DateTimeField("提醒时间")

    class Meta:
        verbose_name = "超时等待提醒"
        verbose_name_plural = "超时等待提醒"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["hall", "day", "-created_at"], name="queueing_alert_hall_day")]


class DailyRollup(models.Model):
    """One hall's day folded into :class:`RollupCell` rows (written again when re-rolled)."""

    hall = models.ForeignKey("org.Hall", verbose_name="大厅", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("日期")
    tickets = models.PositiveIntegerField("取号数", default=0)
    computed_at = models.DateTimeField("汇总时间")

    class Meta:
        verbose_name = "大厅日汇总"
        verbose_name_plural = "大厅日汇总"
        constraints = [models.UniqueConstraint(fields=["hall", "day"], name="queueing_rollup_unique")]


class RollupCell(models.Model):
    """Figures of the tickets of one day, of two kinds: ``w`` per business type and window (the
    serving or last calling window; none for tickets never called), ``h`` per hour of issue. Each
    kind covers every ticket of the day once; ``wait_hist[m]`` counts waits of m minutes (the last
    bucket: that many or more). Two narrow kinds instead of one type × window × hour cross: ~70
    rows a day for a 30-window hall instead of ~400 (ADR 0042)."""

    class Kind(models.TextChoices):
        WINDOW = "w", "按业务类型和窗口"
        HOUR = "h", "按时段"

    rollup = models.ForeignKey(DailyRollup, on_delete=models.CASCADE, related_name="cells")
    kind = models.CharField(max_length=1, choices=Kind.choices)
    day = models.DateField("日期")  # = rollup.day (denormalised: the range filter needs no join)
    hall = models.ForeignKey("org.Hall", on_delete=models.CASCADE, related_name="+", db_index=False)
    business_type = models.ForeignKey("queueing.BusinessType", null=True, on_delete=models.SET_NULL, related_name="+",
                                      db_index=False)
    window = models.ForeignKey("org.Window", null=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    hour = models.PositiveSmallIntegerField("取号时段（时）", null=True)
    tickets = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    no_shows = models.PositiveIntegerField(default=0)
    waited = models.PositiveIntegerField(default=0)  # tickets called: the wait's denominator
    wait_seconds = models.BigIntegerField(default=0)
    overtime = models.PositiveIntegerField(default=0)  # waited longer than the hall's threshold
    serviced = models.PositiveIntegerField(default=0)  # tickets with start and end: the service time's denominator
    service_seconds = models.BigIntegerField(default=0)
    wait_hist = models.JSONField(default=list)

    class Meta:
        verbose_name = "日汇总明细"
        verbose_name_plural = "日汇总明细"
        indexes = [models.Index(fields=["hall", "kind", "day"], name="queueing_rcell_hall_kind_day")]
