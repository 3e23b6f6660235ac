"""One 事项导入 row's plan: which item a row is (by 实施编码, else by 实施主体 + 事项名称),
whether it is new, changed or unchanged, and the cross-field rules on the final values
(承诺时限 ≤ 法定时限, 即办件/承诺件, codes). A failing row is reported with all its problems and
excluded before anything is written; the base items (基本目录事项) rows need are planned here too.

Part of the import (:mod:`zhengwu.catalog.services.imports` is the entry point).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any

from zhengwu.org.models import Department
from zhengwu.speedups.bulkinsert import Row

from .. import importer, rules
from ..importer import ParsedRow
from ..models import BaseItem
from ..models.items import ItemStatus, VersionState
from .import_catalogue import AMBIGUOUS, Catalogue, ExistingItem, Ref
from .import_report import ImportReport

NEW, NEW_VERSION, UPDATE_OPEN, ITEM_ONLY = "new", "new_version", "update_open", "item_only"


@dataclass
class Plan:
    row: ParsedRow
    kind: str
    department: Department
    guide: dict[str, Any]
    base_item: BaseItem | None
    implementation_code: str
    handling_code: str
    handling_name: str
    code_recognised: bool
    item: ExistingItem | None = None
    materials_given: bool = False
    fees_same: bool = False


def resolve(rows: list[ParsedRow], cat: Catalogue, report: ImportReport, *, as_draft: bool,
             allowed_departments: set[int] | None, create_departments: bool = False) -> list[Plan]:
    """Decide for every row what it does. A row that breaks a rule is reported with every
    problem found — its cells (already on the row), duplicates in the file, its 实施主体, which
    item it is, the rules across columns — and is not planned: nothing of it is written.

    A 实施主体 the region does not have is a row error (a typo must not become a department that
    12345 dispatch, 受理 and 双随机 then offer), unless ``create_departments`` (bulk setup of a
    region) lets a region-wide 事项管理员 create it (kind 其他)."""
    unknown_department = _UnknownDepartment(cat, allowed_departments)
    plans: list[Plan] = []
    seen_names: dict[tuple[str, str, str], int] = {}
    seen_codes: dict[tuple[str, str], int] = {}
    claimed: dict[int, int] = {}
    unchanged = 0
    for row in rows:
        v = row.values
        dept_name, name = v.get("department", ""), v.get("name", "")
        handling_name = v.get("handling_name", "")
        code = v.get("implementation_code", "")

        # Duplicates inside the file (of earlier rows that had no problem of their own).
        name_key = (dept_name, name, handling_name)
        duplicate = False
        if dept_name and name and name_key in seen_names:
            row.error("name", f"与第{seen_names[name_key]}行重复：同一实施主体下的事项名称相同，同一事项只能出现一次", name)
            duplicate = True
        if code and (code, handling_name) in seen_codes:
            row.error("implementation_code", f"与第{seen_codes[(code, handling_name)]}行的实施编码相同，同一事项只能出现一次", code)
            duplicate = True
        if not row.errors:
            seen_names[name_key] = row.row
            if code:
                seen_codes[(code, handling_name)] = row.row

        # 实施主体 (a new one is written only with a row that is imported).
        dept = cat.departments.get(dept_name) if dept_name else None
        if dept_name and dept is None:
            if not create_departments:
                row.error("department", unknown_department.message(dept_name), dept_name)
            elif allowed_departments is not None:
                row.error("department", f"实施主体“{dept_name}”不是您可以管理的部门：只有全区划的事项管理员可以导入新部门", dept_name)
            else:
                dept = Department(name=dept_name, region=cat.region, kind=Department.Kind.OTHER, uscc=None)
                cat.departments[dept_name] = dept
        elif dept is not None and allowed_departments is not None and dept.pk not in allowed_departments:
            row.error("department", f"实施主体“{dept_name}”不在您的管理范围内：您只能导入本部门的事项", dept_name)

        # Which item: by 实施编码, else by 实施主体 + 事项名称 (+ 业务办理项名称).
        item = None
        if code:
            found = cat.items_by_code.get((code, handling_name))
            if found is AMBIGUOUS:
                row.error("implementation_code", "该实施编码对应了多个已有事项，无法确定更新哪一个，请先在事项管理中处理重复", code)
            else:
                item = found
        known_dept = dept is not None and dept.pk is not None and bool(name)
        if item is None and known_dept:
            item = cat.items_by_key.get((dept.pk, name, handling_name))
        if item is not None and item.pk in claimed:
            if not duplicate:  # the duplicate in the file is reported already
                row.error("name", f"与第{claimed[item.pk]}行对应的是同一个已有事项（实施编码或名称相同），同一事项只能出现一次", name)
        elif known_dept:
            holder = cat.items_by_key.get((dept.pk, name, handling_name))
            if holder is not None and holder is not item:
                row.error("name", f"“{dept_name}”已有名为“{name}”的事项（实施编码不同），不能重名", name)

        current = item.guide if item is not None else None  # None: new item (or one without a version)
        guide = importer.target_guide(row, current)
        codes = {
            "base_code": v.get("base_code") or (item.base_code or "" if item else ""),
            "implementation_code": code or (item.implementation_code if item else ""),
            "handling_code": v.get("handling_code") or (item.handling_code if item else ""),
        }
        same_guide = current is not None and (
            guide == current or importer.guide_signature(guide) == importer.guide_signature(current))
        if not row.errors and same_guide and _same_identity(item, dept, codes, v):
            # Unchanged: nothing is written, so nothing needs checking (the common re-import).
            claimed[item.pk] = row.row
            unchanged += 1
            continue
        recognised = importer.check_target(row, guide, codes)
        if item is not None and not same_guide:
            problem = _version_problem(item, as_draft)
            if problem:
                row.error("name", problem, name)
        if row.errors:
            report.fail(row)
            continue

        base = _base_item_for(row, item, cat, guide)
        base_id = base.pk if base is not None else None
        kind = NEW
        if item is not None:
            if not same_guide:
                kind = UPDATE_OPEN if _updates_open_version(item, as_draft) else NEW_VERSION
            elif (dept.pk != item.department_id or codes["implementation_code"] != item.implementation_code
                  or codes["handling_code"] != item.handling_code or base_id != item.base_item_id
                  or base_id is None and base is not None or recognised != item.code_recognised):
                kind = ITEM_ONLY
            else:
                claimed[item.pk] = row.row
                unchanged += 1
                continue
            claimed[item.pk] = row.row
        for w in row.warnings:
            report.add_warning(w)
        if not recognised:
            report.flagged_rows += 1
        plans.append(Plan(
            row=row, kind=kind, department=dept, guide=guide, base_item=base,
            implementation_code=codes["implementation_code"], handling_code=codes["handling_code"],
            handling_name=handling_name, code_recognised=recognised, item=item,
            materials_given="materials" in row.values or "materials" in row.blank,
            fees_same=current is not None and importer.format_fees(current["fees"]) == importer.format_fees(guide["fees"]),
        ))
    report.unchanged = unchanged
    return plans


class _UnknownDepartment:
    """The message for a 实施主体 the region does not have, with the close names (difflib over the
    departments the importer may use), worked out once per name."""

    def __init__(self, cat: Catalogue, allowed_departments: set[int] | None):
        self.cat, self.allowed = cat, allowed_departments
        self.names: list[str] | None = None
        self.seen: dict[str, str] = {}

    def message(self, name: str) -> str:
        if name not in self.seen:
            if self.names is None:
                self.names = sorted(n for n, d in self.cat.departments.items()
                                    if d.pk is not None and (self.allowed is None or d.pk in self.allowed))
            close = difflib.get_close_matches(name, self.names, n=3, cutoff=0.8)
            hint = f"（是否为：{'、'.join(close)}？）" if close else ""
            self.seen[name] = f"机构库中没有“{name}”，请先在机构管理中添加，或检查名称{hint}"
        return self.seen[name]


def _same_identity(item: ExistingItem, dept: Department, codes: dict[str, str], values: dict[str, Any]) -> bool:
    """The row names the item's department, codes and base item as they are."""
    if (dept.pk != item.department_id or codes["implementation_code"] != item.implementation_code
            or codes["handling_code"] != item.handling_code):
        return False
    if values.get("base_code"):
        return values["base_code"] == item.base_code
    return bool(item.base_item_id) or not values.get("main_item")


def _version_problem(item: ExistingItem, as_draft: bool) -> str:
    if item.open_state == VersionState.PENDING and (as_draft or not item.published_version_id):
        return "该事项有正在审核中的版本，请先审核或撤回后再导入修改"
    if not as_draft and item.status == ItemStatus.DISABLED:
        return "该事项已停用，不能通过导入发布新版本；请先启用事项，或使用“导入为草稿”"
    return ""


def _updates_open_version(item: ExistingItem, as_draft: bool) -> bool:
    """Change the open draft in place (as draft, or publishing a never-published item's draft)."""
    if item.open_version_id is None or item.open_state == VersionState.PENDING:
        return False
    return as_draft or not item.published_version_id


def _base_item_for(row: ParsedRow, item: ExistingItem | None, cat: Catalogue, guide: dict) -> Any:
    """The 基本目录事项 of a row: found by 基本编码 (or, without one, by name when 主项名称 is given);
    created when missing. Existing base items are never changed by an import."""
    v = row.values
    code = v.get("base_code", "")
    main = v.get("main_item", "")
    if code:
        base = cat.base_by_code.get(code)
        if base is None:
            recognised = rules.check_item_code(code, "base", "基本编码")[1]
            base = _new_base(code, v["name"], guide, recognised,
                             _parent_for(code if recognised else "", main, v["name"], cat, guide))
            cat.base_by_code[code] = base
        return base
    if item is not None and item.base_item_id:
        return Ref(item.base_item_id)
    if main:
        base = cat.base_by_name.get(v["name"])
        if base is None:
            base = _new_base(None, v["name"], guide, True, _parent_for("", main, v["name"], cat, guide))
            cat.base_by_name[v["name"]] = base
        return base
    return None


class _Defaults:
    """Builds :class:`Row` objects with a model's field defaults (no database needed)."""

    def __init__(self, model):
        self.model = model
        self._defaults = None

    def new(self, **values) -> Row:
        if self._defaults is None:
            self._defaults = {f.attname: f.get_default() for f in self.model._meta.concrete_fields if not f.primary_key}
        row = Row(**self._defaults)
        row.__dict__.update(values)
        return row


_BASE_DEFAULTS = _Defaults(BaseItem)


def _new_base(code: str | None, name: str, guide: dict, recognised: bool, parent: Any) -> Row:
    """A base item to create (inserted by the batch of the first row that needs it)."""
    base = _BASE_DEFAULTS.new(code=code, name=name, item_type=guide["item_type"],
                              legal_basis=guide.get("legal_basis") or "", code_recognised=recognised)
    # A parent created by this import gets its key when its batch writes it (see import_write.Writer).
    base._zw_parent = parent if isinstance(parent, Row) else None
    if isinstance(parent, Ref):
        base.parent_id = parent.pk
    return base


def _parent_for(code: str, main: str, name: str, cat: Catalogue, guide: dict) -> Any:
    """The 主项 of a 子项: by the national code's 主项 part (子项 000), else by name."""
    if not main or main == name:
        return None
    if code and code[9:] != "000":
        parent_code = code[:9] + "000"
        parent = cat.base_by_code.get(parent_code)
        if parent is None:
            parent = _new_base(parent_code, main, {"item_type": guide["item_type"]}, True, None)
            cat.base_by_code[parent_code] = parent
        return parent
    parent = cat.base_by_name.get(main)
    if parent is None:
        parent = _new_base(None, main, {"item_type": guide["item_type"]}, True, None)
        cat.base_by_name[main] = parent
    return parent
