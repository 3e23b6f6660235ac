"""Hot lookups by primary key, compiled to SQL once per process (预编译查询).

Django builds the SQL of every queryset anew: for a row with two or three joined tables that is
most of the CPU a lookup costs (the figure is in this package's README). A few lookups run on nearly every request — the
session's user, the case a transition locks, the item applied for — and their shape never
changes, only the key. :class:`ByPk` compiles such a queryset once per database, keeps the SQL
and the compiler's column map, and then runs that SQL with the new key and builds the object
as the queryset would: the same converters, joined objects and annotations. On PostgreSQL the
unchanged SQL text is also what lets a connection keep the statement prepared (ADR 0013).

Only for querysets whose SQL depends on nothing but the key (no per-call values such as the
time or the user). ``tests/speedups/test_prepared.py`` checks the objects against the queryset's.
This leans on how Django turns rows into objects (``ModelIterable``); the tests fail if a
Django upgrade changes that.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, ValuesIterable, get_related_populators
from django.db.transaction import TransactionManagementError

# A key no table holds: found once among the compiled query's parameters, replaced there.
_PLACEHOLDER = -7_346_210_981


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    key_field: Any
    names: list[str] | None  # values(): the dict's keys, in column order
    key_at: int
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    populators: list
    annotations: dict[str, int]
    converters: list[tuple[int, tuple[list[Callable], Any]]]
    for_update: bool


class ByPk:
    """``build()`` returns the queryset without the key; :meth:`get` is
    ``build().filter(pk=key).first()`` without building the SQL again: a model object, or a dict
    for a ``values()`` queryset. With ``field`` the key is that column's instead (e.g. a foreign
    key's ``user_id``) and :meth:`all` gives every row, in the queryset's order."""

    def __init__(self, build: Callable[[], QuerySet], field: str = "pk"):
        self._build = build
        self._field = field
        self._compiled: dict[str, _Compiled] = {}
        self._alias: str | None = None
        self._lock = threading.Lock()

    def _compile(self, using: str) -> _Compiled:
        qs = self._build().filter(**{self._field: _PLACEHOLDER})
        if (qs._iterable_class not in (ModelIterable, ValuesIterable) or qs._prefetch_related_lookups
                or qs.query.combinator):
            raise ValueError("ByPk: only a plain queryset of model objects or of values() dicts (no prefetch, "
                             "values_list() or union)")
        for_update = bool(qs.query.select_for_update)
        compiler = qs.query.get_compiler(using=using)
        sql, params = compiler.as_sql()  # refuses locking outside a transaction, as every queryset
        where = [i for i, p in enumerate(params) if p == _PLACEHOLDER]
        if len(where) != 1:  # the key must be the only value that varies
            raise ValueError(f"ByPk: the key is {len(where)} of the compiled query's parameters, not one")
        select, klass_info, query = compiler.select, compiler.klass_info, qs.query
        converters = list(compiler.get_converters([s[0] for s in select[:compiler.col_count]]).items())
        if qs._iterable_class is ValuesIterable:  # as ValuesIterable names the columns
            names = (list(query.selected) if getattr(query, "selected", None)
                     else [*query.extra_select, *query.values_select, *query.annotation_select])
            compiled = _Compiled(sql=sql, params=tuple(params), key_field=self._key_field(qs.model), names=names,
                                 key_at=where[0], model=qs.model, init_list=[], start=0, end=0, populators=[],
                                 annotations={}, converters=converters, for_update=for_update)
        else:
            fields = klass_info["select_fields"]
            start, end = fields[0], fields[-1] + 1
            compiled = _Compiled(
                sql=sql, params=tuple(params), key_field=self._key_field(qs.model), names=None, key_at=where[0],
                model=klass_info["model"], init_list=[f[0].target.attname for f in select[start:end]],
                start=start, end=end, populators=get_related_populators(klass_info, select, using),
                annotations=dict(compiler.annotation_col_map or {}), converters=converters, for_update=for_update)
        with self._lock:
            self._compiled[using] = compiled
        return compiled

    def get(self, key: int, *, using: str | None = None) -> Model | dict | None:
        rows = self._rows(key, using, one=True)
        return rows[0] if rows else None

    def all(self, key: int, *, using: str | None = None) -> list[Model | dict]:
        return self._rows(key, using, one=False)

    def _key_field(self, model: type[Model]):
        return model._meta.pk if self._field == "pk" else model._meta.get_field(self._field)

    def _rows(self, key, using: str | None, one: bool) -> list:
        using = using or self._default_alias()
        c = self._compiled.get(using) or self._compile(using)
        _require_transaction(c.for_update, using)
        connection = connections[using]
        key = c.key_field.get_db_prep_value(key, connection)  # as filter(pk=…) prepares it ("12" → 12)
        if isinstance(key, int) and not _in_range(c.key_field, key, connection):
            return []  # as filter(pk=…) does (IntegerFieldOverflow): no row has such a key
        with connection.cursor() as cursor:
            cursor.execute(c.sql, (*c.params[:c.key_at], key, *c.params[c.key_at + 1:]))
            raw_rows = cursor.fetchmany(1) if one else cursor.fetchall()
        out = []
        for raw in raw_rows:
            row = list(raw)
            for pos, (functions, expression) in c.converters:  # as SQLCompiler.apply_converters
                value = row[pos]
                for convert in functions:
                    value = convert(value, expression, connection)
                row[pos] = value
            if c.names is not None:
                out.append(dict(zip(c.names, row)))
                continue
            obj = c.model.from_db(using, c.init_list, row[c.start:c.end])
            for populator in c.populators:
                populator.populate(row, obj)
            for name, pos in c.annotations.items():
                setattr(obj, name, row[pos])
            out.append(obj)
        return out

    def _default_alias(self) -> str:
        if self._alias is None:
            qs = self._build()
            self._alias = router.db_for_write(qs.model) if qs.query.select_for_update else router.db_for_read(qs.model)
        return self._alias


class ByPkShapes:
    """One :class:`ByPk` per shape: ``build(*shape)`` returns the queryset of that shape (e.g. a
    tuple of relations to join); each shape is compiled once, on first use."""

    def __init__(self, build: Callable[..., QuerySet]):
        self._build = build
        self._lookups: dict[tuple, ByPk] = {}

    def get(self, key: int, *shape) -> Model | dict | None:
        lookup = self._lookups.get(shape)
        if lookup is None:
            lookup = self._lookups.setdefault(shape, ByPk(functools.partial(self._build, *shape)))
        return lookup.get(key)


def _in_range(field, key: int, connection) -> bool:
    while field.is_relation:  # a foreign key holds its target's kind of integer
        field = field.target_field
    low, high = connection.ops.integer_field_ranges.get(field.get_internal_type(), (None, None))
    return (low is None or key >= low) and (high is None or key <= high)


def _require_transaction(for_update: bool, using: str) -> None:
    if for_update and connections[using].get_autocommit():
        raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
