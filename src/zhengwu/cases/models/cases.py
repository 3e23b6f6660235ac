"""办件 (Case) and its append-only history (CaseEvent)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhengwu.core.pii import EncryptedField

from ..rules import STATE_LABELS, State


class Channel(models.TextChoices):
    ONLINE = "online", "网上申报"
    WINDOW = "window", "窗口受理"
    SELF_SERVICE = "self_service", "自助终端"
    AGENT = "agent", "帮代办"


class IntakeMode(models.TextChoices):
    NORMAL = "normal", "一般受理"
    TOLERATED = "tolerated", "容缺受理"
    COMMITMENT = "commitment", "告知承诺"


class BundleCase(models.Model):
    """一件事一次办: one application for a bundle, linked to one case per item."""

    bundle = models.ForeignKey("catalog.Bundle", verbose_name="一件事", on_delete=models.PROTECT, related_name="+")
    applicant = models.ForeignKey("accounts.Applicant", verbose_name="申请人", on_delete=models.PROTECT,
                                  related_name="bundle_cases")
    number = models.CharField("一件事编号", max_length=32, unique=True, null=True, blank=True)
    form_data = models.JSONField("共用表单", default=dict, blank=True)
    # 情形引导: the applicant's answers ([{"question": …, "option": …}]) and the materials nobody
    # asks of them because of the answers or because an item of the same bundle issues them.
    answers = models.JSONField("情形选择", default=list, blank=True)
    waived_materials = models.JSONField("免交材料", default=list, blank=True)
    idempotency_key = models.CharField("幂等键", max_length=64, unique=True, null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "一件事办件"
        verbose_name_plural = "一件事办件"

    def __str__(self) -> str:
        return self.number or f"一件事#{self.pk}"


class Case(models.Model):
    # Indexes of this table (the busiest insert of the platform) are only those the queries use:
    # a foreign key that leads a composite index below, or is mostly empty (partial index), gets
    # no index of its own; the unique columns are constraints, which on PostgreSQL do not bring
    # the extra ``varchar_pattern_ops`` index that ``unique=True`` does (nothing LIKE-searches them).
    number = models.CharField("办件编号", max_length=32, null=True, blank=True)
    service_item = models.ForeignKey("catalog.ServiceItem", verbose_name="事项", on_delete=models.PROTECT,
                                     related_name="cases", db_index=False)
    item_version = models.ForeignKey("catalog.ItemVersion", verbose_name="申报时的指南版本", on_delete=models.PROTECT,
                                     related_name="cases")
    process = models.ForeignKey("cases.ProcessDefinition", verbose_name="审批流程版本", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="cases")
    # Denormalised from the item for scoping and figures (staff see their department's cases).
    department = models.ForeignKey("org.Department", verbose_name="实施部门", on_delete=models.PROTECT,
                                   related_name="cases", db_index=False)
    region = models.ForeignKey("org.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="cases",
                               db_index=False)
    applicant = models.ForeignKey("accounts.Applicant", verbose_name="申请人", on_delete=models.PROTECT,
                                  related_name="cases", db_index=False)
    agent = models.ForeignKey("accounts.Applicant", verbose_name="代办人", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="agent_cases", db_index=False)
    agent_note = models.CharField("代办说明", max_length=200, blank=True, help_text="如：为行动不便的老年人代办")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="录入人", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="+", db_index=False)
    channel = models.CharField("申报渠道", max_length=12, choices=Channel.choices, default=Channel.ONLINE)
    window = models.ForeignKey("org.Window", verbose_name="受理窗口", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="cases", db_index=False)
    bundle_case = models.ForeignKey(BundleCase, verbose_name="所属一件事", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="cases", db_index=False)

    state = models.CharField("状态", max_length=12, choices=[(s.value, STATE_LABELS[s]) for s in State],
                             default=State.DRAFT)
    outcome = models.CharField("办理结果", max_length=8, blank=True,
                               choices=[("approved", "准予"), ("denied", "不予")])
    intake_mode = models.CharField("受理方式", max_length=12, choices=IntakeMode.choices, default=IntakeMode.NORMAL)
    form_data = models.JSONField("申报表单", default=dict, blank=True)
    progress = models.JSONField("流程进度", default=dict, blank=True)

    # How the applicant wants the result (chosen when applying); 登记送达 starts from it.
    delivery_method = models.CharField("结果送达方式", max_length=12, blank=True,
                                       choices=[("window", "窗口领取"), ("mail", "邮寄送达"), ("electronic", "电子送达")])
    delivery_address = EncryptedField("邮寄地址", kind="address")

    commitment_text = models.TextField("告知承诺书", blank=True)
    commitment_signed_at = models.DateTimeField("承诺签署时间", null=True, blank=True)
    refusal_reason = models.TextField("不予受理理由及依据", blank=True)

    promised_days = models.PositiveIntegerField("承诺时限（工作日）", default=0)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    # 受理 within five working days of receipt (行政许可法第三十二条; rules.acceptance_due): the day the
    # (latest, complete) materials were received, and the last day to answer.
    received_on = models.DateField("收到申请材料日期", null=True, blank=True)
    acceptance_due = models.DateField("受理期限", null=True, blank=True)
    # db_default: rows bulk-loaded without these columns (gen-data) still get them.
    deemed_accepted = models.BooleanField("逾期视为受理", default=False, db_default=False)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    due_date = models.DateField("承诺办结日期", null=True, blank=True)
    suspended_workdays = models.PositiveIntegerField("特别程序用时（工作日）", default=0)
    extension_workdays = models.PositiveSmallIntegerField("批准延长（工作日）", default=0, db_default=0)
    concluded_at = models.DateTimeField("办结时间", null=True, blank=True)
    concluded_on_time = models.BooleanField("按时办结", null=True, blank=True)
    visits = models.PositiveSmallIntegerField("跑动次数", default=0)

    lock_version = models.PositiveIntegerField("版本锁", default=0)
    idempotency_key = models.CharField("幂等键", max_length=64, null=True, blank=True)
    # Filed by a department's system through the exchange API (api_exchange): its 应用密钥 and its
    # own case number (外部办件编号), unique per key — a retried create finds the same case.
    api_key = models.ForeignKey("accounts.ApiKey", verbose_name="接入系统应用密钥", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+", db_index=False)
    external_ref = models.CharField("外部办件编号", max_length=50, null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "办件"
        verbose_name_plural = "办件"
        indexes = [
            # Intake queue and inbox of a department: open cases by state, oldest deadline first.
            models.Index(fields=["department", "state", "due_date"], name="case_dept_state_due"),
            # 我的办件: an applicant's cases, newest first.
            models.Index(fields=["applicant", "-created_at"], name="case_applicant_recent"),
            # Figures per region/period.
            models.Index(fields=["region", "submitted_at"], name="case_region_submitted"),
            models.Index(fields=["service_item", "submitted_at"], name="case_item_submitted"),
            # Staff case search within a department by submission time.
            models.Index(fields=["department", "submitted_at"], name="case_dept_submitted"),
            # … and over the whole city (系统管理员), newest first, a page at a time (ADR 21).
            # Not partial (drafts are few): gen-data rebuilds it after loading, as the other plain ones.
            models.Index(fields=["submitted_at", "id"], name="case_submitted_order"),
            # Figures by acceptance and conclusion period.
            models.Index(fields=["accepted_on"], name="case_accepted_on"),
            models.Index(fields=["concluded_at"], name="case_concluded_at"),
            # 受理队列: waiting cases oldest first, read in that order until a page is full (a
            # region-wide 窗口 scope covers dozens of departments; partial: ~2% of all cases).
            models.Index(fields=["submitted_at", "id"], name="case_intake_queue",
                         condition=models.Q(state="submitted")),
            # … and per department, for a 窗口 scope listed by department (queries._oldest_waiting):
            # the oldest few of each department, however long the rest of the city's queue.
            models.Index(fields=["department", "submitted_at", "id"], name="case_intake_by_department",
                         condition=models.Q(state="submitted")),
            # Mostly empty links (帮代办, 窗口代录, 一件事): only the rows that have one.
            *(models.Index(fields=[f], name=f"case_{f}_set", condition=models.Q(**{f"{f}__isnull": False}))
              for f in ("agent", "filed_by", "window", "bundle_case")),
            # A department's system following its department's cases changed since a cursor
            # (api_exchange.changed: keyset over updated_at, id).
            models.Index(fields=["department", "updated_at", "id"], name="case_dept_updated"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="case_number_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="case_idempotency_key_unique"),
            models.UniqueConstraint(fields=["api_key", "external_ref"], name="case_key_external_ref_unique",
                                    condition=models.Q(external_ref__isnull=False)),
        ]

    def __str__(self) -> str:
        return self.number or f"草稿#{self.pk}"

    @property
    def commitment_signed_online(self) -> bool:
        """The applicant chose 告知承诺 when applying and signed the 承诺书 with the submission
        (services.applying.submit signs it at the submission's own time)."""
        return bool(self.commitment_text) and self.commitment_signed_at is not None \
            and self.commitment_signed_at == self.submitted_at

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.state)]


class CaseEvent(models.Model):
    """One entry of a case's history (办理过程): appended, never edited."""

    case = models.ForeignKey(Case, verbose_name="办件", on_delete=models.CASCADE, related_name="events",
                             db_index=False)  # leads caseevent_case_at
    action = models.CharField("操作", max_length=32)
    label = models.CharField("操作名称", max_length=40)
    from_state = models.CharField("原状态", max_length=12, blank=True)
    to_state = models.CharField("新状态", max_length=12, blank=True)
    step_id = models.CharField("环节", max_length=40, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人姓名", max_length=100, blank=True)
    opinion = models.TextField("意见", blank=True)
    data = models.JSONField("附加信息", default=dict, blank=True)
    visible_to_applicant = models.BooleanField("申请人可见", default=True)
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "办理记录"
        verbose_name_plural = "办理记录"
        ordering = ["case", "at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="caseevent_case_at")]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("办理记录只能追加，不能修改")
        super().save(*args, **kwargs)
