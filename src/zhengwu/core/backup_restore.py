"""Restore (恢复) an archive made by :mod:`.backup` into an empty platform (docs/backup.md).

Nothing of the platform is touched before every check has passed: the archive's members are
read once, hashed against the manifest while they are unpacked into a staging directory inside
the data directory; the keys' fingerprints, the database vendor, the migrations and the
emptiness of the target are checked (the settings do not write keys.json for a restore: a refused
one leaves the target as it was, zhengwu.core.local_keys). Then the database (SQLite: the file replaced whole;
PostgreSQL: pg_restore in one transaction), the files and the audit directory; the migrations
run forward when the archive is older than this version; the old machine's worker heartbeats are
deleted; the audit chain is verified last.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import shutil
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.db import connection, connections
from django.db.migrations.loader import MigrationLoader

from . import backup, local_keys
from .backup import CHUNK, DB_MEMBERS, FORMAT, MANIFEST, MANIFEST_MAC, BackupError

_NAME = re.compile(r"^(db|data|audit)/[^\x00]+$")
KEY_NOTES = {
    "ZHENGWU_PII_KEY": "个人信息字段和上传文件用它加密，密钥不同则恢复出的数据无法解密",
    "ZHENGWU_AUDIT_KEY": "审计链的摘要用它计算，密钥不同则审计链无法校验",
    "ZHENGWU_AUDIT_SIGNING_KEY": "审计检查点用它签名，密钥不同则检查点无法校验",
    "ZHENGWU_SECRET_KEY": "登录会话和已发出的评价链接用它签名，密钥不同则它们全部失效",
}


@dataclass
class Staged:
    manifest: dict
    root: Path  # the staging directory: db/, data/, audit/
    members: list[str] = field(default_factory=list)


# -- checks (nothing is written to the platform) ---------------------------------------------------
def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return bool(_NAME.match(name)) and not p.is_absolute() and ".." not in p.parts


def read_and_stage(archive: Path, stage: Path) -> Staged:
    """Read the manifest, then every member once: unpack it into ``stage`` and compare its
    SHA-256 and size with the manifest. Any difference, a missing or an extra member: refused."""
    if not archive.is_file():
        raise BackupError(f"找不到备份文件 {archive}")
    try:
        tar = tarfile.open(archive, mode="r:")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{archive} 不是有效的备份文件（tar）：{exc}") from None
    with tar:
        try:
            infos = tar.getmembers()
            names = tar.getnames()
            body = tar.extractfile(MANIFEST).read() if MANIFEST in names else b""
            mac = tar.extractfile(MANIFEST_MAC).read().decode().strip() if MANIFEST_MAC in names else ""
            manifest = json.loads(body) if body else None
        except (tarfile.TarError, ValueError, OSError) as exc:
            raise BackupError(f"备份文件已损坏：{exc}") from None
        if not isinstance(manifest, dict) or not isinstance(manifest.get("members"), dict):
            raise BackupError("备份文件中没有有效的 manifest.json（不是 zhengwu backup 生成的备份，或已损坏）")
        if manifest.get("format") != FORMAT:
            raise BackupError(f"备份格式 {manifest.get('format')} 不受本版本支持（支持 {FORMAT}）")
        if not hmac.compare_digest(mac, backup.manifest_mac(body)):
            ours = backup.key_fingerprints()["ZHENGWU_AUDIT_KEY"]
            if (manifest.get("keys") or {}).get("ZHENGWU_AUDIT_KEY") != ours:
                check_keys(manifest)  # names the key(s) that differ
            raise BackupError("备份清单 manifest.json 的校验码不符（清单被篡改），未做任何恢复")
        if manifest.get("database", {}).get("member") not in DB_MEMBERS.values():
            raise BackupError("备份清单中的数据库成员名无效（清单被篡改）")
        expected: dict[str, dict] = manifest["members"]
        seen: list[str] = []
        for info in infos:
            if info.name in (MANIFEST, MANIFEST_MAC) or info.isdir():
                continue
            if not info.isreg() or not _safe_name(info.name):
                raise BackupError(f"备份文件中有不允许的成员 {info.name!r}（只能是普通文件，路径不得越出目录）")
            if info.name not in expected:
                raise BackupError(f"备份文件中多出了清单没有的成员 {info.name}（备份被篡改）")
            want = expected[info.name]
            target = stage / info.name
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            h, size = hashlib.sha256(), 0
            src = tar.extractfile(info)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                while block := src.read(CHUNK):
                    h.update(block)
                    size += len(block)
                    out.write(block)
            if h.hexdigest() != want.get("sha256") or size != want.get("size"):
                raise BackupError(f"成员 {info.name} 的 SHA-256 与清单不符（备份被篡改或已损坏），未做任何恢复")
            seen.append(info.name)
        missing = sorted(set(expected) - set(seen))
        if missing:
            raise BackupError(f"备份文件缺少清单中的 {len(missing)} 个成员，如 {missing[0]}（备份不完整）")
    return Staged(manifest, stage, seen)


def check_keys(manifest: dict, *, accept_new_secret_key: bool = False) -> list[str]:
    """Refuse when a configured key is not the one the archive was made with (by fingerprint).
    Returns warnings (a new secret key, when accepted)."""
    theirs: dict = manifest.get("keys") or {}
    ours = backup.key_fingerprints()
    problems, warnings = [], []
    for name, fp in theirs.items():
        if fp is None or ours.get(name) == fp:
            continue
        if name == "ZHENGWU_SECRET_KEY" and accept_new_secret_key:
            warnings.append(f"ZHENGWU_SECRET_KEY 与备份时不同（已按 --accept-new-secret-key 继续）：{KEY_NOTES[name]}。")
            continue
        if name == "ZHENGWU_AUDIT_SIGNING_KEY":
            where = f"设置 ZHENGWU_AUDIT_SIGNING_KEY，或把原机的 signing.key 复制到 {settings.ZHENGWU_AUDIT_DIR}/"
            state = "本机没有审计签名密钥" if ours.get(name) is None else "与备份时不同"
        else:
            where = f"设置与备份时相同的 {name}，或把原数据目录的 keys.json 复制到 {settings.DATA_DIR}/"
            state = "与备份时不同"
        problems.append(f"{name} {state}（{KEY_NOTES.get(name, '')}）：请{where}")
    if problems:
        raise BackupError("密钥与备份不符，拒绝恢复：\n  " + "\n  ".join(problems))
    return warnings


def check_database(manifest: dict) -> list[tuple[str, str]]:
    """The vendor must match; every migration the archive has applied must be known to this
    version. Returns the migrations this version will run after the restore."""
    theirs = manifest.get("database", {}).get("vendor")
    if theirs != connection.vendor:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(f"备份的数据库是 {names.get(theirs, theirs)}，本机配置的是 {names.get(connection.vendor, connection.vendor)}"
                          "：不能跨数据库类型恢复（请按 DATABASE_URL 配置同类数据库）")
    loader = MigrationLoader(None, ignore_no_migrations=True)
    applied = {(app, name) for app, names in (manifest.get("migrations") or {}).items() for name in names}
    unknown = sorted(m for m in applied if m not in loader.disk_migrations)
    if unknown:
        app, name = unknown[0]
        raise BackupError(f"备份来自更新的版本：含本版本没有的迁移 {app}.{name} 等 {len(unknown)} 个；"
                          "请先把 zhengwu 升级到不低于备份时的版本再恢复")
    return sorted(m for m in loader.disk_migrations if m not in applied)


def existing_data() -> str | None:
    """What the target database already holds (None: empty — no tables, or tables without
    users, cases or audit records, e.g. just migrated)."""
    from django.apps import apps

    tables = set(connection.introspection.table_names())
    found = []
    for label, what in (("accounts.User", "用户"), ("cases.Case", "办件"), ("core.AuditEvent", "审计记录")):
        try:
            table = apps.get_model(label)._meta.db_table
        except LookupError:
            continue
        if table in tables:
            with connection.cursor() as cur:
                cur.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
                n = cur.fetchone()[0]
            if n:
                found.append(f"{n} 条{what}")
    return "、".join(found) or None


# -- writing ---------------------------------------------------------------------------------------
def _restore_sqlite(staged_db: Path) -> None:
    target = Path(settings.DATABASES["default"]["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    tmp = target.with_name(f".{target.name}.restoring")
    shutil.copyfile(staged_db, tmp)
    with open(tmp, "rb") as f:
        os.fsync(f.fileno())
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    os.replace(tmp, target)


def _restore_postgresql(staged_db: Path) -> None:
    """Drop whatever tables the target holds (checked empty, or --force), then pg_restore in one
    transaction: a failure leaves the restore undone."""
    tool = backup.pg_tool("pg_restore")
    with connection.cursor() as cur:
        cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        tables = [r[0] for r in cur.fetchall()]
        cur.execute("SELECT viewname FROM pg_views WHERE schemaname = current_schema()")
        views = [r[0] for r in cur.fetchall()]
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        if views:
            cur.execute(f"DROP VIEW IF EXISTS {', '.join(qn(v) for v in views)} CASCADE")
        if tables:
            cur.execute(f"DROP TABLE IF EXISTS {', '.join(qn(t) for t in tables)} CASCADE")
    connections.close_all()
    env, name = backup.pg_env()
    backup.run_pg([tool, "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner",
                   "--no-privileges", "--no-password", f"--dbname={name}", str(staged_db)], env, "pg_restore 恢复数据库")


def _move_tree(src: Path, dest: Path) -> int:
    n = 0
    if not src.is_dir():
        return 0
    for dirpath, _dirs, names in os.walk(src):
        for name in names:
            path = Path(dirpath) / name
            target = dest / path.relative_to(src)
            target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.move(path, target)
            os.chmod(target, 0o600)
            n += 1
    return n


@dataclass
class RestoreResult:
    manifest: dict
    files: int
    audit_files: int
    migrated: list[tuple[str, str]]
    counts: dict[str, int]
    warnings: list[str]


def restore(archive: str | os.PathLike, *, force: bool = False, accept_new_secret_key: bool = False,
            log=lambda msg: None) -> RestoreResult:
    from django.core.management import call_command

    archive = Path(archive)
    data_dir = Path(settings.DATA_DIR)
    with tempfile.TemporaryDirectory(prefix=".zhengwu-restore-", dir=data_dir) as tmp:
        stage = Path(tmp)
        log("校验备份文件各成员的 SHA-256…")
        staged = read_and_stage(archive, stage)
        manifest = staged.manifest
        warnings = check_keys(manifest, accept_new_secret_key=accept_new_secret_key)
        pending = check_database(manifest)
        held = existing_data()
        if held and not force:
            raise BackupError(f"目标数据库不是空的（已有 {held}），拒绝恢复以免覆盖现有数据；"
                              "确需覆盖请先另行备份，再加 --force")
        if connection.vendor == "postgresql":
            backup.pg_tool("pg_restore")  # found before anything is dropped
        unsaved = getattr(settings, "ZHENGWU_UNSAVED_KEYS", None)
        if unsaved:  # keys this process generated (the settings write none for a restore)
            log("写入本机新生成的密钥 keys.json…")
            local_keys.save(data_dir, unsaved)
        db_member = manifest["database"].get("member") or DB_MEMBERS[connection.vendor]
        log(f"恢复数据库（{connection.vendor}）…")
        if connection.vendor == "sqlite":
            _restore_sqlite(stage / db_member)
        else:
            _restore_postgresql(stage / db_member)
        log("恢复文件与审计目录…")
        files = _move_tree(stage / "data", data_dir)
        audit_files = _move_tree(stage / "audit", Path(settings.ZHENGWU_AUDIT_DIR))
    connections.close_all()
    if pending:
        log(f"备份早于本版本：执行 {len(pending)} 个迁移…")
        call_command("migrate", interactive=False, verbosity=0)
    forget_workers()
    counts = _counts()
    return RestoreResult(manifest, files, audit_files, pending, counts, warnings)


def forget_workers() -> int:
    """Delete the restored worker heartbeats: they describe the old machine's processes, and
    /api/v1/ready would report a worker running (for up to ZHENGWU_READY_WORKER_SECONDS) where
    none has started. A worker running here beats again within ZHENGWU_HEARTBEAT_SECONDS."""
    from .models import WorkerHeartbeat

    return WorkerHeartbeat.objects.all().delete()[0]


def _counts() -> dict[str, int]:
    from django.apps import apps

    out = {}
    for label in backup.COUNTED:
        try:
            out[label] = apps.get_model(label)._default_manager.count()
        except LookupError:
            continue
    return out
