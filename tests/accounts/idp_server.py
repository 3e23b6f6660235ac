"""The local 统一身份认证 provider (devtools/idp, django-oauth-toolkit) as a real HTTP server for tests.

``idp_server`` (session scope) migrates and seeds a fresh provider database in a temporary directory
and runs ``manage.py runserver`` on a free port in a subprocess; ``provider_login`` drives the
provider's login form over HTTP with a requests session.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests

MANAGE = Path(__file__).resolve().parents[2] / "devtools" / "idp" / "manage.py"
IDP_PASSWORD = "Idp-Demo-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class IdpServer:
    def __init__(self, data_dir: str, port: int):
        self.data_dir, self.port = data_dir, port
        self.url = f"http://127.0.0.1:{port}"
        self.issuer = f"{self.url}/o"
        self.env = {**os.environ, "IDP_DATA_DIR": data_dir}
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.process = None

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, str(MANAGE), *args], env=self.env, capture_output=True, text=True,
                              timeout=120)
        if done.returncode:
            raise RuntimeError(f"idp {args}: {done.stdout}\n{done.stderr}")
        return done.stdout

    def allow(self, zhengwu_url: str) -> None:
        """Register the platform at this address as a redirect URI of both clients."""
        self.manage("seed", "--zhengwu-url", zhengwu_url, "--issuer", self.issuer)

    def start(self) -> None:
        self.manage("migrate", "-v", "0")
        self.allow("http://testserver")
        self.log = open(Path(self.data_dir) / "server.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, str(MANAGE), "runserver", "--noreload", "--skip-checks",
             f"127.0.0.1:{self.port}"], env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=2).ok:
                    return
            except requests.ConnectionError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the local identity provider did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
            self.process = None
            self.log.close()

    def providers(self, **extra) -> dict:
        """A ZHENGWU_OIDC_PROVIDERS value for this provider (its seeded clients)."""
        config = {
            "citizen": {"display_name": "测试统一身份认证", "issuer": self.issuer, "client_id": "zhengwu-citizen",
                        "client_secret": "zhengwu-citizen-dev-secret", "scopes": "openid profile phone idcard"},
            "staff": {"display_name": "测试政务外网统一认证", "role": "staff", "issuer": self.issuer,
                      "client_id": "zhengwu-staff", "client_secret": "zhengwu-staff-dev-secret"},
        }
        config.update(extra)
        return json.loads(json.dumps(config))


@pytest.fixture(scope="session")
def idp_server():
    with tempfile.TemporaryDirectory(prefix="zw-idp-") as data_dir:
        server = IdpServer(data_dir, _free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop()


def provider_login(authorize_url: str, username: str, password: str = IDP_PASSWORD,
                   session: requests.Session | None = None) -> str:
    """Follow the platform's redirect to the provider, log in there, and return the URL the
    provider sends the browser back to (the platform's callback with ``code`` and ``state``)."""
    s = session or requests.Session()
    r = s.get(authorize_url, allow_redirects=False, timeout=10)
    if r.status_code == 302 and "/login/" in r.headers["Location"]:
        login_url = urljoin(authorize_url, r.headers["Location"])
        page = s.get(login_url, timeout=10)
        assert page.status_code == 200, page.text[:300]
        query = dict(p.split("=", 1) for p in urlsplit(login_url).query.split("&") if "=" in p)
        from urllib.parse import unquote

        r = s.post(login_url, data={"username": username, "password": password, "next": unquote(query.get("next", "")),
                                    "csrfmiddlewaretoken": s.cookies["idp_csrftoken"]},
                   headers={"Referer": login_url}, allow_redirects=False, timeout=10)
        assert r.status_code == 302, r.text[:500]
        r = s.get(urljoin(login_url, r.headers["Location"]), allow_redirects=False, timeout=10)
    assert r.status_code == 302, r.text[:500]
    return r.headers["Location"]
