"""Reading the spreadsheets bureaus hand over (.xlsx, or .csv in UTF-8 / GBK): a header row found
among the first rows, then the data rows with their row numbers. The file itself is read by the
platform's safe reader (:mod:`zhengwu.core.spreadsheets`: size, zip-bomb, row and cell limits)."""

from __future__ import annotations

from typing import Any

from zhengwu.core import spreadsheets

HEADER_SEARCH_ROWS = 10


class TableError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def header_name(value: Any) -> str:
    return spreadsheets.normalise_header(value)


def read(data: bytes, file_name: str, required: tuple[str, ...]) -> tuple[dict[str, int], list[tuple[int, list]]]:
    """({column name: index}, [(row number, cells)]); the header is the first row naming every
    ``required`` column. :class:`TableError` (Chinese) when the file cannot be used."""
    try:
        rows = spreadsheets.read_rows(data, file_name).rows
        seen = 0
        first = None
        for number, cells in rows:
            if not any(c is not None and str(c).strip() for c in cells):
                continue
            names = [header_name(c) for c in cells]
            first = first or (number, names)
            if all(r in names for r in required):
                index = {}
                for i, n in enumerate(names):
                    if n and n not in index:
                        index[n] = i
                return index, [(n, list(c)) for n, c in rows]
            seen += 1
            if seen >= HEADER_SEARCH_ROWS:
                break
    except spreadsheets.SpreadsheetError as exc:
        raise TableError(exc.message) from None
    except Exception as exc:  # a corrupt xlsx (zip) or similar
        raise TableError(f"无法读取文件：请上传 .xlsx 或 .csv 文件（{type(exc).__name__}）") from None
    if first is None:
        raise TableError("文件中没有数据")
    raise TableError(f"缺少必需的列：{'、'.join(required)}。第{first[0]}行为：{'、'.join(n for n in first[1] if n)[:120]}")


def cell(cells: list, index: dict[str, int], name: str) -> str:
    i = index.get(name)
    if i is None or i >= len(cells) or cells[i] is None:
        return ""
    v = cells[i]
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v).strip()
