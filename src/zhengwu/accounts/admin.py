from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from zhengwu.core.admin_mixins import AuditedAdmin
from zhengwu.org.models import RoleGrant

from .models import Applicant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    raw_id_fields = ["region", "department", "window"]


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ["username", "display_name", "kind", "is_active", "last_login"]
    list_filter = ["kind", "is_active", "is_superuser"]
    search_fields = ["username", "display_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("基本信息", {"fields": ("display_name", "kind", "email")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("时间", {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "display_name", "kind", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]
    inlines = [RoleGrantInline]


@admin.register(Applicant)
class ApplicantAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "masked_id", "uscc", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "=uscc"]
    readonly_fields = ["user", "kind", "masked_id", "masked_phone", "uscc", "created_at"]
    fields = ["user", "kind", "name", "masked_id", "uscc", "legal_rep_name", "masked_phone", "created_at"]

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return str(obj.id_number or obj.legal_rep_id_number)

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return str(obj.phone)

    def has_add_permission(self, request):
        return False
