"""统一身份认证: the OpenID Connect relying party (authorization code + PKCE S256, state, nonce).

Authlib does the protocol: the authorization URL with state, nonce and the PKCE challenge kept in
the session, the code exchange, and the ID token's checks — signature against the provider's
JWKS, ``iss`` (the configured issuer), ``aud`` (our client id), ``exp``/``iat``, ``nonce`` and
``at_hash``. This module only maps our settings onto it and its errors onto reasons.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoIntegration, DjangoOAuth2App
from django.conf import settings
from joserfc.errors import JoseError

from .oidc_rules import Provider, parse_providers

_APPS: dict[str, tuple[str, DjangoOAuth2App]] = {}


def providers() -> dict[str, Provider]:
    return parse_providers(settings.ZHENGWU_OIDC_PROVIDERS or {})


def provider(name: str, role: str | None = None) -> Provider | None:
    found = providers().get(name)
    return found if found is not None and (role is None or found.role == role) else None


def _app(p: Provider) -> DjangoOAuth2App:
    """One client per provider and settings (the discovery document and JWKS are kept in it)."""
    key = json.dumps(p.__dict__, sort_keys=True, default=str)
    cached = _APPS.get(p.name)
    if cached is None or cached[0] != key:
        app = DjangoOAuth2App(
            DjangoIntegration(p.name), name=p.name, client_id=p.client_id, client_secret=p.client_secret,
            server_metadata_url=p.discovery_url,
            client_kwargs={"scope": p.scopes, "code_challenge_method": "S256", "timeout": 10},
        )
        cached = _APPS[p.name] = (key, app)
    return cached[1]


def expected_issuer(p: Provider) -> str:
    """The configured issuer, else the one the discovery document names."""
    return p.issuer or _app(p).load_server_metadata()["issuer"].rstrip("/")


def authorize_redirect(request, p: Provider, redirect_uri: str):
    return _app(p).authorize_redirect(request, redirect_uri)


@dataclass
class Failure(Exception):
    reason: str  # audit code
    message: str  # shown to the person
    status: int = 400


MESSAGES = {
    "state": "登录请求已失效或不匹配（可能重复提交、在多个窗口登录或等待过久），请重新登录",
    "code": "授权码无效、已过期或已被使用，请重新登录",
    "issuer": "身份令牌的签发方不是本平台配置的认证平台，已拒绝登录",
    "nonce": "身份令牌与本次登录请求不匹配（nonce 校验失败），已拒绝登录",
    "token": "身份令牌校验失败（签名、受众或有效期不符），已拒绝登录",
    "denied": "您在统一身份认证平台取消了授权或认证未通过，未登录",
    "unreachable": "暂时无法连接统一身份认证平台，请稍后再试或使用账号密码登录",
    "no_id_token": "统一身份认证平台未返回身份令牌，无法登录",
}


def fail(reason: str, status: int = 400) -> Failure:
    return Failure(reason, MESSAGES[reason], status)


def complete(request, p: Provider) -> tuple[dict, str]:
    """Finish the code flow: the verified ID token's claims. Raises :class:`Failure`."""
    import requests
    from joserfc.errors import ClaimError

    if request.GET.get("error"):
        raise fail("denied")
    try:
        issuer = expected_issuer(p)
        token = _app(p).authorize_access_token(
            request, claims_options={"iss": {"essential": True, "values": [issuer, issuer + "/"]}},
            leeway=settings.ZHENGWU_OIDC_LEEWAY)
    except MismatchingStateError:
        raise fail("state") from None
    except OAuthError as exc:
        if exc.error in ("access_denied", "login_required", "consent_required"):
            raise fail("denied") from None
        raise fail("code") from None  # invalid_grant: a code expired, replayed or not ours
    except ClaimError as exc:
        raise fail({"iss": "issuer", "nonce": "nonce"}.get(exc.claim, "token")) from None
    except JoseError:  # bad signature, unknown key, undecodable token
        raise fail("token") from None
    except requests.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else 502
        raise fail("code" if status < 500 else "unreachable", 400 if status < 500 else 502) from None
    except (requests.RequestException, ValueError, KeyError):
        raise fail("unreachable", 502) from None
    userinfo = token.get("userinfo")
    if not userinfo:
        raise fail("no_id_token")
    return dict(userinfo), issuer
