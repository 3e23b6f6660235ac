"""Verified phones (短信验证码), enterprise agents (经办人) and the one-session rule for staff.

Imported at the end of :mod:`zhengwu.accounts.models` so that Django sees these models as the
accounts app's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.pii import BlindIndexField, EncryptedField


class PhoneCode(models.Model):
    """One SMS verification code. The code itself is never stored: only a keyed hash of it
    (see :mod:`zhengwu.accounts.phone`)."""

    class Purpose(models.TextChoices):
        REGISTER = "register", "注册"
        CHANGE_PHONE = "change_phone", "更换手机号"

    phone = EncryptedField("手机号码", kind="phone", index=True)
    phone_index = BlindIndexField()
    purpose = models.CharField("用途", max_length=16, choices=Purpose.choices)
    code_hash = models.CharField("验证码摘要", max_length=100)
    # Blind index of the requesting client's address (rate limit per address), not the address.
    ip_index = models.CharField("来源地址索引", max_length=32, blank=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户", null=True, blank=True,
                             on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField("发送时间", db_index=True)
    expires_at = models.DateTimeField("过期时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.phone}"


class EnterpriseAgent(models.Model):
    """经办人: a registered person who may act for an enterprise within a scope."""

    class Scope(models.TextChoices):
        APPLY = "apply", "办件申请"
        VIEW = "view", "查看办件"
        RATE = "rate", "评价"

    enterprise = models.ForeignKey("accounts.Applicant", verbose_name="企业", on_delete=models.CASCADE,
                                   related_name="agents")
    agent = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.CASCADE,
                              related_name="agencies")
    scope = models.JSONField("授权范围", default=list)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="授权人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "企业经办人"
        verbose_name_plural = "企业经办人"
        ordering = ["-granted_at"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "agent"], condition=models.Q(revoked_at__isnull=True),
                                    name="accounts_agent_one_active_grant",
                                    violation_error_message="该人员已是本企业经办人"),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} · {self.agent}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def scope_labels(self) -> list[str]:
        labels = dict(self.Scope.choices)
        return [labels.get(s, s) for s in self.scope]


class StaffSession(models.Model):
    """The one session a staff account may have (等保: 同一账号单点登录): a new login replaces it."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.CASCADE,
                                related_name="+", primary_key=True)
    session_key = models.CharField("会话", max_length=40)
    started_at = models.DateTimeField("登录时间", auto_now=True)

    class Meta:
        verbose_name = "工作人员会话"
        verbose_name_plural = "工作人员会话"
