"""The ``zhengwu`` command for operators.

Every sub-command is a Django management command, so ``zhengwu migrate``, ``zhengwu demo``,
``zhengwu serve``, ``zhengwu worker``, ``zhengwu audit verify``, ``zhengwu workdays check DATE``
and the rest share one implementation with ``django-admin``.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "zhengwu"
    # Django answers `version` and `--version` itself, with its own version.
    if argv[1:2] in (["--version"], ["-V"], ["version"]):
        import zhengwu

        print(f"zhengwu {zhengwu.__version__}")
        return
    # `zhengwu import-items` runs the management command `import_items`.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    from zhengwu.core.setting_rules import SettingError

    try:
        execute_from_command_line(argv)
    except SettingError as exc:  # a bad environment variable: what to fix, not a traceback
        sys.stderr.write(f"配置错误：{exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
