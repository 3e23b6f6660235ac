"""Organisations: regions 行政区划, departments 部门, halls 政务服务大厅, windows 窗口, roles."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from zhengwu.core import identifiers


class Region(models.Model):
    """A 12-digit 行政区划 (统计用区划代码 shape): province … village."""

    class Level(models.IntegerChoices):
        PROVINCE = 1, "省级"
        CITY = 2, "市级"
        COUNTY = 3, "县级"
        TOWNSHIP = 4, "乡级（乡镇、街道）"
        VILLAGE = 5, "村级（村、社区）"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.PositiveSmallIntegerField("层级", choices=Level.choices, editable=False)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    # Leading significant digits: every descendant's code starts with it (scoping by prefix).
    prefix = models.CharField("代码前缀", max_length=12, db_index=True, editable=False)
    source = models.CharField(
        "来源", max_length=40, default="bureau", editable=False,
        help_text="package: 随软件提供的民政部区划数据；bureau: 本局添加",
    )

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            self.code = identifiers.validate_region_code(self.code)
        except ValidationError as exc:
            raise ValidationError({"code": exc.messages}) from None
        self.level = identifiers.region_level(self.code)
        self.prefix = identifiers.region_prefix(self.code)
        parent_code = identifiers.region_parent_code(self.code)
        if parent_code is None:
            if self.parent_id:
                raise ValidationError({"parent": "省级区划不能有上级区划"})
            return
        if self.parent_id is None:
            self.parent = Region.objects.filter(code=parent_code).first()
            if self.parent is None and self.level > 3:
                raise ValidationError(
                    {"code": f"区划代码 {self.code} 的上级区划 {parent_code} 不存在：请先添加上级区划"}
                )
        elif not self.code.startswith(self.parent.prefix) or self.parent.level >= self.level:
            raise ValidationError(
                {"parent": f"上级区划不正确：{self.code} 不在 {self.parent.name}（{self.parent.code}）之下"}
            )

    def save(self, *args, **kwargs):
        self.level = identifiers.region_level(self.code)
        self.prefix = identifiers.region_prefix(self.code)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        names, node = [], self
        while node is not None:
            names.append(node.name)
            node = node.parent
        return "".join(reversed(names))


class Department(models.Model):
    """A government department or unit that implements services (实施主体)."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", "政府组成部门"
        DIRECT = "direct", "直属机构"
        VERTICAL = "vertical", "垂直管理部门"
        INSTITUTION = "institution", "事业单位"
        STREET = "street", "乡镇（街道）"
        COMMUNITY = "community", "村（社区）"
        OTHER = "other", "其他"

    name = models.CharField("部门名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True, null=True, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级部门", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="departments")
    kind = models.CharField("类别", max_length=16, choices=Kind.choices, default=Kind.GOVERNMENT)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    address = models.CharField("办公地址", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=100)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["region__code", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="org_department_unique_name_in_region",
                                    violation_error_message="同一区划下已有同名部门"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.uscc:
            try:
                self.uscc = identifiers.validate_uscc(self.uscc)
            except ValidationError as exc:
                raise ValidationError({"uscc": exc.messages}) from None
        else:
            self.uscc = None
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": "上级部门不能是本部门"})
        node, seen = self.parent, set()
        while node is not None and self.pk:
            if node.pk == self.pk or node.pk in seen:
                raise ValidationError({"parent": "上级部门不正确：形成了循环"})
            seen.add(node.pk)
            node = node.parent


class Hall(models.Model):
    """A 政务服务大厅 (or 便民服务中心 at township level)."""

    name = models.CharField("大厅名称", max_length=100)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="halls")
    address = models.CharField("地址", max_length=200)
    phone = models.CharField("咨询电话", max_length=40, blank=True)
    opening_hours = models.CharField("办公时间", max_length=200, blank=True,
                                     default="周一至周五 上午9:00-12:00 下午13:30-17:30（法定节假日除外）")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "政务服务大厅"
        verbose_name_plural = "政务服务大厅"
        constraints = [models.UniqueConstraint(fields=["region", "name"], name="org_hall_unique_name",
                                               violation_error_message="同一区划下已有同名大厅")]

    def __str__(self) -> str:
        return self.name


class Window(models.Model):
    """A service window in a hall, serving one or more departments."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", "综合窗口"
        DEDICATED = "dedicated", "专窗"
        THEME = "theme", "主题窗口"

    hall = models.ForeignKey(Hall, verbose_name="所在大厅", on_delete=models.PROTECT, related_name="windows")
    number = models.CharField("窗口号", max_length=16, help_text="例如 A01")
    name = models.CharField("窗口名称", max_length=100)
    kind = models.CharField("窗口类型", max_length=16, choices=Kind.choices, default=Kind.COMPREHENSIVE)
    departments = models.ManyToManyField(Department, verbose_name="服务部门", related_name="windows", blank=True)
    theme = models.CharField("主题", max_length=100, blank=True, help_text="主题窗口的主题，例如：企业开办")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "窗口"
        verbose_name_plural = "窗口"
        ordering = ["hall", "number"]
        constraints = [models.UniqueConstraint(fields=["hall", "number"], name="org_window_unique_number",
                                               violation_error_message="该大厅已有相同窗口号")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Role(models.TextChoices):
    """Staff roles (岗位角色)."""

    WINDOW = "window", "窗口人员"
    APPROVER = "approver", "审批人员"
    DEPT_ADMIN = "dept_admin", "部门管理员"
    ITEM_ADMIN = "item_admin", "事项管理员"
    HOTLINE = "hotline", "热线坐席"
    SUPERVISOR = "supervisor", "督办人员"
    DATA_ADMIN = "data_admin", "数据管理员"
    LEADER = "leader", "领导"
    DISCIPLINE = "discipline", "纪检监察"  # 纪委/监察: reads the 12345 效能投诉 and 办不成事 ledgers
    SYSADMIN = "sysadmin", "系统管理员"


class RoleGrant(models.Model):
    """A role granted to a staff member within a region and, optionally, one department.

    Without a department the grant covers every department of the region and its sub-regions.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="工作人员", on_delete=models.CASCADE,
                             related_name="role_grants")
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    region = models.ForeignKey(Region, verbose_name="区划范围", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, verbose_name="部门范围", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="role_grants")
    window = models.ForeignKey(Window, verbose_name="所在窗口", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="staff_grants")
    granted_at = models.DateTimeField("授权时间", auto_now_add=True)

    class Meta:
        verbose_name = "岗位授权"
        verbose_name_plural = "岗位授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region", "department"], name="org_rolegrant_unique",
                                    violation_error_message="该人员已有相同的授权"),
        ]

    def __str__(self) -> str:
        scope = self.department.name if self.department_id else self.region.name
        return f"{self.get_role_display()}（{scope}）"

    def clean(self) -> None:
        if self.user_id and self.user.kind != self.user.Kind.STAFF:  # permissions.grants() relies on it
            raise ValidationError({"user": "只能为工作人员账号授权：该账号是群众或企业账号"})
        if self.department_id and self.region_id:
            if not self.department.region.code.startswith(self.region.prefix):
                raise ValidationError({"department": "部门范围不正确：该部门不在所选区划之内"})
