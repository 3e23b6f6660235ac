"""一件事 (Bundle): a life event grouping several service items, applied for once."""

from __future__ import annotations

from django.db import models


class Bundle(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        DISABLED = "disabled", "已停用"

    class Target(models.TextChoices):
        PERSON = "person", "个人"
        LEGAL = "legal", "企业"
        BOTH = "both", "个人、企业"  # e.g. 开办餐饮店: a 个体工商户 (a person) or a company

    region = models.ForeignKey("org.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="bundles")
    name = models.CharField("一件事名称", max_length=100, help_text="例如：开办餐饮店一件事")
    popular_name = models.CharField("通俗名称", max_length=100, blank=True)
    keywords = models.CharField("关键词", max_length=500, blank=True)
    description = models.TextField("说明", blank=True)
    target = models.CharField("服务对象", max_length=8, choices=Target.choices, default=Target.PERSON)
    lead_department = models.ForeignKey("org.Department", verbose_name="牵头部门", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    items = models.ManyToManyField("ServiceItem", through="BundleItem", related_name="bundles", verbose_name="包含事项")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT)
    # Figures the bureau reports (before = separate applications, after = one bundle).
    promised_days = models.PositiveIntegerField("一件事承诺时限（工作日）", null=True, blank=True)
    visits = models.PositiveSmallIntegerField("一件事到现场次数", default=1)
    lock_version = models.PositiveIntegerField("版本锁", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "一件事"
        verbose_name_plural = "一件事"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="catalog_bundle_unique_name",
                                               violation_error_message="该区划已有同名的一件事")]

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="bundle_items")
    service_item = models.ForeignKey("ServiceItem", on_delete=models.PROTECT, related_name="+", verbose_name="事项")
    seq = models.PositiveSmallIntegerField("顺序", default=1)
    optional = models.BooleanField("可选事项", default=False, help_text="按申请人情况选办")

    class Meta:
        verbose_name = "一件事事项"
        verbose_name_plural = "一件事事项"
        ordering = ["bundle", "seq"]
        constraints = [models.UniqueConstraint(fields=["bundle", "service_item"], name="catalog_bundleitem_unique")]


class BundleQuestion(models.Model):
    """情形引导: a question the applicant answers before applying for a 一件事 (e.g. “以什么身份开办？”).
    Each answer (:class:`BundleOption`) selects and deselects items of the bundle and waives materials."""

    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="questions", verbose_name="一件事")
    seq = models.PositiveSmallIntegerField("顺序", default=1)
    text = models.CharField("问题", max_length=200, help_text="例如：您以什么身份开办餐饮店？")
    help_text = models.CharField("说明", max_length=300, blank=True)

    class Meta:
        verbose_name = "情形问题"
        verbose_name_plural = "情形问题"
        ordering = ["bundle", "seq", "pk"]

    def __str__(self) -> str:
        return self.text


class BundleOption(models.Model):
    """One answer of a 情形 question and what it means for the application."""

    question = models.ForeignKey(BundleQuestion, on_delete=models.CASCADE, related_name="options", verbose_name="问题")
    seq = models.PositiveSmallIntegerField("顺序", default=1)
    label = models.CharField("选项", max_length=100)
    select_items = models.ManyToManyField("ServiceItem", blank=True, related_name="+", verbose_name="需要办理的事项",
                                          help_text="选择此项时办理这些事项（须为本一件事的事项）")
    skip_items = models.ManyToManyField("ServiceItem", blank=True, related_name="+", verbose_name="无需办理的事项",
                                        help_text="选择此项时不办理这些事项")
    waive_materials = models.CharField("免交材料", max_length=500, blank=True,
                                       help_text="选择此项时无需提交的材料名称，多个用顿号（、）分隔")

    class Meta:
        verbose_name = "情形选项"
        verbose_name_plural = "情形选项"
        ordering = ["question", "seq", "pk"]

    def __str__(self) -> str:
        return self.label

    @property
    def waived_names(self) -> list[str]:
        return [n.strip() for n in self.waive_materials.replace(",", "、").replace("，", "、").split("、") if n.strip()]
