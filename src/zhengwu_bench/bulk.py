"""Bulk writing for the generators (COPY on PostgreSQL, executemany elsewhere) and loading the big
tables without their plain indexes and foreign keys (ADR 16)."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Iterable, Sequence

from django.core.management.color import no_style
from django.db import connection, models, transaction

# ---------------------------------------------------------------------------------------------
# Bulk writing: COPY on PostgreSQL, executemany elsewhere. Rows are tuples in ``attnames`` order.
# ---------------------------------------------------------------------------------------------
_VENDOR: list[str] = []


def _pg() -> bool:
    if not _VENDOR:
        _VENDOR.append(connection.vendor)
    return _VENDOR[0] == "postgresql"


def ts(value: dt.datetime | None) -> str | None:
    """A naive-UTC (or aware) timestamp as the database stores it."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.isoformat(" ") + ("+00" if _pg() else "")


class Table:
    """Bulk writer for one model: every concrete column must be given (Django has no DB defaults)."""

    def __init__(self, model: type[models.Model], attnames: Sequence[str], batch: int = 50_000):
        self.model = model
        self.attnames = list(attnames)
        concrete = {f.attname for f in model._meta.concrete_fields}
        missing = concrete - set(self.attnames) - {model._meta.pk.attname}
        unknown = set(self.attnames) - concrete
        if missing or unknown:
            raise ValueError(f"{model.__name__}: missing columns {sorted(missing)}, unknown {sorted(unknown)}")
        self.columns = [next(f.column for f in model._meta.concrete_fields if f.attname == a) for a in self.attnames]
        self.table = model._meta.db_table
        self.batch = batch
        self.count = 0

    @staticmethod
    def _text(v) -> str:
        if v is None:
            return "\\N"
        if v is True:
            return "t"
        if v is False:
            return "f"
        return str(v)

    def write(self, rows: Iterable[tuple]) -> int:
        qn = connection.ops.quote_name
        cols = ", ".join(qn(c) for c in self.columns)
        n = 0
        with connection.cursor() as cur:
            if _pg():
                text = self._text
                with cur.cursor.copy(f"COPY {qn(self.table)} ({cols}) FROM STDIN") as copy:
                    buf: list[str] = []
                    for row in rows:
                        line = "\t".join([text(v) for v in row])
                        if "\\" in line.replace("\\N", "") or "\n" in line:
                            line = "\t".join("\\N" if v is None else
                                             text(v).replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
                                             for v in row)
                        buf.append(line)
                        n += 1
                        if len(buf) >= 5000:
                            copy.write(("\n".join(buf) + "\n").encode())
                            buf.clear()
                    if buf:
                        copy.write(("\n".join(buf) + "\n").encode())
            else:
                sql = f"INSERT INTO {qn(self.table)} ({cols}) VALUES ({', '.join(['%s'] * len(self.columns))})"
                it = iter(rows)
                while chunk := list(itertools.islice(it, self.batch)):
                    cur.executemany(sql, chunk)
                    n += len(chunk)
        self.count += n
        return n


def next_id(model: type[models.Model]) -> int:
    return (model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1


def reset_sequences(*model_list: type[models.Model]) -> None:
    if not _pg():
        return
    with connection.cursor() as cur:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(model_list)):
            cur.execute(sql)


def analyze(*model_list: type[models.Model]) -> None:
    if not _pg():
        return
    with connection.cursor() as cur:
        for m in model_list:
            cur.execute(f"ANALYZE {connection.ops.quote_name(m._meta.db_table)}")


# ---------------------------------------------------------------------------------------------
# Loading without plain indexes and foreign keys (PostgreSQL)
# ---------------------------------------------------------------------------------------------
# The tables each domain fills with a million rows or more. PostgreSQL checks every foreign key of
# every COPY'd row with a query of its own and updates every index row by row (cases_case has 10
# foreign keys and 18 indexes). Built afterwards in one pass each (a sort for an index, a join for
# a key), they cost far less (ADR 16).
BULK_TABLES = {
    "applicants": ("accounts.User", "accounts.Applicant"),
    "cases": ("cases.Case", "cases.CaseEvent", "cases.CaseStep"),
    "hotline_tickets": ("hotline.Ticket", "hotline.TicketEvent", "hotline.Ticket_co_departments"),
    "ratings": ("ratings.Rating", "ratings.WindowVisit", "ratings.Rectification", "ratings.RectificationEvent",
                "ratings.OutboxRecord", "ratings.RatingDaily"),
    "licences": ("licenses.Licence", "licenses.LicenceEvent"),
}
# What was removed and not yet put back, so that an interrupted run is repaired by the next one.
PENDING_TABLE = "zw_benchdata_pending_ddl"


def _bulk_models(domains: Iterable[str]) -> list[type[models.Model]]:
    from django.apps import apps

    return [apps.get_model(label) for d in domains for label in BULK_TABLES.get(d, ())]


def drop_for_bulk_load(model_list: Sequence[type[models.Model]]) -> int:
    """Remove the plain indexes and the foreign keys of these tables, remembering their
    definitions in PENDING_TABLE; :func:`restore_after_bulk_load` puts them back. Primary keys,
    unique indexes and partial indexes (few rows each; PostgreSQL would print their condition
    back in another, equivalent form) stay. Returns how many were removed (0 on other databases).

    Dropping a foreign key locks the table it refers to: run this before another process reads
    those tables in a long transaction (the parallel search index)."""
    if not _pg() or not model_list:
        return 0
    qn = connection.ops.quote_name
    removed = 0
    with transaction.atomic(), connection.cursor() as cur:
        # Checks still deferred in this transaction (a test's) must run before ALTER TABLE.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute(f"CREATE TABLE IF NOT EXISTS {PENDING_TABLE} (tbl text NOT NULL, kind text NOT NULL, "
                    "name text NOT NULL, ddl text NOT NULL)")
        for m in model_list:
            table = m._meta.db_table
            cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = %s::regclass AND contype = 'f' ORDER BY conname", [table])
            fks = [(name, f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {d}") for name, d in cur.fetchall()]
            cur.execute("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
                        "JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid = %s::regclass "
                        "AND NOT i.indisprimary AND NOT i.indisunique AND i.indpred IS NULL "
                        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
                        "ORDER BY c.relname", [table])
            indexes = cur.fetchall()
            for name, ddl in fks:
                cur.execute(f"INSERT INTO {PENDING_TABLE} VALUES (%s, 'fk', %s, %s)", [table, name, ddl])
                cur.execute(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
            for name, ddl in indexes:
                cur.execute(f"INSERT INTO {PENDING_TABLE} VALUES (%s, 'index', %s, %s)", [table, name, ddl])
                cur.execute(f"DROP INDEX {qn(name)}")
            removed += len(fks) + len(indexes)
        # Back to how Django's foreign keys (DEFERRABLE INITIALLY DEFERRED, the only deferrable
        # constraints here) are checked: at commit.
        cur.execute("SET CONSTRAINTS ALL DEFERRED")
    return removed


def restore_after_bulk_load(model_list: Sequence[type[models.Model]] | None = None) -> int:
    """Build again the indexes and foreign keys :func:`drop_for_bulk_load` removed (of these
    tables; all with None), then ANALYZE those tables. Each table in a transaction of its own, so
    that an interrupted restore keeps what it finished. Returns how many were rebuilt."""
    if not _pg():
        return 0
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute("SELECT to_regclass(%s)", [PENDING_TABLE])
        if cur.fetchone()[0] is None:
            return 0
        if model_list is None:
            cur.execute(f"SELECT DISTINCT tbl FROM {PENDING_TABLE} ORDER BY tbl")
            tables = [t for (t,) in cur.fetchall()]
        else:
            tables = [m._meta.db_table for m in model_list]
        cur.execute("SET maintenance_work_mem = '512MB'")
    rebuilt = 0
    for table in tables:
        with transaction.atomic(), connection.cursor() as cur:
            # Indexes first: the foreign keys' checks then read the referring table once.
            cur.execute(f"SELECT name, ddl FROM {PENDING_TABLE} WHERE tbl = %s ORDER BY kind DESC, name", [table])
            for _name, ddl in cur.fetchall():
                cur.execute(ddl)
                rebuilt += 1
            cur.execute(f"DELETE FROM {PENDING_TABLE} WHERE tbl = %s", [table])
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {qn(table)}")
    with connection.cursor() as cur:
        cur.execute("RESET maintenance_work_mem")
        cur.execute(f"SELECT count(*) FROM {PENDING_TABLE}")
        if cur.fetchone()[0] == 0:
            cur.execute(f"DROP TABLE {PENDING_TABLE}")
    return rebuilt


def j(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
