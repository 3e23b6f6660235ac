"""The three registers of 双随机: 监管事项目录, 执法人员名录, 检查对象名录库."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SupervisionItem(models.Model):
    """监管事项: what a department checks, with its legal basis and method."""

    department = models.ForeignKey("org.Department", verbose_name="实施部门", on_delete=models.PROTECT,
                                   related_name="supervision_items")
    code = models.CharField("监管事项编码", max_length=40, blank=True)
    name = models.CharField("监管事项名称", max_length=200)
    service_item = models.ForeignKey("catalog.ServiceItem", verbose_name="对应行政检查/处罚事项", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    legal_basis = models.TextField("设定依据")
    check_method = models.CharField("检查方式", max_length=100, default="现场检查",
                                    help_text="现场检查、书面检查、网络监测等")
    check_content = models.TextField("检查内容", blank=True)
    is_active = models.BooleanField("启用", default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "监管事项"
        verbose_name_plural = "监管事项目录"
        ordering = ["department", "name"]
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="insp_item_unique_name",
                                               violation_error_message="该部门已有同名监管事项")]

    def __str__(self) -> str:
        return self.name


class Inspector(models.Model):
    """执法人员: a certified law-enforcement officer. Leaves the draw pool when not active or expired."""

    class Status(models.TextChoices):
        ACTIVE = "active", "在岗"
        SUSPENDED = "suspended", "暂停执法"
        LEFT = "left", "调离/退休"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="平台账号", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="inspector")
    name = models.CharField("姓名", max_length=50)
    cert_number = models.CharField("执法证号", max_length=40, unique=True)
    department = models.ForeignKey("org.Department", verbose_name="所属部门", on_delete=models.PROTECT,
                                   related_name="inspectors")
    region = models.ForeignKey("org.Region", verbose_name="执法区域", on_delete=models.PROTECT, related_name="+")
    field = models.CharField("执法领域", max_length=60, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ACTIVE)
    valid_until = models.DateField("证件有效期至")
    expiry_notified_for = models.DateField("已提醒到期的有效期", null=True, blank=True,
                                           help_text="到期前30天已提醒部门管理员的那个有效期；续期后重新提醒")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = "执法人员"
        verbose_name_plural = "执法人员名录"
        ordering = ["department", "name"]
        indexes = [models.Index(fields=["department", "status", "valid_until"], name="insp_inspector_pool")]

    def __str__(self) -> str:
        return f"{self.name}（{self.cert_number}）"


class InspectedObject(models.Model):
    """检查对象: a market entity (from the 法人库 or an import) or another object (场所, 项目)."""

    class Risk(models.TextChoices):
        A = "A", "A级（低风险）"
        B = "B", "B级（一般风险）"
        C = "C", "C级（较高风险）"
        D = "D", "D级（高风险）"

    uscc = models.CharField("统一社会信用代码", max_length=18, null=True, blank=True, unique=True)
    name = models.CharField("名称", max_length=200)
    category = models.CharField("对象类别", max_length=60, default="企业", help_text="企业、个体工商户、场所、项目…")
    industry = models.CharField("行业", max_length=100, blank=True)
    region_code = models.CharField("所在区划", max_length=12, db_index=True)
    address = models.CharField("地址", max_length=300, blank=True)
    risk_level = models.CharField("风险等级", max_length=1, choices=Risk.choices, default=Risk.B)
    source = models.CharField("来源", max_length=10, default="import",
                              choices=[("registry", "法人库"), ("import", "导入"), ("manual", "录入")])
    is_active = models.BooleanField("在册", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "检查对象"
        verbose_name_plural = "检查对象名录库"
        indexes = [models.Index(fields=["region_code", "category", "risk_level"], name="insp_object_filter"),
                   models.Index(fields=["industry"], name="insp_object_industry")]

    def __str__(self) -> str:
        return self.name


class InspectorConflict(models.Model):
    """回避: an inspector declared a conflict with an object; the draw never sends them there."""

    inspector = models.ForeignKey(Inspector, verbose_name="执法人员", on_delete=models.CASCADE, related_name="conflicts")
    inspected = models.ForeignKey(InspectedObject, verbose_name="检查对象", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField("回避原因", max_length=200)
    declared_at = models.DateTimeField("申报时间", auto_now_add=True)

    class Meta:
        verbose_name = "回避申报"
        verbose_name_plural = "回避申报"
        constraints = [models.UniqueConstraint(fields=["inspector", "inspected"], name="insp_conflict_unique",
                                               violation_error_message="该执法人员已申报对该对象回避")]


class RegisterJob(models.Model):
    """A background job of the 检查对象名录库: 同步法人库, or an import too big to run while the page
    waits. The page of a queued or running job refreshes itself; ``progress`` and the counts are
    written in the same transaction as each chunk, so they always match what was written."""

    class Kind(models.TextChoices):
        SYNC = "sync", "法人库同步"
        IMPORT = "import", "检查对象导入"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED)
    region_prefix = models.CharField("同步区划前缀", max_length=12, blank=True)
    # The region prefixes the job writes in, fixed when it is started ("" = everywhere): the
    # overlap check of two syncs and who may see the job.
    scopes = models.JSONField("范围", default=list, blank=True)
    file_name = models.CharField("文件名", max_length=200, blank=True)
    # A FileField (not a path in JSON) so that ``zhengwu files prune`` sees a queued upload as
    # referenced; stored encrypted by the default storage, deleted when the import has run.
    source = models.FileField("上传文件（加密存储）", upload_to="inspections/uploads/", max_length=300, blank=True,
                              help_text="导入完成后删除")
    total = models.PositiveIntegerField("总数", null=True, blank=True)
    progress = models.PositiveIntegerField("已处理", default=0)
    added = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    closed = models.PositiveIntegerField("非存续移出", default=0)
    rejected = models.PositiveIntegerField("未导入", default=0)
    report = models.JSONField("质量报告摘要", default=dict, blank=True)
    error = models.TextField("失败原因", blank=True)
    token = models.CharField("提交令牌", max_length=64, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    updated_at = models.DateTimeField("最近进展", auto_now=True)

    class Meta:
        verbose_name = "检查对象后台任务"
        verbose_name_plural = "检查对象后台任务"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "status"], name="insp_job_kind_status")]
        constraints = [models.UniqueConstraint(fields=["started_by", "token"], condition=~models.Q(token=""),
                                               name="insp_job_unique_token")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"

    @property
    def active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
