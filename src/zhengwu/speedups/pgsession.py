"""PostgreSQL connections keep their prepared statements through a rollback (ADR 0013).

psycopg prepares a query a connection has run five times, and PostgreSQL then plans it once for
the session. But psycopg forgets every prepared statement of the connection (and sends
``DEALLOCATE ALL``) whenever a transaction or a savepoint is rolled back, in case the rollback
undid DDL the statements depended on. In this application a rollback is ordinary: a stale
``lock_version`` (409), a rule refused inside a service's transaction, a duplicate caught by a
savepoint. In the city bench's mixed workload the connections were wiped so often that
PostgreSQL planned the hot queries on nearly every call (the figures are in this package's README).

Prepared statements are not transactional in PostgreSQL: a rollback leaves them in place and
valid. The application runs no DDL outside migrations, and psycopg still forgets them when a
statement's result says ``DROP``, ``ALTER``, ``DISCARD ALL`` or ``DEALLOCATE ALL`` (as it does
now). So on our connections a rollback keeps the cache; everything else is psycopg's own.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from psycopg import pq
from psycopg._preparing import Prepare, PrepareManager
from psycopg.adapt import Loader

# What psycopg's own check matches, less ROLLBACK (psycopg._preparing.PrepareManager._should_discard).
_CLEARS = re.compile(rb"^(?:DROP|ALTER|DISCARD ALL|DEALLOCATE ALL)\b").match


class KeepOnRollback(PrepareManager):
    """psycopg's prepared-statement cache, except that a rollback does not empty it."""

    def clear(self) -> bool:
        # Called by psycopg when the connection (or a psycopg Transaction block) rolls back.
        return False

    def _should_discard(self, prep: Prepare, results: Sequence) -> bool:
        if self._names or prep == Prepare.SHOULD:
            for result in results:
                if result.status == pq.ExecStatus.COMMAND_OK and result.command_status and _CLEARS(result.command_status):
                    return super().clear()
        return False


def keep_prepared_statements(raw_connection, prepared_max: int) -> None:
    """Swap a new psycopg connection's cache for :class:`KeepOnRollback` (same settings)."""
    old = raw_connection._prepared
    if isinstance(old, KeepOnRollback):
        return
    new = KeepOnRollback()
    new.prepare_threshold = old.prepare_threshold
    new.prepared_max = prepared_max
    new._counts, new._names, new._prepared_idx, new._to_flush = old._counts, old._names, old._prepared_idx, old._to_flush
    raw_connection._prepared = new


# -- timestamptz in C -------------------------------------------------------------------------------
try:  # psycopg[binary] (or [c]); without it Django's loader stays
    from psycopg_binary._psycopg import TimestamptzLoader as _CTimestamptzLoader
except ImportError:  # pragma: no cover
    try:
        from psycopg_c._psycopg import TimestamptzLoader as _CTimestamptzLoader
    except ImportError:
        _CTimestamptzLoader = None


class UtcTimestamptzLoader(Loader):
    """Django's timestamptz loader, with psycopg's C parser doing the work (ADR 0013).

    Django registers a Python subclass of psycopg's pure-Python loader
    (``psycopg_any.BaseTzLoader``: parse with a regular expression, then ``replace(tzinfo=…)``),
    several times slower than the C loader (README), for every datetime the application reads. On a connection whose session time zone is UTC (what Django sets with
    ``USE_TZ`` and no database ``TIME_ZONE``) the C loader of ``psycopg[binary]`` returns the same
    value, an aware datetime in ``datetime.timezone.utc``. ``timezone`` is what Django's
    ``create_cursor`` compares with the connection's time zone: where they differ, it registers
    its own loader on the cursor, as before."""

    timezone = dt.timezone.utc

    def __init__(self, oid: int, context=None):
        super().__init__(oid, context)
        # psycopg calls ``loader.load`` per value: the C loader's own method, no Python frame.
        self.load = _CTimestamptzLoader(oid, context).load

    def load(self, data):  # pragma: no cover - replaced per instance in __init__
        raise NotImplementedError


def use_c_timestamptz_loader(django_connection) -> bool:
    """Register :class:`UtcTimestamptzLoader` on a new connection whose time zone is UTC."""
    if _CTimestamptzLoader is None or django_connection.timezone is not dt.timezone.utc:
        return False
    pg = django_connection.connection
    if pg.pgconn.parameter_status(b"TimeZone") != b"UTC":
        return False
    pg.adapters.register_loader("timestamptz", UtcTimestamptzLoader)
    return True
