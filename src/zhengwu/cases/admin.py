"""Admin of the cases app: read-only views for operators (短信发件箱, 站内消息, 办件, 审批流程).

Cases change only through ``cases.services`` (state table, lock, history, audit), so nothing
here edits a case; process definitions are edited in the workbench (审批流程) for the same
reason. Lists over big tables never count every row (``show_full_result_count = False``).
"""

from __future__ import annotations

from django.contrib import admin

from zhengwu.core.admin_mixins import ReadOnlyAdmin

from .models import Case, CaseEvent, CaseStep, Notification, ProcessDefinition, SmsMessage


@admin.register(SmsMessage)
class SmsMessageAdmin(ReadOnlyAdmin):
    """短信发件箱: what the local gateway left here (phone masked)."""

    list_display = ["created_at", "masked_phone", "body", "status", "gateway", "sent_at", "case"]
    list_filter = ["status", "gateway"]
    search_fields = ["=case__number"]
    list_select_related = ["case"]  # each row links its case
    fields = ["created_at", "masked_phone", "body", "status", "gateway", "error", "sent_at", "case"]
    readonly_fields = fields
    date_hierarchy = "created_at"

    @admin.display(description="手机号码")
    def masked_phone(self, obj):
        return str(obj.phone) if obj.phone else ""


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "recipient", "title", "case", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["=case__number", "title"]
    list_select_related = ["recipient", "case"]  # each row shows both
    raw_id_fields = ["recipient", "case"]
    readonly_fields = ["recipient", "case", "title", "body", "link", "read_at", "created_at"]


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    extra = 0
    can_delete = False
    fields = ["at", "label", "from_state", "to_state", "step_id", "actor_name", "opinion"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class CaseStepInline(admin.TabularInline):
    model = CaseStep
    extra = 0
    can_delete = False
    fields = ["block", "step_id", "name", "role", "department", "status", "due_date", "acted_by", "acted_at", "opinion"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "service_item", "department", "applicant", "channel", "state", "submitted_at",
                    "due_date"]
    list_filter = ["state", "channel", "intake_mode", "outcome"]
    search_fields = ["=number"]
    list_select_related = ["service_item", "department", "applicant"]  # shown on every row
    raw_id_fields = ["service_item", "item_version", "process", "department", "region", "applicant", "agent",
                     "filed_by", "window", "bundle_case"]
    readonly_fields = [f.name for f in Case._meta.fields]
    inlines = [CaseStepInline, CaseEventInline]
    ordering = ["-pk"]


@admin.register(ProcessDefinition)
class ProcessDefinitionAdmin(ReadOnlyAdmin):
    list_display = ["service_item", "version", "is_current", "step_names", "created_by", "created_at"]
    list_filter = ["is_current"]
    search_fields = ["service_item__name"]
    list_select_related = ["service_item", "created_by"]  # shown on every row
    readonly_fields = ["service_item", "version", "steps", "is_current", "created_by", "created_at"]

    @admin.display(description="环节")
    def step_names(self, obj):
        return " → ".join(s.get("name", "") for s in obj.steps or [])
