"""统一身份认证: the link between a local account and an identity at an OpenID Connect provider."""

from __future__ import annotations

from django.db import models


class RealNameLevel(models.TextChoices):
    """实名等级, lowest first (the order matters: see :func:`zhengwu.accounts.oidc_rules.level_rank`)."""

    L1 = "L1", "L1 手机号实名"
    L2 = "L2", "L2 身份证核验"
    L3 = "L3", "L3 人脸识别"


class ExternalIdentity(models.Model):
    """One (issuer, subject) at a configured provider, linked to one local user.

    The subject is the provider's opaque, stable identifier of the person (``sub``); providers
    must not use an ID number as ``sub`` (docs/identity.md)."""

    provider = models.CharField("认证平台", max_length=40)
    issuer = models.CharField("签发方", max_length=300)
    subject = models.CharField("平台用户标识", max_length=255)
    user = models.ForeignKey("accounts.User", verbose_name="用户", on_delete=models.CASCADE,
                             related_name="external_identities")
    real_name_level = models.CharField("实名等级", max_length=2, choices=RealNameLevel.choices, blank=True)
    # The identity's 姓名/身份证号/统一社会信用代码 were checked against the account when linked.
    linked_at = models.DateTimeField("绑定时间", auto_now_add=True)
    last_login_at = models.DateTimeField("最近登录", null=True, blank=True)

    class Meta:
        verbose_name = "统一身份认证绑定"
        verbose_name_plural = "统一身份认证绑定"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="accounts_identity_unique_sub",
                                    violation_error_message="该统一身份认证账号已绑定其他账户"),
            # One account per person per provider: a second sub of the same issuer is a conflict.
            models.UniqueConstraint(fields=["user", "issuer"], name="accounts_identity_one_per_issuer",
                                    violation_error_message="该账户已绑定此认证平台的另一个账号"),
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"
