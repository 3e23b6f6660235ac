"""Models of the insights app.

:class:`ScreenLayout` — the 大屏 layouts the data admin composes from the registry's figures.
Rollups and reports add their own models (see their modules).

:class:`Rollup` and :class:`RollupDay` — the daily figures the registry reads instead of computing
live (see :mod:`zhengwu.insights.rollups`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ScreenLayout(models.Model):
    """One 大屏 layout: an ordered list of tiles, each a registered figure shown one way.

    ``tiles`` is a list of ``{"figure": "<registry key>", "show": "number|trend|ranking|share|region",
    "by": "<dimension or ''>", "period": "day|month|year"}``; the one ``is_current`` layout is what
    ``/screen/`` shows. ``lock_version`` guards concurrent edits (乐观锁).
    """

    name = models.CharField("名称", max_length=60, unique=True)
    title = models.CharField("大屏标题", max_length=60)
    tiles = models.JSONField("版面", default=list)
    is_current = models.BooleanField("当前使用", default=False)
    refresh_seconds = models.PositiveIntegerField("刷新间隔（秒）", default=60)
    lock_version = models.PositiveIntegerField("版本锁", default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)

    class Meta:
        verbose_name = "大屏版面"
        verbose_name_plural = verbose_name
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["is_current"], condition=models.Q(is_current=True),
                                               name="insights_one_current_screen")]

    def __str__(self) -> str:
        return self.name


def report_file_path(run: ReportRun, filename: str) -> str:
    return f"insights/reports/{run.period[:4]}/{filename}"


class ReportRun(models.Model):
    """One generation of a 政务服务月报/年报 (its Excel and PDF files, kept for download).

    Versions are kept: a period's report may be generated again (late ratings, corrected cases),
    each generation is a new run and the earlier files stay as what was published then. At most
    one run per (kind, period) is queued or running at a time (a second request while one is
    pending gets that one back). ``requested_by`` None with ``trigger`` schedule: the worker's
    monthly job. The files hold aggregates only (no personal data); they are stored through the
    project's default storage (encrypted at rest like every stored file).
    """

    class Kind(models.TextChoices):
        MONTH = "month", "月报"
        YEAR = "year", "年报"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已生成"
        FAILED = "failed", "失败"

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "定时生成"
        REQUEST = "request", "手动申请"
        COMMAND = "command", "命令行"

    kind = models.CharField("报告类型", max_length=8, choices=Kind.choices)
    period = models.CharField("统计期", max_length=7, help_text="月报：2026-11；年报：2026")
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField("生成方式", max_length=8, choices=Trigger.choices, default=Trigger.REQUEST)
    error = models.TextField("失败原因", blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    seconds = models.FloatField("用时（秒）", null=True, blank=True)
    data_until = models.DateField("数据截至", null=True, blank=True)
    xlsx_file = models.FileField("Excel 文件", upload_to=report_file_path, max_length=300, blank=True)
    xlsx_size = models.PositiveIntegerField("Excel 大小（字节）", default=0)
    xlsx_sha256 = models.CharField("Excel SHA-256", max_length=64, blank=True)
    pdf_file = models.FileField("PDF 文件", upload_to=report_file_path, max_length=300, blank=True)
    pdf_size = models.PositiveIntegerField("PDF 大小（字节）", default=0)
    pdf_sha256 = models.CharField("PDF SHA-256", max_length=64, blank=True)

    class Meta:
        verbose_name = "统计报告"
        verbose_name_plural = verbose_name
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "period", "status"], name="insights_report_period")]
        constraints = [models.UniqueConstraint(fields=["kind", "period"], condition=models.Q(status__in=["queued", "running"]),
                                               name="insights_one_pending_report")]

    def __str__(self) -> str:
        return f"{self.title}（{self.get_status_display()}）"

    @property
    def title(self) -> str:
        """"2026年11月政务服务月报" / "2026年政务服务年报"."""
        from .reports.rules import title

        return title(self.kind, self.period)

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
class Rollup(models.Model):
    """One day's sum of one figure for one group and one scope cell (see :mod:`zhengwu.insights.rollups`).

    A figure over a period is the sum of its rows over the period's days (a whole month's from its
    ``span`` "month" rows, kept equal to the sum of its day rows): a count in ``numerator``
    (``denominator`` NULL), a rate as ``numerator`` over ``denominator``. ``dimension`` is '' for
    the figure's total or a registry dimension ("department", "item", …) with ``group_key`` the
    group's key as text (NULL: the group of records without one, e.g. 未派单) and its label. The
    scope cell — ``department`` and ``region_code`` of the records counted — lets a viewer's scope
    (:func:`zhengwu.org.permissions.scope`) be applied to these rows as to the records themselves.
    """

    class Span(models.TextChoices):
        DAY = "day", "日"
        MONTH = "month", "月"  # the sum of the month's day rows, ``day`` its first day

    day = models.DateField("日期")
    span = models.CharField("汇总周期", max_length=5, choices=Span.choices, default=Span.DAY)
    figure = models.CharField("指标", max_length=60)
    dimension = models.CharField("统计维度", max_length=20, blank=True, default="")
    group_key = models.CharField("分组", max_length=64, null=True, blank=True)
    group_label = models.CharField("分组名称", max_length=300, blank=True, default="")
    # No database constraint: a rollup row outlives nothing it points to, and a department is
    # never deleted while records point to it; DO_NOTHING keeps a delete from touching rollups.
    department = models.ForeignKey("org.Department", verbose_name="部门", null=True, blank=True,
                                   on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    region_code = models.CharField("区划代码", max_length=12, blank=True, default="")
    numerator = models.BigIntegerField("分子（计数）", default=0)
    denominator = models.BigIntegerField("分母", null=True, blank=True)

    class Meta:
        verbose_name = "指标日汇总"
        verbose_name_plural = verbose_name
        indexes = [models.Index(fields=["figure", "dimension", "span", "day"], name="rollup_figure_dim_day"),
                   models.Index(fields=["span", "day"], name="rollup_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.figure} {self.dimension} {self.group_key}"


class RollupDay(models.Model):
    """A day whose rollups are in :class:`Rollup`: when they were computed and in how long.

    ``complete``: computed after the day had ended (a rollup of today, refreshed every few
    minutes, is not). A period is read from the rollups only when every one of its days is here.
    """

    day = models.DateField("日期", unique=True)
    computed_at = models.DateTimeField("汇总时间")
    seconds = models.FloatField("用时（秒）", default=0)
    rows = models.PositiveIntegerField("汇总行数", default=0)
    complete = models.BooleanField("整日已汇总", default=False)

    class Meta:
        verbose_name = "已汇总日期"
        verbose_name_plural = verbose_name
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}"
