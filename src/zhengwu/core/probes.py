"""Readiness: may this web process be sent traffic? (``/api/v1/ready``; liveness ``/api/v1/live``
asks nothing of the database and is answered by the API module itself.)

Each check returns a :class:`Check`; the probe is ready when every one passed. The messages are
shown to the operator as they are, in Chinese.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings


@dataclass
class Check:
    name: str
    ok: bool
    message: str
    ms: float = 0.0
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"ok": self.ok, "message": self.message, "ms": round(self.ms, 1), **self.extra}


def _timed(name: str, fn) -> Check:
    started = time.perf_counter()
    try:
        check = fn()
    except Exception as exc:  # the check's own failure is its answer
        check = Check(name, False, f"{_FAILED[name]}：{type(exc).__name__}")
    check.ms = (time.perf_counter() - started) * 1000
    return check


_FAILED = {"database": "数据库不可用", "cache": "缓存不可用", "worker": "无法读取后台任务进程心跳",
           "migrations": "无法检查数据库迁移"}


def check_database() -> Check:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT 1")
        cur.fetchone()
    return Check("database", True, "数据库可用")


def check_cache() -> Check:
    from django.core.cache import cache

    key, value = f"zhengwu:ready:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 30)
    got = cache.get(key)
    cache.delete(key)
    if got != value:
        return Check("cache", False, "缓存不可用：写入后读不回")
    return Check("cache", True, "缓存可用")


def check_worker() -> Check:
    from django.utils import timezone

    from . import heartbeat

    window = settings.ZHENGWU_READY_WORKER_SECONDS
    if window <= 0:
        return Check("worker", True, "未检查后台任务进程（ZHENGWU_READY_WORKER_SECONDS=0）")
    last = heartbeat.freshest()
    if last is None:
        return Check("worker", False, "没有后台任务进程在运行（从未收到心跳，请启动 zhengwu worker）")
    age = (timezone.now() - last.last_seen).total_seconds()
    extra = {"age_seconds": round(age, 1), "alive": heartbeat.alive(window)}
    if age > window:
        return Check("worker", False, f"后台任务进程心跳超时：最近一次在 {int(age)} 秒前（允许 {window} 秒）", extra=extra)
    return Check("worker", True, "后台任务进程在运行", extra=extra)


_migrations_applied = False  # once true in a process it stays true: new migrations come with new code


def check_migrations() -> Check:
    global _migrations_applied
    if not _migrations_applied:
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return Check("migrations", False, f"数据库迁移未完成：还有 {len(plan)} 个迁移未执行（请运行 zhengwu migrate）",
                         extra={"pending": len(plan)})
        _migrations_applied = True
    return Check("migrations", True, "数据库迁移已全部执行")


CHECKS = {"database": check_database, "cache": check_cache, "worker": check_worker, "migrations": check_migrations}


def readiness() -> tuple[bool, list[Check]]:
    checks = [_timed(name, fn) for name, fn in CHECKS.items()]
    return all(c.ok for c in checks), checks
