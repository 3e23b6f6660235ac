"""事项导入任务 (ImportJob): one import of a 实施清单 spreadsheet, from the page or the command line.

The job is the record of an import (who, which file by name and SHA-256, when, the report) and
the lock that serialises imports of one region: at most one job per region is ``running``
(a partial unique constraint, so it holds across processes and machines). Large uploads are
queued and run by the background worker; the page reads the job to show status and report.
"""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.db import models


def _job_file_path(instance: ImportJob, filename: str) -> str:
    # Never served and never guessable: a random name, the extension kept for the reader.
    ext = os.path.splitext(filename)[1].lower()[:8]
    return f"catalog/imports/{uuid.uuid4().hex}{ext}"


class ImportJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "导入失败"

    class Source(models.TextChoices):
        UPLOAD = "upload", "工作台上传"
        CLI = "cli", "命令行"

    region = models.ForeignKey("org.Region", verbose_name="导入区划", on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=255)
    file_sha256 = models.CharField("文件SHA-256", max_length=64, db_index=True)
    file_size = models.PositiveBigIntegerField("文件大小（字节）", default=0)
    # Kept only until the job has run (the background worker reads it from storage).
    file = models.FileField("待导入文件", upload_to=_job_file_path, blank=True)
    estimated_rows = models.PositiveIntegerField("估计行数", default=0)
    as_draft = models.BooleanField("导入为草稿", default=False, help_text="变更生成草稿版本，审核后发布")
    # 导入并提交审核 (ADR 0060): the changed versions land as 待审核, submitted by the importer,
    # and another 事项管理员 approves them (singly, or the whole batch at once).
    submit = models.BooleanField("导入并提交审核", default=False,
                                 help_text="变更生成待审核版本（提交人为导入人），由另一位事项管理员审核发布")
    # Off by default: an unknown 实施主体 is a row error (a typo must not become a department).
    create_departments = models.BooleanField("新建机构库中没有的实施主体", default=False,
                                             help_text="批量建库时使用：文件中本区划没有的实施主体按“其他”类别新建")
    source = models.CharField("来源", max_length=8, choices=Source.choices, default=Source.UPLOAD)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    # A form submitted twice carries the same key: the second submission finds the first job.
    idempotency_key = models.CharField("防重复提交标识", max_length=64, unique=True, null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=Status.choices, default=Status.QUEUED, db_index=True)
    task_id = models.CharField("后台任务编号", max_length=64, blank=True)
    progress = models.PositiveIntegerField("已处理行数", default=0)
    result = models.JSONField("导入结果", default=dict, blank=True)
    error = models.TextField("失败原因", blank=True)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展时间", null=True, blank=True)

    class Meta:
        verbose_name = "事项导入任务"
        verbose_name_plural = "事项导入任务"
        ordering = ["-created_at"]
        constraints = [
            # One running import per region: imports of one region never interleave.
            models.UniqueConstraint(fields=["region"], condition=models.Q(status="running"),
                                    name="catalog_importjob_one_running"),
        ]
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
