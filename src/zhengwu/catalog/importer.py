"""Reading and writing 实施清单 spreadsheets: the file formats, the column layout, row parsing.

Bureaus keep their 实施清单 in Excel. This module turns an uploaded ``.xlsx`` or ``.csv`` (UTF-8
with or without BOM, or GBK/GB18030 — detected) into checked Python values, and writes the same
layout back out. It is pure: no ORM, so it can be tested on its own; the database side (looking
rows up, bulk writes, versions) is :mod:`zhengwu.catalog.services.imports`.

The column layout is :data:`COLUMNS`; docs/catalog-import.md documents it for bureaus.

Why not openpyxl for the big files: on this class of machine openpyxl's read-only mode reads a
100,000-row, 17-column sheet in ~36 s and its write-only mode writes one in ~35 s, which alone
breaks the one-minute import budget. A sheet is a zip of plain SpreadsheetML, so
:func:`iter_xlsx_rows` streams it through expat (C) and :class:`XlsxWriter` writes it directly,
both several times faster. openpyxl still reads every file written here (the tests check), and
files saved by Excel, WPS or LibreOffice are read here.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError

from zhengwu.core.identifiers import BASE_CODE_RE, IMPL_CODE_RE, ITEM_TYPES, PROVINCE_PREFIXES, validate_uscc

from . import rules

# Files bigger than this are refused before reading (a 100,000-row sheet is ~10 MB).
MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_ROWS = 200_000
# Header row: the first of the first few rows that names both required columns.
HEADER_SEARCH_ROWS = 10


class ImportFileError(Exception):
    """The whole file is refused (wrong format, no header, missing required columns)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


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
              "popular_name", "keywords")

_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "【": "(", "】": ")", "［": "(", "］": ")",
                            "＊": "*", "\u3000": " ", "\ufeff": ""})


def normalise_header(value: Any) -> str:
    """``' 法定时限（工作日）*'`` → ``'法定时限'``: spaces, markers and a trailing note go."""
    text = str(value if value is not None else "").translate(_FULLWIDTH)
    text = re.sub(r"\s+", "", text)
    text = text.strip("*※").rstrip(":")
    text = re.sub(r"\([^()]*\)$", "", text)  # 法定时限(工作日), 申请材料(用；分隔)
    return text.strip("*※")


_HEADER_INDEX: dict[str, str] = {}
for _c in COLUMNS:
    for _name in (_c.title, *_c.aliases):
        _HEADER_INDEX[normalise_header(_name)] = _c.key


def header_key(value: Any) -> str | None:
    return _HEADER_INDEX.get(normalise_header(value))


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


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


def _shown(value: Any, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def detect_kind(data: bytes, file_name: str = "") -> str:
    name = (file_name or "").lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ImportFileError("不支持旧版Excel（.xls）文件：请在Excel中“另存为”.xlsx或.csv格式后再导入")
    if name.endswith((".xlsx", ".xlsm")):
        raise ImportFileError("文件不是有效的.xlsx文件（可能已损坏或扩展名不符），请用Excel重新保存后再导入")
    if name and not name.endswith((".csv", ".txt")):
        raise ImportFileError("只能导入.xlsx或.csv文件")
    return "csv"


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 with BOM, UTF-8, else GB18030 (a superset of GBK and GB2312)."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError:
        raise ImportFileError("无法识别CSV文件的文字编码：请保存为UTF-8或GBK编码的CSV") from None


def _csv_rows(text: str) -> Iterator[tuple[int, list[Any]]]:
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, row in enumerate(reader, start=1):
            yield number, row
    except csv.Error as exc:
        raise ImportFileError(f"CSV文件格式错误（第{reader.line_num}行附近）：{exc}") from None


# SpreadsheetML escapes characters XML cannot carry as _xHHHH_ (e.g. _x000D_ for a carriage return).
_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_INT_RE = re.compile(r"-?\d+")


def _ooxml_unescape(text: str) -> str:
    return _OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _number(text: str) -> int | float | str:
    if _INT_RE.fullmatch(text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        return text
    return int(value) if value.is_integer() and abs(value) < 1e15 else value


def _local(name: str) -> str:
    return name.rpartition(":")[2]


def _xlsx_part(zf: zipfile.ZipFile, path: str) -> bytes | None:
    try:
        return zf.read(path)
    except KeyError:
        return None


def _first_sheet_path(zf: zipfile.ZipFile) -> str:
    """The part of the workbook's first sheet (by workbook order, not by file name)."""
    workbook = _xlsx_part(zf, "xl/workbook.xml")
    rels = _xlsx_part(zf, "xl/_rels/workbook.xml.rels")
    if workbook and rels:
        first_rid = None
        targets: dict[str, str] = {}

        def wb_start(name, attrs):
            nonlocal first_rid
            if _local(name) == "sheet" and first_rid is None:
                first_rid = next((v for k, v in attrs.items() if _local(k) == "id"), None)

        def rel_start(name, attrs):
            if _local(name) == "Relationship":
                targets[attrs.get("Id", "")] = attrs.get("Target", "")

        for blob, handler in ((workbook, wb_start), (rels, rel_start)):
            p = expat.ParserCreate()
            p.StartElementHandler = handler
            p.Parse(blob, True)
        target = targets.get(first_rid or "")
        if target:
            target = target.lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    sheets = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    if not sheets:
        raise ImportFileError("Excel文件中没有找到工作表")
    return sheets[0]


def _shared_strings(zf: zipfile.ZipFile) -> list[str]:
    path = "xl/sharedStrings.xml"
    if path not in zf.namelist():
        return []
    strings: list[str] = []
    buf: list[str] = []
    state = {"in_t": False, "skip": 0}

    def start(name, attrs):
        local = _local(name)
        if local == "si":
            buf.clear()
        elif local == "t" and not state["skip"]:
            state["in_t"] = True
        elif local == "rPh":  # phonetic guide text is not part of the value
            state["skip"] += 1

    def end(name):
        local = _local(name)
        if local == "t":
            state["in_t"] = False
        elif local == "rPh":
            state["skip"] -= 1
        elif local == "si":
            strings.append(_ooxml_unescape("".join(buf)))

    def chars(data):
        if state["in_t"]:
            buf.append(data)

    p = expat.ParserCreate()
    p.buffer_text = True
    p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, chars
    with zf.open(path) as f:
        p.ParseFile(f)
    return strings


def _column_index(ref: str) -> int:
    index = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            index = index * 26 + ord(ch) - 64
        else:
            break
    return index - 1


def _rows_expat(stream, strings: list[str]) -> Iterator[tuple[int, list[Any]]]:
    """Any SpreadsheetML sheet (a binary stream), element by element: namespace prefixes, any
    attribute order. (The handlers are the hot loop of reading a big sheet: kept lean.)"""

    done: list[tuple[int, list[Any]]] = []
    row: list[Any] = []
    # Element names → local names, computed once per distinct name (files may use a prefix).
    names: dict[str, str] = {}
    # Cell reference letters → column index ("AB" → 27), once per column.
    columns: dict[str, int] = {}
    digits = "0123456789"
    row_number = 0
    col = -1
    cell_type: str | None = None
    in_text = False
    text = ""
    skip = 0

    def start(name, attrs):
        nonlocal row_number, col, cell_type, in_text, skip, text
        local = names.get(name)
        if local is None:
            local = names[name] = _local(name)
        if local == "c":
            ref = attrs.get("r")
            if ref:
                letters = ref.rstrip(digits)
                index = columns.get(letters)
                if index is None:
                    index = columns[letters] = _column_index(letters)
                col = index
            else:
                col += 1
            cell_type = attrs.get("t")
            text = ""
        elif local == "v" or local == "t":
            if not skip:
                in_text = True
        elif local == "row":
            r = attrs.get("r")
            row_number = int(r) if r else row_number + 1
            col = -1
            row.clear()
        elif local == "rPh":
            skip += 1

    def end(name):
        nonlocal in_text, skip
        local = names[name]
        if local == "v" or local == "t":
            in_text = False
        elif local == "c":
            raw = text
            if cell_type == "s":
                value: Any = strings[int(raw)] if raw else None
            elif not raw:
                return
            elif cell_type is None or cell_type == "n":
                value = int(raw) if raw.isdigit() else _number(raw)
            elif cell_type in ("inlineStr", "str", "e"):
                value = _ooxml_unescape(raw)
            elif cell_type == "b":
                value = raw == "1"
            else:
                value = _number(raw)
            if value is not None and value != "":
                if col >= len(row):
                    row.extend([None] * (col - len(row) + 1))
                row[col] = value
        elif local == "row":
            if row:
                done.append((row_number, list(row)))
        elif local == "rPh":
            skip -= 1

    def chars(data):
        nonlocal text
        if in_text:
            text = text + data if text else data

    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
    with stream:
        while True:
            chunk = stream.read(1 << 20)
            parser.Parse(chunk, not chunk)
            if done:
                yield from done
                done.clear()
            if not chunk:
                break


def _open_xlsx(data: bytes) -> tuple[zipfile.ZipFile, str, list[str]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        return zf, _first_sheet_path(zf), _shared_strings(zf)
    except (zipfile.BadZipFile, KeyError, expat.ExpatError, IndexError, ValueError, EOFError):
        raise ImportFileError("文件不是有效的.xlsx文件（可能已损坏），请用Excel重新保存后再导入") from None


_CORRUPT = "Excel文件内容无法读取（可能已损坏），请用Excel重新保存后再导入"
_READ_ERRORS = (expat.ExpatError, zipfile.BadZipFile, IndexError, ValueError, EOFError, UnicodeDecodeError)


def iter_xlsx_rows(data: bytes, max_rows: int = MAX_ROWS) -> Iterator[tuple[int, list[Any]]]:
    """Stream the first sheet of an .xlsx: (row number, [cell values]) for rows that have cells.

    Strings come back as ``str``, numbers as ``int``/``float``, booleans as ``bool``.
    """
    zf, sheet, strings = _open_xlsx(data)
    count = 0
    try:
        for item in _rows_expat(zf.open(sheet), strings):
            count += 1
            if count > max_rows + 1:
                raise ImportFileError(f"文件行数超过上限（{max_rows:,}行），请拆分为多个文件分批导入")
            yield item
    except _READ_ERRORS:
        raise ImportFileError(_CORRUPT) from None


def parsed_rows(table: Table) -> Iterator[ParsedRow]:
    """The data rows of an opened file, each checked with :func:`parse_row`, in file order.

    (Parsing the two halves of a big sheet in two processes was tried: on this two-core machine,
    shared with other work, moving the rows between processes cost more than it saved.)
    """
    for number, cells in table.rows:
        row = parse_row(number, cells, table.columns)
        if row is not None:
            yield row


def estimate_rows(data: bytes, file_name: str = "") -> int:
    """A quick upper estimate of the number of data rows (decides: now or in the background)."""
    kind = detect_kind(data, file_name)
    if kind == "csv":
        return max(data.count(b"\n"), 1)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        with zf.open(_first_sheet_path(zf)) as f:
            head = f.read(4096)
    except (zipfile.BadZipFile, KeyError, expat.ExpatError):
        raise ImportFileError("文件不是有效的.xlsx文件（可能已损坏），请用Excel重新保存后再导入") from None
    m = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
    if m:
        return int(m.group(1))
    # No <dimension>: count the rows (cheap compared with parsing their cells).
    with zf.open(_first_sheet_path(zf)) as f:
        total, tail = 0, b""
        while chunk := f.read(1 << 20):
            block = tail + chunk
            total += len(re.findall(rb"<(?:\w+:)?row[ >]", block))
            tail = block[-16:]
            total -= len(re.findall(rb"<(?:\w+:)?row[ >]", tail))
        return total


def open_table(data: bytes, file_name: str = "") -> Table:
    """Open a file and find its header row; raise :class:`ImportFileError` if unusable."""
    if not data:
        raise ImportFileError("文件是空的")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(f"文件过大（超过{MAX_FILE_BYTES // 1024 // 1024}MB），请拆分后分批导入")
    kind = detect_kind(data, file_name)
    if kind == "xlsx":
        rows, encoding = iter_xlsx_rows(data), ""
    else:
        text, encoding = decode_csv(data)
        rows = _csv_rows(text)

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


# -- cell values -------------------------------------------------------------------------------
class CellError(ValueError):
    """A cell value breaks a rule; the message names the column and the rule in Chinese."""


def text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return text.strip()


def code_value(value: Any, key: str) -> str:
    """Codes are text; Excel turns an all-digit code into a number and drops leading zeros."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = int(value)
        text = str(number)
        if key == "base_code" and len(text) < 12:
            text = text.zfill(12)  # 001... national codes typed into a number cell
        return text
    text = text_value(value)
    return "".join(text.split()) if _SPACE_RE.search(text) else text


_SPACE_RE = re.compile(r"\s")


_DAYS_RE = re.compile(r"(\d+)\s*(?:个)?\s*(?:工作日|日|天)?")
_INSTANT_WORDS = {"即办", "即时办结", "当场办结", "即来即办", "立即办结"}


def days_value(value: Any, title: str, *, allow_instant: bool = False) -> int:
    """A non-negative whole number of working days; ``20``, ``20.0``, ``"20个工作日"``."""
    if isinstance(value, bool):
        raise CellError(f"{title}应为不小于0的整数（工作日），例如：20")
    if isinstance(value, (int, float)):
        if value < 0:
            raise CellError(f"{title}不能为负数：应为不小于0的整数（工作日）")
        if isinstance(value, float) and not value.is_integer():
            raise CellError(f"{title}应为整数个工作日（不能有小数），例如：20")
        number = int(value)
    else:
        text = text_value(value)
        if allow_instant and text in _INSTANT_WORDS:
            return 0
        m = _DAYS_RE.fullmatch(text)
        if not m:
            if re.fullmatch(r"-\s*\d+.*", text):
                raise CellError(f"{title}不能为负数：应为不小于0的整数（工作日）")
            raise CellError(f"{title}应为不小于0的整数（工作日），例如：20")
        number = int(m.group(1))
    if number > 3650:
        raise CellError(f"{title}不能超过3650个工作日")
    return number


_VISITS_RE = re.compile(r"(\d+)\s*次?")


def visits_value(value: Any, title: str) -> int:
    if isinstance(value, bool):
        raise CellError(f"{title}应为不小于0的整数，例如：0（零跑动）或1")
    if isinstance(value, (int, float)):
        if value < 0:
            raise CellError(f"{title}不能为负数：应为不小于0的整数")
        if isinstance(value, float) and not value.is_integer():
            raise CellError(f"{title}应为整数，例如：0（零跑动）或1")
        number = int(value)
    else:
        text = text_value(value)
        if text in ("零跑动", "零次", "不跑动"):
            return 0
        m = _VISITS_RE.fullmatch(text)
        if not m:
            if text.startswith("-"):
                raise CellError(f"{title}不能为负数：应为不小于0的整数")
            raise CellError(f"{title}应为不小于0的整数，例如：0（零跑动）或1")
        number = int(m.group(1))
    if number > 99:
        raise CellError(f"{title}不能超过99次")
    return number


_TYPE_BY_NAME = {name: code for code, name in ITEM_TYPES.items()}
_TYPE_BY_NAME.update({"其他权力": "10", "其它行政权力": "10", "其他行政职权": "10", "公共服务事项": "20"})


def item_type_value(value: Any, title: str = "事项类型") -> str:
    """事项类型 by name (行政许可) or code (01, 1)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        text = f"{int(value):02d}"
    else:
        text = re.sub(r"\s+", "", text_value(value))
    if re.fullmatch(r"\d{1,2}", text):
        text = text.zfill(2)
        if text in ITEM_TYPES:
            return text
    else:
        m = re.fullmatch(r"(\d{2})[-_.、:：]?(.+)", text)
        if m and m.group(1) in ITEM_TYPES and ITEM_TYPES[m.group(1)] == m.group(2).removesuffix("类"):
            return m.group(1)
        name = text.removesuffix("类").removesuffix("事项") if text not in _TYPE_BY_NAME else text
        if name in _TYPE_BY_NAME:
            return _TYPE_BY_NAME[name]
        if text in _TYPE_BY_NAME:
            return _TYPE_BY_NAME[text]
    allowed = "、".join(ITEM_TYPES.values())
    raise CellError(f"{title}“{_shown(text, 30)}”不存在：应为{allowed}之一，或其两位代码（如01、20）")


_CASE_TYPES = {"即办件": "instant", "即办": "instant", "instant": "instant",
               "承诺件": "committed", "承诺": "committed", "committed": "committed"}


def case_type_value(value: Any, title: str = "办件类型") -> str:
    text = re.sub(r"\s+", "", text_value(value))
    try:
        return _CASE_TYPES[text]
    except KeyError:
        raise CellError(f"{title}应为“即办件”或“承诺件”，不能是“{_shown(text, 30)}”") from None


_PERSON_WORDS = ("自然人", "个人", "公民")
_LEGAL_WORDS = ("法人", "企业", "其他组织", "组织")


def service_object_value(value: Any, title: str = "服务对象") -> str:
    text = re.sub(r"\s+", "", text_value(value))
    if text in ("person", "legal", "both"):
        return text
    person = any(w in text for w in _PERSON_WORDS)
    legal = any(w in text for w in _LEGAL_WORDS)
    leftover = text
    for w in sorted(_PERSON_WORDS + _LEGAL_WORDS + ("或", "和", "及", "与", "、", ",", "，", "/", ";", "；"),
                    key=len, reverse=True):
        leftover = leftover.replace(w, "")
    if leftover in ("", "其他", "其它", "法") and (person or legal):
        return "both" if person and legal else ("person" if person else "legal")
    raise CellError(f"服务对象应为“自然人”“法人”或“自然人、法人”，不能是“{_shown(text, 30)}”")


SERVICE_OBJECT_TITLES = {"person": "自然人", "legal": "法人", "both": "自然人、法人"}
CASE_TYPE_TITLES = {"instant": "即办件", "committed": "承诺件"}

_NUMBERING = re.compile(r"^\s*(?:\d{1,3}\s*[.、．)）](?!\d)|[（(]\s*\d{1,3}\s*[)）]|[①-⑳])\s*")


def list_value(value: Any) -> list[str]:
    """One entry per line; in a cell without line breaks, entries are separated by ；or ;.

    Leading numbering (``1.``, ``2、``, ``（3）``, ``④``) is dropped.
    """
    text = text_value(value)
    if not text:
        return []
    parts = text.split("\n") if "\n" in text else re.split(r"[；;]", text)
    out = []
    for part in parts:
        part = _clean_entry(part)
        if part:
            out.append(part)
    return out


@functools.lru_cache(maxsize=8192)
def _clean_entry(part: str) -> str:
    """Materials repeat across thousands of rows (居民身份证, 营业执照 …): clean each spelling once."""
    return _NUMBERING.sub("", part).strip().rstrip("；;").strip()


_material_key = functools.lru_cache(maxsize=8192)(rules.material_key)


def materials_value(value: Any, title: str = "申请材料") -> list[str]:
    names = list_value(value)
    seen: dict[str, str] = {}
    for name in names:
        if len(name) > 300:
            raise CellError(f"{title}中“{_shown(name, 20)}”过长：每项材料名称不能超过300个字")
        key = _material_key(name)
        if key in seen:
            raise CellError(f"{title}“{_shown(name, 40)}”重复填写了")
        seen[key] = name
    return names


_NO_FEE = {"", "不收费", "无", "免费", "否", "无收费", "不涉及", "无收费项目", "0", "0元"}
_FEE_RE = re.compile(r"(?P<name>[^：:]+?)\s*[：:]\s*(?P<standard>.*?)(?:\s*[（(]依据[：:]\s*(?P<basis>.*)[)）])?")


def fees_value(value: Any, title: str = "收费") -> list[dict[str, str]]:
    """收费: ``工本费：20元/证（依据：豫发改收费〔2017〕1号）`` per line; 不收费 or blank → []."""
    if text_value(value) in _NO_FEE:
        return []
    fees = []
    for part in list_value(value):
        m = _FEE_RE.fullmatch(part)
        if m:
            fees.append({"name": m["name"].strip(), "standard": m["standard"].strip(), "basis": (m["basis"] or "").strip()})
        else:
            fees.append({"name": part, "standard": "", "basis": ""})
    return fees


def format_fees(fees: Sequence[dict] | None) -> str:
    """The text a cell shows for a fee list (what :func:`fees_value` reads back)."""
    if not fees:
        return "不收费"
    lines = []
    for fee in fees:
        name = str(fee.get("name") or "").strip()
        standard = str(fee.get("standard") or "").strip()
        basis = str(fee.get("basis") or "").strip()
        line = f"{name}：{standard}" if standard else name
        if basis:
            line += f"（依据：{basis}）"
        lines.append(line)
    return "\n".join(lines)


def format_materials(names: Sequence[str]) -> str:
    return "\n".join(names)


# -- rows --------------------------------------------------------------------------------------
@dataclass
class ParsedRow:
    """One data row after cell checks: ``values`` for filled cells, ``blank`` for empty ones."""

    row: int
    values: dict[str, Any] = field(default_factory=dict)
    blank: set[str] = field(default_factory=set)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    def error(self, key: str, message: str, value: Any = "") -> None:
        self.errors.append(Issue(self.row, COLUMN_BY_KEY[key].title if key in COLUMN_BY_KEY else key,
                                 message, _shown(value)))


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
                row.error(key, f"{COLUMN_BY_KEY[key].title}不能为空")
            continue
        col = COLUMN_BY_KEY[key]
        try:
            parsed = _PARSERS[key](value, col.title)
        except CellError as exc:
            row.error(key, str(exc), value)
            continue
        if col.max_length and type(parsed) is str and len(parsed) > col.max_length:
            row.error(key, f"{col.title}过长：不能超过{col.max_length}个字（现有{len(parsed)}个字）", value)
            continue
        if not parsed and key in REQUIRED_KEYS:
            row.blank.add(key)
            row.error(key, f"{col.title}不能为空")
            continue
        values[key] = parsed
    return row


def _text(value: Any, title: str = "") -> str:
    if type(value) is str:  # already stripped by parse_row
        return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value
    return text_value(value)


def _one_line(value: Any, title: str = "") -> str:
    """A name: no line breaks, runs of blanks become one space."""
    text = _text(value)
    return " ".join(text.split()) if ("  " in text or "\n" in text or "\t" in text or "\u3000" in text) else text


def _small_int(value: Any) -> int | None:
    """The common cell: an int, or (CSV) a string of digits."""
    if type(value) is int:
        return value
    if type(value) is str and value.isascii() and value.isdigit():
        return int(value)
    return None


def _days(value: Any, title: str) -> int:
    n = _small_int(value)
    if n is not None and 0 <= n <= 3650:
        return n
    return days_value(value, title)


def _promised(value: Any, title: str) -> int:
    n = _small_int(value)
    if n is not None and 0 <= n <= 3650:
        return n
    return days_value(value, title, allow_instant=True)


def _visits(value: Any, title: str) -> int:
    n = _small_int(value)
    if n is not None and 0 <= n <= 99:
        return n
    return visits_value(value, title)


# Choice columns repeat a handful of spellings over and over: remember what each one meant.
_cached_item_type = functools.lru_cache(maxsize=512)(lambda value, title: item_type_value(value, title))
_cached_case_type = functools.lru_cache(maxsize=512)(lambda value, title: case_type_value(value, title))
_cached_service_object = functools.lru_cache(maxsize=512)(lambda value, title: service_object_value(value, title))

_PARSERS: dict[str, Callable[[Any, str], Any]] = {
    "department": _one_line,
    "name": _one_line,
    "item_type": _cached_item_type,
    "base_code": lambda v, t: code_value(v, "base_code"),
    "implementation_code": lambda v, t: code_value(v, "implementation_code"),
    "handling_code": lambda v, t: code_value(v, "handling_code"),
    "main_item": _one_line,
    "statutory_days": _days,
    "promised_days": _promised,
    "case_type": _cached_case_type,
    "visits": _visits,
    "acceptance_conditions": _text,
    "legal_basis": _text,
    "service_object": _cached_service_object,
    "materials": materials_value,
    "fees": fees_value,
    "popular_name": _one_line,
    "keywords": _text,
    "handling_name": _one_line,
}
assert set(_PARSERS) == set(COLUMN_BY_KEY)


# -- the final guide of a row --------------------------------------------------------------------
# Values of a new item where the file says nothing.
NEW_ITEM_DEFAULTS: dict[str, Any] = {
    "item_type": None,  # from a national 基本编码, else 20 公共服务
    "statutory_days": None, "promised_days": None, "case_type": None, "visits": 1,
    "acceptance_conditions": "", "legal_basis": "", "service_object": "person", "materials": [],
    "fees": [], "popular_name": "", "keywords": "",
}


def target_guide(row: ParsedRow, current: dict[str, Any] | None) -> dict[str, Any]:
    """The guide values the row asks for: the file's values over the current ones.

    ``current`` holds the item's current guide (:data:`GUIDE_KEYS`), or ``None`` for a new
    item. A column that is missing keeps the current value; a blank cell clears it, except for
    the columns marked ``blank="keep"``.
    """
    guide = dict(current) if current is not None else dict(NEW_ITEM_DEFAULTS)
    for key in GUIDE_KEYS:
        if key in row.values:
            guide[key] = row.values[key]
        elif key in row.blank and COLUMN_BY_KEY[key].blank == "clear":
            guide[key] = [] if key in ("materials", "fees") else ("" if key != "statutory_days" else None)
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
                      "case_type": "case_type", "materials": "materials"}


def check_target(row: ParsedRow, guide: dict[str, Any], codes: dict[str, str]) -> bool:
    """Cross-field rules (承诺 ≤ 法定, 即办件/承诺件, codes) on the final values; adds issues to
    ``row`` and returns whether every code has a recognised shape (else it is flagged)."""
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
    text, text without surrounding blanks), so that export → import changes nothing."""
    return tuple(format_fees(guide[k]) if k == "fees" else
                 (tuple(_same_text(m) for m in guide[k]) if k == "materials" else _same_text(guide[k]))
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
            value = format_materials(value or [])
        elif col.key == "fees":
            value = format_fees(value or [])
        elif value is None:
            value = ""
        out.append(value)
    return out


# -- writing .xlsx -----------------------------------------------------------------------------
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '</Types>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" '
    'Target="docProps/core.xml"/>'
    '</Relationships>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    '</Relationships>'
)
# Style 0: default; 1: bold header on grey; 2: wrapped text aligned to the top.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="宋体"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="宋体"/><family val="2"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/><bgColor indexed="64"/></patternFill></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>'
)


class XlsxWriter:
    """Write one sheet of rows to an .xlsx (shared strings, as Excel itself saves).

    ``with XlsxWriter(path_or_file, sheet_name, widths) as w: w.append(row)`` — rows are
    streamed to a temporary part, so 100,000 rows need little memory beyond the string table.
    """

    def __init__(self, target, sheet_name: str = "Sheet1", widths: Sequence[float] | None = None,
                 wrap_columns: Iterable[int] = (), header_style: bool = True):
        self._target = target
        self._sheet_name = sheet_name
        self._widths = list(widths or [])
        self._wrap = set(wrap_columns)
        self._header_style = header_style
        self._strings: dict[str, int] = {}
        self._string_refs = 0
        self._rows = 0
        self._max_cols = 0
        self._body = io.StringIO()
        self._letters = [column_letter(i) for i in range(64)]

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()

    def append(self, values: Sequence[Any]) -> None:
        self._rows += 1
        r = self._rows
        style_row = r == 1 and self._header_style
        parts = [f'<row r="{r}">']
        letters = self._letters
        for i, value in enumerate(values):
            if value is None or value == "":
                continue
            ref = f"{letters[i] if i < 64 else column_letter(i)}{r}"
            style = ' s="1"' if style_row else (' s="2"' if i in self._wrap else "")
            if isinstance(value, bool):
                parts.append(f'<c r="{ref}"{style} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, (int, float)):
                parts.append(f'<c r="{ref}"{style}><v>{value}</v></c>')
            else:
                text = str(value)
                index = self._strings.get(text)
                if index is None:
                    index = self._strings[text] = len(self._strings)
                self._string_refs += 1
                parts.append(f'<c r="{ref}"{style} t="s"><v>{index}</v></c>')
        parts.append("</row>")
        self._max_cols = max(self._max_cols, len(values))
        self._body.write("".join(parts))

    def close(self) -> None:
        last = f"{column_letter(max(self._max_cols, 1) - 1)}{max(self._rows, 1)}"
        cols = "".join(f'<col min="{i + 1}" max="{i + 1}" width="{w}" customWidth="1"/>'
                       for i, w in enumerate(self._widths))
        head = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<dimension ref="A1:{last}"/>'
            '<sheetViews><sheetView workbookViewId="0">'
            + ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' if self._header_style else "")
            + '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "")
            + "<sheetData>"
        )
        tail = "</sheetData></worksheet>"
        sheet_name = escape(self._sheet_name[:31], {'"': "&quot;"})
        workbook = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )
        core = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>zhengwu</dc:creator></cp:coreProperties>'
        )
        with zipfile.ZipFile(self._target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5) as zf:
            zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
            zf.writestr("_rels/.rels", _ROOT_RELS)
            zf.writestr("docProps/core.xml", core)
            zf.writestr("xl/workbook.xml", workbook)
            zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
            zf.writestr("xl/styles.xml", _STYLES)
            with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
                f.write(head.encode())
                body = self._body.getvalue()
                self._body = io.StringIO()
                f.write(body.encode())
                del body
                f.write(tail.encode())
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                f.write(('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                         '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                         f'count="{self._string_refs}" uniqueCount="{len(self._strings)}">').encode())
                batch: list[str] = []
                for text in self._strings:
                    clean = _ILLEGAL_XML.sub("", text)
                    space = ' xml:space="preserve"' if clean != clean.strip() else ""
                    batch.append(f"<si><t{space}>{escape(clean)}</t></si>")
                    if len(batch) >= 5000:
                        f.write("".join(batch).encode())
                        batch.clear()
                f.write(("".join(batch) + "</sst>").encode())


# Column widths (characters) of the export, in COLUMNS order.
EXPORT_WIDTHS = (24, 36, 12, 16, 34, 24, 10, 10, 10, 11, 40, 40, 14, 40, 30, 24, 24, 20, 20)
EXPORT_WRAP = {i for i, c in enumerate(COLUMNS) if c.key in ("acceptance_conditions", "legal_basis", "materials", "fees")}


def write_xlsx(target, header: Sequence[str], rows: Iterable[Sequence[Any]], sheet_name: str = "实施清单") -> int:
    """Write header + rows in the export layout; returns the number of data rows."""
    count = 0
    with XlsxWriter(target, sheet_name, EXPORT_WIDTHS, EXPORT_WRAP) as w:
        w.append(list(header))
        for row in rows:
            w.append(row)
            count += 1
    return count


def write_csv(target, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """UTF-8 with BOM, so that Excel opens it with the right encoding."""
    count = 0
    target.write(codecs.BOM_UTF8)
    stream = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(stream)
    writer.writerow(list(header))
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
        count += 1
    stream.flush()
    stream.detach()
    return count
