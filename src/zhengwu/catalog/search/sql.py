"""Raw SQL helpers of the search hot path (no per-query ORM compilation)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection


def quoted_table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    """Run a read on the hot path without the ORM's per-query compilation cost."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def placeholders(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))
