"""Documents of a case as PDF (reportlab, CJK font embedded): receipt (受理回执), decision (决定书),
the written notices of intake. Every document that carries the department's seal (决定书, 受理通知书,
补正告知书, 不予受理决定书) is sealed through :func:`zhengwu.licenses.sealing.seal_pdf`: the seal
image over the department's name and date, and a PDF digital signature over the file."""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.core.files.base import ContentFile
from django.utils import timezone

from zhengwu.core import linebreak
from zhengwu.core.fonts import pdf_font


@dataclass
class Pdf:
    content: ContentFile
    sha256: str


def _anchor_flowable():
    """A zero-size flowable that remembers where on which page it was drawn (the seal goes there)."""
    from reportlab.platypus import Flowable

    class Anchor(Flowable):
        width = height = 0
        where: tuple[int, float, float] | None = None

        def wrap(self, avail_width, avail_height):
            return 0, 0

        def draw(self):
            x, y = self.canv.absolutePosition(0, 0)
            self.where = (self.canv.getPageNumber(), x, y)

    return Anchor()


def _render(title: str, lines: list[tuple[str, str]], paragraphs: list[str], footer: str,
            qr: tuple[bytes, str] | None = None, *, sealed_by=None, reason: str = "") -> Pdf:
    """The document; with ``sealed_by`` (a department) sealed over the footer's department name."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import (
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    font = pdf_font()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=title, author="政务服务平台")
    h = ParagraphStyle("h", fontName=font, fontSize=18, leading=26, alignment=1, spaceAfter=12)
    body = ParagraphStyle("b", fontName=font, fontSize=11, leading=18, wordWrap="CJK")
    story = [Paragraph(title, h)]
    pad = 6  # reportlab's cell and frame padding on each side

    def para(text: str, width: float):
        """A paragraph broken into lines here, 避头尾 (reportlab's own CJK wrapping lets 》 or ，
        begin a line): each line fits, so reportlab keeps the breaks. Plain text: < and & are escaped."""
        lines_ = linebreak.wrap(text, width - 2 * pad - 1, lambda t: stringWidth(t, font, body.fontSize))
        return Paragraph("<br/>".join(escape(line) for line in lines_), body)

    table = Table([[para(k, 38 * mm), para(v or "—", 128 * mm)] for k, v in lines], colWidths=[38 * mm, 128 * mm])
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "#888888"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    story += [table, Spacer(1, 8 * mm)]
    story += [para(p, doc.width) for p in paragraphs]
    if qr is not None:  # 好差评: a rating QR code (PNG) with its caption
        from reportlab.platypus import Image

        story += [Spacer(1, 6 * mm), Image(io.BytesIO(qr[0]), width=32 * mm, height=32 * mm),
                  Paragraph(qr[1], ParagraphStyle("q", parent=body, alignment=1, fontSize=9))]
    anchor = _anchor_flowable()
    story += [Spacer(1, 12 * mm),
              KeepTogether([Paragraph(footer, ParagraphStyle("f", parent=body, alignment=2)), anchor])]
    doc.build(story)
    data = buf.getvalue()
    if sealed_by is not None:
        from zhengwu.licenses.sealing import seal_pdf

        page, x, y = anchor.where or (0, 0.0, 0.0)
        right = A4[0] - doc.rightMargin
        name_width = stringWidth(sealed_by.name, font, body.fontSize)
        # 骑年盖月: the seal's centre over the department's name, its right edge within the margin
        position = (right - max(name_width / 2, 21 * mm), y + body.leading) if anchor.where else None
        data = seal_pdf(data, sealed_by, reason=reason, field="seal", position=position, page=page - 1)
    return Pdf(ContentFile(data), hashlib.sha256(data).hexdigest())


def delivery_lines(case, cross=None) -> list[tuple[str, str]]:
    """The receipt's 代收窗口 (跨域通办: ``cross``, the case's CrossIntake) and 结果领取: how, and for
    窗口领取 where — the receiving window when the result is picked up there (docs/tongban.md)."""
    from .services.tongban import pickup_place

    lines = []
    if cross is not None:
        lines.append(("代收窗口", pickup_place(cross)))
    method = case.delivery_method
    if method == "window":
        if cross is not None and cross.pickup_here:
            where = pickup_place(cross).split("（", 1)[0]
            lines.append(("结果领取", f"窗口领取：在代收窗口领取，{where}，凭办件编号领取"))
        else:
            lines.append(("结果领取", f"窗口领取：凭办件编号到{case.department.name}受理窗口领取"))
    elif method == "mail":
        address = str(case.delivery_address) if case.delivery_address else ""  # masked
        lines.append(("结果领取", f"邮寄送达：{address}" if address else "邮寄送达"))
    elif method == "electronic":
        lines.append(("结果领取", "电子送达：在“我的办件”中查看和下载"))
    return lines


def promised_text(case) -> str:
    """承诺办结时间 of the 申请回执, the same on the page and in the PDF (:func:`rules.promised_completion`):
    a 容缺受理 case says its time limit counts from the day the 容缺 materials are complete."""
    from . import queries, rules

    note = ""
    if case.due_date and case.intake_mode == "tolerated" and case.accepted_on:
        note = queries.tolerance_note(case, case.pending_materials.order_by("due_date", "pk"))
    return rules.promised_completion(case.promised_days, case.due_date, note)


def receipt_lines(case) -> list[tuple[str, str]]:
    """The rows of the 申请回执 (PDF)."""
    from .services.tongban import cross_of

    cross = cross_of(case) if case.filed_by_id else None
    return [("办件编号", case.number or ""), ("事项名称", case.service_item.name), ("实施部门", case.department.name),
            ("申请人", case.applicant.name), ("申报渠道", case.get_channel_display()),
            ("提交时间", f"{timezone.localtime(case.submitted_at):%Y-%m-%d %H:%M}" if case.submitted_at else ""),
            ("当前状态", case.state_label), ("承诺办结时间", promised_text(case)), *delivery_lines(case, cross)]


def receipt_pdf(case) -> Pdf:
    """受理回执 / 申请回执 with the promised completion date and where the result is collected."""
    return _render(
        "政务服务事项申请回执", receipt_lines(case),
        ["请凭办件编号在“我的办件”中查询办理进度。如对办理有意见，可拨打12345政务服务便民热线。"],
        f"{case.department.name}（盖章）<br/>{timezone.localdate():%Y年%m月%d日}",
        qr=_receipt_qr(case),
    )


def _receipt_qr(case) -> tuple[bytes, str] | None:
    """The QR code another domain prints on the receipt (ratings: 好差评, one signed, single-use
    token per case), asked for through :data:`zhengwu.cases.signals.receipt_qr`; the receipt is
    still produced if no receiver answers or one fails."""
    from .signals import receipt_qr

    for receiver, answer in receipt_qr.send_robust(sender=type(case), case=case):
        if isinstance(answer, Exception):  # a missing QR code must not cost the applicant the receipt
            logging.getLogger(__name__).error("receipt QR code for case %s failed", case.pk, exc_info=answer)
        elif answer is not None:
            return answer
    return None


def decision_pdf(case, outcome: str, reason: str, number: str, licence=None, entity: dict | None = None) -> Pdf:
    """准予/不予 决定书 from the case and its item; ``licence``: the e-licence the 准予 issued (made
    before the 决定书, in the same transaction), named with its 证照编号; ``entity``: the market entity
    a 设立登记 registered (the result's ``licence_payload["entity"]``), named with its 统一社会信用代码.
    A licence held by someone other than the applicant (the entity) names its 持证主体."""
    approved = outcome == "approved"
    title = f"{case.service_item.name}{'准予' if approved else '不予'}决定书"
    text = (f"{case.applicant.name}：\n你（单位）于{timezone.localtime(case.submitted_at):%Y年%m月%d日}提出的"
            f"“{case.service_item.name}”申请（办件编号 {case.number}），经审查，"
            + ("符合法定条件和标准，决定准予。" if approved else "不符合法定条件，决定不予准予。"))
    granted = []
    if approved and entity and entity.get("name") and entity.get("uscc"):
        from zhengwu.licenses.entity_rules import CATEGORY_LABELS

        kind = CATEGORY_LABELS.get(str(entity.get("category") or ""), "市场主体")
        text += f"准予登记{kind}“{entity['name']}”（统一社会信用代码：{entity['uscc']}）。"
        granted = [(f"登记的{kind}", entity["name"]), ("统一社会信用代码", entity["uscc"])]
    if approved and licence is not None:
        held = ""
        if not entity and licence.holder_name != case.applicant.name:
            held = f"，持证主体：{licence.holder_name}" + (f"（{licence.holder_uscc}）" if licence.holder_uscc else "")
            granted.append(("持证主体", f"{licence.holder_name}"
                                        + (f"（统一社会信用代码：{licence.holder_uscc}）" if licence.holder_uscc else "")))
        text += f"颁发《{licence.type.name}》（证照编号：{licence.number}{held}），电子证照可在“我的证照”中查看和下载。"
        granted += [("证照名称", licence.type.name), ("证照编号", licence.number)]
    if reason:
        text += f"\n理由：{reason}"
    if not approved:
        text += "\n如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。"
    basis = case.item_version.legal_basis or ""
    return _render(
        title,
        [("文号", number), ("办件编号", case.number or ""), ("事项名称", case.service_item.name),
         ("申请人", case.applicant.name), ("受理日期", f"{case.accepted_on:%Y-%m-%d}" if case.accepted_on else ""),
         ("办结日期", f"{timezone.localdate():%Y-%m-%d}"), *granted, ("设定依据", basis[:300])],
        [text], _signed(case), sealed_by=case.department, reason=f"{title} {number}",
    )


def licence_payload(case) -> dict:
    """What the licence module needs to issue an e-licence for an approved case."""
    results = case.item_version.results or []
    licence = next((r for r in results if r.get("type") == "证照"), None)
    if licence is None:
        return {}
    return {"licence_name": licence.get("name", ""), "holder": case.applicant.name, "case_number": case.number,
            "item_code": case.service_item.implementation_code, "issuer": case.department.name,
            "issuer_uscc": case.department.uscc, "issued_on": timezone.localdate().isoformat()}


# -- the written notices of intake (《中华人民共和国行政许可法》第三十二条) ------------------------
# Art. 32 para. 2: 受理或者不予受理行政许可申请，应当出具加盖本行政机关专用印章和注明日期的书面凭证.
# Art. 32 para. 1 (四): 材料不齐全或者不符合法定形式的，应当当场或者在五日内一次告知申请人需要补正的全部内容.
# Art. 32 para. 1 (二)/(三): 不予受理 is decided in writing, with the reason (and, art. 38 para. 2 by
# analogy, the applicant's right to 行政复议/行政诉讼).
INTAKE_DOCUMENTS = {
    "receipt": "申请回执",
    "acceptance": "受理通知书",
    "supplement": "一次性补正告知书",
    "refusal": "不予受理决定书",
}


def intake_documents(state: str, *, numbered: bool, accepted: bool, notices: int) -> list[str]:
    """Which intake notices a case can be printed with, in its current state (pure).

    申请回执 while it waits for 受理 (a submitted, numbered case); 受理通知书 once accepted
    (from then on, whatever became of it); 一次性补正告知书 once a notice was issued; 不予受理决定书
    only for a refused case."""
    kinds = []
    if numbered and state in ("submitted", "supplement") and not accepted:
        kinds.append("receipt")
    if accepted:
        kinds.append("acceptance")
    if notices:
        kinds.append("supplement")
    if state == "refused":
        kinds.append("refusal")
    return kinds


def _signed(case) -> str:
    """The footer of a sealed document: the department and the date, the seal placed over them."""
    return f"{case.department.name}<br/>{timezone.localdate():%Y年%m月%d日}"


def _submitted(case) -> str:
    return f"{timezone.localtime(case.submitted_at):%Y年%m月%d日}" if case.submitted_at else ""


def acceptance_notice_pdf(case) -> Pdf:
    """受理通知书: the application is accepted; the date and the promised completion date."""
    from . import rules

    due = f"{case.due_date:%Y年%m月%d日}" if case.due_date else ""
    limit = rules.promised_limit(case.promised_days)  # 即办件, never "0个工作日"
    promised = rules.promised_completion(0, None) if not case.promised_days else f"{limit}（{due}前办结）"
    pending = list(case.pending_materials.order_by("due_date", "pk")) if case.intake_mode == "tolerated" else []
    if pending and case.accepted_on:  # 容缺受理: the time limit counts from the day the materials are complete
        from . import queries

        dates = queries.pending_dates(pending)
        owed = [d for d, supplied in dates if supplied is None]
        start = rules.tolerance_clock_start(case.accepted_on, dates)
        promised = (f"{limit}，自容缺材料补齐之日起计算（于{max(owed):%Y年%m月%d日}前补齐的，{due}前办结）" if owed
                    else f"{limit}，自容缺材料补齐之日（{start:%Y年%m月%d日}）起计算（{due}前办结）")
    if pending:  # 容缺受理: the materials still owed and by when, in writing
        materials = "申请材料主件齐全、符合法定形式，下表所列次要材料容缺后补"
        owed = [(f"容缺材料{i}", f"{p.name}（{p.due_date:%Y年%m月%d日}前补交"
                 f"{'，已补交' if p.supplied_at else ''}）") for i, p in enumerate(pending, start=1)]
        after = "\n请在补交期限前补交容缺材料；容缺材料补齐之前，办件不能办结。"
    else:
        materials, owed, after = "申请材料齐全、符合法定形式", [], ""
    text = (f"{case.applicant.name}：\n你（单位）于{_submitted(case)}提出的“{case.service_item.name}”申请"
            f"（办件编号 {case.number}），{materials}，根据《中华人民共和国行政许可法》第三十二条"
            f"第一款第（五）项的规定，决定予以受理。" + (f"\n受理方式：{case.get_intake_mode_display()}。"
                                                   if case.intake_mode != "normal" else "") + after)
    return _render(
        "受理通知书",
        [("办件编号", case.number or ""), ("事项名称", case.service_item.name), ("实施部门", case.department.name),
         ("申请人", case.applicant.name), ("受理日期", f"{case.accepted_on:%Y年%m月%d日}" if case.accepted_on else ""),
         ("承诺办理时限", promised), *owed],
        [text, "请凭办件编号在“我的办件”中查询办理进度。如对办理有意见，可拨打12345政务服务便民热线。"],
        _signed(case), qr=_receipt_qr(case), sealed_by=case.department, reason=f"受理通知书 {case.number}",
    )


def supplement_notice_pdf(case, notice) -> Pdf:
    """一次性补正告知书: every material to correct and why, listed once."""
    rows = [(f"{i}. {item.get('material', '')}", str(item.get("reason", "")))
            for i, item in enumerate(notice.items or [], start=1)]
    text = (f"{case.applicant.name}：\n你（单位）于{_submitted(case)}提出的“{case.service_item.name}”申请"
            f"（办件编号 {case.number}），申请材料不齐全或者不符合法定形式。根据《中华人民共和国行政许可法》第三十二条"
            f"第一款第（四）项的规定，现一次告知需要补正的全部内容（见上表）。请补正后在原办件中重新提交，无需重新申请。")
    if notice.note:
        text += f"\n说明：{notice.note}"
    return _render(
        "一次性补正告知书",
        [("办件编号", case.number or ""), ("事项名称", case.service_item.name),
         ("告知日期", f"{timezone.localtime(notice.issued_at):%Y年%m月%d日}"), *rows],
        [text], _signed(case), sealed_by=case.department, reason=f"一次性补正告知书 {case.number}",
    )


def refusal_pdf(case) -> Pdf:
    """不予受理决定书: the reason and the legal basis the window gave, and the remedies."""
    reason, _, basis = (case.refusal_reason or "").partition("\n依据：")
    text = (f"{case.applicant.name}：\n你（单位）于{_submitted(case)}提出的“{case.service_item.name}”申请"
            f"（办件编号 {case.number}），经审查，决定不予受理。\n理由：{reason}"
            + (f"\n依据：{basis}" if basis else "")
            + "\n如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，或者在六个月内依法提起行政诉讼。")
    return _render(
        "不予受理决定书",
        [("办件编号", case.number or ""), ("事项名称", case.service_item.name), ("实施部门", case.department.name),
         ("申请人", case.applicant.name)],
        [text], _signed(case), sealed_by=case.department, reason=f"不予受理决定书 {case.number}",
    )
