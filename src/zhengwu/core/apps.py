from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "zhengwu.core"
    label = "core"
    verbose_name = "公共基础"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (calendar cache invalidation)


class ZhengwuAdminConfig(admin_apps.AdminConfig):
    default = False
    """Django admin with the platform's own site (calendar warnings on the dashboard)."""

    default_site = "zhengwu.core.admin_site.ZhengwuAdminSite"
