"""Streaming readers of 基础库 files: rows of a CSV (UTF-8 or GBK/GB18030, detected from the first
megabyte) or an .xlsx (openpyxl read-only), one at a time — a 10,000,000-row file is never held
in memory."""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Iterator
from typing import IO, Any

from zhengwu.core import spreadsheets

SNIFF_BYTES = 1024 * 1024
# An .xlsx of 1,048,576 rows (Excel's maximum) expands to ~1–2 GiB; refuse only bombs.
XLSX_LIMITS = spreadsheets.Limits(max_expanded_bytes=4096 * spreadsheets.MIB, max_rows=1_048_576)
csv.field_size_limit(1024 * 1024)


class ImportFileError(Exception):
    """The whole file is refused; ``message`` is Chinese and names the file."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def sniff_encoding(head: bytes) -> str:
    """utf-8-sig / utf-8 / gb18030 from the file's first bytes (a cut multi-byte character at
    the end of the sample is allowed)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise ImportFileError("无法识别CSV文件的文字编码：请保存为UTF-8或GBK编码的CSV") from None


def file_kind(f: IO[bytes], file_name: str) -> str:
    head = f.read(8)
    f.seek(0)
    if not head:
        raise ImportFileError("文件是空的")
    try:
        return spreadsheets.detect_kind(head, file_name)
    except spreadsheets.SpreadsheetError as exc:
        raise ImportFileError(exc.message) from None


def iter_rows(f: IO[bytes], file_name: str) -> Iterator[tuple[int, list[Any]]]:
    """(row number as Excel shows it, cells) for every row, the header row (1) first."""
    kind = file_kind(f, file_name)
    return _xlsx_rows(f, file_name) if kind == "xlsx" else _csv_rows(f)


def _csv_rows(f: IO[bytes]) -> Iterator[tuple[int, list[Any]]]:
    head = f.read(SNIFF_BYTES)
    f.seek(0)
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError("文件不是CSV文本文件（含有二进制内容），请导入.xlsx或.csv文件")
    encoding = sniff_encoding(head)
    text = io.TextIOWrapper(f, encoding=encoding, newline="")
    reader = csv.reader(text)
    row_no = 0
    try:
        for row_no, row in enumerate(reader, start=1):
            yield row_no, row
    except UnicodeDecodeError:
        raise ImportFileError(f"第{row_no + 1}行附近的文字编码与文件开头（{encoding}）不一致，请把整个文件另存为UTF-8编码") from None
    except csv.Error as exc:
        raise ImportFileError(f"第{row_no + 1}行不是有效的CSV内容（{exc}），请检查引号和换行") from None
    finally:
        try:
            text.detach()  # the caller owns the binary file
        except ValueError:
            pass


def _xlsx_rows(f: IO[bytes], file_name: str) -> Iterator[tuple[int, list[Any]]]:
    import openpyxl

    try:
        with zipfile.ZipFile(f) as zf:
            spreadsheets.check_xlsx_archive(zf, file_name, XLSX_LIMITS)
        f.seek(0)
        wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
    except spreadsheets.SpreadsheetError as exc:
        raise ImportFileError(exc.message) from None
    except Exception:  # noqa: BLE001 - any unreadable archive is the user's file, not our bug
        raise ImportFileError("文件不是有效的.xlsx文件（可能已损坏），请用Excel重新保存后再导入") from None
    try:
        ws = wb.worksheets[0]
        row_no = 0
        try:
            for row_no, row in enumerate(ws.iter_rows(values_only=True), start=1):
                yield row_no, list(row)
        except Exception:  # noqa: BLE001
            raise ImportFileError(f"Excel文件第{row_no + 1}行无法读取（可能已损坏），请用Excel重新保存后再导入") from None
    finally:
        wb.close()
