from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "zhengwu.core"
    label = "core"
    verbose_name = "公共基础"

    def ready(self) -> None:
        import datetime as dt

        from . import signals  # noqa: F401  (calendar cache invalidation)
        from .schedule import Job
        from .schedule import register as register_job

        register_job(Job("files.prune", dt.timedelta(days=1), "command:files prune",
                     "清理没有记录引用的上传文件（超过24小时的）"))
        register_job(Job("audit.checkpoint", dt.timedelta(hours=1), "zhengwu.core.audit_anchor.checkpoint_job",
                     "审计链检查点：签名记录各链链头，写入数据目录与数据库（ADR 0020）"))


class ZhengwuAdminConfig(admin_apps.AdminConfig):
    default = False
    """Django admin with the platform's own site (calendar warnings on the dashboard)."""

    default_site = "zhengwu.core.admin_site.ZhengwuAdminSite"
