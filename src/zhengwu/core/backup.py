"""Backups (备份): one tar archive of the database, the data directory's files and the audit
directory, with a manifest (docs/backup.md).

Layout of the archive::

    db/zhengwu.sqlite3 | db/zhengwu.pgdump   the database (SQLite online backup / pg_dump -Fc)
    data/<path>                              files under ZHENGWU_DATA_DIR (uploads, models, exports…)
    audit/<path>                             files under ZHENGWU_AUDIT_DIR (checkpoints.jsonl)
    manifest.json                            SHA-256 and size of every other member, …
    manifest.hmac                            last: the manifest's HMAC (a key derived from the audit key)

Keys never go into the archive (keys.json, the audit signing key): the manifest holds their
SHA-256 fingerprints, which ``zhengwu restore`` compares with the keys configured where it
restores. Order: the database first, then the files. A file written after the dump is an extra
the restored database does not refer to (``zhengwu files prune`` removes it later); the other
order would lose the files uploaded between the two steps that the dump refers to. The audit
checkpoint file is the exception — it must hold exactly the checkpoints of the dump — so it is
read under its lock in the same moment the database snapshot is taken (:func:`_snapshot`).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import glob
import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
MANIFEST_MAC = "manifest.hmac"  # HMAC-SHA256 of manifest.json under a key derived from ZHENGWU_AUDIT_KEY
DB_MEMBERS = {"sqlite": "db/zhengwu.sqlite3", "postgresql": "db/zhengwu.pgdump"}
# Counted into the manifest and compared after a restore (labels, so core imports no domain app).
COUNTED = ["accounts.User", "cases.Case", "cases.CaseMaterial", "cases.CaseResult", "cases.Notification",
           "core.AuditEvent", "core.AuditCheckpoint", "hotline.Ticket", "licenses.Licence"]
# Under the data directory but not data: the database (dumped on its own), keys, caches, locks.
SKIP_TOP = {"static", "cache", "tmp", "keys.json", "keys.json.lock"}
SKIP_SUFFIXES = (".lock", ".tmp", ".pid", "-wal", "-shm", "-journal")
SIGNING_KEY_FILE = "signing.key"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot go on (the message, in Chinese, says why)."""


# -- keys ------------------------------------------------------------------------------------------
def _sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def manifest_mac(body: bytes) -> str:
    """The manifest's MAC: whoever rewrites a member and its SHA-256 in the manifest without the
    operator's audit key is caught (the SHA-256s alone only catch damage)."""
    key = hashlib.sha256(b"zhengwu/backup/manifest/v1\x00" + settings.ZHENGWU_AUDIT_KEY.encode()).digest()
    return hmac.new(key, body, hashlib.sha256).hexdigest()


def key_fingerprints() -> dict[str, str | None]:
    """SHA-256 of each key this installation uses (never the keys): the Django secret, the PII
    key, the audit MAC key, and the public half of the checkpoint signing key (None: none yet)."""
    from . import audit_anchor

    try:
        signing = audit_anchor.signing_key()
    except Exception:  # an unreadable key: compared as "different" rather than crashing here
        signing = None
    return {
        "ZHENGWU_SECRET_KEY": _sha256_text(settings.SECRET_KEY),
        "ZHENGWU_PII_KEY": _sha256_text(settings.ZHENGWU_PII_KEY),
        "ZHENGWU_AUDIT_KEY": _sha256_text(settings.ZHENGWU_AUDIT_KEY),
        "ZHENGWU_AUDIT_SIGNING_KEY": (hashlib.sha256(signing.public_key().public_bytes_raw()).hexdigest()
                                      if signing else None),
    }


# -- PostgreSQL client programs -------------------------------------------------------------------
def pg_tool(name: str) -> str:
    """``pg_dump``/``pg_restore``: from ZHENGWU_PG_BIN_DIR, else the newest
    /usr/lib/postgresql/<version>/bin (Debian puts them there without a PATH entry), else PATH."""
    configured = getattr(settings, "ZHENGWU_PG_BIN_DIR", "")
    if configured:
        path = Path(configured) / name
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
        raise BackupError(f"ZHENGWU_PG_BIN_DIR={configured} 下找不到可执行的 {name}")
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: [int(x) for x in re.findall(r"\d+", p)], reverse=True)
    found = candidates[0] if candidates else shutil.which(name)
    if not found:
        raise BackupError(f"找不到 PostgreSQL 客户端程序 {name}：请安装 postgresql-client（版本不低于数据库服务器），"
                          "或用 ZHENGWU_PG_BIN_DIR 指明其所在目录")
    return found


def pg_env() -> tuple[dict[str, str], str]:
    """The environment (PGHOST…, the password never on a command line) and the database name."""
    conf = settings.DATABASES["default"]
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD")):
        if conf.get(key):
            env[var] = str(conf[key])
    if conf.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = conf["OPTIONS"]["sslmode"]
    return env, conf["NAME"]


def run_pg(argv: list[str], env: dict[str, str], what: str) -> None:
    proc = subprocess.run(argv, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise BackupError(f"{what}失败（{Path(argv[0]).name} 退出码 {proc.returncode}）：{proc.stderr.strip()[-800:]}")


# -- the database snapshot ------------------------------------------------------------------------
@contextmanager
def checkpoint_lock() -> Iterator[Path]:
    """Hold the audit checkpoint file's lock (the one ``audit_anchor.take`` holds while it writes a
    checkpoint to the table and the file): inside it, table and file agree."""
    from . import audit_anchor

    path = audit_anchor.checkpoint_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "rb") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        yield path


def _state(cur, vendor: str) -> dict:
    """Migrations, counts and audit heads, read through ``cur`` (inside the snapshot)."""
    recorder = MigrationRecorder.Migration._meta.db_table
    cur.execute(f"SELECT app, name FROM {recorder} ORDER BY app, name")
    migrations: dict[str, list[str]] = {}
    for app, name in cur.fetchall():
        migrations.setdefault(app, []).append(name)
    counts = {}
    for label in COUNTED:
        try:
            table = apps.get_model(label)._meta.db_table
        except LookupError:
            continue
        cur.execute(f'SELECT COUNT(*) FROM "{table}"')
        counts[label] = int(cur.fetchone()[0])
    cur.execute('SELECT id, seq, hash FROM "core_audithead" WHERE seq > 0 ORDER BY id')
    heads = [[int(c), int(s), h] for c, s, h in cur.fetchall()]
    cur.execute('SELECT n, document FROM "core_auditcheckpoint" ORDER BY n DESC LIMIT 1')
    row = cur.fetchone()
    latest = None
    if row:
        doc = json.loads(row[1])
        latest = {"n": int(row[0]), "at": doc.get("at"), "events": doc.get("events")}
    return {"migrations": migrations, "counts": counts, "audit": {"heads": heads, "latest_checkpoint": latest}}


def _dump_sqlite(out: Path) -> dict:
    """The online backup API: a consistent copy while the site keeps serving."""
    src = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
    try:
        dst = sqlite3.connect(out)
        with dst:
            src.backup(dst)  # in one step: one read snapshot (WAL: writers go on meanwhile)
        dst.close()
    finally:
        src.close()
    copy = sqlite3.connect(out)
    try:
        return _state(copy.cursor(), "sqlite")
    finally:
        copy.close()


def _dump_postgresql(out: Path) -> dict:
    """pg_dump in the custom format from an exported snapshot: the state in the manifest is read
    in that same snapshot, so it describes exactly the dump."""
    tool = pg_tool("pg_dump")
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        cur = raw.cursor()
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cur.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot, server_version = cur.fetchone()
        state = {**_state(cur, "postgresql"), "server_version": server_version}
        env, name = pg_env()
        run_pg([tool, "--format=custom", f"--snapshot={snapshot}", "--no-password", f"--file={out}", name],
               env, "pg_dump 导出数据库")
        cur.execute("COMMIT")
    finally:
        raw.close()
    return state


def _copy_audit_dir(audit_dir: Path, stage: Path) -> None:
    """The audit directory's files but the signing key (a key: it stays with the operator)."""
    for path in _walk(audit_dir, audit_dir, skip_top=set()):
        if path.name == SIGNING_KEY_FILE or path.name.startswith("."):
            continue
        target = stage / path.relative_to(audit_dir)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


# -- files -----------------------------------------------------------------------------------------
def _walk(root: Path, base: Path, skip_top: set[str], exclude: tuple[Path, ...] = ()) -> Iterator[Path]:
    if not root.is_dir():
        return
    for dirpath, dirs, names in os.walk(root):
        here = Path(dirpath)
        if here == base:
            dirs[:] = [d for d in dirs if d not in skip_top]
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and here / d not in exclude)
        for name in sorted(names):
            path = here / name
            if path in exclude or name.startswith(".") or name.endswith(SKIP_SUFFIXES):
                continue
            if here == base and name in skip_top:
                continue
            if path.is_file() and not path.is_symlink():
                yield path


def data_files() -> Iterator[tuple[str, Path]]:
    """(member name, path) of every file under the data directory that is data."""
    data_dir = Path(settings.DATA_DIR).resolve()
    exclude = [Path(settings.ZHENGWU_AUDIT_DIR).resolve()]
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        exclude.append(Path(db["NAME"]).resolve())
    for path in _walk(data_dir, data_dir, SKIP_TOP, tuple(exclude)):
        rel = path.relative_to(data_dir).as_posix()
        if rel.startswith("zhengwu.sqlite3") or (path.name.startswith("zhengwu-backup-") and path.suffix == ".tar"):
            continue  # the database (dumped on its own); earlier archives written into the data directory
        yield f"data/{rel}", path


class _Hashing(io.RawIOBase):
    """Reads at most ``size`` bytes of ``f`` (a file growing while it is archived is cut at the
    size it had) and hashes them."""

    def __init__(self, f, size: int):
        self.f, self.left, self.sha = f, size, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        if self.left <= 0:
            return 0
        data = self.f.read(min(len(buf), self.left))
        if not data:
            raise BackupError("文件在备份过程中变短（被改写）")
        buf[:len(data)] = data
        self.left -= len(data)
        self.sha.update(data)
        return len(data)


@dataclass
class BackupResult:
    path: Path
    manifest: dict
    skipped: list[str] = field(default_factory=list)


def _add(tar: tarfile.TarFile, name: str, path: Path, members: dict) -> bool:
    try:
        f = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:  # removed since it was listed (files prune): nothing refers to it
        return False
    with f:
        st = os.fstat(f.fileno())
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = st.st_size, int(st.st_mtime), 0o600
        reader = _Hashing(f, st.st_size)
        tar.addfile(info, io.BufferedReader(reader, CHUNK))
        members[name] = {"sha256": reader.sha.hexdigest(), "size": st.st_size}
    return True


def archive_path(out: str | os.PathLike, now: dt.datetime) -> Path:
    as_dir = str(out).endswith(("/", os.sep))
    out = Path(out)
    if out.is_dir() or as_dir:
        # The last level is made; a missing parent is more likely a typo than a wish.
        if not out.parent.is_dir():
            raise BackupError(f"备份目录的上级目录不存在：{out.parent}（请先创建，或检查路径是否写错）")
        out.mkdir(exist_ok=True)
        return out / f"zhengwu-backup-{timezone.localtime(now):%Y%m%d-%H%M%S}.tar"
    if not out.parent.is_dir():
        raise BackupError(f"--out：目录 {out.parent} 不存在")
    return out


def create(out: str | os.PathLike) -> BackupResult:
    """Write one archive; returns its path and manifest. The archive appears whole or not at all
    (written beside, then renamed), mode 0600."""
    import zhengwu

    vendor = connection.vendor
    if vendor not in DB_MEMBERS:
        raise BackupError(f"不支持备份 {vendor} 数据库（只支持 PostgreSQL 与 SQLite）")
    now = timezone.now()
    target = archive_path(out, now)
    audit_dir = Path(settings.ZHENGWU_AUDIT_DIR).resolve()
    with tempfile.TemporaryDirectory(prefix=".zhengwu-backup-", dir=target.parent) as tmp:
        stage = Path(tmp)
        db_file = stage / Path(DB_MEMBERS[vendor]).name
        audit_stage = stage / "audit"
        with checkpoint_lock():
            if vendor == "sqlite":
                state = _dump_sqlite(db_file)
            else:
                state = _dump_postgresql(db_file)
            _copy_audit_dir(audit_dir, audit_stage)
        manifest = {
            "format": FORMAT,
            "zhengwu_version": zhengwu.__version__,
            "created_at": now.isoformat(),
            "database": {"vendor": vendor, "member": DB_MEMBERS[vendor],
                         **({"server_version": state["server_version"]} if "server_version" in state else {})},
            "migrations": state["migrations"],
            "counts": state["counts"],
            "audit": state["audit"],
            "keys": key_fingerprints(),
        }
        members: dict[str, dict] = {}
        skipped: list[str] = []
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
                _add(tar, DB_MEMBERS[vendor], db_file, members)
                for path in _walk(audit_stage, audit_stage, set()):
                    _add(tar, f"audit/{path.relative_to(audit_stage).as_posix()}", path, members)
                for name, path in data_files():
                    if not _add(tar, name, path, members):
                        skipped.append(name)
                data = [m for m in members if m.startswith("data/")]
                manifest["files"] = {"count": len(data), "bytes": sum(members[m]["size"] for m in data),
                                     "skipped_removed_during_backup": skipped}
                manifest["members"] = members
                body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size, info.mtime, info.mode = len(body), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(body))
                mac = manifest_mac(body).encode()
                info = tarfile.TarInfo(MANIFEST_MAC)
                info.size, info.mtime, info.mode = len(mac), int(now.timestamp()), 0o600
                tar.addfile(info, io.BytesIO(mac))
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return BackupResult(target, manifest, skipped)
