"""The licence PDF (证照版式文件): reportlab, CJK font embedded, laid out by the type's template.

The face data in the template's field order, the holder, the number, the issuer and the dates,
the 电子证照标识 printed in full and a QR code of the verification address
(``/licences/verify?id=<identifier>``, absolute when ``ZHENGWU_PUBLIC_URL`` is set). The seal is
placed by :func:`zhengwu.licenses.sealing.seal_pdf`; the template's seal position is marked with
the issuer's name so that the page reads right before and after sealing.
"""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.conf import settings

from zhengwu.core import linebreak
from zhengwu.core.fonts import pdf_font

from . import rules

VERIFY_PATH = "/licences/verify"


def verify_url(identifier: str) -> str:
    base = getattr(settings, "ZHENGWU_PUBLIC_URL", "") or ""
    return f"{base}{VERIFY_PATH}?{urlencode({'id': identifier})}"


def _qr_png(data: str) -> bytes:
    import segno

    buf = io.BytesIO()
    segno.make(data, error="m").save(buf, kind="png", scale=6, border=2)
    return buf.getvalue()


def _wrap(text: str, width: float, font: str, size: float) -> list[str]:
    """The text in lines of ``width`` points, 避头尾 (:mod:`zhengwu.core.linebreak`)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return linebreak.wrap(text, width, lambda s: stringWidth(s, font, size))


ROWS_FLOOR = 260  # the rows stay above this line (points from the bottom): the foot is the seal's
ROW_SIZES = (12, 11, 10, 9, 8)  # font sizes tried in turn until every row fits above the foot


def _fit_rows(rows, font: str, width: float, room: float):
    """(size, label x, value x, [(label lines, value lines)]): the largest of :data:`ROW_SIZES` at
    which every row fits in ``room`` points, so that long 经营场所 or 经营项目 shrink the face rather
    than push 证照编号 and 有效期 off the page (at the smallest size, what does not fit is left off).

    The value column starts after the longest label (社会信用代码（身份证号码）is 13 characters), at
    most half-way across: a longer label wraps onto a second line of its own."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    label_x = 80
    for size in ROW_SIZES:
        label_w = min(max([stringWidth(label, font, size) for label, _ in rows] + [size * 8.0]), (width - 160) / 2)
        value_x = label_x + label_w + 16
        value_w = width - 80 - value_x
        laid = [(_wrap(label, label_w, font, size), _wrap(str(value or "—"), value_w, font, size))
                for label, value in rows]
        needed = sum(size * 1.5 * max(len(a), len(b)) + size * 0.85 for a, b in laid) - size * 0.85
        if needed <= room:
            break
    return size, label_x, value_x, laid


def licence_pdf(*, title: str, rows: list[tuple[str, str]], identifier: str, issuer_name: str,
                issued_on_text: str, seal_xy: tuple[int, int]) -> bytes:
    """One A4 page: title, the rows (label, value), the issuer and date at the seal position,
    the QR code and the identifier at the foot."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    font = pdf_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(title)
    c.setAuthor(issuer_name)
    c.setSubject("电子证照")
    c.setKeywords(identifier)  # the verification page finds the licence by it in an uploaded file
    width, height = A4
    c.setLineWidth(2)
    c.setStrokeColorRGB(0.6, 0.1, 0.1)
    c.rect(36, 36, width - 72, height - 72)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(font, 24)
    c.drawCentredString(width / 2, height - 110, title)
    from reportlab.pdfbase.pdfmetrics import stringWidth

    y = height - 170
    size, label_x, value_x, laid = _fit_rows(rows, font, width, room=y - ROWS_FLOOR)
    line_h, gap = size * 1.5, size * 0.85
    c.setFont(font, size)
    for label_lines, value_lines in laid:
        for i, line in enumerate(label_lines):
            c.drawString(label_x, y - i * line_h, line)
        for i, line in enumerate(value_lines):
            c.drawString(value_x, y - i * line_h, line)
        y -= line_h * max(len(label_lines), len(value_lines)) + gap
        if y < ROWS_FLOOR:  # the foot is kept for the seal, the QR code and the identifier
            break
    sx, sy = seal_xy  # the centre of the seal: the issuer and the date are written under it
    c.setFont(font, 12)
    for text, dy in ((f"发证机关：{issuer_name}", 30), (issued_on_text, 10)):
        w = stringWidth(text, font, 12)
        x = min(max(sx, 50 + w / 2), width - 50 - w / 2)  # kept inside the border
        c.drawCentredString(x, sy + dy, text)
    url = verify_url(identifier)
    c.drawImage(ImageReader(io.BytesIO(_qr_png(url))), 70, 80, width=90, height=90)
    # The foot's text stops short of the seal (SEAL_SIZE across, centred on the seal position) where
    # the seal comes down to it, so the 电子证照标识 and the address stay legible once sealed.
    seal_r = 119.0 / 2
    right = width - 50
    if sy - seal_r < 160 and sx - seal_r > 170:
        right = sx - seal_r - 6
    c.setFont(font, 8)
    foot = ["扫码核验证照真伪与状态", *_wrap(f"电子证照标识：{identifier}", right - 170, font, 8),
            *_wrap(url, right - 170, font, 8)]
    for i, line in enumerate(foot[:8]):
        c.drawString(170, 160 - i * 11, line)
    c.showPage()
    c.save()
    return buf.getvalue()


def rows_for(licence_type, data: dict, *, holder_name: str, holder_code: str, number: str,
             valid_text: str) -> list[tuple[str, str]]:
    """The printed rows: the face data in the template's order (or its variant's, :func:`rules.printed_fields`),
    then the registry facts."""
    rows = [(f["label"], str(data.get(f["key"], "") or "")) for f in
            rules.printed_fields(licence_type.template or {}, licence_type.fields_schema or [], data)]
    labels, values = {label for label, _ in rows}, {value for _, value in rows}
    extra = [("持证主体", holder_name), ("证件号码", holder_code), ("证照编号", number), ("有效期", valid_text)]
    # The holder's name and number are printed once (most types carry them as face fields).
    return rows + [(k, v) for k, v in extra if k not in labels and v not in values]
