"""基础库: 人口库 and 法人库, loaded and refreshed by bulk import. Personal data encrypted with
blind indexes (zhengwu.core.pii)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.pii import BlindIndexField, EncryptedField


class PersonRecord(models.Model):
    """人口库: one person."""

    id_number = EncryptedField("身份证号", kind="id_number", index=True)
    id_number_index = BlindIndexField()
    name = EncryptedField("姓名", kind="name", index=True)
    name_index = BlindIndexField()
    gender = models.CharField("性别", max_length=2, blank=True)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    nation = models.CharField("民族", max_length=20, blank=True)
    household_address = EncryptedField("户籍地址", kind="address")
    region_code = models.CharField("户籍区划", max_length=12, blank=True, db_index=True)
    phone = EncryptedField("联系电话", kind="phone")
    alive = models.BooleanField("在世", default=True)
    batch = models.ForeignKey("ImportBatch", verbose_name="导入批次", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "人口信息"
        verbose_name_plural = "人口库"
        constraints = [models.UniqueConstraint(fields=["id_number_index"], name="datashare_person_unique_id")]


class LegalEntityRecord(models.Model):
    """法人库: one legal entity (统一社会信用代码 is public; the representative's ID is not)."""

    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    name = models.CharField("名称", max_length=200, db_index=True)
    legal_rep = models.CharField("法定代表人", max_length=50, blank=True)
    legal_rep_id_number = EncryptedField("法定代表人身份证号", kind="id_number", index=True)
    legal_rep_id_number_index = BlindIndexField()
    kind = models.CharField("类型", max_length=60, blank=True)
    address = models.CharField("住所", max_length=300, blank=True)
    region_code = models.CharField("登记区划", max_length=12, blank=True, db_index=True)
    status = models.CharField("登记状态", max_length=20, blank=True)
    established_on = models.DateField("成立日期", null=True, blank=True)
    registered_capital = models.CharField("注册资本", max_length=60, blank=True)
    batch = models.ForeignKey("ImportBatch", verbose_name="导入批次", null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "法人信息"
        verbose_name_plural = "法人库"


class ImportBatch(models.Model):
    """One bulk load of 人口库 or 法人库, with its data-quality report."""

    class Kind(models.TextChoices):
        PERSON = "person", "人口库"
        LEGAL = "legal", "法人库"

    class Status(models.TextChoices):
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField("库", max_length=8, choices=Kind.choices)
    file_name = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.RUNNING)
    rows_total = models.PositiveIntegerField("总行数", default=0)
    rows_loaded = models.PositiveIntegerField("导入行数", default=0)
    rows_bad = models.PositiveIntegerField("问题行数", default=0)
    # {"invalid_id": n, "duplicate": n, "missing": n, …} and the first problems with row numbers;
    # the full list is in report_file.
    summary = models.JSONField("质量报告摘要", default=dict, blank=True)
    report_file = models.FileField("质量报告", upload_to="datashare/reports/%Y/", blank=True, max_length=300)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = "基础库导入批次"
        verbose_name_plural = "基础库导入批次"
        ordering = ["-started_at"]
