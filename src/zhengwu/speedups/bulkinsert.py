"""Bulk inserts without model instances (批量写入): ``COPY`` on PostgreSQL, multi-row ``INSERT`` elsewhere.

Used by the catalogue's import (zhengwu.catalog.services.imports) for a city's items, versions
and materials in one run. Rows are plain namespaces (:class:`Row`) holding the model's
``attname``s; :class:`BulkInserter` turns them into database values with one generated function
per model and sends them with ``COPY … FROM STDIN`` (psycopg) or the driver's own multi-row
``INSERT`` (SQLite, on the raw connection). ``tests/catalog/test_import_items.py`` checks the
rows it writes through the import, on both databases.

Two helpers for the same bulk loads: :func:`update_rows` (one prepared ``UPDATE … WHERE id``
run through ``executemany``) and :func:`in_clause` (a long ``IN`` list, as one array parameter
on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from types import SimpleNamespace
from typing import Any

from django.db import DatabaseError, connections, router
from django.utils import timezone


class Row(SimpleNamespace):
    """A row to insert, as attribute → value (the model's ``attname``s).

    A bulk load inserts hundreds of thousands of rows; a Django model instance and
    ``bulk_create`` cost far more per row (most of it building SQL per field and row; figures in
    this package's README), so rows are plain namespaces inserted by :class:`BulkInserter`. Code
    that reads ``obj.pk`` and attributes works on them as on models.
    """

    @property
    def pk(self):
        return self.__dict__.get("id")

    @pk.setter
    def pk(self, value):
        self.id = value


class BulkInserter:
    """Multi-row ``INSERT … VALUES (…), (…) [RETURNING id]`` for one model, values converted
    per column once (defaults, JSON, timestamps) — the same SQL ``bulk_create`` sends, built
    without a model instance and a compiler pass per row."""

    def __init__(self, model, connection):
        self.model = model
        self.connection = connection
        meta = model._meta
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.defaults = {f.attname: f.get_default() for f in self.fields}
        qn = connection.ops.quote_name
        self.sqlite = connection.vendor == "sqlite"
        # SQLite: the driver's own "?" placeholders on the raw connection. Django's cursor would
        # rewrite every "%s" of a 10,000-parameter statement with a regular expression first.
        mark = "?" if self.sqlite else "%s"
        self.head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in self.fields)}) VALUES "
        self.placeholder = "(" + ", ".join([mark] * len(self.fields)) + ")"
        self.returning = f" RETURNING {qn(meta.pk.column)}"
        self.values_of = self._compile()
        # PostgreSQL: COPY, with keys taken from the table's sequence first. Multi-row INSERTs
        # with client-side parameter binding (Django's psycopg setup) are slow to split into
        # their thousands of placeholders (README).
        self.postgres = connection.vendor == "postgresql"
        self.table = qn(meta.db_table)
        self.pk_column = qn(meta.pk.column)
        self.columns = ", ".join(qn(f.column) for f in self.fields)
        self._sequence: str | None = None
        limit = 999
        if self.sqlite:
            import sqlite3

            connection.ensure_connection()
            try:
                limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
            except AttributeError:  # Python < 3.11
                limit = 999
        elif connection.vendor == "postgresql":
            limit = 65535
        self.rows_per_statement = max(1, min(limit // len(self.fields), 500))

    def _compile(self):
        """One generated function per model: row dict → tuple of database values (no loop over
        fields per row in Python)."""
        env: dict[str, Any] = {"_adapt_dt": self.connection.ops.adapt_datetimefield_value}
        parts = []
        for i, f in enumerate(self.fields):
            key = repr(f.attname)
            internal = f.get_internal_type()
            if internal in ("CharField", "TextField", "IntegerField", "PositiveIntegerField", "PositiveSmallIntegerField",
                            "PositiveBigIntegerField", "SmallIntegerField", "BigIntegerField", "ForeignKey",
                            "BooleanField"):
                parts.append(f"d[{key}]")
            elif internal in ("FileField", "ImageField"):
                parts.append(f"(getattr(d[{key}], 'name', d[{key}]) or '')")
            elif internal == "DateTimeField":
                default = "now" if (f.auto_now or f.auto_now_add) else "None"
                parts.append(f"({default} if d[{key}] is None else _adapt_dt(d[{key}]))")
                env["_adapt_dt"] = self._datetime_adapter()
            else:
                env[f"_c{i}"] = self._converter(f)
                parts.append(f"_c{i}(d[{key}])")
        source = f"def values_of(d, now):\n    return ({', '.join(parts)},)\n"
        exec(compile(source, f"<inserter {self.model._meta.label}>", "exec"), env)  # noqa: S102 - generated from field names
        return env["values_of"]

    def _datetime_adapter(self):
        """Rows of a batch share their timestamps: adapt each distinct one once."""
        adapt = self.connection.ops.adapt_datetimefield_value
        last: list = [None, None]

        def adapter(value):
            if value is not last[0]:
                last[0], last[1] = value, adapt(value)
            return last[1]

        return adapter

    def _converter(self, field):
        empty: dict = {}
        connection = self.connection

        def convert(value):
            if value is None:
                return None
            if not value and type(value) in (list, dict):  # the common empty JSON values: adapt once
                key = type(value)
                if key not in empty:
                    empty[key] = field.get_db_prep_save(value, connection)
                return empty[key]
            return field.get_db_prep_save(value, connection)

        return convert

    def new(self, **values) -> Row:
        row = Row.__new__(Row)
        d = row.__dict__
        d.update(self.defaults)
        d.update(values)
        return row

    def maker(self, *attnames: str) -> Callable[..., list]:
        """``make(v1, v2, …)`` → the value list of a row that has the defaults everywhere except
        ``attnames`` (plain materials of a new item: version, seq, name)."""
        base = list(self.values_of(dict(self.defaults), self.connection.ops.adapt_datetimefield_value(timezone.now())))
        positions = [next(i for i, f in enumerate(self.fields) if f.attname == a) for a in attnames]

        def make(*values):
            out = base.copy()
            for pos, value in zip(positions, values):
                out[pos] = value
            return out

        return make

    def _copy(self, value_lists: Iterable[Sequence], with_pk: bool) -> None:
        columns = f"{self.pk_column}, {self.columns}" if with_pk else self.columns
        self.connection.ensure_connection()
        with self.connection.connection.cursor() as cursor:
            with cursor.copy(f"COPY {self.table} ({columns}) FROM STDIN") as copy:
                for values in value_lists:
                    copy.write_row(values)

    def allocate_keys(self, count: int) -> list[int]:
        """PostgreSQL: ``count`` new keys from the table's sequence."""
        if count == 0:
            return []
        with self.connection.cursor() as cursor:
            if self._sequence is None:
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)",
                               [self.model._meta.db_table, self.model._meta.pk.column])
                self._sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [self._sequence, count])
            return [r[0] for r in cursor.fetchall()]

    def insert_values(self, value_lists: list[list]) -> None:
        """Insert rows given as value lists (from :meth:`maker`), without returning keys."""
        if not value_lists:
            return
        if self.postgres:
            self._copy(value_lists, with_pk=False)
            return
        with self.connection.cursor() as cursor:
            raw = self.connection.connection if self.sqlite else None
            for start in range(0, len(value_lists), self.rows_per_statement):
                chunk = value_lists[start:start + self.rows_per_statement]
                params: list[Any] = []
                for values in chunk:
                    params.extend(values)
                sql = self.head + ", ".join([self.placeholder] * len(chunk))
                (raw or cursor).execute(sql, params)

    def insert(self, rows: list[Row], returning: bool = True) -> None:
        """Insert ``rows``; with ``returning`` each row gets its ``id``."""
        if not rows:
            return
        now = self.connection.ops.adapt_datetimefield_value(timezone.now())
        values_of = self.values_of
        if self.postgres:
            if returning:
                missing = [row for row in rows if row.__dict__.get("id") is None]
                for row, pk in zip(missing, self.allocate_keys(len(missing))):
                    row.id = pk
                self._copy(((row.id, *values_of(row.__dict__, now)) for row in rows), with_pk=True)
            else:
                self._copy((values_of(row.__dict__, now) for row in rows), with_pk=False)
            return
        tail = self.returning if returning else ""
        with self.connection.cursor() as cursor:
            raw = self.connection.connection if self.sqlite else None
            for start in range(0, len(rows), self.rows_per_statement):
                chunk = rows[start:start + self.rows_per_statement]
                params: list[Any] = []
                for row in chunk:
                    params.extend(values_of(row.__dict__, now))
                sql = self.head + ", ".join([self.placeholder] * len(chunk)) + tail
                if raw is not None:
                    result = raw.execute(sql, params)
                    ids = [r[0] for r in result.fetchall()] if returning else None
                else:
                    cursor.execute(sql, params)
                    ids = [r[0] for r in cursor.fetchall()] if returning else None
                if returning:
                    if len(ids) != len(chunk):
                        raise DatabaseError("插入的行数与返回的编号数不一致")
                    for row, pk in zip(chunk, ids):
                        row.id = pk


def update_rows(model, objs: list, fields: list[str]) -> None:
    """``UPDATE … WHERE id = %s`` for each object (a model instance or a :class:`Row`) through
    one ``executemany``.

    Django's ``bulk_update`` builds a ``CASE WHEN id = … THEN …`` per field and row, which costs
    ~10 ms a row for a catalogue import (SQLite allows 999 parameters a statement); a prepared
    statement run many times costs a few microseconds a row on SQLite and is pipelined by psycopg
    on PostgreSQL.
    """
    connection = connections[router.db_for_write(model)]
    meta = model._meta
    columns = [meta.get_field(f) for f in fields]
    qn = connection.ops.quote_name
    sql = (f"UPDATE {qn(meta.db_table)} SET {', '.join(f'{qn(f.column)} = %s' for f in columns)} "
           f"WHERE {qn(meta.pk.column)} = %s")
    params = [[f.get_db_prep_save(getattr(obj, f.attname), connection) for f in columns] + [obj.pk] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def in_clause(connection, column: str, values: list) -> tuple[str, list]:
    """``(sql, params)`` for ``column IN (…)``; on PostgreSQL ``= ANY(%s)`` with one array
    parameter (a long list of placeholders is slow to bind there). ``column`` is already quoted."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s)", [list(values)]
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)
