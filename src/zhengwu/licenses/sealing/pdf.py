"""PDF seals: the seal image placed on the page as the appearance of a PDF digital signature
(pyHanko, adbe.pkcs7.detached, SHA-256) that independent verifiers accept (poppler's ``pdfsig``,
Adobe Reader), and the verification of such a seal."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime
import io
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core.exceptions import ValidationError
from django.utils import timezone
from PIL import Image
from pyhanko.pdf_utils import layout
from pyhanko.pdf_utils.images import PdfImage
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import keys

SEAL_SIZE = 119.0  # points: 42 mm, the diameter of an official round seal (公章)
MARGIN = 56.0  # points from the page edge to the seal, when no position is given


def _asn1_cert(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


@dataclass(frozen=True)
class _Prepared:
    signer: signers.SimpleSigner
    image: Image.Image
    reserve: int  # bytes reserved for the CMS container: pyHanko would otherwise sign twice to measure it


_lock = threading.Lock()
# Least recently used out first: a decoded seal image is ~0.5 MB, so only the busiest seals stay.
_prepared: OrderedDict[tuple[int, str], _Prepared] = OrderedDict()
PREPARED_MAX = 64


def _prepare(material: keys.Loaded) -> _Prepared:
    key = (material.seal_id, material.serial)
    with _lock:
        hit = _prepared.get(key)
        if hit is not None:
            _prepared.move_to_end(key)
    if hit is None:
        der_key = material.key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                             serialization.NoEncryption())
        signer = signers.SimpleSigner(
            signing_cert=_asn1_cert(material.cert), signing_key=asn1_keys.PrivateKeyInfo.load(der_key),
            cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in material.chain]))
        image = Image.open(io.BytesIO(material.image_png))
        image.load()
        certs = len(material.cert.public_bytes(serialization.Encoding.DER)) + sum(
            len(c.public_bytes(serialization.Encoding.DER)) for c in material.chain)
        hit = _Prepared(signer, image, reserve=2 * (certs + 4096))  # hex digits: twice the bytes
        with _lock:
            _prepared[key] = hit
            while len(_prepared) > PREPARED_MAX:
                _prepared.popitem(last=False)
    return hit


def _sync(fn):
    """pyHanko's synchronous API runs an event loop; off the thread if one is already running there."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return fn()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn).result()


def _page_size(writer: IncrementalPdfFileWriter, page: int) -> tuple[float, float]:
    count = int(writer.root["/Pages"]["/Count"])
    if not -count <= page < count:
        raise ValidationError(f"PDF 只有 {count} 页，没有第 {page + 1 if page >= 0 else page} 页可以盖章")
    page_ref, _ = writer.find_page_for_modification(page)
    page_obj = page_ref.get_object()
    while page_obj is not None and "/MediaBox" not in page_obj:
        page_obj = page_obj.get("/Parent")
        page_obj = page_obj.get_object() if page_obj is not None else None
    if page_obj is None:
        return 595.28, 841.89  # A4
    x0, y0, x1, y1 = (float(v) for v in page_obj["/MediaBox"])
    return x1 - x0, y1 - y0


def seal(pdf: bytes, department, *, reason: str, field: str = "seal", position: tuple[float, float] | None = None,
         page: int = -1, size: float = SEAL_SIZE) -> bytes:
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        if writer.prev.encrypted:
            raise ValidationError("PDF 文件已加密，不能盖章")
        width, height = _page_size(writer, page)
    except ValidationError:
        raise
    except Exception:
        raise ValidationError("文件不是有效的 PDF，不能盖章") from None
    material = keys.loaded(keys.active_seal_key(department))
    prepared = _prepare(material)
    cx, cy = position if position is not None else (width - MARGIN - size / 2, MARGIN + size / 2)
    box = (round(cx - size / 2, 2), round(cy - size / 2, 2), round(cx + size / 2, 2), round(cy + size / 2, 2))
    style = StaticStampStyle(
        background=PdfImage(prepared.image), border_width=0, background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(x_align=layout.AxisAlignment.ALIGN_MID,
                                                     y_align=layout.AxisAlignment.ALIGN_MID,
                                                     margins=layout.Margins.uniform(0)))
    meta = signers.PdfSignatureMetadata(field_name=field, md_algorithm="sha256", reason=reason[:200],
                                        name=material.department_name,
                                        subfilter=fields.SigSeedSubFilter.ADOBE_PKCS7_DETACHED)
    pdf_signer = signers.PdfSigner(meta, signer=prepared.signer, stamp_style=style,
                                   new_field_spec=fields.SigFieldSpec(field, on_page=page, box=box))
    out = io.BytesIO()
    try:
        _sync(lambda: pdf_signer.sign_pdf(writer, bytes_reserved=prepared.reserve, output=out))
    except Exception as exc:
        if any(getattr(sig, "field_name", None) == field for sig in writer.prev.embedded_signatures):
            raise ValidationError(f"文件中已有名为“{field}”的签章：再次盖章请用另一个签章域名称") from None
        logging.getLogger(__name__).exception("sealing a PDF for department %s failed", material.department_id)
        raise ValidationError(f"盖章失败：{type(exc).__name__}") from None
    return out.getvalue()


# -- verification ------------------------------------------------------------------------------
@dataclass(frozen=True)
class PdfVerification:
    """What a verifier needs to say about a sealed PDF (一个文件的验章结果)."""

    signed: bool  # the file carries at least one PDF signature
    intact: bool  # the signed bytes are unchanged and nothing was appended after the last signature
    valid: bool  # every signature is cryptographically correct for its certificate
    trusted: bool  # the signing certificate chains to the platform CA or an imported seal's issuer
    department_id: int | None
    department_name: str
    subject: str
    certificate_serial: str
    signing_time: datetime.datetime | None
    message: str
    signatures: int = 0

    @property
    def ok(self) -> bool:
        return self.signed and self.intact and self.valid and self.trusted


def _failed(message: str, **kw) -> PdfVerification:
    base = dict(signed=False, intact=False, valid=False, trusted=False, department_id=None, department_name="",
                subject="", certificate_serial="", signing_time=None)
    base.update(kw)
    return PdfVerification(message=message, **base)


def _trust_roots() -> list[asn1_x509.Certificate]:
    from zhengwu.licenses.models import DepartmentSeal, PlatformCA, SealSource

    roots = [_asn1_cert(x509.load_pem_x509_certificate(pem.encode()))
             for pem in PlatformCA.objects.values_list("certificate_pem", flat=True)]
    for chain in DepartmentSeal.objects.filter(source=SealSource.IMPORTED).exclude(chain_pem="") \
            .values_list("chain_pem", flat=True):
        for cert in x509.load_pem_x509_certificates(chain.encode()):
            if cert.issuer == cert.subject:  # the root the operator imported with the certificate
                roots.append(_asn1_cert(cert))
    return roots


def verify(pdf: bytes) -> PdfVerification:
    from zhengwu.licenses.models import DepartmentSeal

    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = list(reader.embedded_signatures)
    except Exception:
        return _failed("文件不是有效的 PDF，或已损坏")
    if not signatures:
        return _failed("文件没有电子签章")
    context = ValidationContext(trust_roots=_trust_roots(), allow_fetching=False, revocation_mode="soft-fail")
    usage = KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)
    statuses = []
    try:
        for sig in signatures:
            statuses.append(_sync(lambda sig=sig: validate_pdf_signature(sig, context, key_usage_settings=usage,
                                                                         skip_diff=True)))
    except Exception:
        return _failed("签章数据已损坏，无法验证：文件在盖章后被修改过", signed=True, signatures=len(signatures))
    last = statuses[-1]
    cert = last.signing_cert
    serial = format(cert.serial_number, "X")
    subject = x509.load_der_x509_certificate(cert.dump()).subject.rfc4514_string()[:400]
    seal = (DepartmentSeal.objects.select_related("department").filter(serial=serial, subject=subject)
            .order_by("-created_at").first())
    valid = all(s.valid for s in statuses)
    intact = all(s.intact for s in statuses) and last.coverage == SignatureCoverageLevel.ENTIRE_FILE
    trusted = all(s.trusted for s in statuses)
    signing_time = last.signer_reported_dt
    info = dict(signed=True, intact=intact, valid=valid, trusted=trusted,
                department_id=seal.department_id if seal else None, department_name=seal.department.name if seal else "",
                subject=cert.subject.human_friendly, certificate_serial=serial, signing_time=signing_time,
                signatures=len(signatures))
    if not (valid and all(s.intact for s in statuses)):
        return PdfVerification(message="签章无效：文件在盖章后被修改过", **info)
    if not intact:
        return PdfVerification(message="文件在盖章后被追加修改：追加的内容不受签章保护", **info)
    if not trusted or seal is None:
        return PdfVerification(message="签名完好，但签名证书不是本平台签发或导入的证书", **{**info, "trusted": False})
    when = f"于{timezone.localtime(signing_time):%Y年%m月%d日 %H:%M}" if signing_time else ""
    return PdfVerification(message=f"签章有效：{seal.department.name}{when}盖章，文件未被修改", **info)
