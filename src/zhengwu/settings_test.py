"""Settings for the test suite: a throwaway data directory, fixed keys, fast password hashing."""

import os
import tempfile

# A data directory of the run's own; under pytest-xdist one for each worker (a worker inherits the
# controller's environment, and two workers writing the same model file name raced). Subprocesses
# of a worker inherit its directory.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_prefix = f"zhengwu-test-{_worker}-" if _worker else "zhengwu-test-"
if "ZHENGWU_DATA_DIR" not in os.environ or (_worker and _prefix not in os.environ["ZHENGWU_DATA_DIR"]):
    os.environ["ZHENGWU_DATA_DIR"] = tempfile.mkdtemp(prefix=_prefix)
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
