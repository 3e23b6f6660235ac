"""The test database each worker copies (tests/migrated_db.py) is the one migrate makes."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.migrated_db import schema_key


@pytest.mark.django_db
def test_the_test_database_has_every_migration_on_disk_applied():
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    assert plan == [], f"not applied: {[m.app_label + '.' + m.name for m, _ in plan]}"


def test_the_key_changes_with_the_vendor_and_is_stable():
    assert schema_key("sqlite") == schema_key("sqlite") != schema_key("postgresql")


def test_the_key_changes_with_a_migration_and_with_an_apps_version_not_with_other_packages(tmp_path, monkeypatch):
    """A copy made before a migration changed (or Django was upgraded) must not be reused; a tool
    installed next to the platform (ruff, py-spy) must not make the copy useless."""
    before = schema_key("sqlite")
    app = apps.get_app_config("core")
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    for f in (Path(app.path) / "migrations").glob("*.py"):
        (migrations / f.name).write_bytes(f.read_bytes())
    monkeypatch.setattr(app, "path", str(tmp_path))
    assert schema_key("sqlite") == before  # the same files elsewhere: the same key
    (migrations / "0001_initial.py").write_bytes((migrations / "0001_initial.py").read_bytes() + b"\n# changed\n")
    changed = schema_key("sqlite")
    assert changed != before
    real_distributions, real_version = importlib.metadata.distributions, importlib.metadata.version

    class Tool:  # a package no app comes from
        metadata, version = {"Name": "some-linter"}, "9.9"

        def read_text(self, name):
            return "some_linter\n" if name == "top_level.txt" else None

    monkeypatch.setattr(importlib.metadata, "distributions", lambda: [*real_distributions(), Tool()])
    assert schema_key("sqlite") == changed
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "99.0" if name.lower() == "django" else real_version(name))
    assert schema_key("sqlite") != changed
