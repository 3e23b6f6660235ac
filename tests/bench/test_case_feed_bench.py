"""``make bench``'s 办件 feed step (bench/case_feed.py, issue 29) on a fresh SQLite database, small:
every record filled is pushed by the HTTP gateway, received exactly once and confirmed. Speed is
not judged here (a few hundred records); the result files are written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

pytestmark = [pytest.mark.bench,
              pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="the bench smoke runs once, on SQLite")]


def test_case_feed_bench_pushes_every_record_once(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "ZHENGWU_TESTING", "ZHENGWU_SECRET_KEY",
                        "ZHENGWU_PII_KEY")}
    env["ZHENGWU_DATA_DIR"] = str(tmp_path / "data")
    out = tmp_path / "results"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "case_feed.py"), "--records", "450", "--out", str(out)],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    [result_file] = out.glob("*-case-feed-sqlite.json")
    r = json.loads(result_file.read_text())
    assert (r["sent"], r["lost"], r["duplicated"], r["not_sent"], r["batches"]) == (450, 0, 0, 0, 3), r
    assert proc.returncode == (0 if r["records_per_s"] >= r["target_per_s"] else 1), proc.stderr[-2000:]
    assert list(out.glob("*-case-feed-sqlite.md"))
