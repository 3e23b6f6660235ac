"""电子印章: a sealed PDF that poppler's pdfsig and pyHanko accept, tamper detection, the platform
CA and department seals made on first use, keys encrypted at rest."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from django.core.exceptions import ValidationError
from reportlab.pdfgen import canvas

from zhengwu.core.models import AuditEvent
from zhengwu.licenses.models import DepartmentSeal, PlatformCA
from zhengwu.licenses.sealing import seal_pdf, verify_pdf
from zhengwu.licenses.sealing.pdf import _sync

pytestmark = pytest.mark.django_db
PDFSIG = shutil.which("pdfsig") or "/usr/bin/pdfsig"
needs_pdfsig = pytest.mark.skipif(not shutil.which("pdfsig") and not __import__("os").path.exists(PDFSIG),
                                  reason="pdfsig (poppler-utils) is not installed")


def one_page(text: str = "hello", pages: int = 1) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for i in range(pages):
        c.drawString(100, 700, f"{text} {i + 1}")
        c.showPage()
    c.save()
    return buf.getvalue()


def pdfsig(tmp_path, data: bytes) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run([PDFSIG, str(path)], capture_output=True, text=True, timeout=60).stdout


@pytest.fixture
def dept(make_department):
    return make_department(name="金水区市场监督管理局")


@needs_pdfsig
def test_a_sealed_pdf_is_valid_for_pdfsig_and_covers_the_whole_document(dept, tmp_path):
    sealed = seal_pdf(one_page(), dept, reason="测试盖章")
    report = pdfsig(tmp_path, sealed)
    assert "Signature is Valid." in report
    assert "Total document signed" in report
    assert "Signer Certificate Common Name: 金水区市场监督管理局" in report
    assert "SHA-256" in report


def test_pyhanko_validation_agrees_with_the_platform_ca_as_trust_root(dept):
    from asn1crypto import pem, x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    sealed = seal_pdf(one_page(), dept, reason="测试盖章")
    ca = PlatformCA.objects.get(is_active=True)
    root = x509.Certificate.load(pem.unarmor(ca.certificate_pem.encode())[2])
    sig = PdfFileReader(io.BytesIO(sealed)).embedded_signatures[0]
    # pyHanko's synchronous API calls asyncio.run: off this thread, where a browser test on the same
    # worker may have left Playwright's loop running (the platform's own calls do the same, pdf._sync).
    status = _sync(lambda: validate_pdf_signature(sig, ValidationContext(trust_roots=[root])))
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    result = verify_pdf(sealed)
    assert result.ok and result.signed and result.intact and result.trusted
    assert result.department_id == dept.pk and result.department_name == dept.name
    assert result.signing_time is not None and "签章有效" in result.message and dept.name in result.message
    assert result.certificate_serial == DepartmentSeal.objects.get(department=dept, is_active=True).serial


def test_the_seal_image_is_the_signature_appearance_bottom_right_of_the_last_page_by_default(dept):
    from pyhanko.pdf_utils.reader import PdfFileReader

    sealed = seal_pdf(one_page(pages=2), dept, reason="测试")
    reader = PdfFileReader(io.BytesIO(sealed))
    last = reader.root["/Pages"]["/Kids"][1].get_object()
    (widget,) = [a.get_object() for a in last["/Annots"]]
    x0, y0, x1, y1 = (float(v) for v in widget["/Rect"])
    assert x0 > 595 / 2 and y1 < 842 / 3  # bottom right
    assert 110 < x1 - x0 < 130  # 42 mm
    xobjects = widget["/AP"]["/N"]["/Resources"]["/XObject"]
    assert xobjects  # the seal image (an image XObject with a soft mask for its transparency)
    assert "/Annots" not in reader.root["/Pages"]["/Kids"][0].get_object()
    placed = seal_pdf(one_page(), dept, reason="测试", position=(100, 700), page=0)
    widget = PdfFileReader(io.BytesIO(placed)).root["/Pages"]["/Kids"][0].get_object()["/Annots"][0].get_object()
    assert [round(float(v)) for v in widget["/Rect"]] == [40, 640, 160, 760]


@needs_pdfsig
def test_a_byte_changed_after_sealing_is_detected_by_both_verifiers(dept, tmp_path):
    sealed = seal_pdf(one_page("original"), dept, reason="测试")
    at = sealed.index(b"/Producer")  # inside the signed range: the document information
    tampered = sealed[:at] + b"/Producex" + sealed[at + 9:]
    assert len(tampered) == len(sealed)
    report = pdfsig(tmp_path, tampered)
    assert "Signature is Valid." not in report
    result = verify_pdf(tampered)
    assert result.signed and not result.intact and not result.ok
    assert "修改" in result.message


@needs_pdfsig
def test_content_appended_after_sealing_is_reported(dept, tmp_path):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    sealed = seal_pdf(one_page(), dept, reason="测试")
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.root["/Extra"] = generic.TextStringObject("后加的内容")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    appended = out.getvalue()
    assert "Total document signed" not in pdfsig(tmp_path, appended)
    result = verify_pdf(appended)
    assert result.signed and not result.intact and not result.ok and "追加" in result.message


def test_bad_input_gets_a_chinese_message_not_a_crash(dept):
    with pytest.raises(ValidationError, match="不是有效的 PDF"):
        seal_pdf(b"not a pdf at all", dept, reason="测试")
    assert not DepartmentSeal.objects.exists() and not PlatformCA.objects.exists()  # nothing made for it
    assert verify_pdf(b"garbage").message == "文件不是有效的 PDF，或已损坏"
    unsigned = verify_pdf(one_page())
    assert not unsigned.signed and not unsigned.ok and unsigned.message == "文件没有电子签章"


def test_ca_and_seal_are_made_once_on_first_use_and_keys_are_encrypted_at_rest(dept, make_department):
    assert not PlatformCA.objects.exists()
    seal_pdf(one_page(), dept, reason="一")
    seal_pdf(one_page(), dept, reason="二")
    seal_pdf(one_page(), make_department(), reason="三")
    assert PlatformCA.objects.count() == 1
    assert DepartmentSeal.objects.filter(department=dept).count() == 1
    seal = DepartmentSeal.objects.get(department=dept)
    ca = PlatformCA.objects.get()
    for secret in (seal.private_key, seal.sm2_private_key, ca.private_key):
        assert secret.startswith("v1$") and "PRIVATE" not in secret
    assert "PRIVATE" not in repr(seal) + str(seal) + repr(ca) + str(ca)
    assert bytes(seal.image_png).startswith(b"\x89PNG")
    assert seal.key_algorithm == "ECDSA-P256" and seal.issuer != seal.subject
    events = AuditEvent.objects.filter(action__startswith="licenses.")
    assert sorted(events.values_list("action", flat=True)) == ["licenses.ca.create", "licenses.seal.create",
                                                               "licenses.seal.create"]
    assert all("v1$" not in str(e.after) and "PRIVATE" not in str(e.after) for e in events)


def test_a_foreign_certificate_is_not_trusted(dept, settings):
    """A PDF signed with a certificate the platform neither issued nor imported is intact but not ours."""
    from tests.licenses.test_sealing_p12 import make_p12
    from zhengwu.licenses.sealing import keys

    sealed = seal_pdf(one_page(), dept, reason="测试")
    assert verify_pdf(sealed).ok
    data, _ = make_p12("外来证书", password="pw")
    keys.import_pkcs12(dept, data, "pw")
    DepartmentSeal.objects.filter(source="imported").update(chain_pem="")  # forget the foreign root
    foreign = seal_pdf(one_page(), dept, reason="测试")
    result = verify_pdf(foreign)
    assert result.intact and result.valid and not result.trusted and not result.ok
    assert "不是本平台签发或导入" in result.message


def test_the_seal_image_is_a_transparent_png_with_red_ink(dept):
    from PIL import Image

    from zhengwu.licenses.sealing import seal_image

    image = Image.open(io.BytesIO(seal_image(dept)))
    assert image.format == "PNG" and image.mode == "RGBA" and image.width == image.height
    assert image.getpixel((0, 0))[3] == 0  # the corner is transparent
    centre = image.getpixel((image.width // 2, image.height // 2))
    assert centre[3] == 255 and centre[0] > 180 and centre[1] < 80  # the star: red ink
    assert DepartmentSeal.objects.filter(department=dept).count() == 1


@needs_pdfsig
def test_two_departments_seal_one_document(dept, make_department, tmp_path):
    other = make_department(name="金水区卫生健康委员会")
    once = seal_pdf(one_page(), dept, reason="联合发文")
    with pytest.raises(ValidationError, match="已有名为“seal”的签章"):
        seal_pdf(once, other, reason="联合发文")
    twice = seal_pdf(once, other, reason="联合发文", field="seal2", position=(200, 150))
    report = pdfsig(tmp_path, twice)
    assert report.count("Signature is Valid.") == 2 and "Total document signed" in report
    result = verify_pdf(twice)
    assert result.ok and result.signatures == 2 and result.department_id == other.pk


def test_an_expired_certificate_is_replaced_or_refused(dept):
    import datetime

    from django.utils import timezone

    from tests.licenses.test_sealing_p12 import make_p12
    from zhengwu.licenses.sealing import keys

    seal_pdf(one_page(), dept, reason="测试")
    old = DepartmentSeal.objects.get(department=dept, is_active=True)
    DepartmentSeal.objects.filter(pk=old.pk).update(not_after=timezone.now() - datetime.timedelta(days=1))
    assert verify_pdf(seal_pdf(one_page(), dept, reason="测试")).ok  # a platform seal is simply re-issued
    assert DepartmentSeal.objects.get(department=dept, is_active=True).pk != old.pk
    data, _ = make_p12("导入证书", password="pw")
    imported = keys.import_pkcs12(dept, data, "pw")
    DepartmentSeal.objects.filter(pk=imported.pk).update(not_after=timezone.now() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="过期：请用 zhengwu seals import 导入新证书"):
        seal_pdf(one_page(), dept, reason="测试")
    with pytest.raises(ValidationError, match="只有 1 页"):
        seal_pdf(one_page(), dept, reason="测试", page=3)


def test_the_key_caches_are_bounded_and_refill(dept, make_department, monkeypatch):
    from zhengwu.licenses.sealing import keys
    from zhengwu.licenses.sealing import pdf as sealing_pdf

    monkeypatch.setattr(keys, "SEAL_CACHE_MAX", 1)
    monkeypatch.setattr(sealing_pdf, "PREPARED_MAX", 1)
    other = make_department()
    for d in (dept, other, dept, other):
        result = verify_pdf(seal_pdf(one_page(), d, reason="测试"))
        assert result.ok and result.department_id == d.pk
        assert len(keys._seal_cache) == 1 and len(sealing_pdf._prepared) == 1
    keys.clear_cache()
    assert not keys._seal_cache and not sealing_pdf._prepared
    assert verify_pdf(seal_pdf(one_page(), dept, reason="测试")).ok
