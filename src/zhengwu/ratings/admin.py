"""Admin of 好差评: the local rules are editable (audited); everything else is read-only, since
ratings and rectifications change only through ``ratings.services``."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from zhengwu.core.admin_mixins import AuditedAdmin, ReadOnlyAdmin

from .models import Appeal, OutboxRecord, Rating, RatingRules, Rectification, WindowVisit


class RatingRulesForm(forms.ModelForm):
    class Meta:
        model = RatingRules
        fields = "__all__"


@admin.register(RatingRules)
class RatingRulesAdmin(AuditedAdmin, admin.ModelAdmin):
    form = RatingRulesForm
    list_display = ("__str__", "default_enabled", "default_after_days", "rectify_workdays", "updated_at")

    def has_add_permission(self, request):
        return not RatingRules.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "source_ref", "department", "level", "channel", "is_bad", "excluded", "rated_at")
    list_filter = ("kind", "level", "is_bad", "excluded", "is_default")
    exclude = ("phone", "phone_index")


@admin.register(Rectification)
class RectificationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "department", "state", "due_date", "real_name", "urge_count")
    list_filter = ("state",)


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("pk", "department", "state", "filed_at", "decided_at")


@admin.register(WindowVisit)
class WindowVisitAdmin(ReadOnlyAdmin):
    list_display = ("pk", "window", "department", "staff", "served_at")


@admin.register(OutboxRecord)
class OutboxAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "case_number", "level", "channel_code", "created_at", "sent_at", "attempts")
