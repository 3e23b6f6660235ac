"""Personal data at rest (个人信息保护): encrypted fields, blind indexes, masking.

- Values are encrypted with AES-256-GCM (``cryptography``) under a key derived from
  ``settings.ZHENGWU_PII_KEY``; the stored text is ``v1$`` + base64(nonce ‖ ciphertext).
- Equality lookups use a *blind index*: HMAC-SHA256 of the normalised value under a second
  derived key, so the database can find "this ID number" without holding it in the clear.
- Reading a model gives a :class:`PII` object, not a string. Its ``str()`` is the masked form
  (``4104**********1234``), so templates, logs and ``repr`` never show the clear value; the clear
  value comes only from :func:`zhengwu.core.services.reveal_pii`, which writes an audit event.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

VERSION = "v1"


@functools.lru_cache(maxsize=4)
def _keys(master_b64: str) -> tuple[AESGCM, bytes]:
    master = base64.b64decode(master_b64)
    if len(master) < 32:
        raise ValueError("ZHENGWU_PII_KEY must be base64 of at least 32 bytes")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)

    return AESGCM(derive(b"zhengwu/pii/encrypt/v1")), derive(b"zhengwu/pii/index/v1")


def _cipher() -> AESGCM:
    return _keys(settings.ZHENGWU_PII_KEY)[0]


def normalise(kind: str, value: str) -> str:
    value = str(value).strip()
    if kind in {"id_number", "uscc"}:
        return value.upper()
    if kind == "phone":
        return value.replace(" ", "").replace("-", "").removeprefix("+86")
    return value


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    ct = _cipher().encrypt(nonce, plaintext.encode("utf-8"), None)
    return f"{VERSION}${base64.b64encode(nonce + ct).decode('ascii')}"


def decrypt(token: str) -> str:
    version, _, payload = token.partition("$")
    if version != VERSION:
        raise ValueError(f"unknown PII ciphertext version {version!r}")
    raw = base64.b64decode(payload)
    return _cipher().decrypt(raw[:12], raw[12:], None).decode("utf-8")


def blind_index(kind: str, value: str) -> str:
    """Keyed, deterministic, irreversible: 32 hex characters."""
    key = _keys(settings.ZHENGWU_PII_KEY)[1]
    msg = f"{kind}:{normalise(kind, value)}".encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()[:32]


# -- masking -------------------------------------------------------------------------------
def mask(kind: str, value: str) -> str:
    value = str(value)
    if not value:
        return ""
    if kind == "id_number":  # 4104**********1234
        return value[:4] + "*" * (len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)
    if kind == "phone":  # 138****5678
        return value[:3] + "****" + value[-4:] if len(value) >= 7 else "*" * len(value)
    if kind == "name":  # 张*, 欧阳**
        return value[0] + "*" * (len(value) - 1) if len(value) > 1 else "*"
    if kind == "address":
        return value[:6] + "****" if len(value) > 6 else "****"
    return "*" * min(len(value), 8)


class PII:
    """A personal value read from the database: masked by default, revealed on purpose."""

    __slots__ = ("kind", "_token", "_plain")

    def __init__(self, kind: str, *, token: str | None = None, plain: str | None = None):
        self.kind = kind
        self._token = token
        self._plain = plain

    def _value(self) -> str:
        if self._plain is None:
            self._plain = decrypt(self._token) if self._token else ""
        return self._plain

    @property
    def masked(self) -> str:
        return mask(self.kind, self._value())

    def reveal_unaudited(self) -> str:
        """The clear value. Only for code that must compute with it (validation, matching,
        signing); anything that shows it to a person goes through ``services.reveal_pii``."""
        return self._value()

    def token(self) -> str:
        if self._token is None:
            self._token = encrypt(self._value())
        return self._token

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"<PII {self.kind} {self.masked}>"

    def __bool__(self) -> bool:
        return bool(self._token) or bool(self._plain)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PII):
            return self.kind == other.kind and self._value() == other._value()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class EncryptedField(models.TextField):
    """An encrypted personal-data column, optionally with a blind-index sibling column.

    ``id_number = EncryptedField(kind="id_number", index=True)`` fills the sibling
    ``id_number_index = BlindIndexField()`` (declared right after it) on every save, so
    ``Model.objects.filter(id_number_index=blind_index("id_number", value))`` finds a row;
    :meth:`lookup` builds that filter.
    """

    def __init__(self, *args, kind: str = "text", index: bool = False, **kwargs):
        self.kind = kind
        self.index = index
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["kind"] = self.kind
        if self.index:
            kwargs["index"] = True
        for k in ("blank", "default"):
            kwargs.pop(k, None)
        return name, path, args, kwargs

    @property
    def index_attname(self) -> str:
        return f"{self.name}_index"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return PII(self.kind, token=value) if value else PII(self.kind, plain="")

    def to_python(self, value):
        if value is None or isinstance(value, PII):
            return value
        return PII(self.kind, plain=normalise(self.kind, value))

    def get_prep_value(self, value):
        if value is None:
            return None
        if not isinstance(value, PII):
            value = PII(self.kind, plain=normalise(self.kind, value))
        return value.token() if value else ""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if value is not None and not isinstance(value, PII):
            value = PII(self.kind, plain=normalise(self.kind, value))
            setattr(model_instance, self.attname, value)
        if self.index:
            plain = value.reveal_unaudited() if value else ""
            setattr(model_instance, self.index_attname, blind_index(self.kind, plain) if plain else "")
        return value

    def value_to_string(self, obj):
        value = self.value_from_object(obj)
        return str(value) if value else ""

    def lookup(self, value: str) -> dict[str, str]:
        return {self.index_attname: blind_index(self.kind, value)}

    def formfield(self, **kwargs):
        from django import forms

        return forms.CharField(required=not self.blank, **kwargs)


class BlindIndexField(models.CharField):
    """The blind-index sibling of an :class:`EncryptedField` (declare it right after)."""

    def __init__(self, *args, **kwargs):
        kwargs.update(max_length=32, blank=True, default="", db_index=True, editable=False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        for k in ("max_length", "blank", "default", "db_index", "editable"):
            kwargs.pop(k, None)
        return name, path, args, kwargs
