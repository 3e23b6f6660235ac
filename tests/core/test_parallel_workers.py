"""make test runs the suite in pytest-xdist workers (ADR 56): each worker has a data directory of its
own, which the processes it starts keep."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings


@pytest.fixture
def worker():
    name = os.environ.get("PYTEST_XDIST_WORKER")
    if not name:
        pytest.skip("one process (TEST_WORKERS=0): no workers to keep apart")
    return name


def test_each_worker_has_a_data_directory_of_its_own(worker):
    assert f"zhengwu-test-{worker}-" in str(settings.DATA_DIR)


def test_a_process_the_worker_starts_keeps_its_directory(worker):
    out = subprocess.run([sys.executable, "-c", "from zhengwu import settings_test; print(settings_test.DATA_DIR)"],
                         env=os.environ, capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == str(settings.DATA_DIR)
