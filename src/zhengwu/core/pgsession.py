"""PostgreSQL connections keep their prepared statements through a rollback (ADR 0013).

psycopg prepares a query a connection has run five times, and PostgreSQL then plans it once for
the session. But psycopg forgets every prepared statement of the connection (and sends
``DEALLOCATE ALL``) whenever a transaction or a savepoint is rolled back, in case the rollback
undid DDL the statements depended on. In this application a rollback is ordinary: a stale
``lock_version`` (409), a rule refused inside a service's transaction, a duplicate caught by a
savepoint. Measured in the city bench's mixed workload, the connections were wiped so often
that PostgreSQL planned the hot queries on nearly every call (pg_stat_statements: 47,156 plans
for 82,857 calls, a quarter of PostgreSQL's time in planning).

Prepared statements are not transactional in PostgreSQL: a rollback leaves them in place and
valid. The application runs no DDL outside migrations, and psycopg still forgets them when a
statement's result says ``DROP``, ``ALTER``, ``DISCARD ALL`` or ``DEALLOCATE ALL`` (as it does
now). So on our connections a rollback keeps the cache; everything else is psycopg's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from psycopg import pq
from psycopg._preparing import Prepare, PrepareManager

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
