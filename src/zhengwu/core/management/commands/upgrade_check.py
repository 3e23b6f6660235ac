"""``zhengwu upgrade-check``: before ``zhengwu migrate`` — the migrations not yet applied, and
which of their operations would hold a long lock on a large table (docs/upgrade.md; the rules in
:mod:`zhengwu.core.upgrade_rules`, the row counts from ``pg_class.reltuples`` on PostgreSQL)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.db.models.expressions import Value

from zhengwu.core.upgrade_rules import DEFAULT_LARGE_ROWS, OK, RISKY, Op, assess


def table_rows(conn=connection) -> dict[str, int]:
    """Estimated rows of every table: PostgreSQL's planner estimate (no scan), else COUNT(*)."""
    with conn.cursor() as cur:
        if conn.vendor == "postgresql":
            cur.execute("SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')")
            return {name: max(int(rows), 0) for name, rows in cur.fetchall()}
        out = {}
        for name in conn.introspection.table_names(cur):
            cur.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(name)}")
            out[name] = int(cur.fetchone()[0])
        return out


def _db_type(field) -> str | None:
    try:
        return field.db_type(connection)
    except Exception:  # a relation whose target is not bound in this state
        return None


def _indexed(field) -> bool:
    return bool(field.db_index or field.unique or (field.is_relation and getattr(field, "db_constraint", False)))


def describe(operation, app_label: str, state, rows: dict[str, int]) -> Op:
    """The :class:`Op` of one migration operation, with the migration state just before it."""
    kind = type(operation).__name__
    model_name = (getattr(operation, "model_name", None) or getattr(operation, "name", "") or "").lower()
    model_state = state.models.get((app_label, model_name))
    table = ""
    if model_state is not None:
        table = model_state.options.get("db_table") or f"{app_label}_{model_name}"
    kw = {"kind": kind, "table": table, "rows": rows.get(table, 0),
          "concurrently": kind.endswith("Concurrently"), "not_valid": kind.endswith("NotValid")}
    if kind in ("RunSQL", "RunPython"):  # which tables it touches is not known: the largest one counts
        kw["rows"] = max(rows.values(), default=0)
    field = getattr(operation, "field", None)
    if kind == "AddField" and field is not None:
        db_default = getattr(field, "db_default", models.NOT_PROVIDED)
        kw["volatile_default"] = db_default is not models.NOT_PROVIDED and not isinstance(db_default, Value)
        kw["adds_index"] = _indexed(field)
        kw["adds_foreign_key"] = field.is_relation and getattr(field, "db_constraint", False)
    elif kind == "AlterField" and field is not None and model_state is not None:
        old = model_state.fields.get(operation.name)
        if old is not None:
            before, after = _db_type(old), _db_type(field)
            kw["rewrites"] = (before != after) if before and after else type(old) is not type(field)
            if before and after and before.startswith("varchar") and after.startswith("varchar"):
                # a longer varchar is a catalogue change on PostgreSQL; a shorter one checks every row
                kw["rewrites"] = (field.max_length or 0) < (old.max_length or 0)
            kw["sets_not_null"] = old.null and not field.null
            kw["adds_index"] = _indexed(field) and not _indexed(old)
            kw["adds_foreign_key"] = (field.is_relation and getattr(field, "db_constraint", False)
                                      and not (old.is_relation and getattr(old, "db_constraint", False)))
    elif kind in ("AlterUniqueTogether", "AlterIndexTogether") and model_state is not None:
        option = "unique_together" if kind == "AlterUniqueTogether" else "index_together"
        old = {tuple(t) for t in model_state.options.get(option) or ()}
        kw["adds_index"] = bool({tuple(t) for t in operation.option_value or ()} - old)
    return Op(**kw)


def pending(large_rows: int = DEFAULT_LARGE_ROWS):
    """[(migration, [(operation, Op, Finding)])] for every migration not yet applied, in order."""
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    rows = table_rows() if plan else {}
    out = []
    for migration, backwards in plan:
        if backwards:
            continue
        state = executor.loader.project_state((migration.app_label, migration.name), at_end=False)
        ops = []
        for operation in migration.operations:
            op = describe(operation, migration.app_label, state, rows)
            ops.append((operation, op, assess(op, large_rows)))
            operation.state_forwards(migration.app_label, state)
        out.append((migration, ops))
    return out


class Command(BaseCommand):
    help = "升级前检查：列出尚未执行的迁移，标出会在大表上长时间锁表的操作并给出建议（见 docs/upgrade.md）"

    def add_arguments(self, parser):
        parser.add_argument("--large-rows", type=int, default=DEFAULT_LARGE_ROWS,
                            help=f"多少行以上算大表（默认 {DEFAULT_LARGE_ROWS:,}）")
        parser.add_argument("--fail-on-risk", action="store_true", help="有高风险操作时以非零状态退出（供脚本使用）")

    def handle(self, *args, large_rows, fail_on_risk, **opts):
        plan = pending(large_rows)
        if not plan:
            self.stdout.write(self.style.SUCCESS("数据库已是最新：没有待执行的迁移，没有高风险操作。"))
            return
        risky = 0
        self.stdout.write(f"待执行的迁移 {len(plan)} 个：")
        for migration, ops in plan:
            self.stdout.write(f"  {migration.app_label}.{migration.name}")
            for _operation, op, finding in ops:
                if finding.level == OK:
                    continue
                risky += finding.level == RISKY
                tag = "高风险" if finding.level == RISKY else "需人工检查"
                self.stdout.write(f"    [{tag}] {op.kind} {op.table}：{finding.lock}")
                self.stdout.write(f"      建议：{finding.advice}")
        if connection.vendor == "sqlite":
            self.stdout.write("SQLite：迁移期间整个数据库被锁定，请先停止服务（zhengwu serve / worker）再执行 zhengwu migrate。")
        if risky:
            self.stdout.write(self.style.WARNING(
                f"{risky} 个操作会在大表（≥ {large_rows:,} 行）上长时间锁表：请安排停机窗口，或按建议改写迁移。"))
            if fail_on_risk:
                raise CommandError(f"{risky} 个高风险迁移操作")
        else:
            self.stdout.write(self.style.SUCCESS("没有会在大表上长时间锁表的操作。"))
