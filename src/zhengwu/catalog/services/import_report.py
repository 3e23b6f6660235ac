"""The report of one 事项导入: counts, the rows that failed and why, stored on the job as JSON.

Part of the import (:mod:`zhengwu.catalog.services.imports` is the entry point).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..importer import Issue, ParsedRow

# Rows listed in a stored report (the counts always cover every row).
MAX_LISTED_ISSUES = 2000


@dataclass
class ImportReport:
    """What an import did; stored on the job (JSON) and printed by the command."""

    file_name: str = ""
    sha256: str = ""
    size: int = 0
    kind: str = ""
    encoding: str = ""
    region_code: str = ""
    region_name: str = ""
    as_draft: bool = False
    submit: bool = False  # 导入并提交审核: the versions are 待审核, submitted by the importer (ADR 0060)
    columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    new_versions: int = 0
    # Existing items whose guide got a version (a new one, or their open draft rewritten); the
    # rest of ``updated`` changed only department, codes or base item. None in reports stored
    # before it was counted.
    revised: int | None = None
    create_departments: bool = False  # asked to create departments the region does not have
    created_departments: list[str] = field(default_factory=list)
    created_base_items: int = 0
    flagged_rows: int = 0
    errors: list[dict] = field(default_factory=list)
    errors_total: int = 0
    warnings: list[dict] = field(default_factory=list)
    warnings_total: int = 0
    fatal: str = ""
    seconds: float = 0.0
    # Seconds per phase (read, resolve, write, finish): what `make bench` looks at.
    timings: dict = field(default_factory=dict)

    def add_error(self, issue: Issue) -> None:
        self.errors_total += 1
        if len(self.errors) < MAX_LISTED_ISSUES:
            self.errors.append(issue.as_dict())

    def add_warning(self, issue: Issue) -> None:
        self.warnings_total += 1
        if len(self.warnings) < MAX_LISTED_ISSUES:
            self.warnings.append(issue.as_dict())

    @property
    def item_only(self) -> int:
        """Existing items updated without a new guide version (department, codes, base item)."""
        return max(self.updated - (self.revised or 0), 0)

    @property
    def waiting(self) -> int:
        """Versions a draft/submit import left for review: new items' and changed items'."""
        return self.created + (self.revised or 0)

    def outcome(self) -> str:
        """What a draft or submit import left, counted as the batch review counts it: ``已提交审核
        3 项（新增事项 2 项、修改事项 1 项）``; "" for a publishing import (or an old report)."""
        if not self.as_draft or self.revised is None:
            return ""
        done = "已提交审核" if self.submit else "已生成草稿"
        return f"{done} {self.waiting} 项（新增事项 {self.created} 项、修改事项 {self.revised} 项）"

    def state(self) -> str:
        """What 新增事项/修改事项 of a draft or submit import are: ``（待审核）`` or ``（草稿）``; ""
        for a publishing import (or an old report), whose counts are 新增/更新."""
        if not self.outcome():
            return ""
        return "（待审核）" if self.submit else "（草稿）"

    def counts(self) -> list[tuple[str, str, int]]:
        """(key, label, count) as the job's result page labels them (the job list shows the same):
        ``新增事项（待审核） 1``, ``修改事项（待审核） 1`` … or, for a publishing import, ``新增``/``更新``."""
        if self.outcome():
            state = self.state()
            changed = [("created", f"新增事项{state}", self.created), ("updated", f"修改事项{state}", self.revised or 0)]
        else:
            changed = [("created", "新增", self.created), ("updated", "更新", self.updated)]
        return [*changed, ("unchanged", "无变化", self.unchanged), ("failed", "失败", self.failed)]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ImportReport:
        names = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in (data or {}).items() if k in names})

    def summary(self) -> dict[str, Any]:
        """The audit event's content: counts and the file's identity, no row data."""
        return {
            "file_name": self.file_name, "sha256": self.sha256, "size": self.size, "region": self.region_code,
            "as_draft": self.as_draft, "submit": self.submit, "create_departments": self.create_departments, "rows": self.rows,
            "created": self.created, "updated": self.updated, "unchanged": self.unchanged, "failed": self.failed, "new_versions": self.new_versions,
            "revised": self.revised,
            "created_departments": self.created_departments, "created_base_items": self.created_base_items,
            "flagged_rows": self.flagged_rows,
        }

    def lines(self) -> list[str]:
        """The report as text (the command prints it)."""
        mode = ("（导入并提交审核：由另一位事项管理员审核发布）" if self.submit
                else "（导入为草稿，提交审核后发布）" if self.as_draft else "")
        out = [f"文件：{self.file_name}（{self.kind.upper()}{'，' + self.encoding if self.encoding else ''}，"
               f"SHA-256 {self.sha256[:16]}…）",
               f"区划：{self.region_name}（{self.region_code}）{mode}"]
        if self.fatal:
            out.append(f"导入失败：{self.fatal}")
            return out
        if self.outcome():
            only = f"；另有 {self.item_only} 项只改了实施主体或编码（不涉及办事指南，已直接更新）" if self.item_only else ""
            out.append(f"共 {self.rows} 行：{self.outcome()}，无变化 {self.unchanged}，失败 {self.failed}{only}；"
                       f"用时 {self.seconds:.1f} 秒")
        else:
            out.append(f"共 {self.rows} 行：新增 {self.created}，更新 {self.updated}，无变化 {self.unchanged}，"
                       f"失败 {self.failed}；新版本 {self.new_versions} 个；用时 {self.seconds:.1f} 秒")
        if self.ignored_columns:
            out.append(f"未识别的列（已忽略）：{'、'.join(self.ignored_columns)}")
        if self.created_departments:
            out.append(f"新建部门 {len(self.created_departments)} 个：{'、'.join(self.created_departments)}")
        if self.created_base_items:
            out.append(f"新建基本目录事项 {self.created_base_items} 个")
        if self.flagged_rows:
            out.append(f"编码不是国家标准格式、已按原样保存并标记的行：{self.flagged_rows} 行")
        if self.errors_total:
            out.append(f"失败的行（{self.errors_total} 处问题）：")
            out.extend(f"  第{e['row']}行 【{e['column']}】 {e['message']}" + (f"（填写的是：{e['value']}）" if e['value'] else "")
                       for e in self.errors)
            if self.errors_total > len(self.errors):
                out.append(f"  ……另有 {self.errors_total - len(self.errors)} 处未列出")
        if self.warnings_total:
            out.append(f"提示（{self.warnings_total} 处）：")
            out.extend(f"  第{w['row']}行 【{w['column']}】 {w['message']}（{w['value']}）" for w in self.warnings[:50])
            if self.warnings_total > 50:
                out.append(f"  ……另有 {self.warnings_total - 50} 处未列出")
        return out

    def fail(self, row: ParsedRow) -> None:
        """Count ``row`` as failed and list its problems."""
        self.failed += 1
        for issue in row.errors:
            self.add_error(issue)
