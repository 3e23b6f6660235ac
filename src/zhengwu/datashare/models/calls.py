"""Every call of the query-verify service (the audit the law asks for and what 交换监控 counts)."""

from __future__ import annotations

from django.db import models


class QueryCall(models.Model):
    """One 核验/查询 call (a batch is one row per subject). Append-only."""

    class Kind(models.TextChoices):
        VERIFY = "verify", "核验"
        QUERY = "query", "查询"
        PREFILL = "prefill", "少填免填"
        LOOKUP = "lookup", "窗口查询"

    class Result(models.TextChoices):
        MATCH = "match", "一致"
        MISMATCH = "mismatch", "不一致"
        FOUND = "found", "已返回"
        NOT_FOUND = "not_found", "无记录"
        REFUSED = "refused", "拒绝"
        ERROR = "error", "错误"

    at = models.DateTimeField("时间", auto_now_add=True)
    kind = models.CharField("类型", max_length=8, choices=Kind.choices)
    api_key = models.ForeignKey("accounts.ApiKey", verbose_name="应用密钥", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    consumer = models.ForeignKey("org.Department", verbose_name="使用部门", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    consumer_name = models.CharField("使用方", max_length=150, blank=True)  # key name or staff member
    resource = models.ForeignKey("DataResource", verbose_name="资源", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    registry = models.CharField("基础库", max_length=8)  # person / legal
    purpose = models.CharField("用途", max_length=300)
    subject_index = models.CharField("对象索引", max_length=32)  # blind index of the ID number, or the USCC
    fields = models.JSONField("信息项", default=list, blank=True)
    result = models.CharField("结果", max_length=10, choices=Result.choices)
    status_code = models.PositiveSmallIntegerField("状态码", default=200)
    latency_ms = models.FloatField("耗时（毫秒）", default=0)

    class Meta:
        verbose_name = "核验查询记录"
        verbose_name_plural = "核验查询记录"
        indexes = [models.Index(fields=["subject_index", "-at"], name="querycall_subject_recent"),
                   models.Index(fields=["consumer", "at"], name="querycall_consumer_day"),
                   models.Index(fields=["at"], name="querycall_at")]


class CallDaily(models.Model):
    """交换监控: calls, errors and p95 latency per consumer, resource and day (rolled up by a job)."""

    day = models.DateField("日期")
    consumer = models.ForeignKey("org.Department", verbose_name="使用部门", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey("DataResource", verbose_name="资源", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    calls = models.PositiveIntegerField("调用次数", default=0)
    errors = models.PositiveIntegerField("失败次数", default=0)
    p95_ms = models.FloatField("P95耗时（毫秒）", default=0)
    flagged = models.BooleanField("异常", default=False)
    flag_reason = models.CharField("异常说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "交换日统计"
        verbose_name_plural = "交换监控"
        constraints = [models.UniqueConstraint(fields=["day", "consumer", "resource"], name="calldaily_unique")]
