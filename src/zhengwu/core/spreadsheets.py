"""Spreadsheets in and out (.xlsx and .csv): the platform's one safe reader and the cell
neutraliser every export uses.

Reading. Bureaus hand over .xlsx files (a zip of SpreadsheetML parts) and .csv files (UTF-8 with
or without BOM, or GBK/GB18030). Every reader in the platform (catalogue import, 12345 taxonomy
and training imports, any later one) goes through :func:`read_rows`, which yields
``(row number as Excel shows it, [cell values])`` one row at a time, and refuses with a Chinese
:class:`SpreadsheetError` naming the file and the limit:

- an .xlsx whose zip directory promises more than :func:`limits` allow — total expanded size,
  an absurd compression ratio (a "zip bomb": a 783 KB upload once expanded to 768 MiB), too many
  members, odd member paths, encrypted or unknown compression — *before* any part is read
  (:func:`open_xlsx`). zipfile stops every member at the size its directory declares, so the
  check holds for what is read afterwards;
- more rows, longer cells, more shared strings, or a column further right than the limits.

The sheet is streamed through expat in 1 MiB chunks (ADR 0006: several times faster than
openpyxl's read-only mode on a 100,000-row sheet); small parts (workbook, relationships) are
parsed as streams too, with a size cap, never read whole. Code that must hand an .xlsx to
openpyxl calls :func:`check_xlsx_archive` first and loads it with ``read_only=True``.

Writing: :mod:`zhengwu.core.cell_safety` (formula injection; its names are re-exported here).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from .cell_safety import (  # noqa: F401  (re-exported: the exporters import them from here)
    csv_writer,
    neutralise,
    safe_row,
    unneutralise,
    write_csv,
)

MIB = 1024 * 1024


class SpreadsheetError(Exception):
    """The whole file is refused; ``message`` says why in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# -- limits ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 100 * MIB  # the upload itself (a 100,000-row sheet is ~10–40 MB)
    max_expanded_bytes: int = 200 * MIB  # all zip members expanded (100,000 rows: ~120 MiB)
    max_ratio: int = 100  # expanded : compressed, for members above ratio_floor (real sheets: < 12)
    ratio_floor: int = 4 * MIB
    max_members: int = 1000  # Excel writes ~10–40; images and embeddings add some
    max_part_bytes: int = 16 * MIB  # workbook.xml and relationship parts, which are parsed whole
    max_rows: int = 200_000
    max_cell_chars: int = 32_767  # Excel's own limit for one cell
    max_shared_strings: int = 3_000_000  # bounds the memory of the shared-string table
    max_columns: int = 16_384  # Excel's last column, XFD


def limits() -> Limits:
    """The limits, with settings ``ZHENGWU_SPREADSHEET_MAX_EXPANDED_MB``,
    ``ZHENGWU_SPREADSHEET_MAX_RATIO``, ``ZHENGWU_SPREADSHEET_MAX_ROWS``,
    ``ZHENGWU_SPREADSHEET_MAX_CELL_CHARS`` where present."""
    base = Limits()
    try:
        from django.conf import settings

        if not settings.configured:
            return base
        expanded = getattr(settings, "ZHENGWU_SPREADSHEET_MAX_EXPANDED_MB", None)
        return Limits(
            max_expanded_bytes=int(expanded * MIB) if expanded else base.max_expanded_bytes,
            max_ratio=int(getattr(settings, "ZHENGWU_SPREADSHEET_MAX_RATIO", base.max_ratio)),
            max_rows=int(getattr(settings, "ZHENGWU_SPREADSHEET_MAX_ROWS", base.max_rows)),
            max_cell_chars=int(getattr(settings, "ZHENGWU_SPREADSHEET_MAX_CELL_CHARS", base.max_cell_chars)),
        )
    except ImportError:  # pragma: no cover - Django is always there in this project
        return base


def _file(file_name: str) -> str:
    return f"文件“{file_name}”" if file_name else "文件"


def _mb(n: int) -> str:
    return f"{n / MIB:,.0f}MB"


# -- kinds and encodings ---------------------------------------------------------------------------
def detect_kind(data: bytes, file_name: str = "") -> str:
    """``"xlsx"`` or ``"csv"`` from the first bytes (the name only breaks ties)."""
    name = (file_name or "").lower()
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise SpreadsheetError("不支持旧版Excel（.xls）文件：请在Excel中“另存为”.xlsx或.csv格式后再导入")
    if name.endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError("文件不是有效的.xlsx文件（可能已损坏或扩展名不符），请用Excel重新保存后再导入")
    if name and not name.endswith((".csv", ".txt")):
        raise SpreadsheetError("只能导入.xlsx或.csv文件")
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
        raise SpreadsheetError("无法识别CSV文件的文字编码：请保存为UTF-8或GBK编码的CSV") from None


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# Header cells as people type them: full-width brackets, stars marking required columns, notes.
_FULLWIDTH = str.maketrans({"（": "(", "）": ")", "：": ":", "【": "(", "】": ")", "［": "(", "］": ")",
                            "＊": "*", "\u3000": " ", "\ufeff": ""})


def normalise_header(value: Any) -> str:
    """``' 法定时限（工作日）*'`` → ``'法定时限'``: spaces, markers and a trailing note go."""
    text = str(value if value is not None else "").translate(_FULLWIDTH)
    text = re.sub(r"\s+", "", text)
    text = text.strip("*※").rstrip(":")
    text = re.sub(r"\([^()]*\)$", "", text)  # 法定时限(工作日), 申请材料(用；分隔)
    return text.strip("*※")



def _too_many_rows(max_rows: int) -> SpreadsheetError:
    return SpreadsheetError(f"文件行数超过上限（{max_rows:,}行），请拆分为多个文件分批导入")


def _too_long(row: int, col: int, max_chars: int) -> SpreadsheetError:
    where = f"第{row}行第{column_letter(col)}列" if row else "一个单元格"
    return SpreadsheetError(f"{where}的内容超过{max_chars:,}个字符（Excel单元格的上限），请检查该单元格")


# -- CSV -------------------------------------------------------------------------------------------
def csv_rows(text: str, *, max_rows: int | None = None,
             max_cell_chars: int | None = None) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a decoded CSV (comma or tab separated), neutralising apostrophes removed."""
    lim = limits()
    max_rows = max_rows or lim.max_rows
    max_chars = max_cell_chars or lim.max_cell_chars
    first_line = text[: text.find("\n")] if "\n" in text else text
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    count = 0
    try:
        for number, row in enumerate(reader, start=1):
            count += 1
            if count > max_rows + 1:  # + the header
                raise _too_many_rows(max_rows)
            for i, cell in enumerate(row):
                if len(cell) > max_chars:
                    raise _too_long(reader.line_num, i, max_chars)
                if cell[:1] == "'":
                    row[i] = unneutralise(cell)
            yield number, row
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise SpreadsheetError(f"CSV文件第{reader.line_num}行附近有单元格的内容超过"
                                   f"{csv.field_size_limit():,}个字符，请检查该行") from None
        raise SpreadsheetError(f"CSV文件格式错误（第{reader.line_num}行附近）：{exc}") from None


# -- .xlsx: the archive ---------------------------------------------------------------------------
_EOCD = b"PK\x05\x06"


def _directory_size(data: bytes) -> tuple[int, int] | None:
    """(member count, central directory bytes) from the end-of-central-directory record, read
    before zipfile builds an object per member; None when it is not found (zipfile decides)."""
    at = data.rfind(_EOCD, max(0, len(data) - 65_557))
    if at < 0 or at + 22 > len(data):
        return None
    _disk, _cd_disk, _here, total, cd_size, _offset, _comment = struct.unpack("<HHHHIIH", data[at + 4: at + 22])
    return total, cd_size


def check_xlsx_archive(zf: zipfile.ZipFile, file_name: str = "", lim: Limits | None = None) -> None:
    """Refuse an .xlsx whose zip directory does not look like a spreadsheet's (see the module
    docstring); reads no member."""
    lim = lim or limits()
    who = _file(file_name)
    infos = zf.infolist()
    if len(infos) > lim.max_members:
        raise SpreadsheetError(f"{who}包含{len(infos):,}个内部文件，超过上限（{lim.max_members:,}个），不像正常的Excel文件，已拒绝")
    total = 0
    for info in infos:
        name = info.filename
        parts = name.split("/")
        if (not name or name.startswith("/") or "\\" in name or ":" in name or "\x00" in name or ".." in parts
                or len(parts) > 10 or len(name) > 260):
            raise SpreadsheetError(f"{who}中有路径异常的内部文件（{name[:60]!r}），不像正常的Excel文件，已拒绝")
        if info.flag_bits & 0x1:
            raise SpreadsheetError(f"{who}已加密或设置了打开密码，请在Excel中取消密码后再导入")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise SpreadsheetError(f"{who}使用了不支持的压缩方式，请用Excel重新保存后再导入")
        size = info.file_size
        if size > lim.ratio_floor and size > lim.max_ratio * max(info.compress_size, 1):
            raise SpreadsheetError(
                f"{who}中的“{name[:60]}”压缩比异常（{size // max(info.compress_size, 1):,}:1，上限{lim.max_ratio}:1，"
                f"解压后{_mb(size)}），可能是恶意构造的压缩炸弹，已拒绝")
        total += size
    if total > lim.max_expanded_bytes:
        raise SpreadsheetError(f"{who}解压后的总大小为{_mb(total)}，超过上限（{_mb(lim.max_expanded_bytes)}），"
                               f"请删除多余的工作表、图片或拆分后分批导入")


_BAD_XLSX = "文件不是有效的.xlsx文件（可能已损坏），请用Excel重新保存后再导入"
_CORRUPT = "Excel文件内容无法读取（可能已损坏），请用Excel重新保存后再导入"
_READ_ERRORS = (expat.ExpatError, zipfile.BadZipFile, IndexError, ValueError, EOFError, UnicodeDecodeError,
                KeyError, zipfile.LargeZipFile, NotImplementedError, RuntimeError)


def open_zip(data: bytes, file_name: str = "", lim: Limits | None = None) -> zipfile.ZipFile:
    """The checked archive of an .xlsx (:func:`check_xlsx_archive`); nothing is expanded yet."""
    lim = lim or limits()
    found = _directory_size(data)
    if found and found[0] != 0xFFFF and (found[0] > lim.max_members or found[1] > lim.max_members * 1024):
        raise SpreadsheetError(f"{_file(file_name)}包含的内部文件过多（超过{lim.max_members:,}个），不像正常的Excel文件，已拒绝")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except _READ_ERRORS:
        raise SpreadsheetError(_BAD_XLSX) from None
    check_xlsx_archive(zf, file_name, lim)
    return zf


def _local(name: str) -> str:
    return name.rpartition(":")[2]


class _Stop(Exception):
    pass


def _parse_part(zf: zipfile.ZipFile, path: str, start, lim: Limits) -> bool:
    """Stream a small part through expat (``start`` may raise :class:`_Stop`); False if absent."""
    try:
        info = zf.getinfo(path)
    except KeyError:
        return False
    if info.file_size > lim.max_part_bytes:
        raise SpreadsheetError(f"Excel文件中的“{path}”解压后有{_mb(info.file_size)}，超过上限（{_mb(lim.max_part_bytes)}），已拒绝")
    p = expat.ParserCreate()
    p.StartElementHandler = start
    try:
        with zf.open(info) as f:
            p.ParseFile(f)
    except _Stop:
        pass
    return True


def _first_sheet_path(zf: zipfile.ZipFile, lim: Limits) -> str:
    """The part of the workbook's first sheet (by workbook order, not by file name)."""
    found: dict[str, str | None] = {"rid": None}
    targets: dict[str, str] = {}

    def wb_start(name, attrs):
        if _local(name) == "sheet":
            found["rid"] = next((v for k, v in attrs.items() if _local(k) == "id"), None)
            raise _Stop  # the rest of the workbook part is not needed

    def rel_start(name, attrs):
        if _local(name) == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")

    if _parse_part(zf, "xl/workbook.xml", wb_start, lim) and found["rid"]:
        _parse_part(zf, "xl/_rels/workbook.xml.rels", rel_start, lim)
        target = targets.get(found["rid"] or "")
        if target:
            target = target.lstrip("/")
            return target if target.startswith("xl/") else f"xl/{target}"
    sheets = sorted(n for n in zf.namelist() if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
    if not sheets:
        raise SpreadsheetError("Excel文件中没有找到工作表")
    return sheets[0]


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


def _shared_strings(zf: zipfile.ZipFile, lim: Limits) -> list[str]:
    path = "xl/sharedStrings.xml"
    if path not in zf.NameToInfo:
        return []
    strings: list[str] = []
    buf: list[str] = []
    state = {"in_t": False, "skip": 0, "chars": 0}

    def start(name, attrs):
        local = _local(name)
        if local == "si":
            buf.clear()
            state["chars"] = 0
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
            if len(strings) >= lim.max_shared_strings:
                raise SpreadsheetError(f"Excel文件中不同文字的数量超过上限（{lim.max_shared_strings:,}个），请拆分后分批导入")
            strings.append(unneutralise(_ooxml_unescape("".join(buf))))

    def chars(data):
        if state["in_t"]:
            state["chars"] += len(data)
            if state["chars"] > lim.max_cell_chars:
                raise _too_long(0, 0, lim.max_cell_chars)
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


def _rows_expat(stream, strings: list[str], lim: Limits) -> Iterator[tuple[int, list[Any]]]:
    """Any SpreadsheetML sheet (a binary stream), element by element: namespace prefixes, any
    attribute order. (The handlers are the hot loop of reading a big sheet: kept lean.)"""

    done: list[tuple[int, list[Any]]] = []
    row: list[Any] = []
    # Element names → local names, computed once per distinct name (files may use a prefix).
    names: dict[str, str] = {}
    # Cell reference letters → column index ("AB" → 27), once per column.
    columns: dict[str, int] = {}
    digits = "0123456789"
    max_chars, max_col = lim.max_cell_chars, lim.max_columns
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
                    if index >= max_col:
                        raise SpreadsheetError(f"第{row_number}行有超出Excel最后一列（XFD）的单元格“{ref[:20]}”，文件可能已损坏")
                col = index
            else:
                col += 1
                if col >= max_col:
                    raise SpreadsheetError(f"第{row_number}行的单元格超过{max_col:,}列，文件可能已损坏")
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
                value = unneutralise(_ooxml_unescape(raw))
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
            if len(text) > max_chars:
                raise _too_long(row_number, col, max_chars)

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


def open_xlsx(data: bytes, file_name: str = "", lim: Limits | None = None) -> tuple[zipfile.ZipFile, str]:
    """(checked archive, path of the first sheet)."""
    lim = lim or limits()
    zf = open_zip(data, file_name, lim)
    try:
        return zf, _first_sheet_path(zf, lim)
    except _READ_ERRORS:
        raise SpreadsheetError(_BAD_XLSX) from None


def iter_xlsx_rows(data: bytes, max_rows: int | None = None, file_name: str = "") -> Iterator[tuple[int, list[Any]]]:
    """Stream the first sheet of an .xlsx: (row number, [cell values]) for rows that have cells.

    Strings come back as ``str``, numbers as ``int``/``float``, booleans as ``bool``.
    """
    lim = limits()
    max_rows = max_rows or lim.max_rows
    zf, sheet = open_xlsx(data, file_name, lim)
    try:
        strings = _shared_strings(zf, lim)
    except _READ_ERRORS:
        raise SpreadsheetError(_BAD_XLSX) from None
    count = 0
    try:
        for item in _rows_expat(zf.open(sheet), strings, lim):
            count += 1
            if count > max_rows + 1:
                raise _too_many_rows(max_rows)
            yield item
    except _READ_ERRORS:
        raise SpreadsheetError(_CORRUPT) from None


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[ >]")


def estimate_rows(data: bytes, file_name: str = "") -> int:
    """A quick upper estimate of the number of rows (for the import's now-or-background choice);
    an .xlsx is checked (:func:`open_xlsx`) first."""
    if detect_kind(data, file_name) == "csv":
        return max(data.count(b"\n"), 1)
    zf, sheet = open_xlsx(data, file_name)
    try:
        with zf.open(sheet) as f:
            head = f.read(4096)
        m = re.search(rb'<(?:\w+:)?dimension ref="[A-Z]+\d+:[A-Z]+(\d+)"', head)
        if m:
            return int(m.group(1))
        # No <dimension>: count the rows (cheap compared with parsing their cells).
        with zf.open(sheet) as f:
            total, tail = 0, b""
            while chunk := f.read(1 << 20):
                block = tail + chunk
                total += len(_ROW_TAG.findall(block))
                tail = block[-16:]
                total -= len(_ROW_TAG.findall(tail))
            return total
    except _READ_ERRORS:
        raise SpreadsheetError(_BAD_XLSX) from None


# -- the one entry point -----------------------------------------------------------------------------
@dataclass
class Rows:
    kind: str  # "xlsx" or "csv"
    encoding: str  # for CSV: utf-8, utf-8-sig (BOM), utf-16 or gb18030; "" for xlsx
    rows: Iterator[tuple[int, list[Any]]]


def read_rows(data: bytes, file_name: str = "", *, max_rows: int | None = None) -> Rows:
    """The rows of an uploaded .xlsx (first sheet) or .csv, streamed and within :func:`limits`;
    :class:`SpreadsheetError` (Chinese, naming the file and the limit) when refused."""
    lim = limits()
    if not data:
        raise SpreadsheetError("文件是空的")
    if len(data) > lim.max_file_bytes:
        raise SpreadsheetError(f"文件过大（超过{_mb(lim.max_file_bytes)}），请拆分后分批导入")
    if detect_kind(data, file_name) == "xlsx":
        open_xlsx(data, file_name, lim)  # refuse a bad archive now, not at the first row
        return Rows("xlsx", "", iter_xlsx_rows(data, max_rows, file_name))
    text, encoding = decode_csv(data)
    return Rows("csv", encoding, csv_rows(text, max_rows=max_rows))
