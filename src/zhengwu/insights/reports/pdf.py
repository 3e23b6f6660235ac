"""The report as a PDF (reportlab, A4, the platform's embedded CJK font :func:`zhengwu.core.fonts.pdf_font`):
a title page, one section per table, and the 指标口径 appendix (name, formula, source domain, unit,
dimensions). Page numbers in the footer. The report is not sealed: it is an internal statistical
report, not a document issued to anyone.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from zhengwu.core.fonts import pdf_font

from .tables import Report, Table

GRID = "#9aa5b1"
HEAD = "#d9e1f2"


def to_pdf(report: Report) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer
    from reportlab.platypus import Table as PdfTable

    font = pdf_font()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=report.title, author=report.platform,
                            subject=f"统计期 {report.period.text}")
    width = A4[0] - doc.leftMargin - doc.rightMargin
    big = ParagraphStyle("t", fontName=font, fontSize=24, leading=34, alignment=1, spaceAfter=10)
    sub = ParagraphStyle("s", fontName=font, fontSize=13, leading=20, alignment=1, spaceAfter=4)
    h = ParagraphStyle("h", fontName=font, fontSize=13, leading=20, spaceBefore=6, spaceAfter=6)
    body = ParagraphStyle("b", fontName=font, fontSize=10, leading=16, wordWrap="CJK")
    cell = ParagraphStyle("c", fontName=font, fontSize=7.5, leading=10, wordWrap="CJK")
    note = ParagraphStyle("n", parent=body, fontSize=8.5, leading=13, textColor="#555555", spaceBefore=3)

    def p(text, style=cell):
        return Paragraph(escape(str(text)), style)

    story = [Spacer(1, 55 * mm), Paragraph(escape(report.platform), sub), Paragraph(escape(report.title), big),
             Spacer(1, 20 * mm)]
    facts = [("统计期", f"{report.period.start:%Y年%m月%d日} 至 {report.period.end:%Y年%m月%d日}"),
             ("数据截至", f"{report.data_until:%Y年%m月%d日}"), ("统计范围", report.scope),
             ("生成时间", f"{report.generated_at:%Y-%m-%d %H:%M}")]
    cover = PdfTable([[p(k, body), p(v, body)] for k, v in facts], colWidths=[30 * mm, 100 * mm])
    cover.setStyle(_style(font, head=False))
    story += [cover, Spacer(1, 12 * mm),
              Paragraph(escape("目录：" + "；".join(t.title for t in report.tables) + "；附录 指标口径"), body),
              PageBreak()]
    for t in report.tables:
        story += [Paragraph(escape(t.title), h), _table(t, width, font, p), ]
        if t.note:
            story.append(Paragraph(escape("注：" + t.note), note))
        story.append(Spacer(1, 6 * mm))
    story += [PageBreak(), Paragraph("附录　指标口径", h),
              Paragraph("报告中的每个数字按以下口径计算，与平台“指标口径”页面的定义一致。", note), Spacer(1, 3 * mm)]
    rows = [[p(c) for c in ("指标", "计算口径", "来源领域", "单位", "统计维度")]]
    for d in report.definitions:
        formula = d.formula + (f"（{d.note}）" if d.note else "")
        rows.append([p(d.name), p(formula), p(d.domain), p(d.unit), p(d.dimensions)])
    appendix = PdfTable(rows, colWidths=[w * width for w in (0.17, 0.5, 0.1, 0.07, 0.16)], repeatRows=1)
    appendix.setStyle(_style(font))
    story.append(appendix)

    def footer(canvas, doc_):
        canvas.saveState()
        canvas.setFont(font, 8)
        canvas.setFillColor("#666666")
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"{report.title} · 第 {doc_.page} 页")
        canvas.restoreState()

    doc.build(story, onFirstPage=lambda c, d: None, onLaterPages=footer)
    return buf.getvalue()


def _style(font: str, head: bool = True):
    from reportlab.platypus import TableStyle

    commands = [("FONTNAME", (0, 0), (-1, -1), font), ("FONTSIZE", (0, 0), (-1, -1), 7.5),
                ("GRID", (0, 0), (-1, -1), 0.4, GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2)]
    if head:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), HEAD))
    return TableStyle(commands)


def _table(t: Table, width: float, font: str, p):
    from reportlab.platypus import Table as PdfTable

    widths = t.widths or (1.0,) * len(t.columns)
    scale = width / sum(widths)
    data = [[p(c) for c in t.columns]]
    # Only the columns of words wrap as paragraphs; numbers are plain strings (fast on a city's
    # thousand departments).
    wrap = set(t.text_columns)
    data += [[p(c) if i in wrap else c for i, c in enumerate(row)] for row in t.texts] or \
        [["本期无数据"] + [""] * (len(t.columns) - 1)]
    table = PdfTable(data, colWidths=[w * scale for w in widths], repeatRows=1)
    style = _style(font)
    style.add("ALIGN", (1, 1), (-1, -1), "RIGHT")
    for i in t.text_columns:
        style.add("ALIGN", (i, 1), (i, -1), "LEFT")
    if t.texts and t.texts[-1][0] == "合计":
        style.add("BACKGROUND", (0, len(data) - 1), (-1, len(data) - 1), "#f2f2f2")
    table.setStyle(style)
    return table
