"""告知承诺 后核查: a case decided on the applicant's commitment is verified afterwards."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class CommitmentCheck(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", "待核查"
        PASSED = "passed", "核查属实"
        FAILED = "failed", "核查不属实"

    case = models.OneToOneField("cases.Case", verbose_name="办件", on_delete=models.PROTECT,
                                related_name="commitment_check")
    department = models.ForeignKey("org.Department", verbose_name="核查部门", on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField("核查期限")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    finding = models.TextField("核查情况", blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="核查人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    checked_at = models.DateTimeField("核查时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    lock_version = models.PositiveIntegerField(default=1)
    # 不属实: the revocation this check started (the case event and the licence's 吊销 say the same).
    revocation_started_at = models.DateTimeField("撤销启动时间", null=True, blank=True)
    revocation_note = models.TextField("撤销情况", blank=True)
    overdue_notified_at = models.DateTimeField("超期提醒时间", null=True, blank=True)

    class Meta:
        verbose_name = "告知承诺核查"
        verbose_name_plural = "告知承诺核查"
        indexes = [models.Index(fields=["department", "state", "due_date"], name="insp_commit_queue")]


class CommitmentCheckDays(models.Model):
    """A department's own number of working days for its 告知承诺 checks (default 30)."""

    department = models.OneToOneField("org.Department", verbose_name="核查部门", on_delete=models.CASCADE,
                                      related_name="+")
    days = models.PositiveSmallIntegerField("核查期限（工作日）")

    class Meta:
        verbose_name = "告知承诺核查期限"
        verbose_name_plural = "告知承诺核查期限"
