"""The 电子证照 registry: licence types, issued licences, and what happens to them.

A licence is never deleted: a change (变更) issues a new version that points at the one it
replaces, 注销/吊销/过期 change the status, and every change is a :class:`LicenceEvent`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.pii import BlindIndexField, EncryptedField


class HolderKind(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL = "legal", "法人"


class LicenceType(models.Model):
    """证照类型: what a licence of this kind carries, who issues it, how long it is valid."""

    code = models.CharField("证照类型代码", max_length=21, unique=True,
                            help_text="21位：定义部门统一社会信用代码(18) + 3位序号（GB/T 36904）")
    name = models.CharField("证照名称", max_length=100, unique=True)
    holder_kind = models.CharField("持证主体类型", max_length=8, choices=HolderKind.choices)
    departments = models.ManyToManyField("org.Department", verbose_name="颁发部门", blank=True,
                                         related_name="licence_types")
    # [{"key": "name", "label": "姓名", "type": "string", "required": true}, …]
    fields_schema = models.JSONField("照面信息项", default=list, blank=True)
    validity_years = models.PositiveSmallIntegerField("有效期（年）", null=True, blank=True,
                                                      help_text="空为长期有效")
    # Layout of the licence PDF: title, field order, seal position (points from the bottom left).
    template = models.JSONField("版式", default=dict, blank=True)
    is_active = models.BooleanField("启用", default=True)
    lock_version = models.PositiveIntegerField("版本锁", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "证照类型"
        verbose_name_plural = "证照类型"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Licence(models.Model):
    """An issued 电子证照 (one version of it)."""

    class Status(models.TextChoices):
        VALID = "valid", "有效"
        SUPERSEDED = "superseded", "已变更"
        CANCELLED = "cancelled", "已注销"
        REVOKED = "revoked", "已吊销"
        EXPIRED = "expired", "已过期"

    identifier = models.CharField("电子证照标识", max_length=120, unique=True)
    number = models.CharField("证照编号", max_length=64, db_index=True)
    type = models.ForeignKey(LicenceType, verbose_name="证照类型", on_delete=models.PROTECT, related_name="licences")
    serial = models.CharField("流水号", max_length=40)
    version = models.PositiveSmallIntegerField("版本号", default=1)
    previous = models.OneToOneField("self", verbose_name="所变更的证照", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="next_version")
    holder_kind = models.CharField("持证主体类型", max_length=8, choices=HolderKind.choices)
    holder_name = models.CharField("持证主体", max_length=100)
    # 自然人: 身份证号 (encrypted, blind-indexed). 法人: 统一社会信用代码 (public, in the clear).
    holder_id_number = EncryptedField("持证人身份证号", kind="id_number", index=True)
    holder_id_number_index = BlindIndexField()
    holder_uscc = models.CharField("持证单位统一社会信用代码", max_length=18, blank=True, db_index=True)
    # 申请设立人: the applicant whose 设立登记 brought the holder (a new 个体工商户 or enterprise) into being —
    # its 经营者 or 投资人; they see the entity's licence, every later version of it, in 我的证照.
    registrant = models.ForeignKey("accounts.Applicant", verbose_name="申请设立人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    issuer = models.ForeignKey("org.Department", verbose_name="颁发部门", on_delete=models.PROTECT,
                               related_name="licences")
    case = models.ForeignKey("cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="licences")
    # 签发人: the official whose 准予 decision (or 变更) issued this version, by their display name as
    # it was then; a type with a 签发人 field prints it on the face. "" for a 秒批 or an import.
    signatory = models.CharField("签发人", max_length=100, blank=True, default="")
    data = EncryptedField("照面信息", kind="text")  # JSON of the fields of the type's schema
    issued_on = models.DateField("发证日期")
    valid_from = models.DateField("有效期起")
    valid_until = models.DateField("有效期至", null=True, blank=True, help_text="空为长期有效")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.VALID)
    status_reason = models.CharField("状态变更原因", max_length=300, blank=True)
    status_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True)
    pdf_file = models.FileField("证照文件", upload_to="licences/%Y/", max_length=300, blank=True)
    pdf_sha256 = models.CharField("证照文件SHA-256", max_length=64, blank=True)
    signature_algorithm = models.CharField("数据签名算法", max_length=20, blank=True)
    signature = models.TextField("数据签名", blank=True)  # base64 over the canonical data
    signer_certificate = models.CharField("签名证书序列号", max_length=80, blank=True)
    lock_version = models.PositiveIntegerField("版本锁", default=0)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "电子证照"
        verbose_name_plural = "电子证照"
        indexes = [
            models.Index(fields=["holder_id_number_index", "status"], name="licence_person_status"),
            models.Index(fields=["holder_uscc", "status"], name="licence_legal_status"),
            models.Index(fields=["issuer", "issued_on"], name="licence_issuer_day"),
            models.Index(fields=["status", "valid_until"], name="licence_status_until"),
        ]

    def __str__(self) -> str:
        return f"{self.type.name} {self.number}"


class LicenceEvent(models.Model):
    """What happened to a licence: 发证, 变更, 注销, 吊销, 过期 (append-only)."""

    class Kind(models.TextChoices):
        ISSUE = "issue", "发证"
        CHANGE = "change", "变更"
        CANCEL = "cancel", "注销"
        REVOKE = "revoke", "吊销"
        EXPIRE = "expire", "过期"

    licence = models.ForeignKey(Licence, verbose_name="证照", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事件", max_length=10, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    reason = models.CharField("原因", max_length=300, blank=True)
    case = models.ForeignKey("cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "证照事件"
        verbose_name_plural = "证照事件"
        ordering = ["licence", "at", "pk"]


class LicenceShow(models.Model):
    """亮证: a short-lived, single-use code the holder shows; a clerk scans or types it."""

    licence = models.ForeignKey(Licence, verbose_name="证照", on_delete=models.PROTECT, related_name="shows")
    token_sha256 = models.CharField("亮证码摘要", max_length=64, unique=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间")
    used_at = models.DateTimeField("查看时间", null=True, blank=True)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="查看人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    used_by_name = models.CharField("查看人姓名/单位", max_length=150, blank=True)

    class Meta:
        verbose_name = "亮证记录"
        verbose_name_plural = "亮证记录"
        indexes = [models.Index(fields=["licence", "-created_at"], name="licence_show_recent")]


class LicenceUse(models.Model):
    """用证记录: a licence used in place of a material (免提交), or looked up by another system."""

    class Channel(models.TextChoices):
        ONLINE = "online", "网上申请"
        WINDOW = "window", "窗口代录"
        API = "api", "外部系统"

    licence = models.ForeignKey(Licence, verbose_name="证照", on_delete=models.PROTECT, related_name="uses")
    case = models.ForeignKey("cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="licence_uses")
    material_name = models.CharField("替代的材料", max_length=300, blank=True)
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    used_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="使用人", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")
    used_by_name = models.CharField("使用人姓名/单位", max_length=150, blank=True)
    department = models.ForeignKey("org.Department", verbose_name="用证部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "用证记录"
        verbose_name_plural = "用证记录"
        indexes = [models.Index(fields=["licence", "-at"], name="licence_use_recent"),
                   models.Index(fields=["department", "at"], name="licence_use_dept_day")]
