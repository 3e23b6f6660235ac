"""The data directory the platform makes (``make run``'s ./var) is 0700, its embedded SQLite file
0600 (docs/operations.md), whatever the umask of the process (0022 for most shells)."""

import os
import stat
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_data_directory_the_platform_makes_is_private(tmp_path):
    data = tmp_path / "var"
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("ZHENGWU_", "DJANGO_", "DATABASE_URL"))}
    env = {**keep, "ZHENGWU_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "zhengwu.settings",
           "PYTHONPATH": str(SRC)}
    code = ("import os; os.umask(0o022); import django; django.setup(); from django.db import connection; "
            "connection.ensure_connection(); connection.cursor().execute('CREATE TABLE t (x int)'); connection.close()")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _mode(data) == 0o700
    assert _mode(data / "zhengwu.sqlite3") == 0o600
    assert _mode(data / "keys.json") == 0o600
    # A directory the operator made keeps the mode the operator gave it.
    own = tmp_path / "own"
    own.mkdir(mode=0o750)
    os.chmod(own, 0o750)
    done = subprocess.run([sys.executable, "-c", code], env={**env, "ZHENGWU_DATA_DIR": str(own)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert _mode(own) == 0o750 and _mode(own / "zhengwu.sqlite3") == 0o600
