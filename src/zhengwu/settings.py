"""Django settings for zhengwu.

Everything a deployment changes comes from the environment:

- ``DATABASE_URL``: PostgreSQL in production (``postgres://user@host:5432/db``); without it an
  SQLite file in the data directory is used (the embedded default).
- ``ZHENGWU_DATA_DIR``: where the SQLite file, uploaded files, generated keys live (``./var``).
- ``ZHENGWU_SECRET_KEY``, ``ZHENGWU_PII_KEY``: the Django secret and the key that encrypts
  personal data. Without them, keys are generated once into ``$ZHENGWU_DATA_DIR/keys.json``
  (fine for a single machine; a cluster must set them).
- ``ZHENGWU_AUDIT_KEY``: the key of the audit chain's HMAC (base64 of 32 bytes; in keys.json
  too when unset); ``ZHENGWU_AUDIT_SIGNING_KEY``: the Ed25519 key that signs the chain's
  checkpoints (base64 of its 32 bytes; else ``$ZHENGWU_AUDIT_DIR/signing.key``, made by the
  first checkpoint); ``ZHENGWU_AUDIT_DIR``: where checkpoints are written
  (``$ZHENGWU_DATA_DIR/audit``). ADR 0020.
- ``ZHENGWU_DEBUG``, ``ZHENGWU_ALLOWED_HOSTS``, ``REDIS_URL`` (cache, optional; without it each
  process keeps its own, ``ZHENGWU_CACHE_ENTRIES`` entries, 10,000).
- ``ZHENGWU_PUBLIC_URL``: the portal's public address (https://…) for links in QR codes and messages.
- ``ZHENGWU_PG_SERVER_SIDE_BINDING=0``: no server-side binding and prepared statements on
  PostgreSQL (ADR 0013), for a connection pooler in transaction mode that cannot keep them;
  ``ZHENGWU_PG_PREPARED_MAX`` (1000): prepared statements kept per connection;
  ``ZHENGWU_CONN_MAX_AGE`` (600): seconds a database connection is kept.
- ``ZHENGWU_HTTPS=1`` (or its older name ``ZHENGWU_SECURE_COOKIES=1``) behind HTTPS: secure
  cookies, plain HTTP redirected to HTTPS (``/api/v1/health`` and ``/api/v1/ping`` excepted, for
  load balancers probing over HTTP), HSTS for ``ZHENGWU_HSTS_SECONDS`` (a year) with
  ``ZHENGWU_HSTS_INCLUDE_SUBDOMAINS`` and ``ZHENGWU_HSTS_PRELOAD`` (both on; 0 turns one off).
  ``check --deploy`` is then clean. Behind a proxy that terminates TLS:
  ``ZHENGWU_TRUST_X_FORWARDED_PROTO=1`` (the proxy must set X-Forwarded-Proto and drop the
  client's); ``ZHENGWU_TRUST_X_FORWARDED_FOR=1`` when it appends the client's address to
  X-Forwarded-For (audit records and the login lockout use it).
- Operations (docs/operations.md, which has the table of every variable): ``ZHENGWU_LOG_FORMAT=json``
  (one JSON object per log line, an access line per request), ``ZHENGWU_METRICS_ALLOW`` /
  ``ZHENGWU_METRICS_TOKEN`` (who may read ``/metrics``), ``ZHENGWU_HEARTBEAT_SECONDS`` and
  ``ZHENGWU_READY_WORKER_SECONDS`` (the worker's heartbeat and how fresh ``/api/v1/ready`` wants it).
- Backups and retention (docs/backup.md): ``ZHENGWU_PG_BIN_DIR`` (where pg_dump/pg_restore are),
  ``ZHENGWU_RETAIN_NOTIFICATIONS_DAYS`` (365), ``ZHENGWU_RETAIN_LOG_DAYS`` (365; below 180 refused).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ZHENGWU_DATA_DIR", "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


_KEY_MAKERS = {
    "secret_key": lambda: secrets.token_urlsafe(50),
    "pii_key": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),
    "audit_key": lambda: base64.b64encode(secrets.token_bytes(32)).decode(),  # ADR 0020
}


def _local_keys() -> dict[str, str]:
    """Keys generated once per data directory, for a single-machine install. A key this
    version needs that an older keys.json lacks is added to it; the keys already there are
    never changed (a lock file serialises processes starting together; the new file replaces
    the old one whole, so a crash leaves one or the other)."""
    import fcntl

    path = DATA_DIR / "keys.json"
    if path.exists():
        keys = json.loads(path.read_text())
        if _KEY_MAKERS.keys() <= keys.keys():
            return keys
    fd = os.open(DATA_DIR / "keys.json.lock", os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        keys = json.loads(path.read_text()) if path.exists() else {}
        missing = [name for name in _KEY_MAKERS if name not in keys]
        if missing:
            keys.update({name: _KEY_MAKERS[name]() for name in missing})
            tmp = path.with_name(f"keys.json.{os.getpid()}.tmp")
            tfd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(tfd, "w") as f:
                json.dump(keys, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
    return keys


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).lower() in {"1", "true", "yes", "on"}


_keys = None
if not all(os.environ.get(n) for n in ("ZHENGWU_SECRET_KEY", "ZHENGWU_PII_KEY", "ZHENGWU_AUDIT_KEY")):
    _keys = _local_keys()

SECRET_KEY = os.environ.get("ZHENGWU_SECRET_KEY") or _keys["secret_key"]
# 个人信息加密密钥: base64 of 32 random bytes. Sub-keys for encryption and the blind index
# are derived from it (see zhengwu.core.pii).
ZHENGWU_PII_KEY = os.environ.get("ZHENGWU_PII_KEY") or _keys["pii_key"]
# The audit chain's keys and checkpoints (ADR 0020): outside the database by design.
ZHENGWU_AUDIT_KEY = os.environ.get("ZHENGWU_AUDIT_KEY") or _keys["audit_key"]
from zhengwu.core.setting_rules import check_key  # noqa: E402  (pure: no Django import)

check_key(ZHENGWU_PII_KEY, "ZHENGWU_PII_KEY")
check_key(ZHENGWU_AUDIT_KEY, "ZHENGWU_AUDIT_KEY")
ZHENGWU_AUDIT_SIGNING_KEY = os.environ.get("ZHENGWU_AUDIT_SIGNING_KEY", "")
ZHENGWU_AUDIT_DIR = Path(os.environ.get("ZHENGWU_AUDIT_DIR") or DATA_DIR / "audit").resolve()

DEBUG = _env_bool("ZHENGWU_DEBUG")
ALLOWED_HOSTS = os.environ.get("ZHENGWU_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]").split(",")
# The portal's public address, for links made without a request (QR codes on receipts, SMS).
ZHENGWU_PUBLIC_URL = os.environ.get("ZHENGWU_PUBLIC_URL", "").rstrip("/")
CSRF_TRUSTED_ORIGINS = [
    o for o in os.environ.get("ZHENGWU_CSRF_TRUSTED_ORIGINS", "").split(",") if o
]

INSTALLED_APPS = [
    "zhengwu.core.apps.ZhengwuAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "ninja",  # Swagger UI at /api/v1/docs from our own static files, not a CDN
    "bootstrap",
    "django_tasks",
    "django_tasks_db",
    "zhengwu.core",
    "zhengwu.speedups",  # performance plumbing: its README lists the private library APIs it uses
    "zhengwu.org",
    "zhengwu.accounts",
    "zhengwu.catalog",
    "zhengwu.cases",
    "zhengwu.ratings",
    "zhengwu.hotline",
    "zhengwu.licenses",
    "zhengwu.datashare",
    "zhengwu.queueing",
    "zhengwu.inspections",
    "zhengwu.payments",
    "zhengwu.insights",
    "zhengwu.benefits",
    "zhengwu.portal",
    "zhengwu.workbench",
    "zhengwu_bench",  # synthetic bench data: only its `gen-data` command (no models, no URLs)
]

MIDDLEWARE = [
    # First: request id, access log line, request metrics (docs/operations.md).
    "zhengwu.core.observability.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "zhengwu.core.csp.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # JSON errors under /api/ and /open311/; then no NUL character gets any further.
    "zhengwu.core.errors.ApiErrorsMiddleware",
    "zhengwu.core.nulbytes.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhengwu.core.errors.PageErrorsMiddleware",  # a Chinese page for an empty 405 (a POST address opened)
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): the TOTP step was passed
    # 等保 session rules: one session per staff account, the second factor, password expiry.
    "zhengwu.accounts.middleware_security.SingleStaffSessionMiddleware",
    "zhengwu.accounts.middleware.SessionIdleRefreshMiddleware",
    "zhengwu.accounts.middleware_security.SecondFactorMiddleware",
    "zhengwu.accounts.middleware.PasswordExpiryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhengwu.core.middleware.RequestContextMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhengwu.urls"
WSGI_APPLICATION = "zhengwu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhengwu.core.context_processors.platform",
                "zhengwu.workbench.context_processors.menu",
                "zhengwu.cases.context_processors.nav_context",
                # Last: overrides csrf_token while a public page is rendered for the cache.
                "zhengwu.speedups.pagecache.context",
            ],
            # {% url %} remembers the addresses it reversed (zhengwu.speedups.templatetags.cached_url);
            # |date formats plain formats directly (zhengwu.speedups.templatetags.fast_date).
            "builtins": ["zhengwu.speedups.templatetags.cached_url", "zhengwu.speedups.templatetags.fast_date"],
        },
    },
    {
        # Templates on hot paths, in an app's jinja2/ folder (ADR 17): rendered by
        # zhengwu.speedups.jinja_env.render, never looked up by name through Django's loaders first.
        "NAME": "jinja2",
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "zhengwu.speedups.jinja_env.environment", "autoescape": True},
    },
]

# --- Database -------------------------------------------------------------------------------
_sqlite_path = DATA_DIR / "zhengwu.sqlite3"
DATABASES = {
    # An empty DATABASE_URL (a deployment file's "DATABASE_URL=") means unset: the embedded SQLite.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{_sqlite_path}",
        # A connection is kept this many seconds (its prepared statements with it, ADR 0013).
        conn_max_age=int(os.environ.get("ZHENGWU_CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _env_bool("ZHENGWU_PG_SERVER_SIDE_BINDING", True):
    # Parameters bound by the server, so that psycopg prepares a query the connection runs
    # again and again (after 5 runs): PostgreSQL then plans it once per connection, not on
    # every request: planning a case with its related rows costs more than running it (ADR 0013).
    DATABASES["default"].setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=5)
    # How many prepared statements a connection keeps (psycopg's default is 100): a web worker's
    # thread serves every page and API, a thousand or so distinct queries. Kept through rollbacks
    # as well (zhengwu.speedups.pgsession).
    ZHENGWU_PG_PREPARED_MAX = int(os.environ.get("ZHENGWU_PG_PREPARED_MAX", "1000"))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run beside one writer; IMMEDIATE avoids lock-upgrade deadlocks.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ----------------------------------------------------------------------------------
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }
else:
    # Per process. Django's default of 300 entries is less than what one worker keeps hot: the
    # logged-in users' sessions (cached_db), the anonymous pages, guide bodies and search
    # rankings. Past it, every set culls a third of the cache, sessions included.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                          "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("ZHENGWU_CACHE_ENTRIES", "10000"))}}}

# --- Authentication (等保三级) ----------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "zhengwu.accounts.backends.IdentifierBackend",
]
# Argon2id at the OWASP parameters first (ADR 0011); PBKDF2 hashes made before still verify and
# are upgraded at the next login.
PASSWORD_HASHERS = [
    "zhengwu.accounts.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "zhengwu.accounts.passwords.MinimumLengthValidator",  # Django's, in Chinese
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhengwu.accounts.passwords.ComplexityValidator"},
]
# Staff passwords expire (等保: 定期更换); applicants are not forced.
ZHENGWU_STAFF_PASSWORD_MAX_AGE_DAYS = int(os.environ.get("ZHENGWU_PASSWORD_MAX_AGE_DAYS", "90"))
LOGIN_URL = "accounts:login"
# 统一身份认证 (OpenID Connect relying party, docs/identity.md): the identity providers, as one JSON
# object name → settings, e.g. {"citizen": {"display_name": "河南政务服务网统一身份认证",
# "issuer": "https://…", "client_id": "…", "client_secret": "…"}}. Empty: password login only.
ZHENGWU_OIDC_PROVIDERS = json.loads(os.environ.get("ZHENGWU_OIDC_PROVIDERS") or "{}")
# Seconds of clock difference allowed when checking an ID token's exp/iat.
ZHENGWU_OIDC_LEEWAY = int(os.environ.get("ZHENGWU_OIDC_LEEWAY", "60"))
# Second factor (TOTP, django-otp; docs/identity-phone.md): optional for every staff member; required
# for administrators (superusers, 系统管理员) unless ZHENGWU_ADMIN_TOTP_REQUIRED=0. The TOTP issuer
# name shown in authenticator apps is the platform's name.
ZHENGWU_ADMIN_TOTP_REQUIRED = _env_bool("ZHENGWU_ADMIN_TOTP_REQUIRED", True)
# One active session per staff account (等保): a new login ends the previous one. 0 turns it off.
ZHENGWU_STAFF_SINGLE_SESSION = _env_bool("ZHENGWU_STAFF_SINGLE_SESSION", True)
# SMS verification codes (registration, phone change): at most this many codes per client address
# per hour (the per-phone limits, 1 per 60 s and 10 a day, are fixed rules: accounts/phone.py).
ZHENGWU_SMS_CODES_PER_IP_HOUR = int(os.environ.get("ZHENGWU_SMS_CODES_PER_IP_HOUR", "20"))
LOGIN_REDIRECT_URL = "portal:home"

# Failure lockout: 5 failures lock an account for 30 minutes *from the address they came from*
# (username and address together). By username alone anyone could lock `admin` out for everyone;
# by address alone a whole hall behind one NAT address would be locked out by one person. The
# locked page names the ways to unlock (accounts/locked.html): wait, or a 系统管理员 deletes the
# record in the admin (Axes → Access attempts) or runs `zhengwu unlock_login <name or ID number>`.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "zhengwu.accounts.backends.axes_username"
# The client's address: REMOTE_ADDR, or behind a trusted proxy the address that proxy saw
# (ZHENGWU_TRUST_X_FORWARDED_FOR), never one a client can choose (a chosen address would give
# an attacker 5 fresh tries per made-up address).
AXES_CLIENT_IP_CALLABLE = "zhengwu.accounts.backends.axes_client_ip"
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = True

SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 30 * 60  # idle timeout 30 minutes
SESSION_SAVE_EVERY_REQUEST = False  # the idle timeout slides via SessionIdleRefreshMiddleware instead
ZHENGWU_SESSION_REFRESH_SECONDS = 60  # … which re-saves an active session at most this often
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# --- HTTPS and security headers ---------------------------------------------------------------
# ZHENGWU_HTTPS=1 (ZHENGWU_SECURE_COOKIES=1, its older name, still counts): the site is served over
# HTTPS. Cookies are then sent over HTTPS only, plain HTTP is redirected (except the load
# balancer's probes /api/v1/health and /api/v1/ping) and HSTS tells browsers to come back over
# HTTPS only for a year.
ZHENGWU_HTTPS = _env_bool("ZHENGWU_HTTPS") or _env_bool("ZHENGWU_SECURE_COOKIES")
SESSION_COOKIE_SECURE = ZHENGWU_HTTPS
CSRF_COOKIE_SECURE = ZHENGWU_HTTPS
SECURE_SSL_REDIRECT = ZHENGWU_HTTPS
# The probes and /metrics answer over plain HTTP too (load balancers, Prometheus inside the network).
SECURE_REDIRECT_EXEMPT = [r"^api/v1/health$", r"^api/v1/ping$", r"^api/v1/live$", r"^api/v1/ready$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("ZHENGWU_HSTS_SECONDS", 365 * 24 * 3600)) if ZHENGWU_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = _env_bool("ZHENGWU_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = _env_bool("ZHENGWU_HSTS_PRELOAD", True)
# Behind a proxy that terminates TLS and sets X-Forwarded-Proto (and strips it from clients):
# without this every request looks like plain HTTP and is redirected for ever.
if _env_bool("ZHENGWU_TRUST_X_FORWARDED_PROTO"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Behind a proxy that appends the client's address to X-Forwarded-For (audit records, lockout).
ZHENGWU_TRUST_X_FORWARDED_FOR = _env_bool("ZHENGWU_TRUST_X_FORWARDED_FOR")
# No page of ours is shown in a frame (CSP frame-ancestors 'none' says the same).
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy on every response (django-csp): scripts and styles from our own static
# files only — no inline <script>, on…= handler or style="" attribute (zhengwu/zhengwu.js and
# zhengwu.css hold them), so a cached public page (zhengwu.speedups.pagecache) needs no per-response
# nonce. A response that sets its own policy keeps it (downloads: a stricter sandbox).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
# A deliberate choice against the defaults above is not a warning at `check --deploy`.
SILENCED_SYSTEM_CHECKS = [
    *(["security.W005"] if not SECURE_HSTS_INCLUDE_SUBDOMAINS else []),
    *(["security.W021"] if not SECURE_HSTS_PRELOAD else []),
]

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
# Where collectstatic puts the static files and whitenoise serves them from (a container image bakes
# them in at build; a reverse proxy may serve them from here too).
STATIC_ROOT = Path(os.environ.get("ZHENGWU_STATIC_ROOT") or DATA_DIR / "static").resolve()
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = DATA_DIR / "files"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or os.environ.get("ZHENGWU_TESTING")
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = bool(os.environ.get("ZHENGWU_TESTING")) or DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Stored files hold personal data (ID scans, 决定书): encrypted at rest with a key derived from
# ZHENGWU_PII_KEY, files 0600 in directories 0700 (zhengwu.core.storage; `zhengwu files encrypt`
# for files stored before). The modes are the storage's, not FILE_UPLOAD_PERMISSIONS, which
# collectstatic would apply to static files too.
STORAGES["default"] = {
    "BACKEND": "zhengwu.core.storage.EncryptedFileSystemStorage",
    "OPTIONS": {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700},
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# --- Background work ------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Logging: personal data is masked by a filter on every handler ---------------------------
# ZHENGWU_LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request_id, route,
# status, duration_ms, user_id, process) and an access line per request (logger zhengwu.access);
# text (the default, for development): plain lines, no access lines (zhengwu.core.observability).
ZHENGWU_LOG_FORMAT = os.environ.get("ZHENGWU_LOG_FORMAT", "text").strip().lower()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_pii": {"()": "zhengwu.core.logging.MaskPIIFilter"},
                "request": {"()": "zhengwu.core.observability.RequestContextFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
                   "json": {"()": "zhengwu.core.observability.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["mask_pii", "request"],
            "formatter": "json" if ZHENGWU_LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("ZHENGWU_LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}, "zhengwu.access": {"level": "INFO"}},
}

# --- Operations: probes and metrics (docs/operations.md) ---------------------------------------
# The worker writes its heartbeat this often; /api/v1/ready wants one younger than
# ZHENGWU_READY_WORKER_SECONDS (0: readiness does not look at workers).
ZHENGWU_HEARTBEAT_SECONDS = float(os.environ.get("ZHENGWU_HEARTBEAT_SECONDS", "15"))
ZHENGWU_READY_WORKER_SECONDS = int(os.environ.get("ZHENGWU_READY_WORKER_SECONDS", "60"))
# /metrics: from these networks (comma-separated CIDRs), or anywhere with
# "Authorization: Bearer $ZHENGWU_METRICS_TOKEN" (empty: no token accepted).
ZHENGWU_METRICS_ALLOW = [c.strip() for c in os.environ.get("ZHENGWU_METRICS_ALLOW", "127.0.0.1/32,::1/128").split(",")
                         if c.strip()]
ZHENGWU_METRICS_TOKEN = os.environ.get("ZHENGWU_METRICS_TOKEN", "")

# --- Platform -------------------------------------------------------------------------------
ZHENGWU_PLATFORM_NAME = os.environ.get("ZHENGWU_PLATFORM_NAME", "政务服务网")
# The region this deployment serves (12-digit code); set by `zhengwu demo` or the operator.
ZHENGWU_HOME_REGION = os.environ.get("ZHENGWU_HOME_REGION", "")

# --- Open311 filing (ADR 0018) -----------------------------------------------------------------
# Other systems file 12345 tickets with a `hotline:tickets` key. Anonymous filing (a public app
# talking to us directly) is opt-in, and limited per client address: at most LIMIT tickets per
# WINDOW seconds, counted in the database so every web process shares the count.
ZHENGWU_OPEN311_ANONYMOUS = _env_bool("ZHENGWU_OPEN311_ANONYMOUS")
ZHENGWU_OPEN311_ANONYMOUS_LIMIT = int(os.environ.get("ZHENGWU_OPEN311_ANONYMOUS_LIMIT", "10"))
ZHENGWU_OPEN311_ANONYMOUS_WINDOW = int(os.environ.get("ZHENGWU_OPEN311_ANONYMOUS_WINDOW", "3600"))

# --- 12345 for citizens: the map on /hotline/ -----------------------------------------------------
# A tile URL template ({z}/{x}/{y}, Web Mercator), e.g. the bureau's own tile server; empty: the
# form has no map (区县 → 街道 and the address only). An outside host is added to the page's img-src.
ZHENGWU_HOTLINE_MAP_TILES = os.environ.get("ZHENGWU_HOTLINE_MAP_TILES", "")
ZHENGWU_HOTLINE_MAP_CENTER = os.environ.get("ZHENGWU_HOTLINE_MAP_CENTER", "34.7466,113.6253")  # lat,lon

# --- The hall's call boards (issue 25, ADR 0043) ---------------------------------------------------
# `zhengwu serve` starts the push server (server-sent events) beside gunicorn on ZHENGWU_PUSH_PORT
# (default: the web port + 1; ZHENGWU_PUSH=off: not started, boards poll). Behind a reverse proxy
# that routes /push/ to it, set ZHENGWU_PUSH_URL to where browsers reach it (e.g. https://zw.example.cn);
# empty: the page's own host on the push port.
ZHENGWU_PUSH_URL = os.environ.get("ZHENGWU_PUSH_URL", "").rstrip("/")

# --- Feeds to upper-level platforms (上报: 12345 工单, 办件; issue 27, ADR 0050) --------------------
# ZHENGWU_FEED_URL set: the worker POSTs each feed's records there ({feed} in the URL: the feed's
# name), with ZHENGWU_FEED_TOKEN as a Bearer token. Unset: the records are written as JSON files to
# ZHENGWU_FEED_DIR (default <data>/feeds) for the 前置机 to collect. ZHENGWU_FEED_GATEWAY=pull: no
# push, the upper platform pulls through /api/v1/feeds/<feed>/records.
ZHENGWU_FEED_URL = os.environ.get("ZHENGWU_FEED_URL", "")
ZHENGWU_FEED_TOKEN = os.environ.get("ZHENGWU_FEED_TOKEN", "")
ZHENGWU_FEED_GATEWAY = os.environ.get("ZHENGWU_FEED_GATEWAY", "")
ZHENGWU_FEED_DIR = os.environ.get("ZHENGWU_FEED_DIR", "") or str(DATA_DIR / "feeds")
ZHENGWU_FEED_MAX_ATTEMPTS = int(os.environ.get("ZHENGWU_FEED_MAX_ATTEMPTS", "10"))

# 收费与缴款 (docs/payments.md): online payment channels whose signed notices are accepted at
# POST /api/v1/payments/notices/<code>. 柜台缴款 (counter) is always there. A channel without
# its secret is not offered. The default: one bank channel, on when ZHENGWU_PAY_BANK_SECRET is set.
ZHENGWU_PAYMENT_PROVIDERS = {
    "bank": {"class": "zhengwu.payments.providers.HmacNoticeProvider", "label": "合作银行",
             "secret_env": "ZHENGWU_PAY_BANK_SECRET"},
}

# --- Backups, retention, upgrades (docs/backup.md, docs/upgrade.md) ----------------------------------
# Where pg_dump/pg_restore are (empty: the newest /usr/lib/postgresql/*/bin, else PATH).
ZHENGWU_PG_BIN_DIR = os.environ.get("ZHENGWU_PG_BIN_DIR", "")
# 站内消息 and the SMS outbox are deleted after this many days (the daily job cases.retention).
ZHENGWU_RETAIN_NOTIFICATIONS_DAYS = int(os.environ.get("ZHENGWU_RETAIN_NOTIFICATIONS_DAYS", "365"))
# Login logs (django-axes' access and failure logs) are deleted after this many days; 等保
# (GB/T 22239-2019 8.1.4.3) wants audit records kept at least six months, so less than 180 is
# refused here, at startup. The audit chain itself is never deleted.
ZHENGWU_RETAIN_LOG_DAYS = int(os.environ.get("ZHENGWU_RETAIN_LOG_DAYS", "365"))
from zhengwu.core.retention_rules import check_log_retention  # noqa: E402  (pure: no Django import)

check_log_retention(ZHENGWU_RETAIN_LOG_DAYS, "ZHENGWU_RETAIN_LOG_DAYS")
