"""The migrated test database, made once per schema and copied into each worker (ADR 0058).

Running every migration takes Django over half a minute here (it renders the migration state again
after each operation), and each pytest-xdist worker made its own test database that way, for the
SQLite suite and again for the PostgreSQL one. Now the first worker to need it migrates and keeps a
copy; every later worker, and every later run with the same migrations, copies it instead:

- SQLite (an in-memory database per worker): a file in ``ZHENGWU_TEST_DB_CACHE`` (default
  ``$TMPDIR/zhengwu-test-db``), restored with SQLite's backup API; older copies are deleted when a
  new one is made;
- PostgreSQL: a template database ``zwtpl_<key>``, the test database made with ``CREATE DATABASE …
  TEMPLATE``; older templates are dropped when a new one is made.

The key is a digest of every installed app's migration files, the versions of the distributions that
provide the apps (Django among them) and the database vendor, so a new or changed migration (or an
upgraded app) migrates again. A file lock (SQLite) or an advisory lock (PostgreSQL) makes the other
workers wait for the first instead of migrating too. ``ZHENGWU_TEST_DB_CACHE=off`` migrates in every worker as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import os
import sqlite3
import tempfile
from pathlib import Path

from django.apps import apps
from django.conf import settings

_LOCK_ID = 0x7A77_7462  # "zwtb": the advisory lock of the PostgreSQL template


def _cache_dir() -> Path | None:
    value = os.environ.get("ZHENGWU_TEST_DB_CACHE", "")
    if value.lower() in ("off", "0", "no"):
        return None
    return Path(value) if value else Path(tempfile.gettempdir()) / "zhengwu-test-db"


def _app_distributions() -> list[str]:
    """name==version of each distribution that provides an installed app (Django among them: its
    schema editor writes the SQL), not every installed package: a tool added to one virtualenv
    (ruff, py-spy) must not make its runs migrate again."""
    providers = importlib.metadata.packages_distributions()
    names = {d for app in apps.get_app_configs() for d in providers.get(app.module.__name__.split(".")[0], ())}
    return sorted(f"{n}=={importlib.metadata.version(n)}" for n in names)


def schema_key(vendor: str) -> str:
    h = hashlib.sha256(vendor.encode())
    for dist in _app_distributions():
        h.update(dist.encode())
    for app in sorted(apps.get_app_configs(), key=lambda a: a.label):
        h.update(app.label.encode())
        folder = Path(app.path) / "migrations"
        for f in sorted(folder.glob("*.py")) if folder.is_dir() else ():
            h.update(f.name.encode() + f.read_bytes())
    h.update(repr(sorted(settings.CACHES.items())).encode())  # createcachetable
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _file_lock(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _use_name(creation, name: str) -> None:
    """What Django's create_test_db does after making the database: point the connection at it."""
    creation.connection.close()
    settings.DATABASES[creation.connection.alias]["NAME"] = name
    creation.connection.settings_dict["NAME"] = name


def _sqlite(original):
    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        cache = _cache_dir()
        name = self._get_test_db_name()
        if cache is None or keepdb or not self.is_in_memory_db(name):
            return original(self, verbosity, autoclobber, serialize, keepdb)
        kept = cache / f"sqlite-{schema_key('sqlite')}.sqlite3"
        with _file_lock(kept):
            if not kept.exists():
                made = original(self, verbosity, autoclobber, serialize, keepdb)
                self.connection.ensure_connection()
                part = kept.with_suffix(f".{os.getpid()}.part")
                with contextlib.closing(sqlite3.connect(part)) as copy:
                    self.connection.connection.backup(copy)
                os.replace(part, kept)
                for old in cache.glob("sqlite-*.sqlite3"):  # earlier schemas' copies (as PostgreSQL's templates)
                    if old != kept:
                        with contextlib.suppress(OSError):
                            old.unlink()
                            old.with_suffix(".lock").unlink()
                return made
        _use_name(self, name)
        self.connection.ensure_connection()
        with contextlib.closing(sqlite3.connect(f"file:{kept}?mode=ro", uri=True)) as source:
            source.backup(self.connection.connection)
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        return name

    return create_test_db


def _postgresql(original):
    def create_test_db(self, verbosity=1, autoclobber=False, serialize=True, keepdb=False):
        if _cache_dir() is None or keepdb:
            return original(self, verbosity, autoclobber, serialize, keepdb)
        template = f"zwtpl_{schema_key('postgresql')}"
        name = self._get_test_db_name()
        q = self.connection.ops.quote_name
        with self._nodb_cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [_LOCK_ID])
            try:
                cursor.execute("SELECT datname FROM pg_database WHERE datname LIKE 'zwtpl\\_%%'")
                templates = {row[0] for row in cursor.fetchall()}
                if template not in templates:
                    made = original(self, verbosity, autoclobber, serialize, keepdb)
                    self.connection.close()  # a template must have no other connection
                    for old in templates:
                        with contextlib.suppress(Exception):  # another run may be copying it right now
                            cursor.execute(f"DROP DATABASE IF EXISTS {q(old)}")
                    cursor.execute(f"CREATE DATABASE {q(template)} TEMPLATE {q(made)}")
                    return made
                cursor.execute(f"DROP DATABASE IF EXISTS {q(name)}")
                cursor.execute(f"CREATE DATABASE {q(name)} TEMPLATE {q(template)}")
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_ID])
        _use_name(self, name)
        self.connection.ensure_connection()
        if serialize:
            self.connection._test_serialized_contents = self.serialize_db_to_string()
        return name

    return create_test_db


def kept_database(vendor: str) -> Path | str | None:
    """The kept migrated database of this schema, once a worker's test database has been made
    (the ``django_db_setup`` fixture): the SQLite file, or the PostgreSQL template's name; None when
    the cache is off or holds none. Tests that start installations of their own (the backup drill)
    copy it instead of running every migration again in a subprocess."""
    cache = _cache_dir()
    if cache is None:
        return None
    if vendor == "postgresql":
        return f"zwtpl_{schema_key('postgresql')}"
    kept = cache / f"sqlite-{schema_key('sqlite')}.sqlite3"
    return kept if kept.exists() else None


@contextlib.contextmanager
def template_lock(cursor):
    """The advisory lock under which the PostgreSQL template is made and copied (``CREATE DATABASE
    … TEMPLATE`` fails while another session copies the same template)."""
    cursor.execute("SELECT pg_advisory_lock(%s)", [_LOCK_ID])
    try:
        yield
    finally:
        cursor.execute("SELECT pg_advisory_unlock(%s)", [_LOCK_ID])


def install() -> None:
    """Wrap the SQLite and PostgreSQL backends' create_test_db (called from pytest_configure)."""
    from django.db.backends.postgresql.creation import (
        DatabaseCreation as PostgreSQLCreation,
    )
    from django.db.backends.sqlite3.creation import DatabaseCreation as SQLiteCreation

    for cls, wrap in ((SQLiteCreation, _sqlite), (PostgreSQLCreation, _postgresql)):
        if not getattr(cls.create_test_db, "_zhengwu_cached", False):
            cls.create_test_db = wrap(cls.create_test_db)
            cls.create_test_db._zhengwu_cached = True
