"""Process definitions (审批流程, versioned per item), step instances, suspensions."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProcessDefinition(models.Model):
    """The approval process of a service item, as data (see cases.workflow). Versioned: a case
    keeps the version it started with."""

    service_item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", on_delete=models.CASCADE,
                                     related_name="process_definitions")
    version = models.PositiveIntegerField("版本号")
    steps = models.JSONField("环节")
    is_current = models.BooleanField("现行", default=True)
    # 审查与决定相分离: who acted on an earlier step of a case may not take its last step (决定).
    separate_duties = models.BooleanField("审查与决定分离", default=False,
                                          help_text="勾选后，办理过前序环节（审查）的人员不能办理最后环节（决定）")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="编辑人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "审批流程"
        verbose_name_plural = "审批流程"
        constraints = [
            models.UniqueConstraint(fields=["service_item", "version"], name="process_unique_version"),
            models.UniqueConstraint(fields=["service_item"], condition=models.Q(is_current=True),
                                    name="process_one_current"),
        ]


class CaseStep(models.Model):
    """One step of one case's process: the rows the staff inbox reads (待办)."""

    class Status(models.TextChoices):
        WAITING = "waiting", "未开始"
        ACTIVE = "active", "办理中"
        PASSED = "passed", "已通过"
        REJECTED = "rejected", "不予通过"

    case = models.ForeignKey("cases.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="steps")
    step_id = models.CharField("环节编号", max_length=40)
    name = models.CharField("环节名称", max_length=60)
    role = models.CharField("办理角色", max_length=16)
    department = models.ForeignKey("org.Department", verbose_name="办理部门", on_delete=models.PROTECT,
                                   related_name="case_steps")
    block = models.PositiveSmallIntegerField("顺序")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.WAITING)
    due_date = models.DateField("环节期限", null=True, blank=True)
    activated_at = models.DateTimeField("开始时间", null=True, blank=True)
    acted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="办理人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+")
    acted_at = models.DateTimeField("办理时间", null=True, blank=True)
    opinion = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "办理环节"
        verbose_name_plural = "办理环节"
        ordering = ["case", "block", "pk"]
        constraints = [models.UniqueConstraint(fields=["case", "step_id"], name="casestep_unique")]
        indexes = [
            # 待办 inbox: active steps of a department and role, by deadline (then id, the page's
            # whole order: PostgreSQL stops after a page instead of sorting every active step).
            models.Index(fields=["department", "role", "status", "due_date", "id"], name="casestep_inbox_order"),
        ]


class Suspension(models.Model):
    """特别程序: the clock stops while it runs — only for the procedures 行政许可法第四十五条 names
    (听证、招标、拍卖、检验、检测、检疫、鉴定、专家评审), each with its legal basis recorded.

    Rows of the kinds once offered that the article does not name (现场核查、公示、其他) are kept for
    the record with ``stops_clock`` False: their time counts (migration 0008 converted them)."""

    class Kind(models.TextChoices):
        HEARING = "hearing", "听证"
        TENDER = "tender", "招标"
        AUCTION = "auction", "拍卖"
        EXAMINATION = "examination", "检验"
        TESTING = "testing", "检测"
        QUARANTINE = "quarantine", "检疫"
        APPRAISAL = "appraisal", "鉴定"
        EXPERT = "expert", "专家评审"
        # Not in 第四十五条: old records only (never accepted again, see rules.suspension_refusal).
        INSPECTION = "inspection", "现场核查（计入期限）"
        PUBLICITY = "publicity", "公示（计入期限）"
        OTHER = "other", "其他（计入期限）"

    case = models.ForeignKey("cases.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="suspensions")
    kind = models.CharField("特别程序", max_length=12, choices=Kind.choices)
    reason = models.TextField("原因")
    legal_basis = models.CharField("法律依据", max_length=300, blank=True, default="", db_default="")
    stops_clock = models.BooleanField("暂停计时", default=True, db_default=True)
    started_on = models.DateField("开始日期")
    planned_workdays = models.PositiveIntegerField("预计时长（工作日）", null=True, blank=True)
    ended_on = models.DateField("结束日期", null=True, blank=True)
    workdays = models.PositiveIntegerField("实际时长（工作日）", default=0)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="启动人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "特别程序"
        verbose_name_plural = "特别程序"
        ordering = ["case", "started_on"]


class Extension(models.Model):
    """延长办理期限 (行政许可法第四十二条第一款): requested by the case's handler, approved or
    declined by 本行政机关负责人 (领导 of the department); once approved, the due date moves
    10 working days and the applicant is told the reason. At most one per case (requested or
    approved): a declined request leaves room for none other either — the law allows one."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "待负责人审批"
        APPROVED = "approved", "已批准"
        DECLINED = "declined", "未批准"

    case = models.ForeignKey("cases.Case", verbose_name="办件", on_delete=models.CASCADE, related_name="extensions")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField("延长理由（告知申请人）")
    workdays = models.PositiveSmallIntegerField("延长工作日", default=10)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人（工作人员）", null=True,
                                     on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批负责人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.TextField("审批意见", blank=True)
    due_before = models.DateField("原承诺办结日期")
    due_after = models.DateField("延长后办结日期", null=True, blank=True)

    class Meta:
        verbose_name = "延长办理期限"
        verbose_name_plural = "延长办理期限"
        ordering = ["case", "requested_at"]
        constraints = [models.UniqueConstraint(fields=["case"], name="extension_once_per_case")]
        # 延期审批 (the leader's list and the workbench card's count): the few requests still waiting.
        indexes = [models.Index(fields=["requested_at"], condition=models.Q(status="requested"),
                                name="extension_requested")]
