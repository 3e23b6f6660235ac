"""Rating QR codes (扫码评价): signed single-use tokens, and the code printed on a case receipt."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core import signing
from django.utils import timezone

from ..models import RatingToken
from .base import AlreadyRated, _invalid

TOKEN_SALT = "zhengwu.ratings.qr"
TOKEN_MAX_AGE = 90 * 24 * 3600  # a receipt's code may be scanned within 90 days


def issue_token(kind: str, ref: int) -> str:
    """A signed token for a QR code: names the event (kind, ref) and a nonce recorded here."""
    nonce = secrets.token_hex(16)
    RatingToken.objects.create(nonce=nonce, kind=kind, ref=ref)
    return signing.dumps({"k": kind, "r": ref, "n": nonce}, salt=TOKEN_SALT, compress=True)


@dataclass
class Token:
    kind: str
    ref: int
    nonce: str


def read_token(token: str) -> Token:
    """The token's event, or a ValidationError in plain Chinese (forged, expired, already used)."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise _invalid("token", "该评价二维码已过期（有效期 90 天），请通过“我的办件”进行评价") from None
    except signing.BadSignature:
        raise _invalid("token", "评价二维码无效：请扫描回执或窗口上的原始二维码") from None
    t = Token(str(data.get("k")), int(data.get("r", 0)), str(data.get("n", "")))
    row = RatingToken.objects.filter(nonce=t.nonce).first()
    if row is None or row.kind != t.kind or row.ref != t.ref:
        raise _invalid("token", "评价二维码无效：请扫描回执或窗口上的原始二维码")
    if row.used_at is not None and t.kind != "window":
        raise _invalid("token", "该二维码已使用过：每次服务只能评价一次，请勿重复扫码")
    return t


def _consume(nonce: str | None) -> None:
    if not nonce:
        return
    row = RatingToken.objects.select_for_update().filter(nonce=nonce).first()
    if row is None:
        raise _invalid("token", "评价二维码无效：请扫描回执或窗口上的原始二维码")
    if row.used_at is not None:
        raise AlreadyRated({"token": ["该二维码已使用过：每次服务只能评价一次，请勿重复扫码"]})
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])


# -- links for QR codes -------------------------------------------------------------------------
def public_base_url() -> str:
    """The site's public address for QR codes printed outside a request (receipt PDFs):
    ``settings.ZHENGWU_PUBLIC_URL`` or the environment variable of that name."""
    import os

    from django.conf import settings

    base = getattr(settings, "ZHENGWU_PUBLIC_URL", "") or os.environ.get("ZHENGWU_PUBLIC_URL", "")
    if not base:
        host = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0]
        base = f"http://{host if host not in ('*', '') else '127.0.0.1'}:8000"
    return base.rstrip("/")


def case_rating_link(case) -> str:
    from django.urls import reverse

    return public_base_url() + reverse("ratings:qr_rate", args=[issue_token("case", case.pk)])


def receipt_qr_png(case) -> bytes:
    from .. import qr

    return qr.png(case_rating_link(case), scale=4)
