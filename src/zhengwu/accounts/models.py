"""People who log in: staff, citizens (自然人) and enterprises (法人)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from zhengwu.core.pii import BlindIndexField, EncryptedField


class User(AbstractUser):
    """A login. Applicants' usernames are derived from their identifiers (see backends)."""

    class Kind(models.TextChoices):
        STAFF = "staff", "工作人员"
        PERSON = "person", "自然人"
        LEGAL = "legal", "法人"

    kind = models.CharField("用户类型", max_length=8, choices=Kind.choices, default=Kind.STAFF)
    display_name = models.CharField("姓名/名称", max_length=100, blank=True)
    phone = EncryptedField("手机号码", kind="phone", index=True)
    phone_index = BlindIndexField()
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    # A password someone else chose (窗口代录's temporary password, an administrator's reset): the
    # user must replace it before anything else (等保三级 / GB/T 22239-2019 8.1.4.1 身份鉴别).
    must_change_password = models.BooleanField("须修改密码", default=False)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_full_name(self) -> str:
        return self.display_name or super().get_full_name()

    def set_password(self, raw_password):
        from django.utils import timezone

        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def real_name_level(self) -> str:
        """实名等级 (``L1``/``L2``/``L3``, ``""`` for none) given by 统一身份认证 at the latest
        login through a provider (:mod:`zhengwu.accounts.services_identity`)."""
        if not hasattr(self, "_real_name_level"):
            from .services_identity import current_level

            self._real_name_level = current_level(self)
        return self._real_name_level


class Applicant(models.Model):
    """申请人: the citizen or enterprise behind a user account.

    自然人: name + 身份证号. 法人: name + 统一社会信用代码 + 法定代表人 (name + 身份证号).
    A 统一社会信用代码 is public information and stored in the clear; ID numbers are encrypted.
    """

    class Kind(models.TextChoices):
        PERSON = "person", "自然人"
        LEGAL = "legal", "法人"

    user = models.OneToOneField(User, verbose_name="用户", on_delete=models.CASCADE, related_name="applicant")
    kind = models.CharField("申请人类型", max_length=8, choices=Kind.choices)
    name = models.CharField("姓名/单位名称", max_length=100)
    id_number = EncryptedField("身份证号", kind="id_number", index=True)
    id_number_index = BlindIndexField()
    uscc = models.CharField("统一社会信用代码", max_length=18, null=True, blank=True, unique=True)
    legal_rep_name = models.CharField("法定代表人", max_length=50, blank=True)
    legal_rep_id_number = EncryptedField("法定代表人身份证号", kind="id_number", index=True)
    legal_rep_id_number_index = BlindIndexField()
    phone = EncryptedField("联系电话", kind="phone", index=True)
    phone_index = BlindIndexField()
    # An entity made by a 设立登记 准予 (accounts.entities), not yet claimed by its 法定代表人/经营者
    # through 法人注册 (accounts.claims): nobody logs in as it until then.
    awaiting_claim = models.BooleanField("待认领", default=False)
    claimed_at = models.DateTimeField("认领时间", null=True, blank=True)
    created_at = models.DateTimeField("注册时间", auto_now_add=True)

    class Meta:
        verbose_name = "申请人"
        verbose_name_plural = "申请人"
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=models.Q(kind="person"),
                name="accounts_applicant_unique_person",
                violation_error_message="该身份证号已注册",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def id_region_historical(self) -> bool:
        """The (person's or legal representative's) 身份证号 carries a retired region code
        (GB 11643-1999 §5.2): still valid; staff see 历史区划代码 so as not to take it for a typo.
        Computed from the clear number, which is not shown."""
        from django.core.exceptions import ValidationError

        from zhengwu.core import identifiers

        value = self.id_number or self.legal_rep_id_number
        if not value:
            return False
        try:
            return identifiers.check_id_number(value.reveal_unaudited()).region_historical
        except ValidationError:
            return False


class ApiKey(models.Model):
    """应用密钥: a machine client's credential (upper-level platform, hotline system, 自助终端 …).

    The key is shown once at creation: ``zw_<prefix>_<secret>``. Only the prefix (to find the row)
    and the SHA-256 of the whole key are stored; scopes limit what the key may call.
    """

    name = models.CharField("应用名称", max_length=100)
    prefix = models.CharField("密钥前缀", max_length=12, unique=True)
    key_hash = models.CharField("密钥摘要", max_length=64)
    scopes = models.JSONField("授权范围", default=list)
    department = models.ForeignKey("org.Department", verbose_name="所属部门", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField("启用", default=True)
    expires_at = models.DateTimeField("到期时间", null=True, blank=True)
    created_by = models.ForeignKey(User, verbose_name="创建人", null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        verbose_name = "应用密钥"
        verbose_name_plural = "应用密钥"

    def __str__(self) -> str:
        return f"{self.name}（{self.prefix}）"


from .models_identity import ExternalIdentity, RealNameLevel  # noqa: E402,F401  (统一身份认证)
# Verified phones, enterprise agents, the staff one-session rule (issue 31): their own module.
from .models_security import EnterpriseAgent, PhoneCode, StaffSession  # noqa: E402,F401
