"""Production settings: `check --deploy` is clean, plain HTTP is redirected (load balancer probes
excepted), HSTS is sent, and a TLS-terminating proxy is believed only when the operator says so.

Settings are read once per process, so each case runs in a fresh Python with the environment a
deployment would set (see the settings module's docstring and the README's Production paragraph)."""

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[2] / "src")


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ZHENGWU_", "DJANGO_")) and k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({
        "PYTHONPATH": SRC + os.pathsep + env.get("PYTHONPATH", ""),
        "DJANGO_SETTINGS_MODULE": "zhengwu.settings",
        "ZHENGWU_DATA_DIR": str(tmp_path),
        "ZHENGWU_SECRET_KEY": secrets.token_urlsafe(50),
        "ZHENGWU_PII_KEY": base64.b64encode(secrets.token_bytes(32)).decode(),
        "ZHENGWU_ALLOWED_HOSTS": "zhengwu.example.gov.cn",
        "ZHENGWU_PUBLIC_URL": "https://zhengwu.example.gov.cn",
        "ZHENGWU_SECURE_COOKIES": "1",
    })
    env.update(extra)
    return env


def run(args, env):
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("switch", ["ZHENGWU_SECURE_COOKIES", "ZHENGWU_HTTPS"])
def test_check_deploy_is_clean_under_production_settings(tmp_path, switch):
    env = production_env(tmp_path)
    del env["ZHENGWU_SECURE_COOKIES"]
    env[switch] = "1"
    done = run(["-m", "django", "check", "--deploy", "--fail-level", "WARNING"], env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_check_deploy_warns_without_https(tmp_path):
    env = production_env(tmp_path)
    del env["ZHENGWU_SECURE_COOKIES"]
    done = run(["-m", "django", "check", "--deploy"], env)
    out = done.stdout + done.stderr
    # Django's four HTTPS warnings, said once in Chinese, naming the variable to set
    assert "(zhengwu.W003) 未设置 ZHENGWU_HTTPS=1" in out and "http 访问跳转到 https" in out and "HSTS" in out, out
    assert "security.W008" not in out and "SECURE_SSL_REDIRECT" not in out


def test_check_deploy_warns_when_https_is_on_but_hsts_is_off(tmp_path):
    env = production_env(tmp_path, ZHENGWU_HTTPS="1", ZHENGWU_HSTS_SECONDS="0")
    del env["ZHENGWU_SECURE_COOKIES"]
    out = run(["-m", "django", "check", "--deploy"], env)
    assert "(zhengwu.W003) 已设置 ZHENGWU_HTTPS=1，但HSTS" in out.stdout + out.stderr


@pytest.mark.parametrize(("value", "ident", "says"), [
    (None, "zhengwu.W001", "未设置 ZHENGWU_PUBLIC_URL"),
    ("http://zhengwu.example.gov.cn", "zhengwu.W002", "ZHENGWU_PUBLIC_URL 不是 https 完整地址"),
])
def test_check_deploy_warns_when_qr_codes_would_carry_no_scannable_address(tmp_path, value, ident, says):
    """Walk finding #13: without an https ZHENGWU_PUBLIC_URL a sealed licence's QR code is a relative path."""
    env = production_env(tmp_path, ZHENGWU_HTTPS="1")
    del env["ZHENGWU_SECURE_COOKIES"]
    if value is None:
        del env["ZHENGWU_PUBLIC_URL"]
    else:
        env["ZHENGWU_PUBLIC_URL"] = value
    done = run(["-m", "django", "check", "--deploy", "--fail-level", "WARNING"], env)
    out = done.stdout + done.stderr
    assert done.returncode != 0 and f"({ident})" in out and says in out, out
    assert "ZHENGWU_PUBLIC_URL=https://" in out  # the hint says what to set
    plain = run(["-m", "django", "check"], env)  # not a development warning
    assert plain.returncode == 0 and ident not in plain.stdout + plain.stderr


PROBE = """
import json, django
django.setup()
from django.test import Client
c = Client(HTTP_HOST="zhengwu.example.gov.cn")
out = {}
for name, path, extra in (
    ("page", "/accounts/login/", {}),
    ("health", "/api/v1/health", {}),
    ("ping", "/api/v1/ping", {}),
    ("proxied_ping", "/api/v1/ping", {"HTTP_X_FORWARDED_PROTO": "https"}),
    ("proxied_page", "/accounts/login/", {"HTTP_X_FORWARDED_PROTO": "https"}),
):
    r = c.get(path, **extra)
    out[name] = [r.status_code, r.headers.get("Location", ""), r.headers.get("Strict-Transport-Security", "")]
print(json.dumps(out))
"""


def probe(tmp_path, **extra):
    # ZHENGWU_TESTING: static files from the finders (no collectstatic manifest in a test run).
    done = run(["-c", PROBE], production_env(tmp_path, ZHENGWU_TESTING="1", **extra))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_plain_http_is_redirected_but_the_load_balancer_probes_are_not(tmp_path):
    out = probe(tmp_path)
    assert out["page"][:2] == [301, "https://zhengwu.example.gov.cn/accounts/login/"]
    assert out["health"][0] != 301 and out["ping"][0] == 200
    # Without ZHENGWU_TRUST_X_FORWARDED_PROTO a client cannot claim HTTPS by a header.
    assert out["proxied_page"][0] == 301 and out["proxied_ping"][2] == ""


def test_behind_a_trusted_tls_proxy_https_requests_get_hsts(tmp_path):
    out = probe(tmp_path, ZHENGWU_TRUST_X_FORWARDED_PROTO="1", ZHENGWU_HSTS_PRELOAD="0")
    assert out["proxied_ping"][:1] == [200]
    assert out["proxied_ping"][2] == "max-age=31536000; includeSubDomains"
    assert out["proxied_page"][0] == 200 and out["proxied_page"][2].startswith("max-age=31536000")
    assert out["page"][0] == 301  # the proxy's plain-HTTP requests are still sent to HTTPS


def test_an_empty_database_url_means_the_embedded_sqlite(tmp_path):
    env = production_env(tmp_path, DATABASE_URL="")
    done = run(["-c", "import django; django.setup(); from django.conf import settings; "
                      "print(settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'])"], env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["django.db.backends.sqlite3", str(tmp_path / "zhengwu.sqlite3")]
