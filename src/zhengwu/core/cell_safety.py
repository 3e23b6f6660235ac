"""Cells out: the neutraliser every spreadsheet export uses (formula injection).

A cell text that starts with ``=``, ``+``, ``-``, ``@``, a tab or a line break is a
formula to Excel/WPS when the file is opened (CSV) or re-saved (formula injection, OWASP "CSV
injection"). :func:`neutralise` prefixes such a text with an apostrophe; numbers stay numbers (a
negative number is a number, not a formula). Every exporter passes its cells through it
(:func:`safe_row`, :func:`write_csv`, :func:`csv_writer`, :class:`zhengwu.core.xlsx_writer.XlsxWriter`).
The readers remove that apostrophe again (:func:`unneutralise`), so an exported file imports
back unchanged; the escape is reversible: a text that itself starts with apostrophes before
such a character gets one more.

:mod:`zhengwu.core.spreadsheets` (the reader) re-exports these names.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Sequence
from typing import Any

# -- formula injection --------------------------------------------------------------------------
# OWASP's list (= + - @ tab CR), and LF: an .xlsx brings a CR back as LF (XML line ends).
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r\n]")


def neutralise(value: Any) -> Any:
    """The value as an exported cell: a text Excel would take for a formula gets a leading
    apostrophe; numbers, dates, booleans and other texts are returned unchanged."""
    if isinstance(value, str) and value and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def unneutralise(value: Any) -> Any:
    """Undo :func:`neutralise` on a read cell (also drops the apostrophe a person typed to keep
    Excel from taking ``+86…`` or ``=…`` for a formula)."""
    if isinstance(value, str) and value[:1] == "'" and _NEEDS_QUOTE.match(value, 1):
        return value[1:]
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """One exported row, every cell through :func:`neutralise` (for openpyxl's ``ws.append``)."""
    return [neutralise(v) for v in values]


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row: Iterable[Any]):
        return self._writer.writerow([neutralise("" if v is None else v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **kwargs) -> _SafeWriter:
    """``csv.writer(stream)`` whose rows are neutralised (``None`` becomes an empty cell)."""
    return _SafeWriter(csv.writer(stream, **kwargs))


def write_csv(target, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Header + rows to a binary file as UTF-8 with BOM (Excel then opens it with the right
    encoding), every cell neutralised; returns the number of data rows."""
    count = 0
    target.write(codecs.BOM_UTF8)
    stream = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    writer = csv_writer(stream)
    writer.writerow(list(header))
    for row in rows:
        writer.writerow(row)
        count += 1
    stream.flush()
    stream.detach()
    return count
