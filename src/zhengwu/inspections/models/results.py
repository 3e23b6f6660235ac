"""检查结果的附件: files an inspector attaches to a result (检查记录, 照片, 责令整改通知书).

Stored through the project's default storage — encrypted at rest (:mod:`zhengwu.core.storage`),
named by their SHA-256, never at a guessable URL — and read only by staff who may see the task
(each read audited, ``services.results.open_attachment``). Not part of the public 公示.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


def attachment_path(instance, filename):
    return f"inspections/{instance.task_id}/{instance.sha256[:2]}/{instance.sha256}"


class TaskAttachment(models.Model):
    task = models.ForeignKey("inspections.InspectionTask", verbose_name="检查任务", on_delete=models.CASCADE,
                             related_name="attachments")
    file = models.FileField("文件", upload_to=attachment_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=100)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="上传人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "检查结果附件"
        verbose_name_plural = "检查结果附件"
        ordering = ["task", "pk"]
        constraints = [models.UniqueConstraint(fields=["task", "sha256"], name="insp_attachment_once")]

    def __str__(self) -> str:
        return self.original_name
