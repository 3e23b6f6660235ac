"""Helpers that build small 实施清单 files (.xlsx with openpyxl, .csv in any encoding) in a test's
tmp_path — no binary fixtures in the repository."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

from zhengwu.core.identifiers import make_uscc

HEADER = ["实施主体", "事项名称", "事项类型", "基本编码", "实施编码", "主项名称", "法定时限", "承诺时限", "办件类型",
          "到现场次数", "受理条件", "设定依据", "服务对象", "申请材料", "收费", "通俗名称", "关键词"]

DEPT = "郑州市金水区市场监督管理局"
USCC = make_uscc("1", "1", "410105", "M0000001")


def impl_code(base_code: str, uscc: str = USCC, level: str = "4") -> str:
    """A well-formed 31-character 实施编码 for ``base_code``."""
    return f"{uscc}{level}{base_code}"


def row(**overrides) -> dict:
    """One good row (keys are the Chinese column names)."""
    values = {
        "实施主体": DEPT, "事项名称": "食品经营许可（新办）", "事项类型": "行政许可", "基本编码": "000105001000",
        "实施编码": "", "主项名称": "", "法定时限": 20, "承诺时限": 5, "办件类型": "承诺件", "到现场次数": 1,
        "受理条件": "申请人已依法取得营业执照。", "设定依据": "《中华人民共和国食品安全法》第三十五条",
        "服务对象": "法人", "申请材料": "食品经营许可申请书；营业执照；法定代表人身份证明", "收费": "不收费",
        "通俗名称": "开饭店办食品经营许可证", "关键词": "饭店，餐饮",
    }
    values.update(overrides)
    return values


def table(rows: list[dict], header: list[str] | None = None) -> list[list]:
    header = header or HEADER
    return [list(header)] + [[r.get(h, "") for h in header] for r in rows]


def write_xlsx(path: Path, rows: list[dict], header: list[str] | None = None, *, title_row: str | None = None,
               write_only: bool = False) -> Path:
    """An .xlsx as Excel would save it (shared strings); ``write_only`` makes openpyxl's
    streaming variant (inline strings)."""
    wb = openpyxl.Workbook(write_only=write_only)
    ws = wb.create_sheet("清单") if write_only else wb.active
    if title_row:
        ws.append([title_row])
    for values in table(rows, header):
        ws.append([None if v == "" else v for v in values])
    wb.save(path)
    return path


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None, *, encoding: str = "utf-8") -> Path:
    buf = io.StringIO()
    csv.writer(buf).writerows(table(rows, header))
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def read_xlsx(path) -> list[list]:
    wb = openpyxl.load_workbook(path, read_only=True)
    return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
