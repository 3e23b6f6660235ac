"""好差评 models: ratings, window visits, QR tokens, rectifications, appeals, the daily aggregate,
local rules and the outbox feed for the upper-level 好差评 system.

Every change goes through :mod:`zhengwu.ratings.services` (the one write path), which also keeps
:class:`RatingDaily` — the aggregate the figures are read from — in step.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhengwu.core.pii import BlindIndexField, EncryptedField

from . import rules
from .rules import RSTATE_LABELS, RState

KIND_CHOICES = [(k.value, v) for k, v in rules.KIND_LABELS.items()]
CHANNEL_CHOICES = [(k.value, v) for k, v in rules.CHANNEL_LABELS.items()]
LEVEL_CHOICES = sorted(rules.LEVELS.items(), reverse=True)


class ApplicantType(models.TextChoices):
    PERSON = "person", "自然人"
    LEGAL = "legal", "法人"
    ANONYMOUS = "anonymous", "匿名"


class RatingRules(models.Model):
    """本地评价规则 (one row, pk=1): editable by the system administrator."""

    default_enabled = models.BooleanField("启用默认好评", default=False,
                                          help_text="办结或服务后超过规定天数未评价的，自动记为“满意”")
    default_after_days = models.PositiveSmallIntegerField("默认好评期限（天）", default=15)
    rectify_workdays = models.PositiveSmallIntegerField("差评整改时限（工作日）", default=10,
                                                        help_text="常见为 5、10 或 15 个工作日")
    red_count = models.PositiveSmallIntegerField("红旗数量", default=3)
    black_count = models.PositiveSmallIntegerField("黑旗数量", default=3)
    min_ratings = models.PositiveIntegerField("参与排名的最少评价数", default=10)
    weight_satisfaction = models.FloatField("满意率权重", default=60)
    weight_active = models.FloatField("主动评价率权重", default=20)
    weight_rectify = models.FloatField("差评整改率权重", default=20)
    bad_penalty = models.FloatField("每百条评价中每条差评扣分", default=1.0)
    weight_on_time = models.FloatField("按时办结率权重", default=20,
                                       help_text="部门排名计入本部门办件的按时办结率；窗口排名不计")
    overdue_penalty = models.FloatField("每件超期办件扣分", default=0.5,
                                        help_text="部门排名：统计期内逾期办结和期末超期在办的办件，每件扣分")
    complaint_penalty = models.FloatField("每件投诉扣分", default=1.0,
                                          help_text="部门排名：统计期内登记、由本部门承办的12345投诉和效能投诉工单，每件扣分")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="更新人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "本地评价规则"
        verbose_name_plural = "本地评价规则"

    def __str__(self) -> str:
        return "本地评价规则"

    @property
    def bad_level_set(self) -> frozenset[int]:
        """The 差评 levels: fixed (:data:`zhengwu.ratings.rules.BAD_LEVELS`), not a local rule."""
        return rules.BAD_LEVELS

    @property
    def weights(self) -> rules.ScoreWeights:
        return rules.ScoreWeights(self.weight_satisfaction, self.weight_active, self.weight_rectify, self.bad_penalty,
                                  self.weight_on_time, self.overdue_penalty, self.complaint_penalty)


class WindowVisit(models.Model):
    """现场服务 (一次一评): one service at a window, the event a tablet or QR rating rates."""

    window = models.ForeignKey("org.Window", verbose_name="窗口", on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey("org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("org.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("区划代码", max_length=12)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="服务人员", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    case = models.ForeignKey("cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    source = models.CharField("来源", max_length=10, default="tablet",
                              choices=[("tablet", "窗口评价器"), ("qr", "窗口二维码"), ("staff", "工作人员登记")])
    nonce = models.CharField("一次性标识", max_length=32, unique=True)
    served_at = models.DateTimeField("服务时间")
    day = models.DateField("服务日期")

    class Meta:
        verbose_name = "现场服务"
        verbose_name_plural = "现场服务"
        indexes = [models.Index(fields=["window", "-served_at"], name="rvisit_window_recent")]

    def __str__(self) -> str:
        return f"现场服务#{self.pk}"


class RatingToken(models.Model):
    """A signed QR token's nonce: recorded when issued, marked when used (replay refused)."""

    nonce = models.CharField("一次性标识", max_length=32, unique=True)
    kind = models.CharField("对象", max_length=10, choices=[("case", "办件"), ("visit", "现场服务"), ("window", "窗口")])
    ref = models.PositiveBigIntegerField("对象编号")
    issued_at = models.DateTimeField("签发时间", auto_now_add=True)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = "评价二维码"
        verbose_name_plural = "评价二维码"


class Rating(models.Model):
    kind = models.CharField("评价对象", max_length=10, choices=KIND_CHOICES)
    event_key = models.CharField("评价事件", max_length=64, help_text="case:<id> / visit:<id> / hotline:<工单号>")
    rater_key = models.CharField("评价人标识", max_length=64)
    source_ref = models.CharField("办件编号/工单号", max_length=64, blank=True)
    case = models.ForeignKey("cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    visit = models.ForeignKey(WindowVisit, verbose_name="现场服务", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="ratings")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    department = models.ForeignKey("org.Department", verbose_name="责任部门", on_delete=models.PROTECT, related_name="+")
    window = models.ForeignKey("org.Window", verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="服务人员", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    region = models.ForeignKey("org.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("区划代码", max_length=12)
    channel = models.CharField("评价渠道", max_length=10, choices=CHANNEL_CHOICES)
    level = models.PositiveSmallIntegerField("评价等级", choices=LEVEL_CHOICES)
    dims = models.JSONField("维度评分", default=dict, blank=True)
    tags = models.JSONField("评价标签", default=list, blank=True)
    comment = models.TextField("评价内容", blank=True)
    applicant = models.ForeignKey("accounts.Applicant", verbose_name="评价人（实名）", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    applicant_type = models.CharField("申请人类型", max_length=10, choices=ApplicantType.choices,
                                      default=ApplicantType.ANONYMOUS)
    phone = EncryptedField("回访电话", kind="phone", index=True)
    phone_index = BlindIndexField()
    is_default = models.BooleanField("默认好评", default=False)
    is_bad = models.BooleanField("差评", default=False)
    excluded = models.BooleanField("申诉剔除", default=False)
    excluded_at = models.DateTimeField("剔除时间", null=True, blank=True)
    followup_of = models.ForeignKey("self", verbose_name="追评对象", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="followups")
    rated_at = models.DateTimeField("评价时间")
    day = models.DateField("评价日期")
    event_day = models.DateField("评价事件日期", null=True, blank=True,
                                 help_text="办结日、现场服务日或工单办结日：主动评价率按此日计入")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "评价"
        verbose_name_plural = "评价"
        constraints = [
            models.UniqueConstraint(fields=["event_key", "rater_key"], condition=Q(followup_of__isnull=True),
                                    name="rating_one_per_event",
                                    violation_error_message="该服务已评价过，每次服务只能评价一次"),
            models.UniqueConstraint(fields=["followup_of"], name="rating_one_followup",
                                    violation_error_message="已追评过，每条评价只能追评一次"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=5), name="rating_level_1_5"),
        ]
        indexes = [
            models.Index(fields=["department", "-rated_at"], name="rating_dept_recent"),
            models.Index(fields=["region_code", "-rated_at"], name="rating_region_recent"),
            models.Index(fields=["applicant", "-rated_at"], name="rating_applicant_recent"),
            models.Index(fields=["-rated_at"], name="rating_recent"),
        ]

    def __str__(self) -> str:
        return f"{rules.LEVELS.get(self.level, self.level)}（{self.source_ref or self.event_key}）"

    @property
    def level_label(self) -> str:
        return rules.LEVELS.get(self.level, "")

    @property
    def real_name(self) -> bool:
        return self.applicant_id is not None or bool(self.phone)


class RateableEvent(models.Model):
    """A rateable event reported by another module: a concluded case (signals.case_saved) or a
    closed 12345 ticket (signals.ticket_saved). A case's row keeps what a 默认好评 of it needs
    (item, window, applicant, number), so that ratings never reads the cases tables."""

    kind = models.CharField("类型", max_length=10, choices=KIND_CHOICES)
    ref = models.CharField("编号", max_length=64)
    department = models.ForeignKey("org.Department", verbose_name="部门", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("org.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    day = models.DateField("日期")
    case = models.ForeignKey("cases.Case", verbose_name="办件", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="+")
    item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    window = models.ForeignKey("org.Window", verbose_name="窗口", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="+")
    applicant = models.ForeignKey("accounts.Applicant", verbose_name="申请人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    source_ref = models.CharField("办件编号/工单号", max_length=64, blank=True)

    class Meta:
        verbose_name = "可评价事件"
        verbose_name_plural = "可评价事件"
        constraints = [models.UniqueConstraint(fields=["kind", "ref"], name="rateable_event_unique")]
        indexes = [models.Index(fields=["kind", "day"], name="rateable_event_kind_day")]


class RatingDaily(models.Model):
    """Daily aggregate per (day, department, window, staff, item, region, kind), kept by services.

    Figures for any period and grouping sum these rows (a month of a city is a few ten thousand
    rows, not a million ratings). ``key`` makes the row unique despite nullable columns.
    """

    key = models.CharField(max_length=120, unique=True)
    day = models.DateField()
    department = models.ForeignKey("org.Department", on_delete=models.PROTECT, related_name="+", db_constraint=False)
    window = models.ForeignKey("org.Window", null=True, on_delete=models.DO_NOTHING, related_name="+",
                               db_constraint=False)
    staff = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.DO_NOTHING, related_name="+",
                              db_constraint=False)
    item = models.ForeignKey("catalog.ServiceItem", null=True, on_delete=models.DO_NOTHING, related_name="+",
                             db_constraint=False)
    region = models.ForeignKey("org.Region", on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    region_code = models.CharField(max_length=12)
    kind = models.CharField(max_length=10, choices=KIND_CHOICES)
    ratings = models.IntegerField(default=0)
    l5 = models.IntegerField(default=0)
    l4 = models.IntegerField(default=0)
    l3 = models.IntegerField(default=0)
    l2 = models.IntegerField(default=0)
    l1 = models.IntegerField(default=0)
    defaults = models.IntegerField(default=0)
    bad = models.IntegerField(default=0)
    bad_rectified = models.IntegerField(default=0)
    bad_real = models.IntegerField(default=0)
    bad_real_done = models.IntegerField(default=0)
    excluded = models.IntegerField(default=0)
    events = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    dim_n = models.IntegerField(default=0)
    dim_overall = models.IntegerField(default=0)
    dim_efficiency = models.IntegerField(default=0)
    dim_guide = models.IntegerField(default=0)
    dim_convenience = models.IntegerField(default=0)
    dim_usability = models.IntegerField(default=0)
    dim_skill = models.IntegerField(default=0)
    dim_attitude = models.IntegerField(default=0)

    COUNTERS = rules.STORED_COUNTERS

    class Meta:
        verbose_name = "评价日汇总"
        verbose_name_plural = "评价日汇总"
        indexes = [
            models.Index(fields=["day", "department"], name="rdaily_day_dept"),
            models.Index(fields=["region_code", "day"], name="rdaily_region_day"),
        ]


class Rectification(models.Model):
    """差评整改: 谁办理谁负责 — the responsible department verifies, rectifies and calls back."""

    rating = models.OneToOneField(Rating, verbose_name="差评", on_delete=models.PROTECT, related_name="rectification")
    department = models.ForeignKey("org.Department", verbose_name="责任部门", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("区划代码", max_length=12)
    state = models.CharField("状态", max_length=10, choices=[(s.value, RSTATE_LABELS[s]) for s in RState],
                             default=RState.VERIFY)
    real_name = models.BooleanField("实名差评", default=False)
    opened_at = models.DateTimeField("立案时间")
    due_date = models.DateField("整改期限")
    verified_valid = models.BooleanField("核实属实", null=True, blank=True)
    verify_reason = models.TextField("核实情况", blank=True)
    measures = models.TextField("整改措施", blank=True)
    callback_attempts = models.PositiveSmallIntegerField("回访次数", default=0)
    callback_reached = models.BooleanField("联系上评价人", null=True, blank=True)
    callback_satisfied = models.BooleanField("评价人满意", null=True, blank=True)
    callback_note = models.TextField("回访情况", blank=True)
    called_back = models.BooleanField("已回访", default=False)
    reopen_count = models.PositiveSmallIntegerField("重新整改次数", default=0)
    urge_count = models.PositiveSmallIntegerField("督办次数", default=0)
    last_urged_at = models.DateTimeField("最近督办", null=True, blank=True)
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)
    version = models.PositiveIntegerField("版本锁", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "差评整改"
        verbose_name_plural = "差评整改"
        indexes = [
            models.Index(fields=["department", "state", "due_date"], name="rect_dept_state_due"),
            models.Index(fields=["state", "due_date"], name="rect_state_due"),
        ]

    def __str__(self) -> str:
        return f"差评整改#{self.pk}"

    @property
    def state_label(self) -> str:
        return RSTATE_LABELS[RState(self.state)]

    @property
    def is_open(self) -> bool:
        return self.state in rules.OPEN_RSTATES


class RectificationEvent(models.Model):
    """One entry of a rectification's history (核实, 整改, 回访, 督办, 申诉…): appended, never edited."""

    rectification = models.ForeignKey(Rectification, verbose_name="差评整改", on_delete=models.CASCADE,
                                      related_name="events")
    action = models.CharField("操作", max_length=20)
    label = models.CharField("操作名称", max_length=40)
    from_state = models.CharField("原状态", max_length=10, blank=True)
    to_state = models.CharField("新状态", max_length=10, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["rectification", "at", "pk"]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("整改记录只能追加，不能修改")
        super().save(*args, **kwargs)


class Appeal(models.Model):
    """申诉: the department asks to exclude a malicious rating; a supervisor decides."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        UPHELD = "upheld", "申诉成立"
        REJECTED = "rejected", "申诉不成立"

    rating = models.ForeignKey(Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="appeals")
    department = models.ForeignKey("org.Department", verbose_name="申诉部门", on_delete=models.PROTECT, related_name="+")
    region_code = models.CharField("区划代码", max_length=12)
    reason = models.TextField("申诉理由")
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.PENDING)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申诉人", null=True, on_delete=models.SET_NULL,
                                 related_name="+")
    filed_at = models.DateTimeField("申诉时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_note = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = "差评申诉"
        verbose_name_plural = "差评申诉"
        constraints = [models.UniqueConstraint(fields=["rating"], condition=Q(state="pending"),
                                               name="appeal_one_pending",
                                               violation_error_message="该评价已有待审核的申诉")]
        indexes = [models.Index(fields=["state", "filed_at"], name="appeal_state_filed")]


class OutboxRecord(models.Model):
    """One rating for the upper-level 好差评 system (上报): read unsent, mark sent."""

    rating = models.ForeignKey(Rating, verbose_name="评价", on_delete=models.PROTECT, related_name="outbox")
    implementation_code = models.CharField("实施编码", max_length=80, blank=True)
    case_number = models.CharField("办件编号", max_length=64, blank=True)
    channel_code = models.CharField("评价渠道", max_length=4)
    level = models.PositiveSmallIntegerField("评价等级")
    rated_at = models.DateTimeField("评价时间")
    applicant_type = models.CharField("申请人类型", max_length=10)
    kind = models.CharField("类型", max_length=16, default="rating", help_text="rating: 新评价；exclude: 申诉剔除")
    created_at = models.DateTimeField("入队时间", auto_now_add=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    receipt = models.CharField("上级回执", max_length=100, blank=True)
    attempts = models.PositiveSmallIntegerField("发送次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)

    class Meta:
        verbose_name = "上报队列"
        verbose_name_plural = "上报队列"
        indexes = [models.Index(fields=["sent_at", "id"], name="outbox_unsent")]
        constraints = [models.UniqueConstraint(fields=["rating", "kind"], name="outbox_one_per_rating_kind")]
