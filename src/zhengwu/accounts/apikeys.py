"""应用密钥 for machine clients: issuing, checking, and a Django Ninja auth class with scopes.

    from zhengwu.accounts.api_auth import ApiKeyAuth, SessionAuth
    register_scope("hotline:tickets", "提交12345诉求")   # in the app's AppConfig.ready
    @router.post("/tickets", auth=[ApiKeyAuth("hotline:tickets"), SessionAuth()])

A client sends ``X-Api-Key: zw_<prefix>_<secret>`` (or ``Authorization: Bearer zw_…``). The
secret has 256 bits of entropy, so a plain SHA-256 digest compared in constant time is enough;
the clear key is shown once and never stored or logged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyHeader

from zhengwu.core import audit

from .models import ApiKey

SCOPES: dict[str, str] = {}  # code → 中文说明; filled by the domain apps through register_scope
LAST_USED_EVERY = dt.timedelta(minutes=1)  # last_used_at is refreshed at most this often


def register_scope(code: str, label: str) -> None:
    """A domain app declares a scope it checks (in its AppConfig.ready, so it is known everywhere)."""
    SCOPES.setdefault(code, label)


@dataclass(frozen=True)
class Issued:
    key: ApiKey
    secret: str  # the whole clear key: show once


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(name: str, scopes: list[str], *, actor=None, department=None, expires_at=None, note: str = "") -> Issued:
    """Create a key; unknown scopes are refused with the scope named."""
    name = (name or "").strip()
    if not name:
        raise ValueError("应用名称：必填")
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        raise ValueError(f"授权范围：未知的范围 {'、'.join(unknown)}（可用：{'、'.join(sorted(SCOPES))}）")
    if not scopes:
        raise ValueError("授权范围：至少选择一项")
    with transaction.atomic():
        while True:
            prefix = secrets.token_hex(4)
            if not ApiKey.objects.filter(prefix=prefix).exists():
                break
        raw = f"zw_{prefix}_{secrets.token_urlsafe(32)}"
        key = ApiKey.objects.create(name=name, prefix=prefix, key_hash=_digest(raw), scopes=sorted(set(scopes)),
                                    department=department, expires_at=expires_at, created_by=actor, note=note)
        audit.record("apikey.issue", actor=actor, obj=key,
                     after={"name": name, "prefix": prefix, "scopes": key.scopes,
                            "department": getattr(department, "pk", None)})
    return Issued(key, raw)


def revoke(key: ApiKey, *, actor=None) -> None:
    with transaction.atomic():
        ApiKey.objects.filter(pk=key.pk).update(active=False)
        audit.record("apikey.revoke", actor=actor, obj=key, before={"active": True}, after={"active": False})
    key.active = False


def check(raw: str | None, scope: str | None = None) -> ApiKey | None:
    """The active, unexpired key for ``raw`` that holds ``scope``; None otherwise."""
    if not raw or not raw.startswith("zw_") or raw.count("_") < 2:
        return None
    prefix = raw[3:].split("_", 1)[0]
    key = ApiKey.objects.select_related("department").filter(prefix=prefix, active=True).first()
    if key is None or not hmac.compare_digest(key.key_hash, _digest(raw)):
        return None
    now = timezone.now()
    if key.expires_at and key.expires_at <= now:
        return None
    if scope and scope not in key.scopes:
        raise HttpError(403, f"应用密钥无权访问：需要授权范围 {scope}（{SCOPES.get(scope, scope)}）")
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_EVERY:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key


class KeyPrincipal:
    """A machine client acting through the services that take a ``user`` (办件 exchange): the key
    stands where a person would. It is never a :class:`~zhengwu.accounts.models.User` — a
    service stores None in a user foreign key for it (``person_of``) — and the audit trail names
    it ``apikey:<prefix>`` with no user id (:func:`zhengwu.core.audit.record`)."""

    is_machine = True
    is_authenticated = True
    is_active = True
    is_superuser = False
    is_staff = False
    pk = id = None

    def __init__(self, key: ApiKey):
        self.api_key = key
        self.department_id = key.department_id
        self.display_name = f"{key.name}（应用密钥 {key.prefix}）"[:100]
        self.username = f"apikey:{key.prefix}"
        self._zw_grants = []  # no staff role whatever it holds (zhengwu.org.permissions.grants)

    def get_username(self) -> str:
        return self.username

    def get_full_name(self) -> str:
        return self.display_name

    def __str__(self) -> str:
        return self.display_name


def is_machine(user) -> bool:
    return bool(getattr(user, "is_machine", False))


def person_of(user):
    """``user`` for a user foreign key: None for a machine client (:class:`KeyPrincipal`)."""
    return None if is_machine(user) else user


def key_from_request(request: HttpRequest) -> str | None:
    raw = request.headers.get("X-Api-Key")
    if not raw:
        auth = request.headers.get("Authorization", "")
        if auth.lower().startswith("bearer "):
            raw = auth[7:].strip()
    return raw or None


class ApiKeyAuth(APIKeyHeader):
    """Ninja auth: a valid key holding ``scope``. Sets ``request.api_key``; returns the key."""

    param_name = "X-Api-Key"

    def __init__(self, scope: str | None = None):
        self.scope = scope
        super().__init__()

    def _get_key(self, request: HttpRequest):
        return key_from_request(request)

    def authenticate(self, request: HttpRequest, key):
        if not key:
            return None  # no key sent: another auth method (the session) may apply
        found = check(key, self.scope)
        if found is None:
            raise HttpError(401, "应用密钥无效、已停用或已过期")
        request.api_key = found
        return found
