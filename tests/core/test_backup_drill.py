"""The restore drill (恢复演练, docs/backup.md) as an operator runs it: a populated platform (the
demo district: cases with uploaded files, users, audit records and a signed checkpoint) is backed
up with ``zhengwu backup``, restored with ``zhengwu restore`` into an empty one (a new data
directory and a new database), and every case, every file (its decrypted bytes) and the audit
chain are back. Then the refusals: a tampered archive, a wrong key, a database that has data.

Each platform is its own ``python -m zhengwu`` process with its own environment. On SQLite the
databases are files in the data directories; when the suite runs on PostgreSQL (DATABASE_URL),
the drill creates and drops its own databases ``test_zw_opsbak_src`` and ``test_zw_opsbak_dst`` (with
the pytest-xdist worker's name after ``opsbak_``)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
KEYS = {
    "ZHENGWU_SECRET_KEY": "drill-secret-key-0123456789-0123456789-0123456789",
    "ZHENGWU_PII_KEY": base64.b64encode(b"drill-pii-key-0123456789abcdef01").decode(),
    "ZHENGWU_AUDIT_KEY": base64.b64encode(b"drill-audit-key-0123456789abcdef").decode(),
}
OTHER_PII_KEY = base64.b64encode(b"other-pii-key-0123456789abcdef01").decode()

# Everything that must come back, read through the platform: the cases' rows, the users' decrypted
# personal data, every stored file's decrypted bytes (SHA-256) and the audit events.
SNAPSHOT = r"""
import hashlib, json, django
django.setup()
from zhengwu.accounts.models import Applicant
from zhengwu.cases.models import Case
from zhengwu.core import files
from zhengwu.core.models import AuditEvent
out = {"cases": list(Case.objects.order_by("pk").values()),
       "applicants": [[a.pk, a.user_id, a.id_number, a.phone] for a in Applicant.objects.order_by("pk")],
       "files": {}, "audit": list(AuditEvent.objects.exclude(action__startswith="ops.").order_by("seq")
                                  .values_list("seq", "hash"))}
for model, name in files.file_fields():
    for obj in model._default_manager.exclude(**{name: ""}).order_by("pk"):
        f = getattr(obj, name)
        with f.open("rb") as fh:
            out["files"][f"{model._meta.label}:{obj.pk}:{name}"] = [f.name, hashlib.sha256(fh.read()).hexdigest()]
print(json.dumps(out, default=str, ensure_ascii=False))
"""


def _pg_url(name: str) -> str:
    import dj_database_url

    conf = dj_database_url.parse(os.environ["DATABASE_URL"])
    auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf.get("PASSWORD") else "")
    return f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        c.execute(sql)


def _pg_create(name: str, template: str | None = None) -> None:
    """A new PostgreSQL database ``name``: empty, or a copy of ``template``."""
    _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_admin(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


class Platform:
    """One installation: a data directory, a database, the environment of its processes.

    ``template``: start from a copy of an empty, migrated database (a SQLite file, or a PostgreSQL
    database used as a template) instead of an empty one; the migrations take half a minute or more."""

    def __init__(self, data_dir: Path, db_name: str | None, template: Path | str | None = None, **env):
        self.data_dir, self.db_name = data_dir, db_name
        data_dir.mkdir(parents=True, exist_ok=True)
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("ZHENGWU_", "DJANGO_", "DATABASE_URL"))}
        self.env = {**keep, **KEYS, "ZHENGWU_DATA_DIR": str(data_dir), "ZHENGWU_TESTING": "1", "ZHENGWU_WORKER": "off",
                    "DJANGO_SETTINGS_MODULE": "zhengwu.settings", "ZHENGWU_LOG_LEVEL": "WARNING",
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])), **env}
        if db_name:
            _pg_create(db_name, template)
            self.env["DATABASE_URL"] = _pg_url(db_name)
        elif template:
            shutil.copy2(template, self.sqlite_file)

    def run(self, *args: str, check: bool = True, env: dict | None = None) -> subprocess.CompletedProcess:
        proc = subprocess.run([sys.executable, "-m", "zhengwu", *args], env={**self.env, **(env or {})},
                              capture_output=True, text=True, timeout=900)
        if check:
            assert proc.returncode == 0, f"zhengwu {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
        return proc

    def snapshot(self) -> dict:
        proc = subprocess.run([sys.executable, "-c", SNAPSHOT], env=self.env, capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        return json.loads(proc.stdout.strip().splitlines()[-1])

    def drop(self) -> None:
        if self.db_name:
            _pg_admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')

    @property
    def sqlite_file(self) -> Path:
        return self.data_dir / "zhengwu.sqlite3"


# The module's tests share one populated platform (the module-scoped fixture): one worker runs them all.
pytestmark = pytest.mark.xdist_group("backup_drill")


def _vendors():
    on_pg = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    return [pytest.param("postgresql" if on_pg else "sqlite", id="postgresql" if on_pg else "sqlite")]


def _copy_kept_template(pg: bool, template: Path | str) -> bool:
    """The drill's empty migrated database made as a copy of the suite's kept one (tests/migrated_db.py,
    made when the worker's test database was): the migrations, half a minute and more in a subprocess,
    are not run again. False when there is none to copy (ZHENGWU_TEST_DB_CACHE=off)."""
    from tests.migrated_db import kept_database, template_lock

    kept = kept_database("postgresql" if pg else "sqlite")
    if kept is None:
        return False
    if not pg:
        shutil.copy2(kept, template)
        return True
    import psycopg

    with psycopg.connect(os.environ["DATABASE_URL"].replace("postgres://", "postgresql://", 1), autocommit=True) as c:
        with template_lock(c):
            if not c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [kept]).fetchone():
                return False
            c.execute(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{template}" TEMPLATE "{kept}"')
    return True


@pytest.fixture(scope="module", params=_vendors())
def drill(request, tmp_path_factory, django_db_setup):
    """The source platform, populated and backed up once for the module's tests.

    ``django_db_setup``: the worker's test database is made first, so that the migrated database the
    suite keeps exists and the drill's installations start from copies of it."""
    pg = request.param == "postgresql"
    base = tmp_path_factory.mktemp("drill")
    # Each pytest-xdist worker (make test runs two) drills on databases of its own.
    prefix = "test_zw_opsbak_" + os.environ.get("PYTEST_XDIST_WORKER", "")
    # The empty, migrated database, kept for the targets that need one (target(migrated=True)).
    template: Path | str = f"{prefix}migrated" if pg else base / "migrated.sqlite3"
    made: list[Platform] = []

    def target(name: str, migrated: bool = False, **env) -> Platform:
        """A new installation; ``migrated``: its database already migrated (and empty)."""
        t = Platform(base / name, f"{prefix}{name}" if pg else None, template if migrated else None, **env)
        made.append(t)
        # The operator brings the keys to the new machine: here the environment's keys, and the
        # audit signing key file (which the archive does not contain).
        (t.data_dir / "audit").mkdir(mode=0o700, exist_ok=True)
        shutil.copy2(source.data_dir / "audit" / "signing.key", t.data_dir / "audit" / "signing.key")
        return t

    try:  # the databases are dropped however far the setup got
        if _copy_kept_template(pg, template):
            source = Platform(base / "source", f"{prefix}src" if pg else None, template)
            made.append(source)
            source.run("migrate", "-v0")  # nothing to apply: checks that the copy is the current schema
        else:
            source = Platform(base / "source", f"{prefix}src" if pg else None)
            made.append(source)
            source.run("migrate", "-v0")
            if pg:
                _pg_create(str(template), source.db_name)
            else:
                shutil.copy2(source.sqlite_file, template)
        source.run("demo", "--no-history")
        source.run("audit", "checkpoint")
        out = source.run("backup", "--out", str(base / "backups") + os.sep)
        archive = next((base / "backups").glob("zhengwu-backup-*.tar"))
        yield {"source": source, "archive": archive, "target": target, "backup_out": out.stdout,
               "snapshot": source.snapshot(), "vendor": request.param}
    finally:
        for p in made:
            p.drop()
        if pg:
            _pg_admin(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


def test_backup_archive_holds_a_manifest_and_no_key(drill):
    with tarfile.open(drill["archive"]) as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("manifest.json").read())
        blob = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isreg())
    assert names[-2:] == ["manifest.json", "manifest.hmac"]
    assert manifest["database"]["vendor"] == drill["vendor"]
    assert set(manifest["members"]) == set(names) - {"manifest.json", "manifest.hmac"}
    assert manifest["files"]["count"] == sum(n.startswith("data/") for n in names) > 0
    assert any(n.startswith("data/files/cases/") for n in names)
    assert "audit/checkpoints.jsonl" in names and not any(n.endswith(("signing.key", "keys.json")) for n in names)
    assert manifest["counts"]["cases.Case"] == len(drill["snapshot"]["cases"]) > 0
    assert manifest["audit"]["latest_checkpoint"]["n"] == 1 and manifest["audit"]["heads"]
    assert "0003_audit_chains" in manifest["migrations"]["core"]
    signing = (drill["source"].data_dir / "audit" / "signing.key").read_text().strip()
    for secret in [*KEYS.values(), signing]:
        assert secret.encode() not in blob
    import hashlib

    assert manifest["keys"]["ZHENGWU_PII_KEY"] == hashlib.sha256(KEYS["ZHENGWU_PII_KEY"].encode()).hexdigest()


def test_restore_into_an_empty_platform_brings_everything_back(drill):
    target = drill["target"]("dst")
    proc = target.run("restore", str(drill["archive"]))
    assert "审计链完整" in proc.stdout and "恢复完成" in proc.stdout
    after = target.snapshot()
    before = drill["snapshot"]
    assert after["cases"] == before["cases"]
    assert after["applicants"] == before["applicants"]
    assert any(len(a[2] or "") == 18 for a in after["applicants"])  # decrypted ID numbers
    assert after["files"] == before["files"] and len(after["files"]) >= 10
    assert after["audit"] == before["audit"]
    # The restored files are still encrypted at rest, in the new data directory.
    name = next(iter(after["files"].values()))[0]
    assert (target.data_dir / "files" / name).read_bytes().startswith(b"ZWENC\x1a")
    verify = target.run("audit", "verify")
    assert "审计链完整" in verify.stdout and "检查点 1 个" in verify.stdout
    # Restoring again is refused: the database has data now.
    again = target.run("restore", str(drill["archive"]), check=False)
    assert again.returncode != 0 and "目标数据库不是空的" in again.stderr


def _nothing_restored(target: Platform) -> None:
    assert not (target.data_dir / "files").exists()
    assert not (target.data_dir / "audit" / "checkpoints.jsonl").exists()
    if target.db_name is None:
        db = target.sqlite_file
        assert not db.exists() or db.stat().st_size == 0
    else:
        import psycopg

        with psycopg.connect(target.env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)) as c:
            assert c.execute("SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()[0] == 0


def test_a_tampered_archive_is_refused(drill, tmp_path):
    tampered = tmp_path / "tampered.tar"
    shutil.copy(drill["archive"], tampered)
    with tarfile.open(tampered) as tar:
        member = next(m for m in tar.getmembers() if m.name.startswith("data/files/"))
    with open(tampered, "r+b") as f:  # one byte of one uploaded file's stored bytes
        f.seek(member.offset_data + member.size // 2)
        byte = f.read(1)
        f.seek(-1, os.SEEK_CUR)
        f.write(bytes([byte[0] ^ 0xFF]))
    target = drill["target"]("tampered")
    proc = target.run("restore", str(tampered), check=False)
    assert proc.returncode != 0
    assert f"成员 {member.name} 的 SHA-256 与清单不符" in proc.stderr
    _nothing_restored(target)


def test_a_rewritten_manifest_is_refused(drill, tmp_path):
    """A tamperer who changes a file and its SHA-256 in the manifest still lacks the audit key
    that the manifest's HMAC is made with."""
    import hashlib
    import io

    forged = tmp_path / "forged.tar"
    with tarfile.open(drill["archive"]) as src, tarfile.open(forged, "w", format=tarfile.PAX_FORMAT) as out:
        manifest = json.loads(src.extractfile("manifest.json").read())
        for info in src.getmembers():
            data = src.extractfile(info).read()
            if info.name.startswith("data/files/cases/") and "forged" not in manifest:
                data, manifest["forged"] = b"forged", info.name
                manifest["members"][info.name] = {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
            elif info.name == "manifest.json":
                data = json.dumps(manifest, ensure_ascii=False).encode()
            info.size = len(data)
            out.addfile(info, io.BytesIO(data))
    target = drill["target"]("forged")
    proc = target.run("restore", str(forged), check=False)
    assert proc.returncode != 0 and "清单被篡改" in proc.stderr
    _nothing_restored(target)


def test_a_wrong_key_is_refused_by_name(drill):
    target = drill["target"]("wrongkey", ZHENGWU_PII_KEY=OTHER_PII_KEY)
    proc = target.run("restore", str(drill["archive"]), check=False)
    assert proc.returncode != 0
    assert "ZHENGWU_PII_KEY 与备份时不同" in proc.stderr and "ZHENGWU_AUDIT_KEY" not in proc.stderr
    _nothing_restored(target)


def test_a_missing_signing_key_is_refused(drill):
    target = drill["target"]("nosigning")
    (target.data_dir / "audit" / "signing.key").unlink()
    proc = target.run("restore", str(drill["archive"]), check=False)
    assert proc.returncode != 0 and "ZHENGWU_AUDIT_SIGNING_KEY 本机没有审计签名密钥" in proc.stderr
    _nothing_restored(target)


def test_restore_into_a_database_with_data_is_refused_unless_forced(drill):
    target = drill["target"]("busy", migrated=True)
    target.run("shell", "-c", "from zhengwu.accounts.models import User; User.objects.create(username='已有用户')")
    proc = target.run("restore", str(drill["archive"]), check=False)
    assert proc.returncode != 0 and "目标数据库不是空的（已有 1 条用户" in proc.stderr
    assert not (target.data_dir / "files").exists()
    forced = target.run("restore", str(drill["archive"]), "--force")
    assert "审计链完整" in forced.stdout
    assert target.snapshot()["cases"] == drill["snapshot"]["cases"]


def test_an_older_archive_is_migrated_forward(drill, tmp_path):
    """A backup of a platform one migration behind (core 0008 not applied): the restore runs it."""
    old = drill["target"]("old", migrated=True)
    old.run("migrate", "core", "0007_feed_outbox", "-v0")
    old.run("shell", "-c", "from zhengwu.accounts.models import User; User.objects.create(username='老版本用户')")
    old.run("backup", "--out", str(tmp_path / "old.tar"))
    new = drill["target"]("new")
    proc = new.run("restore", str(tmp_path / "old.tar"))
    assert "执行 1 个迁移" in proc.stdout and "审计链完整" in proc.stdout
    assert "没有待执行的迁移" in new.run("upgrade-check").stdout
    users = new.run("shell", "-c", "from zhengwu.accounts.models import User; print(list(User.objects.values_list('username', flat=True)))")
    assert "老版本用户" in users.stdout


def _listing(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in sorted(root.rglob("*"))}


def test_a_restore_refused_for_missing_keys_leaves_the_target_as_it_was(drill):
    """Without any key on the new machine the restore is refused, naming the four keys, and the
    keys the settings would generate (keys.json, its lock file) are not written."""
    target = drill["target"]("nokeys", ZHENGWU_SECRET_KEY="", ZHENGWU_PII_KEY="", ZHENGWU_AUDIT_KEY="")
    shutil.rmtree(target.data_dir / "audit")
    before = _listing(target.data_dir)
    assert before == {}
    proc = target.run("restore", str(drill["archive"]), check=False)
    assert proc.returncode != 0
    for name in ("ZHENGWU_SECRET_KEY", "ZHENGWU_PII_KEY", "ZHENGWU_AUDIT_KEY", "ZHENGWU_AUDIT_SIGNING_KEY"):
        assert name in proc.stderr
    assert _listing(target.data_dir) == before
    # Any other command still makes the keys once, as before.
    target.run("check")
    assert (target.data_dir / "keys.json").exists()


def test_keys_a_restore_generates_are_written_once_it_goes_ahead(drill):
    """The settings of a restore write no keys.json; the restore writes the keys it made (here a
    new secret key, accepted) once its checks pass, so the next process uses the same ones."""
    target = drill["target"]("newsecret", ZHENGWU_SECRET_KEY="")
    proc = target.run("restore", str(drill["archive"]), "--accept-new-secret-key")
    assert "恢复完成" in proc.stdout and "写入本机新生成的密钥" in proc.stdout
    keys = json.loads((target.data_dir / "keys.json").read_text())
    assert set(keys) >= {"secret_key", "pii_key", "audit_key"}
    assert "审计链完整" in target.run("audit", "verify").stdout


def test_a_restore_forgets_the_old_machines_worker_heartbeats(drill, tmp_path):
    """The archive holds the heartbeat rows of the source's workers: after a restore
    /api/v1/ready must not report a worker running until one starts here."""
    old = drill["target"]("beating", migrated=True)
    old.run("shell", "-c", "from django.utils import timezone; from zhengwu.core import heartbeat; "
                           "from zhengwu.accounts.models import User; User.objects.create(username='有心跳'); "
                           "heartbeat.beat('old-host', 4242, timezone.now())")
    old.run("backup", "--out", str(tmp_path / "beating.tar"))
    new = drill["target"]("beating-new")
    new.run("restore", str(tmp_path / "beating.tar"))
    proc = new.run("shell", "-c", "from zhengwu.core.models import WorkerHeartbeat; "
                                  "print('heartbeats', WorkerHeartbeat.objects.count())")
    assert "heartbeats 0" in proc.stdout
