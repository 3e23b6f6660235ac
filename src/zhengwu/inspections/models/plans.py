"""抽查计划, its draws (the first and any redraw), and the tasks a draw assigns.

A plan's inputs (the eligible objects and inspectors, the conflicts, the previous assignments) and
its seed are fixed and published (``InspectionPlan.State.PUBLISHED``) before it is drawn; the draw
is a pure function of them (``draw_rules``), so anyone re-runs it from the published export
(``zhengwu inspections verify-draw FILE``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InspectionPlan(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已公布抽查条件"
        DRAWN = "drawn", "已抽取"
        DONE = "done", "已完成"
        CANCELLED = "cancelled", "已撤销"

    number = models.CharField("计划编号", max_length=32, unique=True)
    name = models.CharField("计划名称", max_length=200)
    department = models.ForeignKey("org.Department", verbose_name="牵头部门", on_delete=models.PROTECT,
                                   related_name="inspection_plans")
    joint_departments = models.ManyToManyField("org.Department", verbose_name="联合抽查部门", blank=True,
                                               related_name="joint_inspection_plans")
    items = models.ManyToManyField("inspections.SupervisionItem", verbose_name="抽查事项", related_name="plans")
    region = models.ForeignKey("org.Region", verbose_name="抽查区域", on_delete=models.PROTECT, related_name="+")
    object_filter = models.JSONField("检查对象条件", default=dict, blank=True,
                                     help_text='{"categories": [...], "industries": [...], "risk_levels": [...], '
                                               '"region_prefixes": [...]}')
    ratio = models.DecimalField("抽查比例（%）", max_digits=5, decimal_places=2, null=True, blank=True)
    count = models.PositiveIntegerField("抽查数量", null=True, blank=True)
    inspectors_per_object = models.PositiveSmallIntegerField("每个对象执法人员数", default=2)
    pool = models.ManyToManyField("inspections.Inspector", verbose_name="执法人员库", blank=True, related_name="+",
                                  help_text="留空表示参与部门全部在岗、证件有效的执法人员")
    period_start = models.DateField("检查开始日期")
    period_end = models.DateField("检查结束日期")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    seed = models.CharField("随机种子", max_length=64, blank=True)
    inputs_digest = models.CharField("抽查条件摘要（SHA-256）", max_length=64, blank=True)
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    lock_version = models.PositiveIntegerField(default=1)
    # The form's one-time key: a double submission returns the plan the first one made.
    idempotency_key = models.CharField("提交标识", max_length=64, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = "抽查计划"
        verbose_name_plural = "抽查计划"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Draw(models.Model):
    """One draw of a plan: the first, or a redraw (with its public reason). Only one is current."""

    plan = models.ForeignKey(InspectionPlan, verbose_name="抽查计划", on_delete=models.CASCADE, related_name="draws")
    seq = models.PositiveSmallIntegerField("第几次抽取", default=1)
    seed = models.CharField("随机种子", max_length=64)
    algorithm = models.CharField("算法版本", max_length=40)
    inputs_digest = models.CharField("输入摘要（SHA-256）", max_length=64)
    result_digest = models.CharField("结果摘要（SHA-256）", max_length=64)
    export_path = models.CharField("公开导出文件", max_length=300, blank=True,
                                   help_text="相对数据目录的路径：包含全部输入、种子和结果，供任何人复核")
    reason = models.CharField("重新抽取原因", max_length=300, blank=True)
    is_current = models.BooleanField("当前有效", default=True)
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="抽取人", null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    drawn_at = models.DateTimeField("抽取时间")

    class Meta:
        verbose_name = "抽取记录"
        verbose_name_plural = "抽取记录"
        ordering = ["plan", "seq"]
        constraints = [models.UniqueConstraint(fields=["plan", "seq"], name="insp_draw_unique_seq"),
                       models.UniqueConstraint(fields=["plan"], condition=models.Q(is_current=True),
                                               name="insp_draw_one_current")]


class InspectionTask(models.Model):
    """One object a draw selected, with its inspectors; the result and its 公示."""

    class Result(models.TextChoices):
        PENDING = "", "待检查"
        OK = "ok", "未发现问题"
        RECTIFY = "rectify", "发现问题，责令整改"
        PENALTY = "penalty", "发现问题，立案查处"
        TRANSFER = "transfer", "移送其他部门处理"
        NOT_FOUND = "not_found", "未发现（查无下落）"
        CLOSED = "closed", "已注销/停业"

    draw = models.ForeignKey(Draw, verbose_name="抽取记录", on_delete=models.CASCADE, related_name="tasks")
    plan = models.ForeignKey(InspectionPlan, verbose_name="抽查计划", on_delete=models.CASCADE, related_name="tasks")
    inspected = models.ForeignKey("inspections.InspectedObject", verbose_name="检查对象", on_delete=models.PROTECT,
                                  related_name="tasks")
    inspectors = models.ManyToManyField("inspections.Inspector", verbose_name="执法人员", through="TaskInspector",
                                        related_name="tasks")
    result = models.CharField("检查结果", max_length=10, choices=Result.choices, default="", blank=True)
    result_note = models.TextField("结果说明", blank=True)
    checked_on = models.DateField("检查日期", null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    publish_due = models.DateField("公示期限", null=True, blank=True, help_text="检查后20个工作日内")
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    lock_version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "检查任务"
        verbose_name_plural = "检查任务"
        constraints = [models.UniqueConstraint(fields=["draw", "inspected"], name="insp_task_once_per_draw")]
        indexes = [models.Index(fields=["plan", "result"], name="insp_task_plan_result"),
                   models.Index(fields=["published_at"], name="insp_task_published"),
                   # The public 公示 page (results part): newest checks first, keyset on (checked_on, id),
                   # optionally one result kind or the plans of one department; published rows only.
                   models.Index(fields=["-checked_on", "-id"], name="insp_task_public",
                                condition=models.Q(published_at__isnull=False)),
                   models.Index(fields=["result", "-checked_on", "-id"], name="insp_task_public_result",
                                condition=models.Q(published_at__isnull=False)),
                   models.Index(fields=["plan", "-checked_on", "-id"], name="insp_task_public_plan",
                                condition=models.Q(published_at__isnull=False)),
                   # The publish job: recorded, held results whose 公示期限 has come.
                   models.Index(fields=["publish_due"], name="insp_task_held",
                                condition=models.Q(published_at__isnull=True) & ~models.Q(result=""))]


class TaskInspector(models.Model):
    task = models.ForeignKey(InspectionTask, on_delete=models.CASCADE, related_name="assignments")
    inspector = models.ForeignKey("inspections.Inspector", on_delete=models.PROTECT, related_name="assignments")
    lead = models.BooleanField("主办", default=False)

    class Meta:
        verbose_name = "检查人员分配"
        verbose_name_plural = "检查人员分配"
        constraints = [models.UniqueConstraint(fields=["task", "inspector"], name="insp_task_inspector_unique")]
