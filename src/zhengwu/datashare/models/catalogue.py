"""政务信息资源目录 (国发〔2016〕51号《政务信息资源共享管理暂行办法》), 三张清单 and 信息系统普查."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ShareType(models.TextChoices):
    UNCONDITIONAL = "unconditional", "无条件共享"
    CONDITIONAL = "conditional", "有条件共享"
    NONE = "none", "不予共享"


class OpenType(models.TextChoices):
    OPEN = "open", "无条件开放"
    CONDITIONAL = "conditional", "有条件开放"
    CLOSED = "closed", "不予开放"


class InfoSystem(models.Model):
    """信息系统普查: one of the departments' information systems."""

    class Deployment(models.TextChoices):
        GOV_CLOUD = "gov_cloud", "政务云"
        OWN_ROOM = "own_room", "自建机房"
        VERTICAL = "vertical", "上级部门垂直部署"
        OTHER = "other", "其他"

    name = models.CharField("系统名称", max_length=200)
    department = models.ForeignKey("org.Department", verbose_name="建设部门", on_delete=models.PROTECT,
                                   related_name="info_systems")
    build_year = models.PositiveSmallIntegerField("建设年份", null=True, blank=True)
    funding = models.CharField("资金来源", max_length=100, blank=True)
    budget_wan = models.DecimalField("投资金额（万元）", max_digits=12, decimal_places=2, null=True, blank=True)
    deployment = models.CharField("部署方式", max_length=12, choices=Deployment.choices, default=Deployment.OTHER)
    data_volume_gb = models.DecimalField("数据量（GB）", max_digits=14, decimal_places=2, null=True, blank=True)
    connected = models.BooleanField("已接入共享平台", default=False)
    in_use = models.BooleanField("在用", default=True)
    note = models.CharField("备注", max_length=300, blank=True)
    lock_version = models.PositiveIntegerField("版本锁", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "信息系统"
        verbose_name_plural = "信息系统"
        constraints = [models.UniqueConstraint(fields=["department", "name"], name="datashare_system_unique_name")]

    def __str__(self) -> str:
        return self.name


class DataResource(models.Model):
    """政务信息资源: a dataset a department provides (the working copy; published versions are
    :class:`ResourceSnapshot` rows)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        REVIEW = "review", "待审核"
        PUBLISHED = "published", "已发布"
        WITHDRAWN = "withdrawn", "已撤销"

    code = models.CharField("资源代码", max_length=40, unique=True)
    name = models.CharField("资源名称", max_length=200)
    summary = models.TextField("资源摘要", blank=True)
    provider = models.ForeignKey("org.Department", verbose_name="提供方", on_delete=models.PROTECT,
                                 related_name="data_resources")
    source_system = models.ForeignKey(InfoSystem, verbose_name="来源系统", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="resources")
    category = models.CharField("资源分类", max_length=100, blank=True)
    share_type = models.CharField("共享类型", max_length=14, choices=ShareType.choices,
                                  default=ShareType.UNCONDITIONAL)
    share_condition = models.CharField("共享条件", max_length=300, blank=True)
    no_share_basis = models.CharField("不予共享依据", max_length=300, blank=True)
    open_type = models.CharField("开放属性", max_length=12, choices=OpenType.choices, default=OpenType.CLOSED)
    update_cycle = models.CharField("更新周期", max_length=20, blank=True)
    format = models.CharField("资源格式", max_length=40, blank=True)
    # Where the query-verify service reads it: "" (metadata only), "person" (人口库), "legal" (法人库).
    registry = models.CharField("对应基础库", max_length=8, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    version = models.PositiveIntegerField("已发布版本", default=0)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    lock_version = models.PositiveIntegerField("版本锁", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "政务信息资源"
        verbose_name_plural = "政务信息资源"
        indexes = [models.Index(fields=["provider", "status"], name="dataresource_provider_status")]

    def __str__(self) -> str:
        return self.name


class ResourceField(models.Model):
    """信息项: a field of a resource."""

    resource = models.ForeignKey(DataResource, verbose_name="资源", on_delete=models.CASCADE, related_name="fields")
    seq = models.PositiveSmallIntegerField("序号", default=1)
    key = models.CharField("字段标识", max_length=60)
    name = models.CharField("信息项名称", max_length=100)
    data_type = models.CharField("数据类型", max_length=20, default="字符型")
    length = models.PositiveIntegerField("长度", null=True, blank=True)
    share_type = models.CharField("共享类型", max_length=14, choices=ShareType.choices, blank=True)
    personal = models.BooleanField("个人信息", default=False)

    class Meta:
        verbose_name = "信息项"
        verbose_name_plural = "信息项"
        ordering = ["resource", "seq"]
        constraints = [models.UniqueConstraint(fields=["resource", "key"], name="datashare_field_unique_key")]


class ResourceSnapshot(models.Model):
    """A published version of a resource (what consumers saw when they asked)."""

    resource = models.ForeignKey(DataResource, verbose_name="资源", on_delete=models.CASCADE, related_name="snapshots")
    version = models.PositiveIntegerField("版本")
    data = models.JSONField("内容")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField("发布时间", auto_now_add=True)

    class Meta:
        verbose_name = "资源版本"
        verbose_name_plural = "资源版本"
        constraints = [models.UniqueConstraint(fields=["resource", "version"], name="datashare_snapshot_unique")]


class DataNeed(models.Model):
    """需求清单: a department needs some data for an item."""

    class Status(models.TextChoices):
        OPEN = "open", "待响应"
        ANSWERED = "answered", "已响应"
        DECLINED = "declined", "无法满足"

    department = models.ForeignKey("org.Department", verbose_name="需求部门", on_delete=models.PROTECT,
                                   related_name="data_needs")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="服务事项", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    description = models.CharField("所需数据", max_length=300)
    fields_wanted = models.CharField("所需信息项", max_length=500, blank=True)
    provider = models.ForeignKey("org.Department", verbose_name="拟提供部门", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey(DataResource, verbose_name="满足需求的资源", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="needs")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.CharField("响应说明", max_length=300, blank=True)
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    answered_at = models.DateTimeField("响应时间", null=True, blank=True)

    class Meta:
        verbose_name = "数据需求"
        verbose_name_plural = "需求清单"


class ProvideDuty(models.Model):
    """责任清单: a department must provide a resource (by a date, at a cycle)."""

    department = models.ForeignKey("org.Department", verbose_name="责任部门", on_delete=models.PROTECT,
                                   related_name="data_duties")
    resource = models.ForeignKey(DataResource, verbose_name="资源", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="duties")
    description = models.CharField("应提供的数据", max_length=300)
    due_date = models.DateField("完成时限", null=True, blank=True)
    done = models.BooleanField("已完成", default=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "共享责任"
        verbose_name_plural = "责任清单"


class NegativeEntry(models.Model):
    """负面清单: data that may not be shared, and why (the law that says so)."""

    department = models.ForeignKey("org.Department", verbose_name="部门", on_delete=models.PROTECT,
                                   related_name="+")
    resource = models.ForeignKey(DataResource, verbose_name="资源", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="negative_entries")
    description = models.CharField("不予共享的数据", max_length=300)
    legal_basis = models.CharField("法律法规依据", max_length=300)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "不予共享数据"
        verbose_name_plural = "负面清单"
