"""``zhengwu --help`` is the operator's list of the platform's commands, in Chinese and grouped —
not Django's raw list (flush, dbshell, startproject…, underscore names). Django's own commands stay
reachable (``zhengwu help --all``), ``zhengwu help <command>`` takes the hyphenated names, and an
unknown command is answered in Chinese with the closest name."""

from __future__ import annotations

import pytest
from django.core.management import get_commands

from zhengwu import cli, cli_help

DJANGO_ONLY = ("flush", "dbshell", "sqlflush", "startproject", "startapp", "squashmigrations", "testserver",
               "makemigrations", "axes_reset", "gen_data")


@pytest.mark.parametrize("argv", [["zhengwu"], ["zhengwu", "--help"], ["zhengwu", "-h"], ["zhengwu", "help"]])
def test_help_lists_the_operator_commands_in_chinese_groups(argv, capsys):
    cli.main(argv)
    out = capsys.readouterr().out
    for group in ("部署与运行", "数据", "备份恢复", "运维检查"):
        assert f"{group}：" in out or f"{group}:" in out or f"{group}\n" in out
    for line in ("import-items", "export-items", "sms-outbox", "upgrade-check", "ratings-defaults", "serve",
                 "backup", "restore", "check --deploy"):
        assert line in out
    assert "从Excel（.xlsx）或CSV文件批量导入事项实施清单" in out
    assert "zhengwu help <命令>" in out and "zhengwu help --all" in out
    words = set(out.replace("\n", " ").split())
    for hidden in DJANGO_ONLY + ("sms_outbox", "import_items", "[django]", "Available"):
        assert hidden not in words, hidden


def test_every_listed_command_exists_and_every_platform_command_is_listed():
    commands = get_commands()
    listed = {name.replace("-", "_") for _, entries in cli_help.GROUPS for name, *_ in entries}
    assert listed <= set(commands), listed - set(commands)
    platform = {name for name, app in commands.items() if app.startswith("zhengwu.")}
    assert platform <= listed, f"not in `zhengwu --help`: {sorted(platform - listed)}"


def test_help_of_one_command_takes_the_hyphenated_name(capsys):
    with pytest.raises(SystemExit) as exited:  # Django's print_help then exits? (it does not: guard both)
        cli.main(["zhengwu", "help", "import-items"])
        raise SystemExit(0)
    assert exited.value.code in (0, None)
    out = capsys.readouterr()
    assert "从Excel（.xlsx）或CSV文件批量导入事项实施清单" in out.out and "--create-departments" in out.out
    assert "Unknown command" not in out.err


def test_help_all_still_lists_djangos_commands(capsys):
    cli.main(["zhengwu", "help", "--all"])
    out = capsys.readouterr().out
    assert "flush" in out and "dbshell" in out and "sms_outbox" in out


@pytest.mark.parametrize("typed,closest", [("import-item", "import-items"), ("sms_outbx", "sms-outbox"),
                                            ("upgradecheck", "upgrade-check")])
def test_an_unknown_command_names_the_closest_one_in_chinese(typed, closest, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["zhengwu", typed])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(f"错误：没有“{typed}”这个命令")
    assert f"zhengwu {closest}" in err and "zhengwu --help" in err
    assert "Unknown command" not in err and "Did you mean" not in err


def test_an_unknown_command_with_nothing_close(capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(["zhengwu", "zzzzqqq"])
    assert exited.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("错误：没有“zzzzqqq”这个命令") and "您是不是要" not in err and "zhengwu --help" in err


def test_help_of_one_command_is_chinese_throughout(capsys):
    """Not only the command's own arguments: argparse's headings and Django's common options too,
    and 用法 names the command as typed (import-items, not import_items)."""
    cli.main(["zhengwu", "help", "import-items"])
    out = capsys.readouterr().out
    assert out.startswith("用法：zhengwu import-items ")
    assert "显示本帮助并退出" in out and "命令出错时显示完整的调用栈" in out and "跳过系统检查" in out
    for english in ("show this help message", "Verbosity level", "Skip system checks", "usage:", "import_items"):
        assert english not in out, english


def test_bad_arguments_are_refused_in_chinese_and_argparse_is_left_as_it_was(capsys):
    import argparse

    with pytest.raises(SystemExit) as exited:
        cli.main(["zhengwu", "import-items"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "错误：缺少必需的参数：file, --region" in err and "zhengwu import-items --help" in err
    assert "the following arguments are required" not in err
    assert argparse._("usage: ") == "usage: "  # restored for whatever runs next in this process


def test_check_speaks_chinese_from_the_command_line(capsys, settings):
    """Django's report words (System check identified…, WARNINGS:, HINT:) and its HTTPS warnings
    (zhengwu.W003 instead of security.W004/W008/W012/W016) are Chinese at `zhengwu check --deploy`."""
    settings.ZHENGWU_PUBLIC_URL = ""
    # (--fail-level: with browser tests in the same process DJANGO_ALLOW_ASYNC_UNSAFE is set, async.E001)
    cli.main(["zhengwu", "check", "--deploy", "--fail-level", "CRITICAL"])
    out = capsys.readouterr()
    text = out.out + out.err
    assert "系统检查发现以下问题：" in text and "\n警告：\n" in text and "建议：" in text, text
    assert "(zhengwu.W001)" in text and "个问题（" in text
    for english in ("System check", "WARNINGS:", "HINT:", "?: (", "security.W004", "security.W008", "SECRET_KEY has"):
        assert english not in text, english
    assert "(security.W009) 密钥（ZHENGWU_SECRET_KEY）太短" in text  # the test settings' short key


def test_a_wrong_number_names_the_type_in_chinese(capsys):
    with pytest.raises(SystemExit):
        cli.main(["zhengwu", "serve", "--port", "abc"])
    assert "取值 'abc' 无效（应为整数）" in capsys.readouterr().err
