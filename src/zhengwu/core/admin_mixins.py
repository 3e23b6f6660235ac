"""Admin changes go through the audit chain like every other state change."""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.forms.models import model_to_dict

from . import audit
from .pii import PII


def snapshot(obj, fields=None) -> dict:
    data = model_to_dict(obj, fields=fields)
    return {k: (str(v) if isinstance(v, PII) else v) for k, v in data.items()
            if not hasattr(v, "read")}  # leave files out; PII shows masked


class AuditedAdmin:
    """Mixin for ModelAdmin: writes an audit event for each add, change and delete."""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            before = None
            if change and form.changed_data:
                before = {k: form.initial.get(k) for k in form.changed_data}
                before = {k: (str(v) if isinstance(v, PII) else v) for k, v in before.items()}
            super().save_model(request, obj, form, change)
            action = f"{obj._meta.label_lower}.{'change' if change else 'add'}"
            after = {k: v for k, v in snapshot(obj).items() if not change or k in form.changed_data}
            audit.record(action, actor=request.user, obj=obj, before=before, after=after)

    def save_related(self, request, form, formsets, change):
        """Inline rows (e.g. a staff member's role grants) are audited like the parent."""
        with transaction.atomic():
            super().save_related(request, form, formsets, change)
            for formset in formsets:
                for obj in getattr(formset, "new_objects", []):
                    audit.record(f"{obj._meta.label_lower}.add", actor=request.user, obj=obj, after=snapshot(obj))
                for obj, changed in getattr(formset, "changed_objects", []):
                    audit.record(f"{obj._meta.label_lower}.change", actor=request.user, obj=obj,
                                 after={k: v for k, v in snapshot(obj).items() if k in changed})
                for obj in getattr(formset, "deleted_objects", []):
                    audit.record(f"{obj._meta.label_lower}.delete", actor=request.user,
                                 object_type=obj._meta.label_lower, object_id=obj.pk or "", before=snapshot(obj))

    def delete_model(self, request, obj):
        with transaction.atomic():
            before = snapshot(obj)
            pk = obj.pk
            super().delete_model(request, obj)
            audit.record(f"{obj._meta.label_lower}.delete", actor=request.user,
                         object_type=obj._meta.label_lower, object_id=pk, before=before)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only through the services (events, ratings, tickets, outboxes): the admin
    lists and shows them, nobody adds, edits or deletes them here. No full count on large tables."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
