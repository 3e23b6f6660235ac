"""统一身份认证: pure rules (no ORM) — provider settings, claim mapping, 实名等级 order.

A provider is configured by the operator (``ZHENGWU_OIDC_PROVIDERS``, docs/identity.md). Its ID
token's claims are mapped to what the platform needs: 姓名, 身份证号 (自然人) or 统一社会信用代码
(法人), phone and 实名等级. Nothing here logs or returns a clear identifier beyond the caller.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError

from zhengwu.core import identifiers

LEVELS = ("L1", "L2", "L3")
LEVEL_LABELS = {"L1": "L1（手机号实名）", "L2": "L2（身份证核验）", "L3": "L3（人脸识别）"}
ROLES = ("citizen", "staff")

DEFAULT_CLAIMS = {
    "name": "name",
    "id_number": "id_number",
    "uscc": "uscc",
    "phone": "phone_number",
    "level": "real_name_level",
    "legal_rep_name": "legal_rep_name",
    "legal_rep_id_number": "legal_rep_id_number",
    "staff_username": "preferred_username",
}
DEFAULT_LEVEL_MAP = {"L1": "L1", "L2": "L2", "L3": "L3", "1": "L1", "2": "L2", "3": "L3"}


class IdentityRefused(Exception):
    """The identity cannot be used: ``message`` is shown to the person (Chinese), ``reason`` is
    the audit's code (never personal data)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class Provider:
    name: str
    display_name: str
    role: str
    issuer: str
    discovery_url: str
    client_id: str
    client_secret: str
    scopes: str = "openid profile"
    claims: dict[str, str] = field(default_factory=dict)
    level_map: dict[str, str] = field(default_factory=dict)
    redirect_uri: str = ""

    def claim(self, what: str) -> str:
        return self.claims.get(what, DEFAULT_CLAIMS[what])


def parse_providers(config: dict[str, Any]) -> dict[str, Provider]:
    """The configured providers by name. Raises ValueError (English, for the operator) on a
    setting that cannot work: better refuse to start than send citizens to a broken login."""
    if not isinstance(config, dict):
        raise ValueError("ZHENGWU_OIDC_PROVIDERS must be a JSON object: name -> settings")
    out = {}
    for name, raw in config.items():
        if not (isinstance(name, str) and name.isidentifier() and len(name) <= 40):
            raise ValueError(f"OIDC provider name {name!r}: letters, digits and _ only (max 40)")
        if not isinstance(raw, dict):
            raise ValueError(f"OIDC provider {name}: settings must be an object")
        issuer = str(raw.get("issuer") or "").rstrip("/")
        discovery = str(raw.get("discovery_url") or "")
        if not discovery and issuer:
            discovery = issuer + "/.well-known/openid-configuration"
        if not discovery:
            raise ValueError(f"OIDC provider {name}: 'issuer' or 'discovery_url' is required")
        for key in ("client_id", "client_secret"):
            if not raw.get(key):
                raise ValueError(f"OIDC provider {name}: {key!r} is required")
        role = raw.get("role") or ("staff" if name == "staff" else "citizen")
        if role not in ROLES:
            raise ValueError(f"OIDC provider {name}: role must be one of {ROLES}")
        claims = raw.get("claims") or {}
        unknown = set(claims) - set(DEFAULT_CLAIMS)
        if unknown:
            raise ValueError(f"OIDC provider {name}: unknown claim settings {sorted(unknown)}")
        level_map = {str(k): str(v) for k, v in (raw.get("level_map") or DEFAULT_LEVEL_MAP).items()}
        if set(level_map.values()) - set(LEVELS):
            raise ValueError(f"OIDC provider {name}: level_map values must be among {LEVELS}")
        scopes = raw.get("scopes") or "openid profile"
        if isinstance(scopes, list):
            scopes = " ".join(scopes)
        if "openid" not in scopes.split():
            scopes = "openid " + scopes
        out[name] = Provider(
            name=name, display_name=str(raw.get("display_name") or "统一身份认证"), role=role,
            issuer=issuer, discovery_url=discovery, client_id=str(raw["client_id"]),
            client_secret=str(raw["client_secret"]), scopes=scopes, claims=dict(claims),
            level_map=level_map, redirect_uri=str(raw.get("redirect_uri") or ""),
        )
    return out


def level_rank(level: str) -> int:
    """0 for none, 1–3 for L1–L3."""
    return LEVELS.index(level) + 1 if level in LEVELS else 0


def level_at_least(have: str, need: str) -> bool:
    return not need or level_rank(have) >= level_rank(need)


def map_level(provider: Provider, value: Any) -> str:
    """The provider's 实名等级 claim as L1/L2/L3, or "" when absent or not in the map."""
    if value is None or value == "":
        return ""
    return provider.level_map.get(str(value).strip(), "")


def same_name(a: str, b: str) -> bool:
    """Names compare after Unicode NFKC and without spaces (全角/半角, 张 三 = 张三)."""
    def norm(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text or "").split())
    return bool(norm(a)) and norm(a) == norm(b)


@dataclass(frozen=True)
class Claims:
    """What the platform takes from a verified ID token."""

    sub: str
    name: str = ""
    kind: str = "person"  # person (身份证号) or legal (统一社会信用代码)
    id_number: str = ""
    uscc: str = ""
    phone: str = ""
    level: str = ""
    legal_rep_name: str = ""
    legal_rep_id_number: str = ""
    staff_username: str = ""


def _text(claims: dict, key: str) -> str:
    value = claims.get(key)
    return str(value).strip() if value not in (None, "") else ""


def map_claims(provider: Provider, claims: dict[str, Any]) -> Claims:
    """Read a verified ID token's claims. Raises :class:`IdentityRefused` when the provider did not
    give what an account needs (a citizen provider: 姓名 and a valid 身份证号 or 统一社会信用代码)."""
    sub = _text(claims, "sub")
    if not sub or len(sub) > 255:
        raise IdentityRefused("统一身份认证返回的用户标识无效，请重新登录", "bad_sub")
    level = map_level(provider, claims.get(provider.claim("level")))
    if provider.role == "staff":
        return Claims(sub=sub, name=_text(claims, provider.claim("name")), kind="staff", level=level,
                      staff_username=_text(claims, provider.claim("staff_username")))
    name = _text(claims, provider.claim("name"))
    if not name:
        raise IdentityRefused("统一身份认证未提供姓名/单位名称，无法登录：请在认证平台完善实名信息", "missing_name")
    phone = _text(claims, provider.claim("phone"))
    try:
        phone = identifiers.validate_phone(phone) if phone else ""
    except ValidationError:
        phone = ""  # a phone the platform cannot use is left out, not a reason to refuse
    uscc = _text(claims, provider.claim("uscc")).upper()
    if uscc:
        try:
            uscc = identifiers.validate_uscc(uscc)
        except ValidationError:
            raise IdentityRefused("统一身份认证提供的统一社会信用代码无效，无法登录", "bad_uscc") from None
        rep_id = _text(claims, provider.claim("legal_rep_id_number")).upper()
        try:
            rep_id = identifiers.validate_id_number(rep_id) if rep_id else ""
        except ValidationError:
            rep_id = ""
        return Claims(sub=sub, name=name, kind="legal", uscc=uscc, phone=phone, level=level,
                      legal_rep_name=_text(claims, provider.claim("legal_rep_name")), legal_rep_id_number=rep_id)
    id_number = _text(claims, provider.claim("id_number")).upper()
    if not id_number:
        raise IdentityRefused("统一身份认证未提供身份证号，无法登录：请在认证平台完成实名认证", "missing_id_number")
    try:
        id_number = identifiers.validate_id_number(id_number)
    except ValidationError:
        raise IdentityRefused("统一身份认证提供的身份证号无效，无法登录", "bad_id_number") from None
    return Claims(sub=sub, name=name, kind="person", id_number=id_number, phone=phone, level=level)
