"""电子印章: the one service through which every document the platform issues is sealed (ADR 0032).

- ``seal_pdf(pdf, department, *, reason, field="seal", position=None, page=-1) -> bytes``: the PDF
  with the department's seal image placed (default: bottom right of the last page; ``position`` is
  the seal's centre in points from the page's bottom left) as the appearance of a PDF digital
  signature (adbe.pkcs7.detached, SHA-256) over the whole file, which ``pdfsig`` and Adobe accept.
- ``verify_pdf(pdf) -> PdfVerification``: signed? intact? trusted? which department, when, and a
  Chinese message.
- ``sign_data(department, data) -> DataSignature``: SM2/SM3 signature of canonical data;
  ``verify_data(data, signature) -> DataVerification``; ``data_public_key(serial)`` gives the key.
- ``seal_image(department) -> bytes``: the seal as a transparent PNG (for pages that show it).

A department without a seal gets one on first use, certified by the platform CA (itself created on
first use); in production, ``zhengwu seals import`` installs a department's own PKCS#12 certificate.
Bad input raises :class:`django.core.exceptions.ValidationError` with a Chinese message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .data import DataVerification
    from .pdf import PdfVerification

__all__ = ["DataSignature", "DataVerification", "PdfVerification", "SEAL_SIZE", "data_public_key", "seal_image",
           "seal_pdf", "sign_data", "verify_data", "verify_pdf"]


def __getattr__(name: str):
    # The implementation modules need the app registry; importing this package must not.
    if name in ("PdfVerification", "SEAL_SIZE"):
        from . import pdf as _pdf

        return getattr(_pdf, name)
    if name == "DataVerification":
        from . import data as _data

        return _data.DataVerification
    raise AttributeError(name)


@dataclass(frozen=True)
class DataSignature:
    algorithm: str  # "SM2-SM3"
    value: str  # base64
    certificate_serial: str


def seal_pdf(pdf: bytes, department, *, reason: str, field: str = "seal",
             position: tuple[float, float] | None = None, page: int = -1) -> bytes:
    """``pdf`` sealed by ``department``. ``position``: the seal's centre, in points from the bottom
    left of page ``page`` (0-based, -1 the last); default bottom right. ``field`` must not already
    be a signed field of the document. Raises ValidationError (Chinese) for a file that is not a PDF."""
    from . import pdf as _pdf

    return _pdf.seal(pdf, department, reason=reason, field=field, position=position, page=page)


def verify_pdf(pdf: bytes) -> PdfVerification:
    from . import pdf as _pdf

    return _pdf.verify(pdf)


def sign_data(department, data: bytes) -> DataSignature:
    from . import data as _data

    return DataSignature(*_data.sign(department, data))


def verify_data(data: bytes, signature: DataSignature, *, public_key: str = "") -> DataVerification:
    """Check ``signature`` over ``data``: with the SM2 key of the seal it names, or ``public_key`` (hex)."""
    from . import data as _data

    return _data.verify(data, signature.algorithm, signature.value, signature.certificate_serial,
                        public_key_hex=public_key)


def seal_image(department) -> bytes:
    """The department's seal image (PNG, transparent background); its seal is made if it has none."""
    from . import keys

    return keys.loaded(keys.active_seal_key(department)).image_png


def data_public_key(certificate_serial: str) -> str:
    """The SM2 public key (hex, uncompressed point) that verifies signatures naming ``certificate_serial``."""
    from . import data as _data

    return _data.public_key(certificate_serial)
