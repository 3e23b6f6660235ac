"""Settings for the test suite: a throwaway data directory, fixed keys, fast password hashing."""

import os
import tempfile

os.environ.setdefault("ZHENGWU_DATA_DIR", tempfile.mkdtemp(prefix="zhengwu-test-"))
os.environ.setdefault("ZHENGWU_SECRET_KEY", "test-secret-key-not-for-production-0123456789")
# 32 bytes, base64: a fixed key so that blind indexes are stable across a test run.
os.environ.setdefault("ZHENGWU_PII_KEY", "dGVzdC1waWkta2V5LTAxMjM0NTY3ODlhYmNkZWYwMTI=")
os.environ.setdefault("ZHENGWU_AUDIT_KEY", "dGVzdC1hdWRpdC1rZXktMDEyMzQ1Njc4OWFiY2RlZjA=")
os.environ["ZHENGWU_TESTING"] = "1"
# Tests of the TOTP rule turn it on themselves (override_settings); the others log admins in by password.
os.environ.setdefault("ZHENGWU_ADMIN_TOTP_REQUIRED", "0")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ZHENGWU_TEST_DB_NAME", "test_zhengwu")}  # noqa: F405
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {}  # noqa: F405
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  (whitenoise warns when it is missing)
# The live servers of the browser and concurrency tests serve each request on a thread of its own: a
# connection kept per thread (CONN_MAX_AGE) outlives the thread, and over a run they filled
# PostgreSQL's max_connections (100). In tests every request closes its connection.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
