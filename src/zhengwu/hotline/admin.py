"""Admin of the hotline: taxonomy, keyword rules, knowledge base and API clients are edited here
(audited); tickets and models are read-only (they change only through the services)."""

from django.contrib import admin

from zhengwu.core.admin_mixins import AuditedAdmin, ReadOnlyAdmin

from .models import Category, ClassifierModel, KeywordRule, KnowledgeArticle, Ticket


@admin.register(Category)
class CategoryAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("path", "code", "department", "days", "is_active")
    list_filter = ("level", "is_active")
    search_fields = ("path", "code", "keywords")
    raw_id_fields = ("parent",)


@admin.register(KeywordRule)
class KeywordRuleAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("keywords", "category", "department", "priority", "is_active")
    list_editable = ("priority", "is_active")
    autocomplete_fields = ("category",)


@admin.register(KnowledgeArticle)
class KnowledgeArticleAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ("title", "category", "is_active", "used_count", "updated_at")
    search_fields = ("title", "keywords", "question")


@admin.register(ClassifierModel)
class ClassifierModelAdmin(admin.ModelAdmin):
    list_display = ("version", "trained_at", "samples", "accuracy", "top3_accuracy", "categories", "is_active")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = ("number", "ticket_type", "state", "lead_department", "created_at")
    list_filter = ("state", "ticket_type")
    search_fields = ("number",)
