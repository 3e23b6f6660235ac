"""Which migration operations hold long locks on large tables (docs/upgrade.md). Pure: the
``zhengwu upgrade-check`` command describes each pending operation as an :class:`Op` (with the
table's row estimate, ``pg_class.reltuples`` on PostgreSQL) and :func:`assess` judges it.

What PostgreSQL does (15): ``CREATE INDEX`` blocks writes to the table while it builds (SHARE
lock); ``ADD COLUMN`` with a constant default only touches the catalogue (11+), with a volatile
database default it rewrites the table under ACCESS EXCLUSIVE (no reads, no writes); a column
type change rewrites the table, ``SET NOT NULL`` scans it, both under ACCESS EXCLUSIVE; adding a
CHECK or foreign-key constraint scans the table while holding a lock that blocks writes, unless
added ``NOT VALID`` and validated later (``VALIDATE CONSTRAINT`` takes a weaker lock).
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_LARGE_ROWS = 100_000

RISKY, REVIEW, OK = "risky", "review", "ok"


@dataclass(frozen=True)
class Op:
    kind: str  # the migration operation's class name: AddIndex, AddField, AlterField, …
    table: str = ""
    rows: int = 0  # estimated rows of the table (0 when unknown or new)
    concurrently: bool = False  # AddIndexConcurrently, RemoveIndexConcurrently
    not_valid: bool = False  # AddConstraintNotValid
    volatile_default: bool = False  # a database default that is an expression (Now(), RandomUUID()…)
    rewrites: bool = False  # the column's type changes
    sets_not_null: bool = False  # NULL -> NOT NULL
    adds_index: bool = False  # db_index / unique / a foreign key's index
    adds_foreign_key: bool = False  # a foreign-key constraint, validated over the table


@dataclass(frozen=True)
class Finding:
    level: str  # RISKY, REVIEW or OK
    lock: str = ""  # what is locked, in Chinese
    advice: str = ""


_INDEX_ADVICE = ("改用 AddIndexConcurrently（django.contrib.postgres.operations，迁移设 atomic = False）"
                 "在线建索引，或安排在停机窗口执行")
_SAFE = {"CreateModel", "DeleteModel", "RenameModel", "AlterModelOptions", "AlterModelManagers", "RemoveField",
         "RenameField", "RemoveIndex", "RemoveIndexConcurrently", "RemoveConstraint", "RenameIndex",
         "AlterModelTable", "AlterModelTableComment", "AlterOrderWithRespectTo", "ValidateConstraint",
         "AddIndexConcurrently", "AddConstraintNotValid", "CreateExtension", "BtreeGistExtension",
         "TrigramExtension", "SeparateDatabaseAndState"}


def assess(op: Op, large_rows: int = DEFAULT_LARGE_ROWS) -> Finding:
    """RISKY: a long lock on a table of at least ``large_rows`` rows; REVIEW: cannot be told from
    the operation (SQL, Python); OK otherwise (and always on a small table)."""
    large = op.rows >= large_rows
    if op.kind in ("RunSQL", "RunPython"):
        if not large:
            return Finding(OK)
        return Finding(REVIEW, "取决于其中的语句", "数据迁移或自定义 SQL：先在由备份恢复的副本上试跑并计时")
    if op.kind in _SAFE or op.concurrently or op.not_valid or not large:
        return Finding(OK)
    n = f"{op.table}（约 {op.rows:,} 行）"
    if op.kind == "AddIndex" or (op.kind in ("AlterUniqueTogether", "AlterIndexTogether") and op.adds_index):
        return Finding(RISKY, f"建索引期间阻塞 {n} 的写入", _INDEX_ADVICE)
    if op.kind == "AddConstraint":
        return Finding(RISKY, f"校验约束期间扫描全表并阻塞 {n} 的写入",
                       "CHECK/外键约束先 NOT VALID 添加（AddConstraintNotValid）再 ValidateConstraint；"
                       "唯一约束先并发建唯一索引")
    if op.kind == "AddField":
        if op.volatile_default:
            return Finding(RISKY, f"以易变默认值添加列将重写整表，期间 {n} 不可读写",
                           "先添加可空列（无数据库默认值），再分批回填，最后再加默认值或非空约束")
        if op.adds_index or op.adds_foreign_key:
            return Finding(RISKY, f"新列的索引/外键：建索引与校验外键期间阻塞 {n} 的写入",
                           _INDEX_ADVICE + "；外键可先 db_constraint=False 再单独添加 NOT VALID 约束")
        return Finding(OK)
    if op.kind == "AlterField":
        if op.rewrites:
            return Finding(RISKY, f"改变列类型将重写整表，期间 {n} 不可读写",
                           "新增一列、分批复制数据、切换后删除旧列；或在停机窗口执行")
        if op.sets_not_null:
            return Finding(RISKY, f"设为 NOT NULL 需扫描全表，期间 {n} 不可读写",
                           "先加 CHECK (col IS NOT NULL) NOT VALID 并 VALIDATE，再设 NOT NULL（PostgreSQL 12+ 据此跳过扫描）")
        if op.adds_index or op.adds_foreign_key:
            return Finding(RISKY, f"建索引/校验外键期间阻塞 {n} 的写入", _INDEX_ADVICE)
        return Finding(OK)
    if op.kind in ("AlterUniqueTogether", "AlterIndexTogether"):
        return Finding(OK)
    return Finding(REVIEW, f"{op.kind} 作用于 {n}", "未知的迁移操作：用 zhengwu sqlmigrate 查看它执行的 SQL")
