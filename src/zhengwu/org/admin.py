from django.contrib import admin

from zhengwu.core.admin_mixins import AuditedAdmin

from .models import Department, Hall, Region, RoleGrant, Window


@admin.register(Region)
class RegionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent", "source"]
    list_filter = ["level", "source"]
    search_fields = ["=code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["level", "prefix", "source"]
    list_select_related = ["parent"]
    show_full_result_count = False

    def has_delete_permission(self, request, obj=None):
        # Regions shipped with the package are reference data; only the bureau's own may go.
        return super().has_delete_permission(request, obj) and (obj is None or obj.source == "bureau")


class WindowInline(admin.TabularInline):
    model = Window
    extra = 0
    fields = ["number", "name", "kind", "theme", "is_active"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "uscc", "kind", "region", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "=uscc"]
    autocomplete_fields = ["parent"]
    raw_id_fields = ["region"]
    list_select_related = ["region", "parent"]


@admin.register(Hall)
class HallAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "region", "address", "phone", "is_active"]
    raw_id_fields = ["region"]
    inlines = [WindowInline]


@admin.register(Window)
class WindowAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["number", "name", "kind", "hall", "is_active"]
    list_filter = ["kind", "hall"]
    search_fields = ["number", "name"]
    filter_horizontal = ["departments"]
    list_select_related = ["hall"]


@admin.register(RoleGrant)
class RoleGrantAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["user", "role", "region", "department", "window", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__display_name"]
    raw_id_fields = ["user", "region", "department", "window"]
    list_select_related = ["user", "region", "department", "window"]
