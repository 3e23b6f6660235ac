"""The report as an .xlsx (openpyxl): one sheet per table, then the 指标口径 appendix sheet.

Each sheet: the report's title (row 1), the period and scope (row 2), the column headers (row 4),
the rows from row 5, the table's note below. Numbers stay numbers (rates in percent, one decimal);
every text goes through :func:`zhengwu.core.spreadsheets.safe_row` (formula injection).
"""

from __future__ import annotations

import io

from zhengwu.core.spreadsheets import safe_row

from .tables import Report

HEADER_ROW = 4
APPENDIX = "指标口径"
APPENDIX_COLUMNS = ("指标", "代码", "计算口径", "来源领域", "单位", "统计维度", "统计周期", "说明")


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    bold, head_fill = Font(bold=True), PatternFill("solid", fgColor="D9E1F2")
    subtitle = (f"统计期：{report.period.start:%Y-%m-%d} 至 {report.period.end:%Y-%m-%d}（数据截至 "
                f"{report.data_until:%Y-%m-%d}） 统计范围：{report.scope} 生成时间：{report.generated_at:%Y-%m-%d %H:%M}")

    def sheet(ws, title: str, columns, rows, note: str, widths):
        ws.append(safe_row([f"{report.title} · {title}"]))
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(safe_row([subtitle]))
        ws.append([])
        ws.append(safe_row(columns))
        for cell in ws[HEADER_ROW]:
            cell.font, cell.fill = bold, head_fill
        for row in rows:
            ws.append(safe_row(row))
        if note:
            ws.append([])
            ws.append(safe_row([f"注：{note}"]))
        for i, w in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(i)].width = w
        ws.freeze_panes = f"A{HEADER_ROW + 1}"

    wb = Workbook()
    wb.remove(wb.active)
    for t in report.tables:
        ws = wb.create_sheet(t.name)
        first = max(12, min(40, max((len(str(r[0])) * 2 for r in t.rows), default=12)))
        sheet(ws, t.title, t.columns, t.rows, t.note, [first] + [14] * (len(t.columns) - 1))
        if not t.rows:
            ws.cell(HEADER_ROW + 1, 1, "本期无数据")
    ws = wb.create_sheet(APPENDIX)
    rows = [[d.name, d.key, d.formula, d.domain, d.unit, d.dimensions, d.periods, d.note] for d in report.definitions]
    sheet(ws, "附录：指标口径", APPENDIX_COLUMNS, rows, "各指标由平台的指标登记表统一定义，与“指标口径”页面一致。",
          [18, 24, 70, 10, 6, 20, 10, 30])
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + len(rows)):
        for cell in row:
            cell.alignment = Alignment(vertical="top", wrap_text=True)
    wb.properties.title = report.title
    wb.properties.creator = report.platform
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
