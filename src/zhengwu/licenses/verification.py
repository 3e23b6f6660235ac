"""电子证照验证 (verification): what anyone may learn about a licence from its identifier, its
number or its PDF — the outcome (有效 / 已注销 / 已吊销 / 已变更 / 已过期 / 签章无效 / 不存在) and
only the non-sensitive face of it (type, number, issuer, dates, the holder masked).

The status is *effective*: a licence still marked 有效 whose 有效期至 has passed is 已过期 even
before the nightly expiry job changed its row (:func:`effective_status`). Verifying by
identifier is one indexed query (the unique index on ``identifier``) and no PDF work: it is the
path machines call (``GET /api/v1/licences/verify``, bench row ``licence_verify``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import zlib
from dataclasses import dataclass, field

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhengwu.core import pii
from zhengwu.core.identifiers import LICENSE_OID_PREFIX, validate_license_identifier

from .models import Licence
from .models.licences import HolderKind


class Outcome:
    VALID = "valid"
    CANCELLED = "cancelled"
    REVOKED = "revoked"
    SUPERSEDED = "superseded"
    EXPIRED = "expired"
    TAMPERED = "tampered"
    NOT_FOUND = "not_found"


LABELS = {
    Outcome.VALID: "有效",
    Outcome.CANCELLED: "已注销",
    Outcome.REVOKED: "已吊销",
    Outcome.SUPERSEDED: "已变更（有新版本）",
    Outcome.EXPIRED: "已过期",
    Outcome.TAMPERED: "签章无效（文件被修改）",
    Outcome.NOT_FOUND: "不存在",
}
CSS = {Outcome.VALID: "success", Outcome.TAMPERED: "danger", Outcome.REVOKED: "danger", Outcome.NOT_FOUND: "secondary"}

MAX_PDF_BYTES = 10 * 2**20  # an issued licence PDF is a few hundred kB
# The columns verification reads (one query, no PDF, no face data).
PUBLIC_COLUMNS = ("identifier", "number", "version", "holder_kind", "holder_name", "holder_id_number",
                  "holder_uscc", "issued_on", "valid_from", "valid_until", "status", "status_changed_at",
                  "pdf_sha256", "type__name", "issuer__name")


def effective_status(status: str, valid_until: dt.date | None, today: dt.date | None = None) -> str:
    """The status as the registry would show it today: 有效 past its 有效期至 is 已过期."""
    if status == Licence.Status.VALID and valid_until is not None and valid_until < (today or timezone.localdate()):
        return Licence.Status.EXPIRED
    return status


def status_label(status: str) -> str:
    return LABELS.get(status, status)


@dataclass
class Verdict:
    """The answer of a verification: an outcome and, if the licence exists, its public face."""

    outcome: str
    licence: dict | None = None
    message: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def label(self) -> str:
        return LABELS[self.outcome]

    @property
    def css(self) -> str:
        return CSS.get(self.outcome, "warning")

    def as_json(self) -> dict:
        return {"result": self.outcome, "result_label": self.label, "message": self.message,
                "licence": self.licence}


def public_face(row: dict, today: dt.date | None = None) -> dict:
    """The non-sensitive fields of a licence row (``values(*PUBLIC_COLUMNS)``), holder masked."""
    person = row["holder_kind"] == HolderKind.PERSON
    holder_id = row["holder_id_number"]
    status = effective_status(row["status"], row["valid_until"], today)
    return {
        "identifier": row["identifier"],
        "number": row["number"],
        "type": row["type__name"],
        "issuer": row["issuer__name"],
        "version": row["version"],
        "holder_kind": row["holder_kind"],
        "holder": pii.mask("name", row["holder_name"]) if person else row["holder_name"],
        "holder_id": (holder_id.masked if holder_id else "") if person else row["holder_uscc"],
        "issued_on": row["issued_on"],
        "valid_from": row["valid_from"],
        "valid_until": row["valid_until"],
        "status": status,
        "status_label": Licence.Status(status).label if status in Licence.Status.values else status,
    }


def _verdict(row: dict, today: dt.date | None = None) -> Verdict:
    face = public_face(row, today)
    outcome = face["status"]
    extra = {}
    if outcome == Outcome.SUPERSEDED:
        newer = (Licence.objects.filter(previous__identifier=row["identifier"])
                 .values_list("identifier", flat=True).first())
        if newer:
            face["newer_identifier"] = newer
            extra["newer"] = newer
    return Verdict(outcome, face, LABELS[outcome], extra)


def normalise_identifier(text: str) -> str:
    """What a person typed or a scanner read: the identifier itself or the verification URL."""
    text = (text or "").strip()
    m = re.search(r"[?&]id=([^&#\s]+)", text)
    if m:
        from urllib.parse import unquote

        text = unquote(m.group(1))
    return re.sub(r"\s+", "", text).upper()


def verify_identifier(text: str, today: dt.date | None = None) -> Verdict:
    """By 电子证照标识. A malformed identifier or a wrong check character is refused
    (ValidationError naming the rule); an unknown one is 不存在. One query."""
    ident = validate_license_identifier(normalise_identifier(text))
    row = Licence.objects.filter(identifier=ident).values(*PUBLIC_COLUMNS).first()
    if row is None:
        return Verdict(Outcome.NOT_FOUND, None, "未找到该电子证照：请核对电子证照标识")
    return _verdict(row, today)


def verify_number(text: str, today: dt.date | None = None, limit: int = 5) -> list[Verdict]:
    """By 证照编号 (not unique across types and issuers: every match, newest first)."""
    number = re.sub(r"\s+", "", text or "")
    if not number or len(number) > 64:
        raise ValidationError({"number": "证照编号：请输入1–64位证照编号"})
    rows = Licence.objects.filter(number=number).order_by("-issued_on", "-pk").values(*PUBLIC_COLUMNS)[:limit]
    return [_verdict(r, today) for r in rows]


def verify_query(text: str, today: dt.date | None = None) -> list[Verdict]:
    """A typed or scanned query: an identifier (it starts with the GB/T 36904 prefix, or is the
    QR code's URL) or else a licence number."""
    norm = normalise_identifier(text)
    if not norm:
        raise ValidationError({"q": "请输入电子证照标识或证照编号"})
    if norm.startswith(LICENSE_OID_PREFIX) or "id=" in (text or ""):
        try:
            return [verify_identifier(norm, today)]
        except ValidationError as exc:
            raise ValidationError({"q": exc.messages}) from None
    verdicts = verify_number(text, today)
    return verdicts or [Verdict(Outcome.NOT_FOUND, None, "未找到该证照编号的电子证照：请核对证照编号")]


# -- PDF upload -------------------------------------------------------------------------------------
IDENT_RE = re.compile(rb"1\.2\.156\.3005\.2\.[0-9A-Z]{21}\.[0-9A-Z]{18}\.[0-9A-Z]{1,40}\.\d{3}\.[0-9A-Z]")
_STREAM_RE = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)


def find_identifiers(pdf: bytes) -> list[str]:
    """电子证照标识 written in the PDF: in its metadata, a link (the QR code's URL) or its text,
    plain or in a Flate-compressed stream. Candidates with a wrong check character are skipped."""
    found: list[str] = []

    def scan(blob: bytes) -> None:
        for m in IDENT_RE.finditer(blob):
            ident = m.group(0).decode("ascii")
            if ident not in found:
                try:
                    validate_license_identifier(ident)
                except ValidationError:
                    continue
                found.append(ident)

    scan(pdf)
    budget = 32 * 2**20  # decompressed bytes in all: a crafted file cannot make us inflate gigabytes
    for k, m in enumerate(_STREAM_RE.finditer(pdf)):
        if found or k >= 500 or budget <= 0:
            break
        try:
            blob = zlib.decompressobj().decompress(m.group(1), min(4 * 2**20, budget))
        except zlib.error:
            continue
        budget -= len(blob)
        scan(blob)
    return found


def seal_check(pdf: bytes):
    """The sealing service's verdict on the file's PDF signature, if the service offers one
    (``sealing.verify_pdf``; an object with ``.intact`` and ``.message``), else None."""
    from . import sealing

    check = getattr(sealing, "verify_pdf", None)
    if check is None:
        return None
    try:
        return check(pdf)
    except Exception as exc:  # a damaged file is the uploader's problem, not a server error
        return _Broken(f"无法校验文件签章：{type(exc).__name__}")


@dataclass
class _Broken:
    message: str
    intact: bool = False


def verify_pdf_upload(pdf: bytes, today: dt.date | None = None) -> Verdict:
    """An uploaded licence PDF: find its identifier, then the file must be the one issued
    (SHA-256 equal to ``pdf_sha256``) and its signature intact (the sealing service)."""
    if not pdf:
        raise ValidationError({"pdf": "证照文件：请选择电子证照PDF文件"})
    if len(pdf) > MAX_PDF_BYTES:
        raise ValidationError({"pdf": f"证照文件：不能超过 {MAX_PDF_BYTES // 2**20} MB"})
    if not pdf.lstrip()[:5] == b"%PDF-":
        raise ValidationError({"pdf": "证照文件：不是PDF文件"})
    digest = hashlib.sha256(pdf).hexdigest()
    row = None
    for ident in find_identifiers(pdf):
        row = Licence.objects.filter(identifier=ident).values(*PUBLIC_COLUMNS).first()
        if row is not None:
            break
    if row is None:  # no readable identifier: the file may still be one issued, byte for byte
        row = Licence.objects.filter(pdf_sha256=digest).values(*PUBLIC_COLUMNS).first()
    if row is None:
        return Verdict(Outcome.NOT_FOUND, None, "未在平台找到该文件对应的电子证照：文件中没有可识别的电子证照标识")
    seal = seal_check(pdf)
    if row["pdf_sha256"] and row["pdf_sha256"] != digest:
        v = _verdict(row, today)
        return Verdict(Outcome.TAMPERED, v.licence, "文件与平台签发的证照文件不一致（SHA-256 不符），可能已被修改",
                       {"status": v.outcome, "seal": getattr(seal, "message", "")})
    if seal is not None and not seal.intact:
        v = _verdict(row, today)
        return Verdict(Outcome.TAMPERED, v.licence, f"文件签章校验未通过：{seal.message}", {"status": v.outcome})
    return _verdict(row, today)


# -- rate limits for the public page ------------------------------------------------------------------
class RateLimited(Exception):
    pass


def throttle(bucket: str, who: str, limit: int, seconds: int) -> None:
    """At most ``limit`` requests per ``seconds`` for one client (a fixed window counted in the
    shared cache — Redis in production — so every web process counts the same)."""
    key = f"licences:rl:{bucket}:{hashlib.sha256(who.encode()).hexdigest()[:24]}:{int(timezone.now().timestamp()) // seconds}"
    if cache.add(key, 1, seconds + 5):
        return
    try:
        n = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, seconds + 5)
        return
    if n > limit:
        per = "分钟" if seconds == 60 else (f"{seconds // 60}分钟" if seconds % 60 == 0 else f"{seconds}秒")
        raise RateLimited(f"操作过于频繁：每{per}最多{limit}次，请稍后再试")
