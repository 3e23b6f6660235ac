"""make test's two pytest-xdist workers keep an ``xdist_group`` together (``--dist loadgroup``).

tests/core/test_backup_drill.py builds one populated platform per module (about 50 s); if its tests
are spread over both workers, each worker builds it. pytest 9.2 broke the grouping without an error
(pytest-dev/pytest-xdist#1386): this runs a small suite the way make test does and checks which
worker ran what."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap

GROUPED = """
    import pytest

    pytestmark = pytest.mark.xdist_group("together")


    @pytest.mark.parametrize("i", range(6))
    def test_grouped(i):
        pass
"""
FREE = """
    import pytest


    @pytest.mark.parametrize("i", range(6))
    def test_free(i):
        pass
"""


def test_a_groups_tests_run_on_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(textwrap.dedent(GROUPED), encoding="utf-8")
    (tmp_path / "test_free.py").write_text(textwrap.dedent(FREE), encoding="utf-8")
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v", "-p", "no:cacheprovider",
         "-p", "no:django", "-p", "no:playwright", "-p", "no:base_url"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    ran = re.findall(r"\[(gw\d+)\].*PASSED (test_\w+)\.py", proc.stdout)
    assert len(ran) == 12, proc.stdout[-2000:]
    workers = {worker for worker, module in ran if module == "test_grouped"}
    assert len(workers) == 1, f"the group's tests ran on {sorted(workers)}: pytest-xdist's loadgroup does not group"
