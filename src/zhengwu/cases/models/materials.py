"""Uploaded materials of a case, 一次性补正告知, and 容缺 materials still owed."""

from __future__ import annotations

from django.conf import settings
from django.db import models


def material_path(instance, filename):
    # Never a guessable URL: files are served through a permission-checked view, named by hash.
    return f"cases/{instance.case_id}/{instance.sha256[:2]}/{instance.sha256}"


class CaseMaterial(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已提交"
        ACCEPTED = "accepted", "审核通过"
        REJECTED = "rejected", "需补正"
        REPLACED = "replaced", "已替换"

    case = models.ForeignKey("cases.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="materials")
    material = models.ForeignKey("catalog.Material", verbose_name="材料目录项", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    name = models.CharField("材料名称", max_length=300)
    file = models.FileField("文件", upload_to=material_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "办件材料"
        verbose_name_plural = "办件材料"
        ordering = ["case", "uploaded_at"]


class SupplementNotice(models.Model):
    """一次性告知: every missing or faulty material listed once; resolved on resubmission."""

    case = models.ForeignKey("cases.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="supplements")
    items = models.JSONField("补正事项", help_text='[{"material": "营业执照", "reason": "复印件不清晰"}]')
    note = models.TextField("补充说明", blank=True)
    # 一次性告知: the first notice lists everything; a later one only what it could not have known,
    # with the reason (rules.supplement_refusal). Counted in the figures (再次补正告知数).
    additional_reason = models.TextField("再次告知原因", blank=True, default="", db_default="")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="告知人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")
    issued_at = models.DateTimeField("告知时间", auto_now_add=True)
    resolved_at = models.DateTimeField("补正时间", null=True, blank=True)

    class Meta:
        verbose_name = "补正告知"
        verbose_name_plural = "补正告知"
        ordering = ["case", "-issued_at"]


class PendingMaterial(models.Model):
    """容缺受理: a non-key material the applicant promised to supply by a date."""

    case = models.ForeignKey("cases.Case", verbose_name="办件", on_delete=models.CASCADE,
                             related_name="pending_materials")
    name = models.CharField("容缺材料", max_length=300)
    due_date = models.DateField("补交期限")
    supplied_material = models.ForeignKey(CaseMaterial, verbose_name="补交的材料", null=True, blank=True,
                                          on_delete=models.SET_NULL, related_name="+")
    supplied_at = models.DateTimeField("补交时间", null=True, blank=True)

    class Meta:
        verbose_name = "容缺材料"
        verbose_name_plural = "容缺材料"
