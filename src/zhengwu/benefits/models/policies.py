"""免申即享: a policy (its eligibility rules as data), its 资格比对 runs and the entitlements found."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Policy(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", "个人（人口库）"
        LEGAL = "legal", "企业（法人库）"

    class Mode(models.TextChoices):
        CONFIRM = "confirm", "确认后享受"
        DIRECT = "direct", "直接兑现"

    class State(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"
        CLOSED = "closed", "已停止"

    name = models.CharField("政策名称", max_length=100, unique=True)
    department = models.ForeignKey("org.Department", verbose_name="主管部门", on_delete=models.PROTECT,
                                   related_name="+")
    kind = models.CharField("享受对象", max_length=8, choices=Kind.choices)
    description = models.TextField("政策内容", blank=True)
    legal_basis = models.TextField("政策依据", blank=True)
    amount_text = models.CharField("享受标准", max_length=200, blank=True)
    mode = models.CharField("兑现方式", max_length=8, choices=Mode.choices, default=Mode.CONFIRM)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.DRAFT)
    # [{"field": "age", "op": "gte", "value": 80}, …] — all must hold (全部满足); see benefits.rules.
    rules = models.JSONField("资格条件", default=list, blank=True)
    lock_version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)

    class Meta:
        verbose_name = "免申即享政策"
        verbose_name_plural = "免申即享政策"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class EligibilityRun(models.Model):
    """One 资格比对 of a policy over its registry: queued by staff, run by the worker in batches."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "比对中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    policy = models.ForeignKey(Policy, verbose_name="政策", on_delete=models.CASCADE, related_name="runs")
    state = models.CharField("状态", max_length=8, choices=State.choices, default=State.QUEUED)
    reference_date = models.DateField("比对基准日")
    rules = models.JSONField("比对时的资格条件", default=list)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进度时间", null=True, blank=True)  # a stale one is resumed
    max_pk = models.BigIntegerField("基础库最大编号", default=0)
    last_pk = models.BigIntegerField("已比对到", default=0)  # keyset position: a restarted run resumes here
    scanned = models.BigIntegerField("已比对范围", default=0)
    matched = models.BigIntegerField("符合条件", default=0)
    created = models.BigIntegerField("新增享受对象", default=0)
    lapsed = models.BigIntegerField("不再符合", default=0)
    error = models.CharField("错误信息", max_length=500, blank=True)

    class Meta:
        verbose_name = "资格比对"
        verbose_name_plural = "资格比对"
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["state", "requested_at"], name="benefits_run_queue")]
        # One queued or running 资格比对 per policy (a double click queues one).
        constraints = [models.UniqueConstraint(fields=["policy"], condition=models.Q(state__in=["queued", "running"]),
                                               name="benefits_one_active_run")]

    @property
    def progress(self) -> int:
        """Per cent of the registry's key range done."""
        if self.state == self.State.DONE:
            return 100
        return min(100, int(self.last_pk * 100 / self.max_pk)) if self.max_pk else 0


class Entitlement(models.Model):
    """One person or enterprise a policy's run found eligible (享受对象)."""

    class State(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        GRANTED = "granted", "已发放"
        WAIVED = "waived", "已放弃"
        LAPSED = "lapsed", "不再符合"

    policy = models.ForeignKey(Policy, verbose_name="政策", on_delete=models.CASCADE, related_name="entitlements")
    # The registry row (PersonRecord or LegalEntityRecord pk) and the key the holder is matched by when
    # logged in: the 身份证号's blind index for a person, the 统一社会信用代码 for an enterprise.
    subject_pk = models.BigIntegerField("基础库编号")
    subject_key = models.CharField("主体标识", max_length=32)
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    # [{"label": "年龄 ≥ 80 周岁", "actual": "82 周岁", "ok": true}, …] at the time of the decision.
    explanation = models.JSONField("资格说明", default=list)
    run = models.ForeignKey(EligibilityRun, verbose_name="首次比对", null=True, on_delete=models.SET_NULL,
                            related_name="+")
    seen_run_id = models.BigIntegerField("最近一次符合的比对", default=0)
    lock_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField("产生时间", auto_now_add=True)
    decided_at = models.DateTimeField("确认/兑现时间", null=True, blank=True)
    notified_at = models.DateTimeField("通知时间", null=True, blank=True)

    class Meta:
        verbose_name = "享受对象"
        verbose_name_plural = "享受对象"
        constraints = [models.UniqueConstraint(fields=["policy", "subject_key"], name="benefits_one_per_subject")]
        indexes = [models.Index(fields=["subject_key"], name="benefits_subject"),
                   models.Index(fields=["policy", "state", "id"], name="benefits_policy_state")]
