"""共享申请 and the grants they issue: which consumer's key may read which fields of which resource."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ShareRequest(models.Model):
    """A consuming department asks for a resource: chosen fields, purpose, legal basis, items, period.
    The provider approves (a subset of fields) or refuses; 有条件共享 resources also need the
    bureau's countersignature; approval issues a :class:`ShareGrant` with an API key."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "待提供方审核"
        PROVIDER_APPROVED = "provider_approved", "待管理机构会签"
        APPROVED = "approved", "已批准"
        REFUSED = "refused", "已拒绝"
        WITHDRAWN = "withdrawn", "已撤回"
        REVOKED = "revoked", "已撤销"

    number = models.CharField("申请编号", max_length=30, unique=True)
    consumer = models.ForeignKey("org.Department", verbose_name="申请部门", on_delete=models.PROTECT,
                                 related_name="share_requests")
    resource = models.ForeignKey("DataResource", verbose_name="资源", on_delete=models.PROTECT,
                                 related_name="share_requests")
    fields_requested = models.JSONField("申请信息项", default=list)  # ResourceField keys
    fields_approved = models.JSONField("批准信息项", default=list, blank=True)
    purpose = models.CharField("用途", max_length=300)
    legal_basis = models.CharField("依据", max_length=300)
    items = models.ManyToManyField("catalog.ServiceItem", verbose_name="支撑的事项", blank=True, related_name="+")
    period_start = models.DateField("使用期限起")
    period_end = models.DateField("使用期限止")
    daily_quota = models.PositiveIntegerField("每日调用上限", default=10000)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.SUBMITTED)
    reason = models.CharField("拒绝或撤销理由", max_length=300, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    provider_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提供方审核人", null=True,
                                            blank=True, on_delete=models.PROTECT, related_name="+")
    provider_decided_at = models.DateTimeField("提供方审核时间", null=True, blank=True)
    countersigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="会签人", null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    countersigned_at = models.DateTimeField("会签时间", null=True, blank=True)
    lock_version = models.PositiveIntegerField("版本锁", default=0)
    created_at = models.DateTimeField("申请时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "共享申请"
        verbose_name_plural = "共享申请"
        indexes = [models.Index(fields=["consumer", "state"], name="sharerequest_consumer_state")]


class ShareGrant(models.Model):
    """What an approved request allows: this API key may read these fields of this resource until
    ``expires_at`` with at most ``daily_quota`` calls a day. Revocation takes effect at once."""

    request = models.OneToOneField(ShareRequest, verbose_name="共享申请", on_delete=models.PROTECT,
                                   related_name="grant")
    api_key = models.ForeignKey("accounts.ApiKey", verbose_name="应用密钥", on_delete=models.PROTECT,
                                related_name="share_grants")
    consumer = models.ForeignKey("org.Department", verbose_name="使用部门", on_delete=models.PROTECT, related_name="+")
    resource = models.ForeignKey("DataResource", verbose_name="资源", on_delete=models.PROTECT, related_name="grants")
    fields = models.JSONField("可用信息项", default=list)
    daily_quota = models.PositiveIntegerField("每日调用上限", default=10000)
    per_minute = models.PositiveIntegerField("每分钟调用上限", default=600)
    expires_at = models.DateTimeField("到期时间")
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    # When the consumer was shown the key's clear text (once; a fresh key is issued at that moment).
    key_shown_at = models.DateTimeField("密钥领取时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "共享授权"
        verbose_name_plural = "共享授权"
        indexes = [models.Index(fields=["api_key", "resource"], name="sharegrant_key_resource")]
