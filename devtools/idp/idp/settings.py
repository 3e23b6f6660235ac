"""Settings of the local 统一身份认证 provider (django-oauth-toolkit with OpenID Connect).

A development and test tool, not a production identity provider. Environment:

- ``IDP_DATA_DIR``: its SQLite database and RSA signing key (``devtools/idp/var``);
- ``IDP_ISSUER``: the issuer URL (default: from the request, ``http://host:port/o``);
- ``IDP_CODE_SECONDS``: how long an authorization code is valid (60).
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("IDP_DATA_DIR") or BASE_DIR.parent / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _rsa_key() -> str:
    """The ID token signing key: made once into the data directory."""
    path = DATA_DIR / "oidc_rsa.pem"
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pem)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    return path.read_text()


SECRET_KEY = os.environ.get("IDP_SECRET_KEY", "idp-development-only-not-a-secret")
DEBUG = os.environ.get("IDP_DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "oauth2_provider",
    "idp",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "idp.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [], "APP_DIRS": True,
    "OPTIONS": {"context_processors": ["django.template.context_processors.request",
                                       "django.contrib.auth.context_processors.auth"]},
}]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "idp.sqlite3",
                         "OPTIONS": {"timeout": 20}}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
# The provider and the platform both run on 127.0.0.1 in development: cookies do not separate
# ports, so the provider's cookies have their own names.
SESSION_COOKIE_NAME = "idp_sessionid"
CSRF_COOKIE_NAME = "idp_csrftoken"
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _rsa_key(),
    "OAUTH2_VALIDATOR_CLASS": "idp.oidc.Validator",
    "PKCE_REQUIRED": True,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": int(os.environ.get("IDP_CODE_SECONDS", "60")),
    "ID_TOKEN_EXPIRE_SECONDS": 300,
    "ACCESS_TOKEN_EXPIRE_SECONDS": 300,
    "SCOPES": {"openid": "OpenID Connect", "profile": "姓名与实名等级", "phone": "手机号码",
               "idcard": "身份证号/统一社会信用代码"},
    "DEFAULT_SCOPES": ["openid"],
}
if os.environ.get("IDP_ISSUER"):
    OAUTH2_PROVIDER["OIDC_ISS_ENDPOINT"] = os.environ["IDP_ISSUER"]
