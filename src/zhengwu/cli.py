"""The ``zhengwu`` command for operators.

Every sub-command is a Django management command, so ``zhengwu migrate``, ``zhengwu demo``,
``zhengwu serve``, ``zhengwu worker``, ``zhengwu audit verify``, ``zhengwu workdays check DATE``
and the rest share one implementation with ``django-admin``; a hyphen in a command's name is an
underscore (``zhengwu import-items`` runs ``import_items``). ``zhengwu --help`` (or ``zhengwu``
alone) prints the operator commands in Chinese (:mod:`zhengwu.cli_help`); ``zhengwu help --all``
Django's whole list; an unknown command is answered in Chinese with the closest name. A command's refusal (CommandError)
is printed as ``错误：<message>`` — the Chinese message, no traceback — with the command's exit
code; a bad environment variable as ``配置错误：<message>`` with exit code 2.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "zhengwu"
    # Django answers `version` and `--version` itself, with its own version.
    if argv[1:2] in (["--version"], ["-V"], ["version"]):
        import zhengwu

        print(f"zhengwu {zhengwu.__version__}")
        return
    # The operator's list of the platform's commands, in Chinese (Django's raw list: help --all).
    if argv[1:] in ([], ["--help"], ["-h"], ["help"]):
        from zhengwu.cli_help import main_help

        sys.stdout.write(main_help())
        return
    if argv[1:] == ["help", "--all"]:
        print("全部命令（含 Django 自带的开发与维护命令；常用命令见 zhengwu --help）：")
        argv = argv[:2]
    # `zhengwu import-items` runs the management command `import_items` (so does `help import-items`).
    typed = argv[1] if len(argv) > 1 else ""
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
        if argv[1] == "help" and len(argv) > 2 and not argv[2].startswith("-"):
            typed = argv[2]
            argv[2] = argv[2].replace("-", "_")
    from zhengwu.core.setting_rules import SettingError

    from zhengwu.cli_help import chinese_argparse

    try:
        with chinese_argparse():
            _utility(argv, typed).execute()
    except SettingError as exc:  # a bad environment variable: what to fix, not a traceback
        sys.stderr.write(f"配置错误：{exc}\n")
        sys.exit(2)


def _utility(argv: list[str], typed: str = ""):
    """Django's command-line utility, whose commands say a refusal (CommandError) plainly and
    which answers an unknown command in Chinese, with the closest name (``typed``: as typed)."""
    from django.conf import settings
    from django.core.management import ManagementUtility, get_commands
    from django.core.management.base import BaseCommand

    class Utility(ManagementUtility):
        def fetch_command(self, subcommand):
            commands = get_commands()
            if subcommand not in commands and settings.configured:
                from zhengwu.cli_help import unknown_command

                sys.stderr.write(unknown_command(typed or subcommand, sorted(commands)))
                sys.exit(1)
            command = super().fetch_command(subcommand)
            if isinstance(command, BaseCommand):
                command.execute = plain_refusals(command, command.execute)
                command.create_parser = chinese_parser(command.create_parser, subcommand)
                command.check = chinese_check(command, command.check)
            return command

    return Utility(argv)


def chinese_parser(create_parser, subcommand: str):
    """``create_parser`` whose parser names the command as typed (``import-items``) and describes
    Django's common options in Chinese (:func:`zhengwu.cli_help.localise_parser`)."""
    from zhengwu.cli_help import localise_parser

    def create(prog_name, name, **kwargs):
        return localise_parser(create_parser(prog_name, name, **kwargs), name)

    return create


def chinese_check(command, check):
    """``check`` whose report says Django's own words in Chinese (:func:`zhengwu.cli_help.chinese_check_text`):
    printed as a warning, or raised as SystemCheckError for an error."""
    from django.core.management.base import SystemCheckError

    from zhengwu.cli_help import chinese_check_text

    def run(*args, **kwargs):
        streams = [(w, w.write) for w in (command.stdout, command.stderr)]
        for wrapper, write in streams:
            wrapper.write = lambda msg="", *a, _write=write, **k: _write(chinese_check_text(msg), *a, **k)
        try:
            return check(*args, **kwargs)
        except SystemCheckError as exc:
            raise SystemCheckError(chinese_check_text(str(exc))) from None
        finally:
            for wrapper, write in streams:
                wrapper.write = write

    return run


def plain_refusals(command, execute):
    """``execute`` of the command run from the command line: a CommandError prints
    ``错误：<message>`` on stderr and exits with its return code (1 unless the command chose
    another) — not Django's ``CommandError: <message>``, and no traceback (unless --traceback).
    The commands that one calls with call_command are not wrapped: they still raise."""
    from django.core.management.base import CommandError, SystemCheckError

    def run(*args, **options):
        try:
            return execute(*args, **options)
        except SystemCheckError:
            raise  # Django prints the check results itself, without a prefix
        except CommandError as exc:
            if options.get("traceback"):
                raise
            command.stderr.write(f"错误：{exc}")
            sys.exit(exc.returncode)

    return run


if __name__ == "__main__":
    main()
