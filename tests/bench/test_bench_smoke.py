"""``make bench`` end to end, at the smallest size: what an operator runs on a fresh machine.

bench/run.py generates the data into an empty SQLite database, starts the production server
(``zhengwu serve``: gunicorn, warm-up, access log), measures every endpoint at 1 and 16 clients,
counts their queries and writes the JSON and Markdown report; with Locust available (CI installs
it: ``make locust``) a short paced mixed run is included. Nothing here judges speed (tiny data,
a handful of requests): it proves the suite still runs and that every request it makes succeeds.

It runs once, on SQLite: the bench fills its own database, never the test database. It is marked
``bench``: ``make test`` leaves it out (a fresh database, a demo district and a server take
minutes), ``make test-bench`` runs it and CI runs that. A handful of requests per row (``--ops 3``,
a warm-up of 8) is enough to prove each row runs and succeeds.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

pytestmark = [pytest.mark.bench,
              pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the bench smoke runs once, on SQLite")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _locust() -> str | None:
    """Locust from ZHENGWU_BENCH_LOCUST (then it must exist) or the bench's own venv."""
    wanted = os.environ.get("ZHENGWU_BENCH_LOCUST")
    if wanted:
        assert Path(wanted).exists(), f"ZHENGWU_BENCH_LOCUST={wanted} does not exist (make locust)"
        return wanted
    default = ROOT / ".venv-locust" / "bin" / "locust"
    return str(default) if default.exists() else None


def test_make_bench_runs_end_to_end_on_a_fresh_database(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ZHENGWU_TESTING", "ZHENGWU_SECRET_KEY",
                        "ZHENGWU_PII_KEY")}
    env["ZHENGWU_DATA_DIR"] = str(tmp_path / "data")
    out = tmp_path / "results"
    cmd = [sys.executable, str(ROOT / "bench" / "run.py"), "--size", "tiny", "--generate",
           "--ops", "3", "--seconds", "1", "--warmup", "8", "--port", str(_free_port()), "--out", str(out)]
    locust = _locust()
    if locust:
        cmd += ["--locust-bin", locust, "--locust-users", "12", "--locust-time", "30s", "--mixed-rate", "20",
                "--no-capacity"]
    else:
        cmd.append("--no-locust")
    proc = subprocess.run(cmd, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    scratch = [line.split("scratch: ", 1)[1].rstrip(")") for line in proc.stdout.splitlines() if "scratch: " in line]
    for path in scratch:
        shutil.rmtree(path, ignore_errors=True)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]

    [result_file] = out.glob("*-tiny-sqlite.json")
    result = json.loads(result_file.read_text())
    assert result["meta"]["size"] == "tiny" and result["meta"]["database"] == "sqlite"
    assert result["meta"]["data_counts"]["cases"] > 0

    # Every endpoint ran at 1 and 16 clients, and every request it made succeeded.
    expected = {"floor", "search", "search_fresh", "item_guide", "staff_inbox", "staff_case", "case_api",
                "case_search_city", "case_search_window", "submit", "rating_figures", "ticket_list", "ticket_similar",
                "licence_verify"}
    assert expected <= set(result["endpoints"])
    for name, phases in result["endpoints"].items():
        assert [p["clients"] for p in phases] == [1, 16], name
        for p in phases:
            assert p["client"]["n"] > 0 and p["client"]["errors"] == 0, (name, p["clients"], p["client"])
            assert p["server"]["p50"] is not None, (name, "no server time read from the access log")
    # The queries behind each endpoint are counted, and each answered 200.
    assert {name for name, q in result["queries"].items() if q["status"] == 200} >= expected - {"search_fresh"}
    assert result["queries"]["floor"]["queries"] == 0
    # Peak memory of the master and each worker.
    assert len(result["memory"]) >= 2 and all(m.get("VmHWM") for m in result["memory"].values())

    report = result_file.with_suffix(".md").read_text()
    assert "| endpoint | clients |" in report and "#4 ≥ 100 submissions/s" in report
    assert "(not judged at 1 client:" in report and "mean ≈ 16 ÷ req/s" in report

    # make bench's second step: 查询核验 on the same database (gen-data's 人口库 and 法人库).
    verify = subprocess.run([sys.executable, str(ROOT / "bench" / "verify.py"), "--people", "0", "--ops", "5",
                             "--seconds", "1", "--port", str(_free_port()), "--out", str(out)],
                            env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0, verify.stdout[-3000:] + verify.stderr[-3000:]
    [verify_file] = out.glob("*-verify-sqlite.json")
    rows = json.loads(verify_file.read_text())["rows"]
    assert {(r["endpoint"], r["clients"]) for r in rows} >= {("verify", 1), ("verify", 16), ("verify_legal", 1),
                                                             ("query", 1), ("batch", 1)}
    assert all(r["client"]["n"] > 0 and r["client"]["errors"] == 0 for r in rows), rows

    if locust:
        mixed = result["mixed"]
        assert mixed["total"]["requests"] > 0 and mixed["total"]["failures"] == 0, mixed["total"]
        ran = {name for name, row in mixed["by_name"].items() if row["requests"]}
        # Each kind of person did their work: browse, apply, staff intake and approval, 12345.
        for kind in ("GET /items/[id]/", "POST /api/v1/cases/[id]/submit", "POST /api/v1/cases/[id]/accept",
                     "GET /workbench/cases/inbox/", "POST /api/v1/hotline/tickets [POST]"):
            assert kind in ran, (kind, sorted(ran))
        assert "Mixed portal workload" in report


def test_hall_bench_runs_end_to_end_on_a_fresh_database(tmp_path):
    """make bench's hall step (bench/hall.py, issue 25) on a fresh SQLite database, small: every
    ticket issued is called exactly once and every board received every call."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ZHENGWU_TESTING", "ZHENGWU_SECRET_KEY",
                        "ZHENGWU_PII_KEY")}
    out = tmp_path / "results"
    port = _free_port()
    while True:  # the push server takes port + 1
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port + 1)) != 0:
                break
        port = _free_port()
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "hall.py"), "--data-dir", str(tmp_path / "data"),
                           "--port", str(port), "--boards", "3", "--windows", "2", "--tickets", "12", "--rate", "0",
                           "--max-seconds", "120", "--out", str(out)],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    [result_file] = out.glob("*-hall-sqlite.json")
    r = json.loads(result_file.read_text())
    assert (r["issued"], r["called"], r["lost"], r["duplicated"]) == (12, 12, 0, 0), r
    assert r["calls_missed_on_boards"] == 0 and r["board_latency_ms"]["p95"] is not None, r
