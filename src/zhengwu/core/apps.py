from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "zhengwu.core"
    label = "core"
    verbose_name = "公共基础"

    def ready(self) -> None:
        import datetime as dt

        from . import admin_names, checks, signals  # noqa: F401  (signals: calendar cache invalidation; checks: check --deploy)

        admin_names.apply()
        from .schedule import Job
        from .schedule import register as register_job

        register_job(Job("files.prune", dt.timedelta(days=1), "command:files prune",
                     "清理没有记录引用的上传文件（超过24小时的）"))
        register_job(Job("audit.checkpoint", dt.timedelta(hours=1), "zhengwu.core.audit_anchor.checkpoint_job",
                     "审计链检查点：签名记录各链链头，写入数据目录与数据库（ADR 0020）"))
        register_job(Job("feeds.push", dt.timedelta(minutes=1), "zhengwu.core.outbox.push_due",
                         "上报上级平台：推送到期的上报记录（失败按退避时间重试，ADR 0050）"))
        register_job(Job("retention.sessions", dt.timedelta(days=1), "zhengwu.core.retention.clear_sessions",
                         "保存期限：删除已过期的登录会话（分批）"))
        register_job(Job("retention.login_logs", dt.timedelta(days=1), "zhengwu.core.retention.prune_login_logs",
                         "保存期限：删除超过 ZHENGWU_RETAIN_LOG_DAYS（不少于180天）的登录日志（分批）"))
        from . import companions

        companions.register(companions.Companion("worker", worker_argv))


def worker_argv(host: str, port: int) -> list[str] | None:
    """``zhengwu serve`` starts one background worker (tasks and periodic jobs) beside the web
    processes, so a fresh ``make run`` has imports, notifications and jobs working;
    ``ZHENGWU_WORKER=off`` when workers run separately (more of them may run: each job is claimed once)."""
    import os

    if os.environ.get("ZHENGWU_WORKER", "on").strip().lower() in ("off", "0", "no", "false"):
        return None
    return ["worker"]


class ZhengwuAdminConfig(admin_apps.AdminConfig):
    default = False
    """Django admin with the platform's own site (calendar warnings on the dashboard)."""

    default_site = "zhengwu.core.admin_site.ZhengwuAdminSite"
