"""12345 热线: taxonomy 分类, 知识库, keyword rules, classifier versions, tickets 工单 and their history."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from zhengwu.core.pii import BlindIndexField, EncryptedField

from .ledger_rules import ACCOUNTABILITY as LEDGER_ACCOUNTABILITY
from .ledger_rules import FINDINGS as LEDGER_FINDINGS
from .ledger_rules import RESOLUTIONS as LEDGER_RESOLUTIONS
from .rules import CENTRE_STATES, DEPARTMENT_STATES, OPEN_STATES, STATE_LABELS, TYPE_LABELS, URGENCY_LABELS, State


KEYWORDS_MAX = 1000  # a leaf's 关键词, space-separated


class Category(models.Model):
    """One node of the three-level taxonomy (一级/二级/三级分类). Leaves carry the default
    handling department and time limit; ``path`` is the names joined with '/'."""

    parent = models.ForeignKey("self", verbose_name="上级分类", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    name = models.CharField("名称", max_length=60)
    level = models.PositiveSmallIntegerField("层级", default=1)
    path = models.CharField("分类路径", max_length=200, unique=True)
    code = models.CharField("分类编码", max_length=16, unique=True, help_text="Open311 service_code")
    department = models.ForeignKey("org.Department", verbose_name="默认承办单位", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    days = models.PositiveSmallIntegerField("办理时限（工作日）", null=True, blank=True)
    keywords = models.CharField("关键词", max_length=KEYWORDS_MAX, blank=True,
                                help_text="空格分隔；派单模型训练时读取（kw 特征），未训练模型时直接用于建议")
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.PositiveIntegerField("排序", default=100)

    class Meta:
        verbose_name = "诉求分类"
        verbose_name_plural = "诉求分类"
        ordering = ["path"]

    def __str__(self) -> str:
        return self.path

    @property
    def is_leaf(self) -> bool:
        return self.level == 3


class KeywordRule(models.Model):
    """An administrator's dispatch rule: when every keyword occurs, suggest this category/department."""

    keywords = models.CharField("关键词", max_length=200, help_text="以空格分隔，全部出现才命中，例如：燃气 泄漏")
    category = models.ForeignKey(Category, verbose_name="分类", null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="rules")
    department = models.ForeignKey("org.Department", verbose_name="承办单位", null=True, blank=True,
                                   on_delete=models.CASCADE, related_name="+")
    priority = models.PositiveSmallIntegerField("优先级", default=100, help_text="数字越小越优先")
    is_active = models.BooleanField("启用", default=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        verbose_name = "派单规则"
        verbose_name_plural = "派单规则"
        ordering = ["priority", "pk"]

    def __str__(self) -> str:
        return self.keywords


class KnowledgeArticle(models.Model):
    """知识库: a policy answer operators read out (and a 咨询 answered from it is 直接办结)."""

    title = models.CharField("标题", max_length=200)
    question = models.TextField("常见问法", blank=True)
    answer = models.TextField("答复口径")
    category = models.ForeignKey(Category, verbose_name="分类", null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="articles")
    department = models.ForeignKey("org.Department", verbose_name="提供单位", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    keywords = models.CharField("关键词", max_length=200, blank=True)
    source = models.CharField("政策依据", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    valid_until = models.DateField("有效期至", null=True, blank=True)
    used_count = models.PositiveIntegerField("引用次数", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "知识库条目"
        verbose_name_plural = "知识库"
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title


class ClassifierModel(models.Model):
    """A trained dispatch model (智能派单): one file under DATA_DIR, one row; one row is active."""

    version = models.PositiveIntegerField("版本", unique=True)
    file = models.CharField("模型文件", max_length=300)
    trained_at = models.DateTimeField("训练时间")
    samples = models.PositiveIntegerField("训练样本数")
    test_samples = models.PositiveIntegerField("验证样本数", default=0)
    accuracy = models.FloatField("验证集准确率", null=True, blank=True)
    top3_accuracy = models.FloatField("验证集前三准确率", null=True, blank=True)
    categories = models.PositiveIntegerField("分类数", default=0)
    source = models.CharField("训练数据", max_length=300, blank=True)
    is_active = models.BooleanField("在用", default=False)
    trained_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="训练人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "派单模型"
        verbose_name_plural = "派单模型"
        ordering = ["-version"]
        constraints = [models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True),
                                               name="hotline_one_active_model")]

    def __str__(self) -> str:
        return f"v{self.version}"


class Channel(models.TextChoices):
    PHONE = "phone", "电话"
    WEB = "web", "网站"
    APP = "app", "移动端"
    WECHAT = "wechat", "微信"
    API = "api", "接口"
    OPEN311 = "open311", "Open311"
    LETTER = "letter", "信件"


class Ticket(models.Model):
    number = models.CharField("工单编号", max_length=20, unique=True)
    channel = models.CharField("来源渠道", max_length=10, choices=Channel.choices, default=Channel.PHONE)
    ticket_type = models.CharField("诉求类型", max_length=12, choices=[(k.value, v) for k, v in TYPE_LABELS.items()])
    urgency = models.CharField("紧急程度", max_length=10, default="normal",
                               choices=[(k.value, v) for k, v in URGENCY_LABELS.items()])
    confidential = models.BooleanField("保密", default=False, help_text="承办单位看不到来电人姓名和电话")
    title = models.CharField("标题", max_length=200)
    content = models.TextField("诉求内容")
    caller_name = EncryptedField("来电人", kind="name")
    phone = EncryptedField("联系电话", kind="phone", index=True)
    phone_index = BlindIndexField()
    address = models.CharField("诉求地点", max_length=200, blank=True)
    address_public = models.BooleanField("同意公开地址", default=False, db_default=False,
                                         help_text="诉求人同意后，Open311 公开列表才显示诉求地点和经纬度")
    region = models.ForeignKey("org.Region", verbose_name="所属区划", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("区划代码", max_length=12)
    latitude = models.FloatField("纬度", null=True, blank=True)
    longitude = models.FloatField("经度", null=True, blank=True)
    category = models.ForeignKey(Category, verbose_name="分类", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="tickets")
    suggested = models.JSONField("智能派单建议", default=dict, blank=True)
    lead_department = models.ForeignKey("org.Department", verbose_name="主办单位", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="hotline_tickets")
    co_departments = models.ManyToManyField("org.Department", verbose_name="协办单位", blank=True, related_name="+")
    applicant = models.ForeignKey("accounts.Applicant", verbose_name="网上提交人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="hotline_tickets")
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="受理人", null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    knowledge = models.ForeignKey(KnowledgeArticle, verbose_name="引用知识", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")

    state = models.CharField("状态", max_length=12, choices=[(s.value, STATE_LABELS[s]) for s in State],
                             default=State.REGISTERED)
    created_at = models.DateTimeField("受理时间")
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    claim_due_at = models.DateTimeField("签收时限", null=True, blank=True)
    claimed_at = models.DateTimeField("签收时间", null=True, blank=True)
    claimed_on_time = models.BooleanField("按时签收", null=True, blank=True)
    due_at = models.DateTimeField("办结时限", null=True, blank=True)
    time_limit = models.CharField("时限", max_length=20, blank=True)
    extension_days = models.PositiveSmallIntegerField("已延期（工作日）", default=0)
    extension_pending = models.JSONField("待审批延期", null=True, blank=True)
    return_count = models.PositiveSmallIntegerField("退单次数", default=0)
    return_pending = models.JSONField("待审核退单", null=True, blank=True)
    urge_count = models.PositiveSmallIntegerField("督办次数", default=0)
    reopen_count = models.PositiveSmallIntegerField("重办次数", default=0)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    reply = models.TextField("答复内容", blank=True)
    handle_hours = models.FloatField("办理用时（小时）", null=True, blank=True)
    callback_attempts = models.PositiveSmallIntegerField("回访次数", default=0)
    callback_reached = models.BooleanField("回访接通", null=True, blank=True)
    resolved = models.BooleanField("问题解决", null=True, blank=True)
    satisfaction = models.PositiveSmallIntegerField("满意度", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    closed_on_time = models.BooleanField("按时办结", null=True, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)
    merged_into = models.ForeignKey("self", verbose_name="并入工单", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged")
    is_repeat = models.BooleanField("重复诉求", default=False)
    closed_directly = models.BooleanField("直接办结", default=False, db_default=False,
                                          help_text="坐席依据知识库当场答复办结，未派单")
    due_history = models.JSONField("时限记录", null=True, blank=True, default=list,
                                   help_text="每次派单、改派、延期、重办的时限和每次答复（见 rules.answered_on_time）")
    satisfaction_source = models.CharField("满意度来源", max_length=8, blank=True, default="", db_default="",
                                           choices=[("callback", "回访"), ("citizen", "诉求人网上评价")])
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)

    lock_version = models.PositiveIntegerField("版本锁", default=0)
    idempotency_key = models.CharField("幂等键", max_length=64, unique=True, null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "工单"
        verbose_name_plural = "工单"
        indexes = [
            # Dispatch centre, 待办 tab: newest first among the states waiting for the centre.
            models.Index(fields=["-id"], condition=Q(state__in=[s.value for s in CENTRE_STATES]),
                         name="ticket_centre_todo"),
            # 延期待审批 tab (few rows).
            models.Index(fields=["-id"], condition=Q(extension_pending__isnull=False), name="ticket_ext_pending"),
            # Any single-state tab, newest first.
            models.Index(fields=["state", "-id"], name="ticket_state_recent"),
            # Department workbench: the department's tickets at a state, earliest deadline first.
            models.Index(fields=["lead_department", "state", "due_at"], name="ticket_dept_state_due"),
            # Overdue tab: open tickets at departments by deadline.
            models.Index(fields=["due_at"], condition=Q(state__in=[s.value for s in DEPARTMENT_STATES]),
                         name="ticket_dept_open_due"),
            # Duplicate suggestion: recent open tickets in a region / category / from a caller.
            models.Index(fields=["region", "-id"], condition=Q(state__in=[s.value for s in OPEN_STATES]),
                         name="ticket_open_region"),
            models.Index(fields=["category", "-id"], condition=Q(state__in=[s.value for s in OPEN_STATES]),
                         name="ticket_open_category"),
            models.Index(fields=["phone_index", "-id"], name="ticket_phone_recent"),
            # Figures and hot spots per period.
            models.Index(fields=["created_at"], name="ticket_created"),
            models.Index(fields=["closed_at"], name="ticket_closed"),
            # Figures filtered by 诉求类型; the 效能投诉 and 办不成事 ledgers (one type, a period).
            models.Index(fields=["ticket_type", "created_at"], name="ticket_type_created"),
            models.Index(fields=["applicant", "-id"], name="ticket_applicant_recent"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.state)]

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.ticket_type, self.ticket_type)

    @property
    def urgency_label(self) -> str:
        return URGENCY_LABELS.get(self.urgency, self.urgency)


class TicketEvent(models.Model):
    """One entry of a ticket's history (流转记录): appended, never edited."""

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("操作", max_length=24)
    label = models.CharField("操作名称", max_length=40)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    department = models.ForeignKey("org.Department", verbose_name="单位", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    opinion = models.TextField("意见", blank=True)
    data = models.JSONField("附加信息", default=dict, blank=True)
    public = models.BooleanField("诉求人可见", default=True)
    at = models.DateTimeField("时间")

    class Meta:
        verbose_name = "工单流转记录"
        verbose_name_plural = "工单流转记录"
        ordering = ["ticket", "at", "pk"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticketevent_ticket_at")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("工单流转记录只能追加，不能修改")
        super().save(*args, **kwargs)


class TicketNotice(models.Model):
    """One notice to the citizen of a step of their ticket (受理转办, 答复, 办结: ``notice_rules``),
    kept so that a step is told once however often it is retried: unique per ticket and step. Which
    channels were used, never the phone number."""

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="notices")
    step = models.CharField("环节", max_length=24)
    in_app = models.BooleanField("站内消息", default=False)
    sms = models.BooleanField("短信", default=False)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "诉求人通知"
        verbose_name_plural = "诉求人通知"
        constraints = [models.UniqueConstraint(fields=["ticket", "step"], name="hotline_ticketnotice_once")]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.step}"


class Open311Quota(models.Model):
    """How many tickets one client address filed anonymously through Open311 in its current window
    (the rate limit of anonymous filing). ``client`` is a keyed hash of the address, not the address;
    rows of ended windows are deleted as new windows start."""

    client = models.CharField("客户端（地址摘要）", max_length=32, unique=True)
    started_at = models.DateTimeField("窗口开始", db_index=True)
    count = models.PositiveIntegerField("已提交", default=0)

    class Meta:
        verbose_name = "Open311 匿名提交计数"
        verbose_name_plural = "Open311 匿名提交计数"

    def __str__(self) -> str:
        return f"{self.client[:8]}: {self.count}"


def photo_path(instance, filename):
    # Never a guessable URL: photos are served through the audited staff view, named by hash.
    return f"hotline/{instance.ticket_id}/{instance.sha256[:2]}/{instance.sha256}"


class TicketPhoto(models.Model):
    """A photo the citizen sent with the complaint: stored encrypted (the default storage,
    :mod:`zhengwu.core.storage`), shown to staff who may see the ticket, every view audited."""

    ticket = models.ForeignKey(Ticket, verbose_name="工单", on_delete=models.CASCADE, related_name="photos")
    file = models.FileField("文件", upload_to=photo_path, max_length=300)
    original_name = models.CharField("原文件名", max_length=255)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "诉求照片"
        verbose_name_plural = "诉求照片"
        ordering = ["ticket", "pk"]

    def __str__(self) -> str:
        return self.original_name


class CallVolume(models.Model):
    """One day's calls on one line, as the call system (话务系统) reports them: the counts the
    接通率 is computed from. One row per (day, line); a report for the same day and line
    replaces the earlier one (the call system may resend)."""

    day = models.DateField("日期")
    line = models.CharField("线路", max_length=40, default="12345",
                            help_text="话务系统的线路或分中心标识，例如 12345、12345-企业专席")
    region_code = models.CharField("区划代码", max_length=12, blank=True)
    offered = models.PositiveIntegerField("人工服务请求量", help_text="请求人工服务的呼入次数")
    answered = models.PositiveIntegerField("人工应答量", help_text="其中由坐席应答的次数")
    reported_at = models.DateTimeField("报送时间", auto_now=True)

    class Meta:
        verbose_name = "话务量"
        verbose_name_plural = "话务量"
        ordering = ["-day", "line"]
        constraints = [
            models.UniqueConstraint(fields=["day", "line"], name="hotline_callvolume_day_line"),
            models.CheckConstraint(condition=Q(answered__lte=F("offered")), name="hotline_callvolume_answered_le_offered"),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.line}: {self.answered}/{self.offered}"


class LedgerOutcome(models.Model):
    """What the supervisor (督办人员) recorded on a 效能投诉 or 办不成事反映 ticket for the ledgers (台账)
    the bureau files with the 纪委/监察: the 反映对象, the 核查结论, the 整改 and 问责, and for 办不成事
    what was done to get the thing done. One row per ticket, written only through
    :func:`zhengwu.hotline.services.ledger.record_outcome` (乐观锁 ``lock_version``, audited)."""

    ticket = models.OneToOneField(Ticket, verbose_name="工单", primary_key=True, on_delete=models.CASCADE,
                                  related_name="ledger")
    subject_department = models.ForeignKey("org.Department", verbose_name="反映对象（单位）", null=True, blank=True,
                                           on_delete=models.PROTECT, related_name="+")
    subject_window = models.ForeignKey("org.Window", verbose_name="反映对象（窗口）", null=True, blank=True,
                                       on_delete=models.SET_NULL, related_name="+")
    subject_item = models.CharField("涉及事项", max_length=200, blank=True)
    finding = models.CharField("核查结论", max_length=12, blank=True, choices=list(LEDGER_FINDINGS.items()))
    rectification = models.TextField("整改情况", blank=True)
    accountability = models.CharField("问责情况", max_length=16, blank=True, choices=list(LEDGER_ACCOUNTABILITY.items()))
    accountability_note = models.TextField("问责情况说明", blank=True)
    resolution = models.CharField("办理结果（办不成事）", max_length=16, blank=True,
                                  choices=list(LEDGER_RESOLUTIONS.items()))
    resolution_note = models.TextField("办理结果说明", blank=True)
    handled = models.BooleanField("已处理", default=False,
                                  help_text="核查结论和问责情况已登记（办不成事还须已有办理结果）")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField("登记时间")
    lock_version = models.PositiveIntegerField("版本锁", default=0)

    class Meta:
        verbose_name = "台账核查处理结果"
        verbose_name_plural = "台账核查处理结果"

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.get_finding_display() or '未核查'}"
