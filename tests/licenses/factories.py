"""Licences made directly with the models (the issuing service is written elsewhere): a type,
an issued licence for a person or an enterprise, with a PDF file and its SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json

from django.core.files.base import ContentFile
from django.utils import timezone

from zhengwu.core.identifiers import make_license_identifier

_seq = itertools.count(1)


def pdf_bytes(identifier: str, extra: str = "") -> bytes:
    """A small real PDF whose metadata and text carry the identifier (as an issued licence does)."""
    import io

    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setSubject(identifier)
    c.setFont("Helvetica", 9)
    c.drawString(40, 800, f"Licence identifier: {identifier} {extra}")
    c.showPage()
    c.save()
    return buf.getvalue()


def licence_type(department, *, name=None, holder_kind="person", validity_years=5):
    from zhengwu.licenses.models import LicenceType

    n = next(_seq)
    lt = LicenceType.objects.create(
        code=f"{department.uscc}{n % 1000:03d}", name=name or f"测试证照{n}", holder_kind=holder_kind,
        fields_schema=[{"key": "name", "label": "姓名", "type": "string"},
                       {"key": "id_number", "label": "身份证号", "type": "id_number"},
                       {"key": "scope", "label": "经营范围", "type": "string"}],
        validity_years=validity_years)
    lt.departments.add(department)
    return lt


def licence(ltype, department, *, holder_name="张三", holder_id_number="", holder_uscc="", status="valid",
            valid_until: dt.date | None | str = "default", version=1, previous=None, with_pdf=True, serial=None,
            data=None, number=None):
    """An issued licence; ``valid_until`` defaults to a year ahead (None: 长期)."""
    from zhengwu.licenses.models import Licence, LicenceEvent

    n = next(_seq)
    serial = serial or f"T{n:06d}"
    ident = make_license_identifier(ltype.code, department.uscc, serial, version)
    today = timezone.localdate()
    if valid_until == "default":
        valid_until = today + dt.timedelta(days=365)
    kind = "legal" if holder_uscc else "person"
    lic = Licence(
        identifier=ident, number=number or f"ZW{n:08d}", type=ltype, serial=serial, version=version,
        previous=previous, holder_kind=kind, holder_name=holder_name, holder_id_number=holder_id_number,
        holder_uscc=holder_uscc, issuer=department,
        data=json.dumps(data or {"name": holder_name, "id_number": holder_id_number, "scope": "餐饮服务"},
                        ensure_ascii=False),
        issued_on=today - dt.timedelta(days=30), valid_from=today - dt.timedelta(days=30), valid_until=valid_until,
        status=status)
    if with_pdf:
        from zhengwu.licenses import sealing

        content = sealing.seal_pdf(pdf_bytes(ident), department, reason="电子证照")  # as issued: sealed
        lic.pdf_sha256 = hashlib.sha256(content).hexdigest()
        lic.pdf_file.save(f"{serial}.pdf", ContentFile(content), save=False)
    lic.save()
    LicenceEvent.objects.create(licence=lic, kind="issue", actor_name="测试")
    return lic
