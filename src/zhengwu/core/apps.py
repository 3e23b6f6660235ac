from django.apps import AppConfig
from django.conf import settings
from django.contrib.admin import apps as admin_apps
from django.db.backends.signals import connection_created


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
        connection_created.connect(_keep_prepared_statements, dispatch_uid="zhengwu.prepared_max")
        connection_created.connect(_c_timestamptz_loader, dispatch_uid="zhengwu.timestamptz_loader")


def _keep_prepared_statements(sender, connection, **kwargs) -> None:
    """PostgreSQL with prepared statements: the connection keeps up to ZHENGWU_PG_PREPARED_MAX
    of them, through rollbacks too (zhengwu.core.pgsession, ADR 0013)."""
    limit = getattr(settings, "ZHENGWU_PG_PREPARED_MAX", None)
    if connection.vendor == "postgresql" and limit and connection.connection.prepare_threshold is not None:
        from .pgsession import keep_prepared_statements

        keep_prepared_statements(connection.connection, limit)


def _c_timestamptz_loader(sender, connection, **kwargs) -> None:
    """PostgreSQL: timestamptz values parsed by psycopg's C loader (zhengwu.core.pgsession)."""
    if connection.vendor == "postgresql":
        from .pgsession import use_c_timestamptz_loader

        use_c_timestamptz_loader(connection)


class ZhengwuAdminConfig(admin_apps.AdminConfig):
    default = False
    """Django admin with the platform's own site (calendar warnings on the dashboard)."""

    default_site = "zhengwu.core.admin_site.ZhengwuAdminSite"
