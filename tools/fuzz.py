"""``make fuzz``: schemathesis against a live server with the demo district, as every kind of caller.

    .venv/bin/python tools/fuzz.py [--seconds 180] [--port 8108] [--max-examples 25] [--keep]

1. A THROWAWAY database: an SQLite file in a new temporary data directory, or, when
   ``DATABASE_URL`` names a PostgreSQL server, a new database ``zw_fuzz_<pid>`` on that server,
   dropped at the end. The fuzzer changes data at random (cases accepted, tickets dispatched,
   ratings filed): it never runs against a database someone uses.
2. ``zhengwu migrate``, ``zhengwu demo``, one 应用密钥 per scope, then ``zhengwu serve`` (the
   production server) on 127.0.0.1:PORT (8108, or a free port when it is taken).
3. Logs in each role through the login page (session cookie + CSRF token): anonymous, each
   应用密钥, the demo citizen and every demo staff account.
4. Runs ``schemathesis run`` on /api/v1/openapi.json once per role, with that role's headers,
   the checks ``not_a_server_error``, ``status_code_conformance`` and
   ``response_schema_conformance``, phases coverage (boundary values of every parameter) and
   fuzzing (``--max-examples`` random cases per operation). Each role's run is capped at its share
   of ``--seconds`` (a double share for the citizen, the administrator, the window clerk, an
   approver and the 12345 operator); operations a cap cut off are named in the summary. Open311 (``/open311/v2/``, not in the OpenAPI
   document) gets its own bounded Hypothesis loop, anonymous and with the key.
5. Prints per role what failed (operation, request, status, and for a 5xx the last line of the
   server's traceback) and exits 1 on any server error or schema violation.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import requests

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
PASSWORD = "Demo@2026zw"
CITIZEN = "41010519900307123X"
STAFF = ["admin", "chuangkou", "shenpi_ga", "shenpi_sj", "shenpi_rs", "bumen_sj", "shixiang", "rexian", "duban",
         "shuju", "lingdao"]
# Who writes most through the API gets twice the time: the citizen, the administrator (sees
# everything), the window clerk, an approver and the 12345 operator.
BUSY = {"citizen", "admin", "chuangkou", "shenpi_sj", "rexian"}
SCOPES = ["hotline:tickets", "ratings:feed", "licences:verify,licences:read"]
# The demo's approved 共享申请 (zhengwu.datashare.demo_registries): a key with a grant, so that the
# query-verify API is fuzzed past its grant check.
DATA_KEY = ("data:verify,data:query", "zw_demo0024_datashare-demo-key-2026")
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"


# ---------------------------------------------------------------------------------------------
# The throwaway database and the server
# ---------------------------------------------------------------------------------------------
class Database:
    """An SQLite file in the data directory, or a fresh database on DATABASE_URL's server."""

    def __init__(self, base_url: str | None):
        self.admin_url = base_url if base_url and base_url.startswith(("postgres://", "postgresql://")) else None
        self.name = f"zw_fuzz_{os.getpid()}"
        self.url: str | None = None

    def create(self) -> None:
        if not self.admin_url:
            return
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        parts = urlsplit(self.admin_url)
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))

    def drop(self) -> None:
        if not self.url:
            return
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def label(self) -> str:
        return f"PostgreSQL {self.name} (dropped afterwards)" if self.url else "SQLite (temporary data directory)"


def free_port(preferred: int) -> int:
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port")


def zhengwu(env: dict, *args: str, timeout: int = 900) -> str:
    proc = subprocess.run([sys.executable, "-m", "zhengwu", *args], env=env, capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"zhengwu {' '.join(args)} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


class Server:
    def __init__(self, env: dict, port: int, log_path: Path):
        self.env, self.port, self.log_path = env, port, log_path
        self.proc: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "zhengwu", "serve", "--host", HOST, "--port", str(self.port),
                                      "--workers", "2", "--threads", "4"],
                                     env=self.env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: see {self.log_path}")
            try:
                if requests.get(self.base + "/api/v1/health", timeout=3).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError("the server did not answer /api/v1/health within 120 s")

    def warm_up(self, seconds: float = 90) -> None:
        """Until both workers answer promptly: a worker that is still loading its dictionaries
        would spend the first role's whole time cap on one request."""
        deadline, fast = time.monotonic() + seconds, 0
        while fast < 8 and time.monotonic() < deadline:
            t0 = time.monotonic()
            try:
                requests.get(self.base + "/api/v1/items/search", params={"q": "营业执照"}, timeout=30)
            except requests.RequestException:
                pass
            fast = fast + 1 if time.monotonic() - t0 < 1.0 else 0

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()

    def log_offset(self) -> int:
        return self.log_path.stat().st_size

    def tracebacks(self, start: int) -> list[tuple[str, str]]:
        """(path, the traceback's last line) of each server error logged since ``start``."""
        with open(self.log_path, "rb") as fh:
            fh.seek(start)
            lines = fh.read().decode("utf-8", "replace").splitlines()
        out, path, last = [], None, None
        stamp = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d|^\[\d{4}-")
        for line in lines + ["2000-01-01 00:00 END"]:
            if stamp.match(line):
                # The API's handler logs the traceback; Django then logs the 500 response again, bare.
                if path is not None and not (last is None and out and out[-1][0] == path):
                    out.append((path, last or "(no traceback logged)"))
                # Django's own line, or the API's handler (zhengwu.api._server_error): "接口内部错误：POST /path"
                m = re.search(r"(?:Internal Server Error: |接口内部错误：\S+ )(\S+)", line)
                path, last = (m.group(1).strip() if m else None), None
            elif path is not None and line.strip() and not line.startswith((" ", "\t", "Traceback", "During handling",
                                                                           "The above exception")):
                last = line.strip()
        return out


# ---------------------------------------------------------------------------------------------
# Roles: the headers each one sends
# ---------------------------------------------------------------------------------------------
@dataclass
class Role:
    name: str
    headers: dict[str, str] = field(default_factory=dict)
    weight: int = 1  # its share of the time budget
    # Operations fuzzed for it: the public catalogue and health for the anonymous caller only,
    # the operations a key may call for a key, the session's operations for people.
    select: list[str] = field(default_factory=list)
    tested: str = ""
    failures: list[dict] = field(default_factory=list)
    cases: int = 0
    seconds: float = 0.0
    note: str = ""


# zhengwu.accounts.demo.DEMO_ADMIN_TOTP_BASE32 (published in the README): the demo admin's 动态口令.
DEMO_ADMIN_TOTP_BASE32 = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def login(base: str, username: str) -> dict[str, str]:
    s = requests.Session()
    page = s.get(base + "/accounts/login/", timeout=30)
    m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    r = s.post(base + "/accounts/login/", data={"username": username, "password": PASSWORD,
                                                "csrfmiddlewaretoken": m.group(1) if m else ""},
               headers={"Referer": base + "/accounts/login/"}, allow_redirects=False, timeout=30)
    if r.status_code != 302 or "sessionid" not in s.cookies:
        raise RuntimeError(f"login as {username} failed: HTTP {r.status_code}")
    me = s.get(base + "/api/v1/me", timeout=30)  # also sets csrftoken when the login page did not
    if me.status_code == 403 and "otp_required" in me.text:
        # The demo administrator has a second factor: the published demo secret (README).
        from django_otp.oath import totp  # pure RFC 6238, no Django settings needed

        url = base + "/accounts/otp/verify/"
        page = s.get(url, timeout=30)
        m = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        token = f"{totp(base64.b32decode(DEMO_ADMIN_TOTP_BASE32)):06d}"
        r = s.post(url, data={"token": token, "csrfmiddlewaretoken": m.group(1) if m else ""},
                   headers={"Referer": url}, allow_redirects=False, timeout=30)
        if r.status_code != 302 or "/accounts/otp/" in r.headers.get("Location", ""):
            raise RuntimeError(f"second factor as {username} failed: HTTP {r.status_code}")
        me = s.get(base + "/api/v1/me", timeout=30)
    if me.status_code != 200:
        raise RuntimeError(f"/api/v1/me as {username}: HTTP {me.status_code}")
    csrf = s.cookies.get("csrftoken", "")
    return {"Cookie": f"sessionid={s.cookies['sessionid']}; csrftoken={csrf}", "X-CSRFToken": csrf}


def roles(base: str, keys: dict[str, str]) -> list[Role]:
    key_ops = ["--include-path-regex", "^/api/v1/(ratings/outbox|hotline/|licences|data/)"]
    # /ready answers 503 by contract while no worker heartbeat is fresh (the fuzz server runs none): tested in
    # tests/core/test_monitoring.py, not fuzzed.
    session_ops = ["--exclude-path-regex", "^/api/v1/(ping|health|ready|items/)"]
    out = [Role("anonymous", select=["--exclude-path-regex", "^/api/v1/ready"])]
    out += [Role(f"key {scope}", {"X-Api-Key": key}, select=key_ops) for scope, key in keys.items()]
    out.append(Role("citizen", login(base, CITIZEN), weight=2, select=session_ops))
    out += [Role(f"staff {u}", login(base, u), weight=2 if u in BUSY else 1, select=session_ops) for u in STAFF]
    return out


# ---------------------------------------------------------------------------------------------
# schemathesis, one run per role
# ---------------------------------------------------------------------------------------------
def _body(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, dict) and "$base64" in raw:
        raw = base64.b64decode(raw["$base64"]).decode("utf-8", "replace")
    return raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)


def failures_from_ndjson(path: Path) -> list[dict]:
    """One row per failed check of each test case in a schemathesis NDJSON report."""
    rows = []
    for line in path.read_text().splitlines():
        event = json.loads(line)
        finished = event.get("ScenarioFinished")
        if not finished or finished.get("status") not in ("failure", "error"):
            continue
        rec = finished.get("recorder") or {}
        for case_id, checks in (rec.get("checks") or {}).items():
            for check in checks:
                if check.get("status") != "failure":
                    continue
                info = (check.get("failure_info") or {}).get("failure") or {}
                inter = (rec.get("interactions") or {}).get(case_id) or {}
                req, resp = inter.get("request") or {}, inter.get("response") or {}
                if check["name"] == "status_code_conformance" and (resp.get("status_code") or 0) >= 500:
                    continue  # the same answer is already a not_a_server_error row
                if resp.get("status_code") == 414 and check["name"] == "status_code_conformance":
                    continue  # gunicorn's request-line limit (4094 bytes), answered before the application
                rows.append({
                    "operation": rec.get("label", ""), "check": check["name"], "code": info.get("code", ""),
                    "title": info.get("title", ""), "message": (info.get("message") or "").strip(),
                    "method": req.get("method", ""), "uri": req.get("uri", ""), "request_body": _body(req.get("body")),
                    "status": resp.get("status_code"), "response": _body(resp.get("content"))[:300],
                })
    return rows


# Values the probe found dangerous, swapped into one field of some generated queries and bodies so
# that a few random cases per operation still reach them: NUL bytes (PostgreSQL refuses them in
# text), dates at the ends of the calendar, integers past 64 bits.
NASTY_TEXT = ["\x00", "a\x00b", "0001-01-01", "9999-12-31", "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00",
              "9" * 40]
NASTY_INT = [2**63, -(2**63) - 1, 2**31]


def register_nasty_hooks() -> None:
    import schemathesis
    from hypothesis import strategies as st

    def mutate(data):
        if not isinstance(data, dict):
            return st.just(data)
        keys = sorted(k for k, v in data.items() if isinstance(v, (str, int)) and not isinstance(v, bool))
        if not keys:
            return st.just(data)
        swapped = st.sampled_from(keys).flatmap(
            lambda k: st.sampled_from(NASTY_TEXT if isinstance(data[k], str) else NASTY_INT).map(
                lambda v: {**data, k: v}))
        return st.one_of(st.just(data), swapped)

    @schemathesis.hook
    def flatmap_query(context, query):
        return mutate(query)

    @schemathesis.hook
    def flatmap_body(context, body):
        return mutate(body)


def run_schemathesis(role: Role, server: Server, schema: Path, seconds: int, max_examples: int, report_dir: Path,
                     workers: int) -> None:
    """``schemathesis run`` in this process (its start-up costs seconds; paid once for all roles)."""
    from schemathesis.cli import schemathesis as st_cli

    report_dir.mkdir(parents=True, exist_ok=True)
    args = ["run", str(schema), "--url", server.base,
            "--checks", CHECKS, "--phases", "coverage,fuzzing", "--max-time", str(seconds),
            "--max-examples", str(max_examples), "--request-timeout", "30", "--workers", str(workers),
            "--generation-with-security-parameters", "false", "--generation-database", "none",
            "--continue-on-failure", "--suppress-health-check", "all", "--warnings", "off", "--no-color",
            "--report", "ndjson", "--report-dir", str(report_dir), *role.select]
    for name, value in role.headers.items():
        args += ["-H", f"{name}: {value}"]
    start_log, t0 = server.log_offset(), time.monotonic()
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        try:
            st_cli.main(args, prog_name="schemathesis", standalone_mode=False)
        except SystemExit:
            pass
        except Exception as exc:  # reported below as a run that did not happen
            print(f"schemathesis raised {type(exc).__name__}: {exc}")
    role.seconds = time.monotonic() - t0
    text = out.getvalue()
    (report_dir / "output.txt").write_text(text)
    reports = sorted(report_dir.glob("*.ndjson"))
    if not reports:
        role.failures.append({"operation": "(schemathesis)", "check": "run", "code": "", "title": "did not run",
                              "message": text[-3000:], "method": "", "uri": "", "request_body": "", "status": None,
                              "response": ""})
        return
    m = re.search(r"(\d+) generated", text)
    role.cases = int(m.group(1)) if m else 0
    m = re.search(r"Tested: (\d+)", text)
    skipped = re.search(r"Skipped: (\d+)\s+- Time limit reached", text)
    role.tested = f"{m.group(1) if m else '?'} operations" + (f", {skipped.group(1)} not reached in the time limit"
                                                              if skipped else "")
    role.failures += failures_from_ndjson(reports[-1])
    attach_tracebacks(role.failures, server.tracebacks(start_log))


def attach_tracebacks(rows: list[dict], logged: list[tuple[str, str]]) -> None:
    """Give each 5xx row the last line of the traceback the server logged for its path."""
    by_path: dict[str, list[str]] = {}
    for path, last in logged:
        by_path.setdefault(path, []).append(last)
    for row in rows:
        if (row.get("status") or 0) >= 500:
            path = unquote(urlsplit(row["uri"]).path)
            found = by_path.get(path)
            if not found:  # control characters are logged differently: match on the printable start
                start = re.match(r"[\x21-\x7e]*", path).group(0)
                found = next((v for k, v in by_path.items() if v and k.startswith(start)), None)
            row["traceback"] = found[0] if found else "(no traceback found in the server log)"
            if found and len(found) > 1:
                found.pop(0)


# ---------------------------------------------------------------------------------------------
# Open311 (not in the OpenAPI document): a bounded Hypothesis loop
# ---------------------------------------------------------------------------------------------
def fuzz_open311(role: Role, server: Server, seconds: float, key: str | None) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    base = server.base + "/open311/v2/"
    text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
    dates = st.one_of(text, st.datetimes().map(lambda d: d.isoformat()),
                      st.sampled_from(["0001-01-01T00:00:00", "9999-12-31T23:59:59", "2026-11-01T00:00:00+08:00",
                                       "2026-02-30", "Z", "1970-01-01T00:00:00+14:00"]))
    codes = st.one_of(text, st.sampled_from(["", "010101", "999999"]))
    numbers = st.one_of(text.filter(lambda s: "/" not in s and s not in (".", "..")), st.integers().map(str))
    get_query = st.fixed_dictionaries({}, optional={
        "start_date": dates, "end_date": dates, "status": st.one_of(text, st.sampled_from(["open", "closed"])),
        "service_code": codes, "service_request_id": text})
    post_form = st.fixed_dictionaries({}, optional={
        "service_code": codes, "description": text, "lat": st.one_of(text, st.floats().map(str)),
        "long": st.one_of(text, st.floats().map(str)), "address_string": text, "first_name": text,
        "last_name": text, "phone": text, "email": text, "account_id": text, "attribute[ticket_type]": text})
    ops = st.one_of(
        st.tuples(st.just("GET"), st.sampled_from(["discovery.json", "services.json"]), st.just({})),
        st.tuples(st.just("GET"), st.just("requests.json"), get_query),
        st.tuples(st.just("GET"), numbers.map(lambda n: f"requests/{n}.json"), st.just({})),
        st.tuples(st.just("POST"), st.just("requests.json"), post_form),
    )
    deadline = time.monotonic() + seconds
    session = requests.Session()

    @settings(max_examples=200, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(ops)
    def one(op):
        if time.monotonic() > deadline:
            return
        method, path, data = op
        if method == "POST" and key:
            data = {**data, "api_key": key}
        start_log = server.log_offset()
        if method == "GET":
            r = session.get(base + path, params=data, timeout=30)
        else:
            r = session.post(base + path, data=data, timeout=30)
        role.cases += 1
        problem = None
        if r.status_code >= 500:
            problem = ("not_a_server_error", "Server error")
        else:
            try:
                body = r.json()
            except ValueError:
                problem = ("open311_shape", "not JSON")
            else:
                if not isinstance(body, (list, dict)) or (r.status_code >= 400 and not (
                        isinstance(body, list) and body and {"code", "description"} <= set(body[0]))):
                    problem = ("open311_shape", "not the GeoReport v2 shape")
        if problem:
            row = {"operation": f"{method} /open311/v2/{path.split('/')[0]}", "check": problem[0], "code": "",
                   "title": problem[1], "message": "", "method": method, "uri": r.url,
                   "request_body": json.dumps(data, ensure_ascii=False) if method == "POST" else "",
                   "status": r.status_code, "response": r.text[:300]}
            attach_tracebacks([row], server.tracebacks(start_log))
            role.failures.append(row)

    t0 = time.monotonic()
    while time.monotonic() < deadline:
        one()
    role.seconds = time.monotonic() - t0


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------
def summary(all_roles: list[Role]) -> int:
    total = 0
    print("\n== fuzz summary")
    for role in all_roles:
        seen, unique = set(), []
        for row in role.failures:
            k = (row["operation"], row["check"], row["status"], row.get("traceback") or row["message"][:80])
            if k not in seen:
                seen.add(k)
                unique.append(row)
        total += len(unique)
        verdict = "ok" if not unique else f"{len(unique)} distinct failure(s)"
        if role.tested.startswith("0 operations"):
            total += 1
            verdict += "; NOTHING TESTED (the time cap ran out on the first operation)"
        tested = f" ({role.tested})" if role.tested else ""
        print(f"-- {role.name}: {role.cases} requests{tested} in {role.seconds:.0f} s, {verdict}")
        for row in unique:
            print(f"   [{row['check']}{' ' + row['code'] if row['code'] else ''}] {row['operation']} -> {row['status']}")
            print(f"      {row['method']} {row['uri']}")
            if row["request_body"]:
                print(f"      body: {row['request_body'][:300]}")
            if row.get("traceback"):
                print(f"      traceback: {row['traceback']}")
            elif row["message"]:
                print("      " + " / ".join(line.strip() for line in row["message"].splitlines()[:2] if line.strip())[:300])
            if row["response"] and (row["status"] or 0) >= 500:
                print(f"      response: {row['response'][:200]}")
    print(f"\n== {total} distinct failure(s) across {len(all_roles)} roles")
    return total


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seconds", type=int, default=int(os.environ.get("ZHENGWU_FUZZ_SECONDS", "240")),
                   help="the most fuzzing time across all roles (ZHENGWU_FUZZ_SECONDS, default 240)")
    p.add_argument("--port", type=int, default=int(os.environ.get("ZHENGWU_FUZZ_PORT", "8108")))
    p.add_argument("--max-examples", type=int, default=int(os.environ.get("ZHENGWU_FUZZ_EXAMPLES", "8")),
                   help="random test cases per operation and role (ZHENGWU_FUZZ_EXAMPLES, default 8)")
    p.add_argument("--workers", type=int, default=2, help="schemathesis workers")
    p.add_argument("--roles", default="", help="comma-separated role names to run (default: all)")
    p.add_argument("--keep", action="store_true", help="keep the data directory and the reports")
    p.add_argument("--json", type=Path, help="also write every failure as JSON here")
    args = p.parse_args(argv)

    t_start = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="zw-fuzz-"))
    if args.json:
        args.json = args.json.resolve()
    cwd = os.getcwd()
    os.chdir(tmp)  # schemathesis keeps a cache of its findings in ./.schemathesis: not in the work tree
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ZHENGWU_TESTING", "ZHENGWU_SECRET_KEY",
                        "ZHENGWU_PII_KEY", "REDIS_URL")}
    env.update(ZHENGWU_DATA_DIR=str(tmp / "data"), ZHENGWU_LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1", ZHENGWU_WORKER="off",
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT / "src"), os.environ.get("PYTHONPATH")])))
    db = Database(os.environ.get("DATABASE_URL"))
    server = None
    try:
        db.create()
        if db.url:
            env["DATABASE_URL"] = db.url
        print(f"== fuzz: {db.label()}, data in {tmp}")
        zhengwu(env, "migrate", "--no-input", "-v", "0")
        zhengwu(env, "demo")
        keys = {}
        for scope in SCOPES:
            out = zhengwu(env, "apikey", "create", f"fuzz {scope}",
                          *[arg for one in scope.split(",") for arg in ("--scope", one)])
            keys[scope.replace(",", "+")] = out.strip().splitlines()[-1].strip()  # a role name: no commas
        keys[DATA_KEY[0].replace(",", "+")] = DATA_KEY[1]
        server = Server(env, free_port(args.port), tmp / "server.log")
        server.start()
        server.warm_up()
        print(f"== server {server.base} ready after {time.monotonic() - t_start:.0f} s of setup")
        everyone = roles(server.base, keys)
        if args.roles:
            wanted = {r.strip() for r in args.roles.split(",")}
            everyone = [r for r in everyone if r.name in wanted or r.name.split(" ", 1)[-1] in wanted]
        open311 = [Role("open311 anonymous"), Role("open311 key hotline:tickets")]
        unit = args.seconds / (sum(r.weight for r in everyone) + 1)  # Open311 gets one unit for its two roles
        schema = tmp / "openapi.json"  # fetched once, read from the file by each run
        schema.write_bytes(requests.get(server.base + "/api/v1/openapi.json", timeout=60).content)
        register_nasty_hooks()
        for i, role in enumerate(everyone):
            cap = max(5, round(unit * role.weight))
            run_schemathesis(role, server, schema, cap, args.max_examples, tmp / "reports" / str(i), args.workers)
            if role.tested.startswith("0 operations"):  # the cap ran out on the first request: once more
                role.failures, role.cases = [], 0
                run_schemathesis(role, server, schema, cap, args.max_examples, tmp / "reports" / f"{i}b",
                                 args.workers)
            print(f"-- {role.name}: {role.cases} test cases ({role.tested}), {len(role.failures)} failed checks, "
                  f"{role.seconds:.0f} s",
                  flush=True)
        for role, key in zip(open311, (None, keys["hotline:tickets"])):
            fuzz_open311(role, server, max(3.0, unit / 2), key)
            print(f"-- {role.name}: {role.cases} requests, {len(role.failures)} failed, {role.seconds:.0f} s", flush=True)
        everyone += open311
        total = summary(everyone)
        if args.json:
            args.json.write_text(json.dumps({r.name: r.failures for r in everyone}, ensure_ascii=False, indent=1))
        print(f"== make fuzz took {time.monotonic() - t_start:.0f} s")
        return 1 if total else 0
    finally:
        os.chdir(cwd)
        if server:
            server.stop()
        db.drop()
        if args.keep:
            print(f"(kept: {tmp})")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
