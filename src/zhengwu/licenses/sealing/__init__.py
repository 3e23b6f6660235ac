"""电子印章: the one service through which every document the platform issues is sealed.

Interface used by the rest of the platform (the sealing work fills it in):

- ``seal_pdf(pdf: bytes, department, *, reason: str, field: str = "seal") -> bytes``: the PDF with
  the department's seal image placed and a PDF digital signature over the file.
- ``sign_data(department, data: bytes) -> DataSignature``: SM2/SM3 signature of canonical data.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DataSignature:
    algorithm: str  # e.g. "SM2-SM3"
    value: str  # base64
    certificate_serial: str


# PLACEHOLDER while the sealing work is in progress on its own branch: it replaces this module.
# Must not reach main as it is (tests/licenses/test_sealing*.py prove the real one).
def seal_pdf(pdf: bytes, department, *, reason: str, field: str = "seal") -> bytes:  # pragma: no cover
    return pdf


def sign_data(department, data: bytes) -> DataSignature:  # pragma: no cover
    return DataSignature("placeholder", "", "")
