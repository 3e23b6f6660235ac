"""A ``zhengwu`` command that refuses (CommandError) says why in Chinese and nothing else: no
Django ``CommandError:`` prefix, no traceback, a non-zero exit code."""

from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management.base import BaseCommand, CommandError

from zhengwu import cli


def test_a_refusal_prints_only_the_chinese_message(tmp_path):
    missing = tmp_path / "没有这个文件.xlsx"
    env = {**os.environ, "ZHENGWU_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # the command refuses before it reads the database
    proc = subprocess.run([sys.executable, "-m", "zhengwu", "import-items", str(missing), "--region", "410105"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert proc.stderr == f"错误：文件不存在：{missing}\n"
    assert proc.stdout == ""


class Refusing(BaseCommand):
    def add_arguments(self, parser):
        parser.add_argument("--code", type=int, default=1)

    def handle(self, *args, **options):
        raise CommandError("区划 410199000000 不存在", returncode=options["code"])


def _run(*args, stderr=None):
    command = Refusing(stderr=stderr)
    command.execute = cli.plain_refusals(command, command.execute)
    command.run_from_argv(["zhengwu", "refusing", *args])


def test_the_exit_code_is_the_commands_and_traceback_still_raises():
    err = io.StringIO()
    with pytest.raises(SystemExit) as exited:
        _run("--code", "3", "--no-color", stderr=err)
    assert exited.value.code == 3 and err.getvalue() == "错误：区划 410199000000 不存在\n"
    with pytest.raises(CommandError, match="区划 410199000000 不存在"):
        _run("--traceback", stderr=io.StringIO())


def test_commands_called_from_code_still_raise():
    """call_command (tests, one command calling another) gets the exception, not an exit."""
    from django.core.management import call_command

    with pytest.raises(CommandError, match="文件不存在"):
        call_command("import_items", "/nonexistent/清单.xlsx", "--region", "410105")
