from django.contrib import admin

from zhengwu.core.admin_mixins import AuditedAdmin

from .models import BaseItem, Bundle, BundleItem, BundleOption, BundleQuestion, ItemVersion, Material, ServiceItem


@admin.register(BaseItem)
class BaseItemAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name", "item_type", "parent", "code_recognised"]
    list_filter = ["item_type", "code_recognised"]
    search_fields = ["=code", "name"]
    raw_id_fields = ["parent"]


@admin.register(ServiceItem)
class ServiceItemAdmin(admin.ModelAdmin):
    """Read-only here: items are edited in the workbench, where versions and review apply."""

    list_display = ["name", "department", "region", "item_type", "status", "implementation_code"]
    list_filter = ["status", "item_type", "case_type"]
    search_fields = ["name", "=implementation_code"]
    list_select_related = ["department", "region"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MaterialInline(admin.TabularInline):
    model = Material
    extra = 0
    fields = ["seq", "name", "necessity", "form", "copies", "source"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "number", "state", "published_at"]
    list_filter = ["state"]
    search_fields = ["name"]
    raw_id_fields = ["service_item", "created_by", "reviewed_by"]
    inlines = [MaterialInline]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class BundleItemInline(admin.TabularInline):
    model = BundleItem
    extra = 0
    raw_id_fields = ["service_item"]


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "target", "status"]
    inlines = [BundleItemInline]
    raw_id_fields = ["region", "lead_department"]


class BundleOptionInline(admin.StackedInline):
    model = BundleOption
    extra = 1
    raw_id_fields = ["select_items", "skip_items"]


@admin.register(BundleQuestion)
class BundleQuestionAdmin(admin.ModelAdmin):
    """情形引导: a 一件事's questions, each option selecting/skipping items and waiving materials."""

    list_display = ["text", "bundle", "seq"]
    list_filter = ["bundle"]
    raw_id_fields = ["bundle"]
    inlines = [BundleOptionInline]
