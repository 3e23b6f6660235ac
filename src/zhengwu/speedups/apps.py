from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created


class SpeedupsConfig(AppConfig):
    name = "zhengwu.speedups"
    label = "speedups"
    verbose_name = "性能优化"

    def ready(self) -> None:
        connection_created.connect(_keep_prepared_statements, dispatch_uid="zhengwu.prepared_max")
        connection_created.connect(_c_timestamptz_loader, dispatch_uid="zhengwu.timestamptz_loader")


def _keep_prepared_statements(sender, connection, **kwargs) -> None:
    """PostgreSQL with prepared statements: the connection keeps up to ZHENGWU_PG_PREPARED_MAX
    of them, through rollbacks too (zhengwu.speedups.pgsession, ADR 0013)."""
    limit = getattr(settings, "ZHENGWU_PG_PREPARED_MAX", None)
    if connection.vendor == "postgresql" and limit and connection.connection.prepare_threshold is not None:
        from .pgsession import keep_prepared_statements

        keep_prepared_statements(connection.connection, limit)


def _c_timestamptz_loader(sender, connection, **kwargs) -> None:
    """PostgreSQL: timestamptz values parsed by psycopg's C loader (zhengwu.speedups.pgsession)."""
    if connection.vendor == "postgresql":
        from .pgsession import use_c_timestamptz_loader

        use_c_timestamptz_loader(connection)
