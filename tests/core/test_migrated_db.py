"""The test database each worker copies (tests/migrated_db.py) is the one migrate makes."""

from __future__ import annotations

import pytest
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
