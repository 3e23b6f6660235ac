"""空白表格 and 示例样表 of the demo catalogue, made from the items' 申报表单 (no binary files in git).

A blank form is an .xlsx (openpyxl) with one row per field of the item's form, the choices
listed and an empty cell to fill in by hand; the sample is a PDF (reportlab) of the same form
filled with an example applicant, marked 示例. :func:`attach` stores them on the demo's
materials (Django storage, named by SHA-256 like the workbench's uploads).
"""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile

from zhengwu.core.identifiers import make_uscc

from .data.demo.forms import FORMS

# (item name, material name) → the example values of its sample (示例样表).
SAMPLES: dict[tuple[str, str], dict[str, object]] = {
    ("出生登记", "出生登记申请表"): {
        "applicant_name": "张小民", "relation": "父亲", "baby_name": "张小宝", "baby_gender": "女",
        "birth_date": "2026-11-20", "birth_certificate_no": "R410123456", "birth_place": "郑州大学第三附属医院",
        "ethnicity": "汉族", "settle_with": "随父落户", "household_address": "郑州市金水区农业路8号院3号楼2单元501室",
    },
    ("食品经营许可证核发", "食品经营许可申请书"): {
        "applicant_name": "郑州金水示范餐饮有限公司", "uscc": make_uscc("9", "1", "410105", "MA9XKT3Q"),
        "legal_rep": "刘企业",
        "shop_address": "郑州市金水区经三路68号1层", "main_business": "餐饮服务经营者",
        "business_items": ["热食类食品制售", "自制饮品制售"], "area": 86.5, "safety_manager": "王安全",
    },
}


def _rows(schema: dict) -> list[tuple[str, str, str]]:
    """(title, required mark, how to fill in) per field, in the form's order."""
    props = schema.get("properties") or {}
    required = set(schema.get("required") or [])
    order = [k for k in schema.get("x-order") or props if k in props]
    out = []
    for key in order:
        prop = props[key]
        choices = prop.get("enum") or (prop.get("items") or {}).get("enum")
        if choices:
            hint = ("可多选：" if prop.get("type") == "array" else "选一项：") + "／".join(map(str, choices))
        elif prop.get("format") == "date":
            hint = "年 月 日"
        elif prop.get("type") in ("number", "integer"):
            hint = "填写数字"
        else:
            hint = str(prop.get("description") or "")
        out.append((str(prop.get("title") or key), "是" if key in required else "", hint))
    return out


def blank_form_xlsx(title: str, schema: dict) -> bytes:
    """An .xlsx 空白表格: title, one row per field (名称 / 必填 / 填写说明 / 填写内容), signature line."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = "申请表"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([title])
    ws.merge_cells("A1:D1")
    ws["A1"].font = Font(size=16, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(["项目", "必填", "填写说明", "填写内容"])
    for cell in ws[2]:
        cell.font, cell.border = Font(bold=True), box
    for row in _rows(schema):
        ws.append([*row, ""])
        for cell in ws[ws.max_row]:
            cell.border = box
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.row_dimensions[ws.max_row].height = 30
    ws.append([])
    ws.append(["申请人（签字或盖章）：", "", "日期：", ""])
    for column, width in zip("ABCD", (24, 6, 40, 40)):
        ws.column_dimensions[column].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sample_pdf(title: str, schema: dict, values: dict[str, object]) -> bytes:
    """A PDF 示例样表: the form filled with ``values``, headed 示例 (A4, CJK CID font)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    heading = ParagraphStyle("h", fontName=font, fontSize=16, leading=22, alignment=1)
    body = ParagraphStyle("b", fontName=font, fontSize=10.5, leading=15)
    props = schema.get("properties") or {}
    order = [k for k in schema.get("x-order") or props if k in props]
    rows = []
    for key in order:
        value = values.get(key, "")
        if isinstance(value, list):
            value = "、".join(map(str, value))
        rows.append([Paragraph(str(props[key].get("title") or key), body), Paragraph(str(value), body)])
    table = Table(rows, colWidths=[55 * mm, 115 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#000000"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title=f"{title}（示例）", leftMargin=20 * mm, rightMargin=20 * mm)
    doc.build([Paragraph(f"{title}（示例样表）", heading), Spacer(1, 6 * mm),
               Paragraph("本表为填写示例，内容均为虚构，请按本人实际情况填写。", body), Spacer(1, 4 * mm), table,
               Spacer(1, 10 * mm), Paragraph("申请人（签字或盖章）：张小民　　　　日期：2026年11月25日", body)])
    return buf.getvalue()


def attach(materials) -> int:
    """Store the blank form and sample of the demo materials that have one (``materials`` are
    saved Material rows with ``version.name`` available); returns how many materials got files."""
    done = 0
    for m in materials:
        item_name = m.version.name
        values = SAMPLES.get((item_name, m.name))
        schema = FORMS.get(item_name)
        if values is None or not schema:
            continue
        for kind, content, ext in (("blank_form", blank_form_xlsx(m.name, schema), "xlsx"),
                                   ("sample", sample_pdf(m.name, schema, values), "pdf")):
            getattr(m, kind).save(f"{hashlib.sha256(content).hexdigest()}.{ext}", ContentFile(content), save=False)
        m.save(update_fields=["blank_form", "sample"])
        done += 1
    return done
