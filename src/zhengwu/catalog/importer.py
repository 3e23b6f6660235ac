"""Reading and writing 实施清单 spreadsheets: the file formats, the column layout, row parsing.

Bureaus keep their 实施清单 in Excel. This module turns an uploaded ``.xlsx`` or ``.csv`` (UTF-8
with or without BOM, or GBK/GB18030 — detected) into checked Python values, and writes the same
layout back out. It is pure: no ORM, so it can be tested on its own; the database side (looking
rows up, bulk writes, versions) is :mod:`zhengwu.catalog.services.imports`.

The column layout is :data:`COLUMNS`; docs/catalog-import.md documents it for bureaus. The parsers of
single cells are :mod:`zhengwu.catalog.importer_cells` (re-exported here).

The file formats themselves are the platform's (:mod:`zhengwu.core.spreadsheets` reads, within
limits that refuse zip bombs, and streams; :mod:`zhengwu.core.xlsx_writer` writes; both
neutralise formula injection). Why not openpyxl for the big files: ADR 0006.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from zhengwu.core import spreadsheets, xlsx_writer
from zhengwu.core.identifiers import (
    BASE_CODE_RE,
    IMPL_CODE_RE,
    ITEM_TYPES,
    PROVINCE_PREFIXES,
    validate_uscc,
)

from . import rules
from .importer_cells import (  # noqa: F401  (the cell parsers are part of this module's interface)
    CASE_TYPE_TITLES,
    SERVICE_OBJECT_TITLES,
    CellError,
    _shown,
    case_type_value,
    code_value,
    days_value,
    fees_value,
    channels_value,
    format_channels,
    format_fees,
    format_materials,
    item_type_value,
    list_value,
    materials_value,
    service_object_value,
    text_value,
    visits_value,
)
from .importer_cells import (
    PARSERS as _PARSERS,
)

# The defaults of zhengwu.core.spreadsheets.limits(), which every read applies (expanded size,
# compression ratio, rows, cell length; some adjustable in settings).
MAX_FILE_BYTES = spreadsheets.Limits.max_file_bytes
MAX_ROWS = spreadsheets.Limits.max_rows
# Header row: the first of the first few rows that names both required columns.
HEADER_SEARCH_ROWS = 10


# The whole file is refused (wrong format, no header, missing required columns, over a limit).
ImportFileError = spreadsheets.SpreadsheetError


# -- the layout -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    key: str
    title: str  # the canonical header, written by export
    aliases: tuple[str, ...] = ()
    required: bool = False
    # Blank cell in a present column: "keep" the item's current value (defaults for a new item),
    # or "clear" it.
    blank: str = "clear"
    max_length: int | None = None


COLUMNS: tuple[Column, ...] = (
    Column("department", "实施主体", ("实施主体名称", "实施部门", "实施机构", "实施单位", "部门名称", "部门"),
           required=True, max_length=100),
    Column("name", "事项名称", ("实施清单事项名称", "实施事项名称", "事项名", "服务事项名称"),
           required=True, max_length=200),
    Column("item_type", "事项类型", ("事项类型名称", "事项类型代码", "事项类别", "权力类型", "职权类型"), blank="keep"),
    Column("base_code", "基本编码", ("基本目录编码", "事项基本编码", "基本目录事项编码", "事项编码"), blank="keep",
           max_length=40),
    Column("implementation_code", "实施编码", ("事项实施编码", "实施清单编码", "实施清单事项编码"), blank="keep",
           max_length=80),
    Column("main_item", "主项名称", ("主项", "基本目录主项名称", "主项事项名称"), max_length=200),
    Column("statutory_days", "法定时限", ("法定办结时限", "法定期限", "法定办理时限")),
    Column("promised_days", "承诺时限", ("承诺办结时限", "承诺期限", "承诺办理时限"), blank="keep"),
    Column("case_type", "办件类型", ("办件类别", "办件性质"), blank="keep"),
    Column("visits", "到现场次数", ("到办事现场次数", "跑动次数", "到现场办理次数", "现场次数"), blank="keep"),
    Column("acceptance_conditions", "受理条件", ("受理标准", "申请条件", "办理条件")),
    Column("legal_basis", "设定依据", ("法律依据", "设立依据", "实施依据", "法定依据")),
    Column("service_object", "服务对象", ("办理对象", "服务对象类型"), blank="keep"),
    Column("materials", "申请材料", ("申请材料目录", "申请材料清单", "材料目录", "材料清单", "申请材料名称")),
    Column("fees", "收费", ("收费标准", "收费情况", "收费项目", "收费项目及标准", "是否收费及标准")),
    Column("popular_name", "通俗名称", ("通俗事项名称", "俗称", "事项俗称", "通俗化名称"), max_length=200),
    Column("keywords", "关键词", ("关键字", "搜索关键词", "检索关键词"), max_length=500),
    # What the publication check requires besides the columns above (ADR 0060): a row that fills
    # them can be approved as it is. Blank keeps the required ones (a blank cell never removes
    # what publication needs); the optional ones are cleared like other text.
    Column("channels", "办理形式", ("办理方式", "办理渠道", "申请方式"), blank="keep"),
    Column("locations", "办理地点", ("受理地点", "办理地址", "办公地点", "窗口地址"), blank="keep"),
    Column("office_hours", "办理时间", ("受理时间", "办公时间", "工作时间"), max_length=200),
    Column("consult_phone", "咨询电话", ("咨询方式", "咨询电话号码"), blank="keep", max_length=100),
    Column("complaint_phone", "监督投诉电话", ("投诉电话", "监督电话", "监督投诉方式", "投诉举报电话"), max_length=100),
    # Not in the minimum layout of the issue, but needed so that export → import is exact for
    # items that are 业务办理项 of one 实施清单事项 (same department and name).
    Column("handling_name", "业务办理项名称", ("业务办理项", "办理项名称"), max_length=200),
    Column("handling_code", "业务办理项编码", ("办理项编码",), blank="keep", max_length=80),
)
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED_KEYS = tuple(c.key for c in COLUMNS if c.required)
# Keys that are 办事指南 content (a change makes a new version); the others identify the item.
GUIDE_KEYS = ("name", "item_type", "statutory_days", "promised_days", "case_type", "visits",
              "acceptance_conditions", "legal_basis", "service_object", "materials", "fees",
              "popular_name", "keywords", "channels", "locations", "office_hours", "consult_phone",
              "complaint_phone", "no_materials")
# ``no_materials`` (无需提交申请材料) has no column of its own: the 申请材料 cell says it.

normalise_header = spreadsheets.normalise_header


_HEADER_INDEX: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.title, *_c.aliases):
        _HEADER_INDEX[normalise_header(_name)] = _c.key


assert len(_HEADER_INDEX) == sum(1 + len(c.aliases) for c in COLUMNS), "a header name is used by two columns"


def header_key(value: Any) -> str | None:
    return _HEADER_INDEX.get(normalise_header(value))


column_letter = spreadsheets.column_letter


# -- issues ----------------------------------------------------------------------------------
@dataclass
class Issue:
    """One problem of one row: 第 ``row`` 行, 列 ``column``: ``message``."""

    row: int
    column: str
    message: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message, "value": self.value}


# -- reading files ---------------------------------------------------------------------------
@dataclass
class Table:
    """An opened file: where the header is, which column holds what, and the data rows."""

    kind: str  # "xlsx" or "csv"
    encoding: str  # for CSV: utf-8, utf-8-sig (BOM) or gb18030; "" for xlsx
    header_row: int
    columns: dict[int, str]  # cell index → column key
    headers: dict[str, str]  # column key → header text as written in the file
    ignored: list[str]  # header texts that match no column
    rows: Iterator[tuple[int, list[Any]]]  # (row number as shown by Excel, cell values)


# The readers are the platform's (zhengwu.core.spreadsheets: limits, zip-bomb checks, streaming);
# these names stay for the callers of this module.
detect_kind = spreadsheets.detect_kind
decode_csv = spreadsheets.decode_csv
iter_xlsx_rows = spreadsheets.iter_xlsx_rows
estimate_rows = spreadsheets.estimate_rows


def parsed_rows(table: Table) -> Iterator[ParsedRow]:
    """The data rows of an opened file, each checked with :func:`parse_row`, in file order.

    (In one process: handing rows to other processes costs more than parsing them.)
    """
    for number, cells in table.rows:
        row = parse_row(number, cells, table.columns)
        if row is not None:
            yield row


def open_table(data: bytes, file_name: str = "") -> Table:
    """Open a file and find its header row; raise :class:`ImportFileError` if unusable."""
    opened = spreadsheets.read_rows(data, file_name)
    kind, encoding, rows = opened.kind, opened.encoding, opened.rows

    seen_rows: list[tuple[int, list[Any]]] = []
    for number, cells in rows:
        if not any(_filled(c) for c in cells):
            continue
        seen_rows.append((number, cells))
        keys = [header_key(c) for c in cells]
        if all(k in keys for k in REQUIRED_KEYS):
            return _table(kind, encoding, number, cells, rows)
        if len(seen_rows) >= HEADER_SEARCH_ROWS:
            break
    if not seen_rows:
        raise ImportFileError("文件中没有数据")
    number, cells = seen_rows[0]
    found = [str(c).strip() for c in cells if _filled(c)]
    keys = {header_key(c) for c in cells}
    missing = [COLUMN_BY_KEY[k].title for k in REQUIRED_KEYS if k not in keys]
    raise ImportFileError(
        f"缺少必需的列：{'、'.join(missing)}。第一行应为表头（列名），至少包含“实施主体”和“事项名称”两列；"
        f"文件第{number}行的内容为：{_shown('、'.join(found), 120)}"
    )


def _filled(value: Any) -> bool:
    return value is not None and (not isinstance(value, str) or value.strip() != "")


def _table(kind: str, encoding: str, header_row: int, cells: list[Any], rows) -> Table:
    columns: dict[int, str] = {}
    headers: dict[str, str] = {}
    ignored: list[str] = []
    for index, cell in enumerate(cells):
        if not _filled(cell):
            continue
        key = header_key(cell)
        if key is None:
            ignored.append(str(cell).strip())
            continue
        if key in headers:
            first = next(i for i, k in columns.items() if k == key)
            raise ImportFileError(
                f"表头中“{COLUMN_BY_KEY[key].title}”列出现了两次（第{column_letter(first)}列“{headers[key]}”和"
                f"第{column_letter(index)}列“{str(cell).strip()}”），请只保留一列"
            )
        columns[index] = key
        headers[key] = str(cell).strip()
    return Table(kind, encoding, header_row, columns, headers, ignored, rows)


# -- rows --------------------------------------------------------------------------------------
@dataclass
class ParsedRow:
    """One data row after cell checks: ``values`` for filled cells, ``blank`` for empty ones."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    blank: set[str] = field(default_factory=set)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    # Columns whose cell could not be read (or is a required one left blank): the rules across
    # columns leave them out, so that one bad cell is reported once, not again by every rule
    # that reads it.
    unreadable: set[str] = field(default_factory=set)

    def error(self, key: str, message: str, value: Any = "") -> None:
        self.errors.append(Issue(self.row, COLUMN_BY_KEY[key].title if key in COLUMN_BY_KEY else key,
                                 message, _shown(value)))

    def cell_error(self, key: str, message: str, value: Any = "") -> None:
        self.unreadable.add(key)
        self.error(key, message, value)


def parse_row(row_number: int, cells: Sequence[Any], columns: dict[int, str]) -> ParsedRow | None:
    """Check each cell of one row; ``None`` for an empty row (skipped, not counted)."""
    n = len(cells)
    raw = []
    filled = False
    for index, key in columns.items():
        value = cells[index] if index < n else None
        if type(value) is str:
            value = value.strip()
            if not value:
                value = None
        if value is not None:
            filled = True
        raw.append((key, value))
    if not filled:
        return None
    row = ParsedRow(row_number)
    values = row.values
    for key, value in raw:
        if value is None:
            row.blank.add(key)
            if key in REQUIRED_KEYS:
                row.cell_error(key, f"{COLUMN_BY_KEY[key].title}不能为空")
            continue
        col = COLUMN_BY_KEY[key]
        try:
            parsed = _PARSERS[key](value, col.title)
        except CellError as exc:
            row.cell_error(key, str(exc), value)
            continue
        if col.max_length and type(parsed) is str and len(parsed) > col.max_length:
            row.cell_error(key, f"{col.title}过长：不能超过{col.max_length}个字（现有{len(parsed)}个字）", value)
            continue
        if not parsed and key in REQUIRED_KEYS:
            row.blank.add(key)
            row.cell_error(key, f"{col.title}不能为空")
            continue
        values[key] = parsed
    return row


assert set(_PARSERS) == set(COLUMN_BY_KEY)


# -- the final guide of a row --------------------------------------------------------------------
# Values of a new item where the file says nothing.
NEW_ITEM_DEFAULTS: dict[str, Any] = {
    "item_type": None,  # from a national 基本编码, else 20 公共服务
    "statutory_days": None, "promised_days": None, "case_type": None, "visits": 1,
    "acceptance_conditions": "", "legal_basis": "", "service_object": "person", "materials": [],
    "fees": [], "popular_name": "", "keywords": "",
    "channels": [], "locations": "", "office_hours": "", "consult_phone": "", "complaint_phone": "",
    "no_materials": False,
}
_LIST_KEYS = ("materials", "fees", "channels")


def target_guide(row: ParsedRow, current: dict[str, Any] | None) -> dict[str, Any]:
    """The guide values the row asks for: the file's values over the current ones.

    ``current`` holds the item's current guide (:data:`GUIDE_KEYS`), or ``None`` for a new
    item. A column that is missing keeps the current value; a blank cell clears it, except for
    the columns marked ``blank="keep"``.
    """
    guide = dict(current) if current is not None else dict(NEW_ITEM_DEFAULTS)
    for key in GUIDE_KEYS:
        if key == "no_materials":
            # A filled 申请材料 cell without names is 无需提交申请材料, one with names is not; a blank
            # cell (the materials are cleared) leaves it as it was (files exported before it was written).
            if "materials" in row.values:
                guide[key] = not row.values["materials"]
        elif key in row.values:
            guide[key] = row.values[key]
        elif key in row.blank and COLUMN_BY_KEY[key].blank == "clear":
            guide[key] = [] if key in _LIST_KEYS else ("" if key != "statutory_days" else None)
    if current is None:
        if guide["item_type"] is None:
            code = row.values.get("base_code", "")
            guide["item_type"] = code[2:4] if re.fullmatch(r"\d{12}", code) and code[2:4] in ITEM_TYPES else "20"
        if guide["promised_days"] is None:
            if guide["case_type"] == "committed" and guide["statutory_days"] is not None:
                guide["promised_days"] = guide["statutory_days"]
            else:
                guide["promised_days"] = 0
        if guide["case_type"] is None:
            guide["case_type"] = "instant" if guide["promised_days"] == 0 else "committed"
    return guide


_RULE_FIELD_TO_KEY = {"promised_days": "promised_days", "item_type": "item_type", "visits": "visits",
                      "base_code": "base_code", "implementation_code": "implementation_code",
                      "handling_code": "handling_code", "statutory_days": "statutory_days",
                      "case_type": "case_type", "materials": "materials", "online_depth": "channels"}


def check_target(row: ParsedRow, guide: dict[str, Any], codes: dict[str, str]) -> bool:
    """Cross-field rules (承诺 ≤ 法定, 即办件/承诺件, codes) on the final values; adds issues to
    ``row`` and returns whether every code has a recognised shape (else it is flagged).

    A column whose cell could not be read (``row.unreadable``) is left out of the rules: its
    own problem is already reported, and the rules check the row's other values on their own.
    """
    if row.unreadable:
        guide = {**guide, **{k: ([] if k in _LIST_KEYS else None) for k in row.unreadable if k in guide}}
        codes = {k: ("" if k in row.unreadable else v) for k, v in codes.items()}
    if codes_plainly_valid(codes, guide.get("item_type")):
        result = rules.check_guide(guide)  # codes already known good: skip their (slower) checks
    else:
        result = rules.check_guide(guide, codes=codes)
    for fname, messages in result.errors.items():
        key = _RULE_FIELD_TO_KEY.get(fname, fname)
        for message in messages:
            row.error(key, message, row.values.get(key, ""))
    if result.ok and not result.code_recognised:
        for key, kind in (("base_code", "base"), ("implementation_code", "implementation"), ("handling_code", "handling")):
            value = codes.get(key) or ""
            if value and not rules.check_item_code(value, kind, COLUMN_BY_KEY[key].title)[1]:
                row.warnings.append(Issue(row.row, COLUMN_BY_KEY[key].title,
                                          f"{COLUMN_BY_KEY[key].title}不是国家标准格式，已按原样保存并标记为“未识别”",
                                          _shown(value)))
    return result.code_recognised


@functools.lru_cache(maxsize=4096)
def _uscc_ok(value: str) -> bool:
    try:
        validate_uscc(value)
    except ValidationError:
        return False
    return True


def _base_code_ok(code: str) -> bool:
    return bool(BASE_CODE_RE.fullmatch(code)) and (code[:2] == "00" or code[:2] in PROVINCE_PREFIXES) \
        and code[2:4] in ITEM_TYPES


def codes_plainly_valid(codes: dict[str, str], item_type: str | None) -> bool:
    """True when the codes are national shapes that :func:`rules.check_guide` would accept with
    no error and no flag — decided with the 统一社会信用代码 check cached (one per department,
    not one per row). Anything else goes through the full check for its exact message."""
    base = codes.get("base_code") or ""
    impl = (codes.get("implementation_code") or "").upper()
    if codes.get("handling_code"):
        return False
    if base and (not _base_code_ok(base) or (item_type and base[2:4] != item_type)):
        return False
    if impl:
        m = IMPL_CODE_RE.fullmatch(impl)
        if not m or not _uscc_ok(m["uscc"]) or not _base_code_ok(m["base"]):
            return False
        if base and m["base"] != base:
            return False
    return True


def _same_text(value: Any) -> Any:
    return value.replace("\r\n", "\n").strip() if isinstance(value, str) else value


def guide_signature(guide: dict[str, Any]) -> tuple:
    """What decides "unchanged": the imported guide fields as the cells show them (fees as
    text, text without surrounding blanks, 办理形式 in any order), so that export → import
    changes nothing."""
    return tuple(format_fees(guide[k]) if k == "fees" else
                 (tuple(_same_text(m) for m in guide[k]) if k == "materials" else
                  (frozenset(guide[k] or ()) if k == "channels" else _same_text(guide[k])))
                 for k in GUIDE_KEYS)


def export_cells(item: dict[str, Any]) -> list[Any]:
    """One export row in :data:`COLUMNS` order from a dict keyed like the columns."""
    out: list[Any] = []
    for col in COLUMNS:
        value = item.get(col.key)
        if col.key == "item_type":
            value = ITEM_TYPES.get(value or "", value or "")
        elif col.key == "case_type":
            value = CASE_TYPE_TITLES.get(value or "", value or "")
        elif col.key == "service_object":
            value = SERVICE_OBJECT_TITLES.get(value or "", value or "")
        elif col.key == "materials":
            value = format_materials(value or [], bool(item.get("no_materials")))
        elif col.key == "fees":
            value = format_fees(value or [])
        elif col.key == "channels":
            value = format_channels(value or [])
        elif value is None:
            value = ""
        out.append(value)
    return out


# -- writing -----------------------------------------------------------------------------------
# Column widths (characters) of the export, in COLUMNS order.
EXPORT_WIDTHS = (24, 36, 12, 16, 34, 24, 10, 10, 10, 11, 40, 40, 14, 40, 30, 24, 24, 24, 36, 20, 16, 16, 20, 20)
EXPORT_WRAP = {i for i, c in enumerate(COLUMNS) if c.key in ("acceptance_conditions", "legal_basis", "materials", "fees",
                                                             "locations", "office_hours")}
assert len(EXPORT_WIDTHS) == len(COLUMNS)


def write_xlsx(target, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet_name: str = "实施清单") -> int:
    """Write header + rows in the export layout; returns the number of data rows."""
    count = 0
    with xlsx_writer.XlsxWriter(target, sheet_name, EXPORT_WIDTHS, EXPORT_WRAP) as w:
        w.append(list(header))
        for row in rows:
            w.append(row)
            count += 1
    return count


def write_csv(target, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UTF-8 with BOM, so that Excel opens it with the right encoding; cells neutralised."""
    return spreadsheets.write_csv(target, header, rows)
