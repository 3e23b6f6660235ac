from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm, SetUnusablePasswordMixin
from django.utils.text import format_lazy

from zhengwu.core.admin_mixins import AuditedAdmin, ReadOnlyAdmin
from zhengwu.org.models import RoleGrant

from .models import ApiKey, Applicant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    raw_id_fields = ["region", "department", "window"]


class PasswordChangeForm(AdminPasswordChangeForm):
    """Django's 修改密码 form with its warning in Chinese: Django writes "If disabled, the current
    password for this user will be lost." in English, outside its translations. The list keeps
    Django's id, which its script shows and hides."""

    usable_password_help_text = format_lazy(
        "{}{}", SetUnusablePasswordMixin.usable_password_help_text,
        '<ul id="id_unusable_warning" class="messagelist"><li class="warning">如果禁用，该用户当前的密码将失效。</li></ul>')


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    change_password_form = PasswordChangeForm
    list_display = ["username", "display_name", "kind", "is_active", "last_login"]
    list_filter = ["kind", "is_active", "is_superuser"]
    search_fields = ["username", "display_name"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("基本信息", {"fields": ("display_name", "kind", "email")}),
        ("权限", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("时间", {"fields": ("last_login", "date_joined", "password_changed_at", "must_change_password")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "display_name", "kind", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined", "password_changed_at"]
    inlines = [RoleGrantInline]

    def user_change_password(self, request, id, form_url=""):
        """重置密码: a password an administrator sets for someone else is temporary — the user
        must change it at the next login (``services.reset_password`` rules)."""
        from django.contrib.admin.utils import unquote
        from django.db import transaction

        from zhengwu.core import audit

        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = User.objects.select_for_update().get(pk=unquote(id))
                if user.pk != request.user.pk:
                    user.must_change_password = True
                    user.save(update_fields=["must_change_password"])
                audit.record("accounts.password_reset", actor=request.user, obj=user,
                             after={"must_change_password": user.must_change_password})
        return response


@admin.register(Applicant)
class ApplicantAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name", "kind", "masked_id", "uscc", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name", "=uscc"]
    readonly_fields = ["user", "kind", "masked_id", "id_region", "masked_phone", "uscc", "created_at"]
    fields = ["user", "kind", "name", "masked_id", "id_region", "uscc", "legal_rep_name", "masked_phone", "created_at"]

    @admin.display(description="身份证号")
    def masked_id(self, obj):
        return str(obj.id_number or obj.legal_rep_id_number)

    @admin.display(description="地址码")
    def id_region(self, obj):
        """GB 11643-1999 §5.2: a retired region code is still the holder's number (the county
        itself is not shown)."""
        if not (obj.id_number or obj.legal_rep_id_number):
            return "—"
        return "历史区划代码（现已撤销或变更，号码仍然有效）" if obj.id_region_historical else "现行区划代码"

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return str(obj.phone)

    def has_add_permission(self, request):
        return False


class ApiKeyForm(forms.ModelForm):
    scope_choices = forms.MultipleChoiceField(label="授权范围", choices=(), widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = ApiKey
        fields = ["name", "department", "expires_at", "note", "active"]

    def __init__(self, *args, **kwargs):
        from .apikeys import SCOPES

        super().__init__(*args, **kwargs)
        self.fields["scope_choices"].choices = sorted(SCOPES.items())
        if self.instance.pk:
            self.fields["scope_choices"].initial = self.instance.scopes
            self.fields["name"].disabled = True


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    """Issue keys here: the clear key is shown once in the message after saving."""

    form = ApiKeyForm
    list_display = ["name", "prefix", "scope_list", "department", "active", "expires_at", "last_used_at"]
    list_filter = ["active"]
    search_fields = ["name", "=prefix"]
    raw_id_fields = ["department"]
    readonly_fields = ["prefix", "created_by", "created_at", "last_used_at"]

    @admin.display(description="授权范围")
    def scope_list(self, obj):
        return "、".join(obj.scopes)

    def has_delete_permission(self, request, obj=None):
        return False  # keys are revoked (停用), never deleted: the audit trail refers to them

    def save_model(self, request, obj, form, change):
        from django.contrib import messages

        from zhengwu.core import audit

        from . import apikeys

        scopes = form.cleaned_data["scope_choices"]
        if not change:
            issued = apikeys.issue(obj.name, scopes, actor=request.user, department=obj.department,
                                   expires_at=obj.expires_at, note=obj.note)
            obj.pk = issued.key.pk
            obj.prefix, obj.key_hash = issued.key.prefix, issued.key.key_hash
            messages.warning(request, f"密钥只显示这一次，请立即复制保存：{issued.secret}")
            return
        before = ApiKey.objects.get(pk=obj.pk)
        obj.scopes = sorted(set(scopes))
        obj.save()
        audit.record("apikey.change", actor=request.user, obj=obj,
                     before={"scopes": before.scopes, "active": before.active},
                     after={"scopes": obj.scopes, "active": obj.active})


# 统一身份认证 links: view only (linking and unlinking go through services_identity and are audited).
from .models_identity import ExternalIdentity  # noqa: E402


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(ReadOnlyAdmin):
    list_display = ["provider", "user", "real_name_level", "linked_at", "last_login_at"]
    list_filter = ["provider", "real_name_level"]
    search_fields = ["=user__username"]
    readonly_fields = ["provider", "issuer", "subject", "user", "real_name_level", "linked_at", "last_login_at"]
