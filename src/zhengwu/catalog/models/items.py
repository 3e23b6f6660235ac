"""实施清单事项 (ServiceItem) and its versions of the 办事指南 (ItemVersion).

A ServiceItem is the stable identity of "this department implements this service in this
region". Its guide is edited as versions: 草稿 → 待审核 → 已发布; publishing makes a version
immutable and current, the previous published version becomes 已替代 (superseded). Cases point
at the ItemVersion they were filed under. The ServiceItem row also carries a denormalised copy
of the current published guide's headline fields, so that lists, search and figures over
100,000 items read one table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from ..rules import CHANNEL_TITLES
from .base import BaseItem, ItemType


class ServiceObject(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL = "legal", "法人"
    BOTH = "both", "自然人、法人"


class CaseType(models.TextChoices):
    INSTANT = "instant", "即办件"
    COMMITTED = "committed", "承诺件"


class OnlineDepth(models.IntegerChoices):
    """网上办理深度 (一级 … 四级)."""

    INFO = 1, "一级：网上咨询、办事指南"
    DOWNLOAD = 2, "二级：表格下载、网上预约"
    PRECHECK = 3, "三级：网上预审、网上受理"
    FULL = 4, "四级：全程网办"


class TongbanScope(models.TextChoices):
    NONE = "none", "不通办"
    DISTRICT = "district", "全区通办"
    CITY = "city", "全市通办"
    PROVINCE = "province", "全省通办"
    CROSS_PROVINCE = "national", "跨省通办"


class ItemStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已发布"
    DISABLED = "disabled", "已停用"


class VersionState(models.TextChoices):
    DRAFT = "draft", "草稿"
    PENDING = "pending", "待审核"
    PUBLISHED = "published", "已发布"
    SUPERSEDED = "superseded", "已替代"
    REJECTED = "rejected", "退回修改"


CHANNELS = CHANNEL_TITLES  # 办理形式 (catalog.rules: the import and the publication check use them too)

# 主题分类 used by the portal to browse (个人/法人 themes as on provincial 政务服务网).
PERSON_THEMES = [
    "生育收养", "户籍办理", "教育科研", "入伍服役", "就业创业", "婚姻登记", "优待抚恤", "住房保障",
    "社会保障", "证件办理", "交通出行", "出境入境", "医疗卫生", "离职退休", "死亡殡葬", "公共安全",
    "司法公证", "文化体育", "公用事业", "残疾人", "社会救助", "其他",
]
LEGAL_THEMES = [
    "设立变更", "准营准办", "年检年审", "税收财务", "人力资源", "社会保障", "投资审批", "工程建设",
    "不动产", "医疗卫生", "交通运输", "环保绿化", "安全生产", "商务贸易", "农林牧渔", "文化体育",
    "知识产权", "注销退出", "其他",
]


class ServiceItem(models.Model):
    region = models.ForeignKey("org.Region", verbose_name="实施区划", on_delete=models.PROTECT, related_name="service_items")
    department = models.ForeignKey("org.Department", verbose_name="实施主体", on_delete=models.PROTECT,
                                   related_name="service_items")
    base_item = models.ForeignKey(BaseItem, verbose_name="基本目录事项", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="service_items")
    implementation_code = models.CharField("实施编码", max_length=80, blank=True, db_index=True)
    handling_code = models.CharField("业务办理项编码", max_length=80, blank=True)
    handling_name = models.CharField("业务办理项名称", max_length=200, blank=True)
    code_recognised = models.BooleanField("编码格式已识别", default=True)
    status = models.CharField("状态", max_length=10, choices=ItemStatus.choices, default=ItemStatus.DRAFT,
                              db_index=True)
    published_version = models.ForeignKey("ItemVersion", verbose_name="现行版本", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+")
    # Optimistic lock: every write bumps it; a write carrying an older number is refused.
    lock_version = models.PositiveIntegerField("版本锁", default=0)

    # Denormalised from the current published version (or the draft before first publication).
    name = models.CharField("事项名称", max_length=200)
    popular_name = models.CharField("通俗名称", max_length=200, blank=True)
    keywords = models.CharField("关键词", max_length=500, blank=True)
    item_type = models.CharField("事项类型", max_length=2, choices=ItemType.choices, default=ItemType.PUBLIC_SERVICE)
    service_object = models.CharField("服务对象", max_length=8, choices=ServiceObject.choices, default=ServiceObject.PERSON)
    case_type = models.CharField("办件类型", max_length=10, choices=CaseType.choices, default=CaseType.COMMITTED)
    statutory_days = models.PositiveIntegerField("法定时限（工作日）", null=True, blank=True)
    promised_days = models.PositiveIntegerField("承诺时限（工作日）", default=0)
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=1)
    online_depth = models.PositiveSmallIntegerField("网上办理深度", choices=OnlineDepth.choices, default=OnlineDepth.INFO)
    themes = models.JSONField("主题分类", default=list, blank=True)
    # 统一身份认证: the lowest 实名等级 an applicant needs to apply online ("" = none). 窗口代录 is
    # not held to it (the clerk checks the ID card). Not versioned: an access rule, not guide text.
    min_real_name_level = models.CharField("最低实名等级", max_length=2, blank=True, default="",
                                           choices=[("L1", "L1 手机号实名"), ("L2", "L2 身份证核验"),
                                                    ("L3", "L3 人脸识别")])

    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "实施清单事项"
        verbose_name_plural = "实施清单事项"
        ordering = ["department__sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "name", "handling_name"], name="catalog_item_unique_name",
                                    violation_error_message="该部门已有同名事项"),
        ]
        indexes = [
            # Portal browsing: published items of a region by department / type.
            models.Index(fields=["region", "status", "department"]),
            models.Index(fields=["status", "item_type"]),
        ]

    def __str__(self) -> str:
        return self.name


class ItemVersion(models.Model):
    """One version of an item's 办事指南. Immutable once it leaves the draft state."""

    service_item = models.ForeignKey(ServiceItem, verbose_name="事项", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    state = models.CharField("版本状态", max_length=10, choices=VersionState.choices, default=VersionState.DRAFT)

    # -- 基本信息
    name = models.CharField("事项名称", max_length=200)
    popular_name = models.CharField("通俗名称", max_length=200, blank=True)
    keywords = models.CharField("关键词", max_length=500, blank=True, help_text="用逗号或空格分隔，如：上户口，落户，新生儿")
    item_type = models.CharField("事项类型", max_length=2, choices=ItemType.choices)
    legal_basis = models.TextField("设定依据", blank=True)
    service_object = models.CharField("服务对象", max_length=8, choices=ServiceObject.choices)
    themes = models.JSONField("主题分类", default=list, blank=True)
    # -- 受理与时限
    acceptance_conditions = models.TextField("受理条件", blank=True)
    case_type = models.CharField("办件类型", max_length=10, choices=CaseType.choices)
    statutory_days = models.PositiveIntegerField("法定时限（工作日）", null=True, blank=True,
                                                 help_text="法律法规未规定时限的留空")
    promised_days = models.PositiveIntegerField("承诺时限（工作日）", default=0, help_text="即办件填0")
    visits = models.PositiveSmallIntegerField("到办事现场次数", default=1, help_text="0 表示零跑动")
    channels = models.JSONField("办理形式", default=list, blank=True, help_text="window/online/self_service/express")
    online_depth = models.PositiveSmallIntegerField("网上办理深度", choices=OnlineDepth.choices, default=OnlineDepth.INFO)
    allows_commitment = models.BooleanField("可告知承诺", default=False)
    commitment_check_days = models.PositiveSmallIntegerField(
        "告知承诺核查期限（工作日）", null=True, blank=True,
        help_text="以告知承诺方式受理后，须在受理后多少个工作日内核查承诺是否属实；留空按部门设定（默认30个工作日）")
    allows_tolerance = models.BooleanField("可容缺受理", default=False)
    no_materials = models.BooleanField("无需提交申请材料", default=False,
                                       help_text="确认本事项不需要申请人提交任何材料时勾选；否则至少填写一项材料")
    # -- 办理流程与地点
    process_steps = models.JSONField("办理流程", default=list, blank=True,
                                     help_text='[{"name": "受理", "description": "...", "days": 1}]')
    locations = models.TextField("办理地点", blank=True)
    office_hours = models.CharField("办理时间", max_length=200, blank=True)
    consult_phone = models.CharField("咨询电话", max_length=100, blank=True)
    complaint_phone = models.CharField("监督投诉电话", max_length=100, blank=True)
    # -- 收费与结果
    fees = models.JSONField("收费", default=list, blank=True,
                            help_text='[{"name": "工本费", "standard": "20元/证", "basis": "..."}]；不收费为空列表')
    results = models.JSONField("审批结果", default=list, blank=True,
                               help_text='[{"name": "食品经营许可证", "type": "证照", "sample": "样本说明"}]')
    result_licence_type = models.ForeignKey("licenses.LicenceType", verbose_name="办理结果的电子证照", null=True,
                                            blank=True, on_delete=models.PROTECT, related_name="+",
                                            help_text="审批结果为证照时，办结后颁发的电子证照类型")
    special_procedures = models.JSONField("特别程序", default=list, blank=True,
                                          help_text='[{"name": "现场核查", "days": 5, "description": "..."}]')
    supports_appointment = models.BooleanField("支持预约", default=True)
    supports_express = models.BooleanField("支持快递送达", default=False)
    supports_online_payment = models.BooleanField("支持网上支付", default=False)
    tongban_scope = models.CharField("通办范围", max_length=10, choices=TongbanScope.choices, default=TongbanScope.NONE)
    # -- 申报表单 (JSON Schema, used by case handling)
    form_schema = models.JSONField("申报表单定义", default=dict, blank=True)

    # -- 流转
    change_note = models.CharField("修改说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="编辑人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    # 双人复核 (ADR 0059): who changed the version last and who submitted it; neither may approve it.
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField("提交审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    review_note = models.CharField("审核意见", max_length=500, blank=True)
    published_at = models.DateTimeField("发布时间", null=True, blank=True)
    # The 导入并提交审核 that submitted this version (ADR 0060): the batch a reviewer approves at once.
    import_job = models.ForeignKey("catalog.ImportJob", verbose_name="导入批次", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "办事指南版本"
        verbose_name_plural = "办事指南版本"
        ordering = ["service_item", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["service_item", "number"], name="catalog_version_unique_number"),
            # At most one open (draft or pending) version per item.
            models.UniqueConstraint(fields=["service_item"], condition=models.Q(state__in=["draft", "pending"]),
                                    name="catalog_version_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（第{self.number}版·{self.get_state_display()}）"

    @property
    def is_editable(self) -> bool:
        return self.state in (VersionState.DRAFT, VersionState.REJECTED)

    @property
    def compression_rate(self) -> float | None:
        """时限压缩率 (法定−承诺)/法定."""
        from ..rules import compression_rate

        return compression_rate(self.statutory_days, self.promised_days)

    @property
    def process_step_rows(self) -> list[dict]:
        """办理流程 as a guide prints it: each step with ``limit``, its time in words (当场办理 for
        0 days, ``zhengwu.cases.rules.step_limit``, the wording of 承诺时限's)."""
        from zhengwu.cases.rules import step_limit

        return [{**s, "limit": step_limit(s.get("days"))} for s in (self.process_steps or []) if isinstance(s, dict)]

    @property
    def special_procedure_rows(self) -> list[dict]:
        """特别程序 as a guide prints them, each with ``stops_clock``: only what 行政许可法第四十五条
        names is 不计入办理时限 (the case handling stops the clock for nothing else)."""
        from ..special_rules import shown

        return shown(self.special_procedures)
