"""电子印章: the platform CA and each department's seal (certificate, keys, seal image).

Private keys are stored encrypted (AES-256-GCM, :func:`zhengwu.core.pii.encrypt`) and are never
shown: not in the admin, not in ``repr``, not in the audit log. A seal row never changes its keys;
a new certificate (a re-issue or a PKCS#12 import) is a new row, and the old one is deactivated
so that documents it sealed still verify against it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SealSource(models.TextChoices):
    PLATFORM = "platform", "平台CA签发"
    IMPORTED = "imported", "PKCS#12 导入"


class PlatformCA(models.Model):
    """The platform's own certificate authority: issues department seal certificates for the demo,
    the tests and any department without an imported certificate."""

    name = models.CharField("名称", max_length=200)
    certificate_pem = models.TextField("CA证书（PEM）")
    private_key = models.TextField("CA私钥（加密）", editable=False)
    serial = models.CharField("证书序列号", max_length=64)
    not_before = models.DateTimeField("生效时间")
    not_after = models.DateTimeField("失效时间")
    is_active = models.BooleanField("当前使用", default=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "平台CA"
        verbose_name_plural = "平台CA"
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=models.Q(is_active=True),
                                    name="licenses_platformca_one_active",
                                    violation_error_message="只能有一个当前使用的平台CA"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.serial}）"

    def __repr__(self) -> str:  # never the key
        return f"<PlatformCA {self.pk} {self.serial}>"


class DepartmentSeal(models.Model):
    """A department's electronic seal: X.509 certificate and key for PDF signatures, the seal image
    placed on the page, and an SM2 key pair for signatures over canonical data."""

    department = models.ForeignKey("org.Department", verbose_name="部门", on_delete=models.PROTECT,
                                   related_name="seals")
    source = models.CharField("来源", max_length=12, choices=SealSource.choices, default=SealSource.PLATFORM)
    certificate_pem = models.TextField("签名证书（PEM）")
    chain_pem = models.TextField("证书链（PEM）", blank=True, help_text="签发者证书，不含签名证书本身")
    serial = models.CharField("证书序列号", max_length=64, db_index=True)
    subject = models.CharField("证书主题", max_length=400)
    issuer = models.CharField("签发者", max_length=400)
    not_before = models.DateTimeField("生效时间")
    not_after = models.DateTimeField("失效时间")
    key_algorithm = models.CharField("密钥算法", max_length=20)  # "ECDSA-P256", "RSA-2048", …
    private_key = models.TextField("私钥（加密）", editable=False)
    image_png = models.BinaryField("印章图像（PNG）", editable=False)
    sm2_public_key = models.CharField("SM2公钥（十六进制）", max_length=130)
    sm2_private_key = models.TextField("SM2私钥（加密）", editable=False)
    is_active = models.BooleanField("当前使用", default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "电子印章"
        verbose_name_plural = "电子印章"
        ordering = ["department_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["department"], condition=models.Q(is_active=True),
                                    name="licenses_seal_one_active_per_department",
                                    violation_error_message="一个部门只能有一枚当前使用的电子印章"),
        ]

    def __str__(self) -> str:
        return f"{self.department_id} {self.subject}（{self.serial}）"

    def __repr__(self) -> str:  # never the keys
        return f"<DepartmentSeal {self.pk} dept={self.department_id} {self.serial}>"
