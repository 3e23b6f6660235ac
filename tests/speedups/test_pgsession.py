"""PostgreSQL connections keep their prepared statements through rollbacks (zhengwu.speedups.pgsession,
ADR 0013), and still forget them after DDL or DISCARD ALL, as psycopg does."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from zhengwu.accounts.models import User

pytestmark = [pytest.mark.django_db, pytest.mark.skipif("connection.vendor != 'postgresql'")]


def _server_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def _run_until_prepared():
    connection.ensure_connection()  # a transactional test may start without one
    for _ in range(connection.connection.prepare_threshold + 1):
        list(User.objects.filter(pk=-1))
    names = dict(connection.connection._prepared._names)
    assert names, "the query was not prepared"
    return set(n.decode() for n in names.values())


def test_connection_uses_the_rollback_keeping_cache_with_the_configured_size(settings):
    connection.ensure_connection()
    from zhengwu.speedups.pgsession import KeepOnRollback

    assert isinstance(connection.connection._prepared, KeepOnRollback)
    assert connection.connection.prepared_max == settings.ZHENGWU_PG_PREPARED_MAX


def test_prepared_statements_survive_a_savepoint_rollback_and_still_run():
    prepared = _run_until_prepared()  # inside the test's transaction: a rollback here is to a savepoint
    with pytest.raises(ValueError):
        with transaction.atomic():
            list(User.objects.filter(pk=-1))
            raise ValueError
    assert prepared <= set(n.decode() for n in connection.connection._prepared._names.values())
    assert prepared <= _server_statements()
    assert list(User.objects.filter(pk=-1)) == []  # the kept statement runs


@pytest.mark.django_db(transaction=True)
def test_prepared_statements_survive_a_transaction_rollback():
    prepared = _run_until_prepared()
    with pytest.raises(ValueError):
        with transaction.atomic():
            User.objects.filter(pk=-1).update(first_name="x")
            raise ValueError
    assert prepared <= _server_statements()
    assert list(User.objects.filter(pk=-1)) == []


def test_discard_all_still_forgets_them():
    _run_until_prepared()
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE ALL")
    assert not connection.connection._prepared._names
    assert list(User.objects.filter(pk=-1)) == []  # prepared again from scratch, no error


def test_timestamptz_values_are_parsed_by_the_c_loader_as_django_would():
    """Every datetime read goes through psycopg's C loader (UtcTimestamptzLoader), not Django's
    Python one, with the same values: aware, in datetime.timezone.utc, microseconds kept."""
    import datetime as dt

    from django.db.backends.postgresql.psycopg_any import BaseTzLoader
    from psycopg.pq import Format

    from zhengwu.speedups.pgsession import UtcTimestamptzLoader

    connection.ensure_connection()
    oid = connection.connection.adapters.types["timestamptz"].oid
    assert connection.connection.adapters.get_loader(oid, Format.TEXT) is UtcTimestamptzLoader
    sql = ("SELECT v FROM (VALUES (timestamptz '2026-11-29 12:34:56.789012+08'), (timestamptz '2000-02-29 00:00:00-05:30'),"
           " (timestamptz '1970-01-01 00:00:00.5+00'), (timestamptz '2099-12-31 23:59:59.999999+14'), (NULL)) t(v)")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        ours = [v for (v,) in cursor.fetchall()]
    django_loader = type("DjangoUtc", (BaseTzLoader,), {"timezone": dt.timezone.utc})
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", django_loader)
        cursor.execute(sql)
        theirs = [v for (v,) in cursor.fetchall()]
    assert ours == theirs
    assert ours[0] == dt.datetime(2026, 11, 29, 4, 34, 56, 789012, tzinfo=dt.timezone.utc)
    assert all(v.tzinfo is dt.timezone.utc for v in ours if v is not None) and ours[-1] is None
    # The ORM's own reads come back the same way.
    user = User.objects.create_user(username="tz-loader", password="x-Long-enough-1")
    assert User.objects.values_list("date_joined", flat=True).get(pk=user.pk) == user.date_joined
