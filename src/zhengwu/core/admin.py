from django.contrib import admin

from . import services
from .admin_mixins import ReadOnlyAdmin
from .models import AuditCheckpoint, AuditEvent, CalendarOverride, CalendarYear, FeedRecord, ScheduledJob


@admin.register(CalendarOverride)
class CalendarOverrideAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "note", "source", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["note", "source"]
    date_hierarchy = "date"

    def save_model(self, request, obj, form, change):
        saved = services.set_calendar_override(request.user, obj.date, obj.kind, obj.source, obj.note)
        obj.pk = saved.pk


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "verified", "source", "updated_at"]

    def save_model(self, request, obj, form, change):
        saved = services.mark_year_verified(request.user, obj.year, obj.source, obj.verified)
        obj.pk = saved.pk


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor", "what", "object_kind", "object_id", "ip"]
    list_filter = ["action"]
    search_fields = ["=object_id", "=actor", "action"]

    @admin.display(description="操作", ordering="action")
    def what(self, obj):
        from .audit_labels import action_label

        label = action_label(obj.action)
        return label if label == obj.action else f"{label}（{obj.action}）"

    @admin.display(description="对象类型", ordering="object_type")
    def object_kind(self, obj):
        from django.apps import apps

        try:
            return apps.get_model(obj.object_type)._meta.verbose_name
        except (LookupError, ValueError):
            return obj.object_type


@admin.register(AuditCheckpoint)
class AuditCheckpointAdmin(ReadOnlyAdmin):
    """Read-only: the signed checkpoints of the audit chains (ADR 0020)."""

    list_display = ["n", "at", "events"]


@admin.register(ScheduledJob)
class ScheduledJobAdmin(ReadOnlyAdmin):
    """Read-only: when each periodic job last ran and how (the jobs themselves are code)."""

    list_display = ["name", "label", "last_started_at", "last_finished_at", "last_ok", "last_seconds", "last_message"]
    readonly_fields = list_display

    @admin.display(description="说明")
    def label(self, obj):
        from . import schedule

        job = schedule.job(obj.name)
        return job.label if job else "（已不再注册）"



@admin.register(FeedRecord)
class FeedRecordAdmin(ReadOnlyAdmin):
    """上报记录: written by the domains' services, pushed by the worker; resent on /workbench/feeds/."""

    list_display = ["id", "feed", "object_ref", "event", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["feed", "status", "event"]
    search_fields = ["object_ref"]
    exclude = ["payload"]  # what went upward is read through the pull API, not browsed here
