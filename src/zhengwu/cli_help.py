"""What ``zhengwu --help`` (and ``zhengwu`` alone) prints: the platform's operator commands, in
Chinese, grouped — not Django's raw list of every installed app's commands (flush, dbshell,
startproject…, under their underscore names). Django's own commands stay available and are listed
by ``zhengwu help --all``.

A static text: it needs no settings, so it prints even when the environment is not set up yet.
``tests/core/test_cli_help.py`` checks that every command listed exists and that every command of
the platform's apps is listed (a new command must be added here).
"""

from __future__ import annotations

import difflib

# (group, [(command as typed, arguments, one-line description)])
GROUPS: list[tuple[str, list[tuple[str, str, str]]]] = [
    ("部署与运行", [
        ("migrate", "", "创建或升级数据库"),
        ("serve", "[--port N]", "启动生产用 Web 服务（gunicorn；默认同时启动后台任务进程）"),
        ("worker", "[--batch]", "启动后台任务处理进程（同时运行定时任务）"),
        ("push", "", "启动叫号大屏推送服务（SSE；serve 已自动启动）"),
        ("schedule", "list|run", "定时任务：列出及最近运行情况；运行到期的任务（供 cron 调用）"),
        ("demo", "", "加载演示辖区数据（可重复执行，不会重复创建）"),
    ]),
    ("数据", [
        ("import-items", "FILE --region CODE", "从Excel（.xlsx）或CSV文件批量导入事项实施清单"),
        ("export-items", "OUT.xlsx --region CODE", "导出区划的事项实施清单（与导入格式相同）"),
        ("reindex-items", "", "重建事项搜索索引（可随时重复运行）"),
        ("search", "evaluate FILE", "用群众问题集评测事项搜索效果（hit@1、hit@5、MRR）"),
        ("regions", "load|add", "行政区划：载入省市县数据；添加乡镇街道或村社区"),
        ("registry-load", "FILE", "批量导入人口库或法人库，输出质量报告"),
        ("hotline", "train|classify|evaluate|…", "12345热线：智能派单模型、诉求分类、自动督办"),
        ("inspections", "verify-draw FILE", "互联网+监管：复核双随机抽取结果"),
        ("report", "month|year", "立即生成政务服务月报或年报（Excel 和 PDF）"),
        ("rollup", "[--day D]", "汇总统计指标（指标日汇总），补齐缺失日期"),
        ("feeds", "status|push", "上报上级平台：查看上报队列或立即推送"),
        ("ratings-defaults", "", "按本地规则为超期未评价的服务默认好评"),
        ("ratings-push", "", "将评价推送到上级好差评系统"),
        ("ratings-rebuild-events", "--start D --end D", "重新统计某一期间可评价的办件数"),
    ]),
    ("备份恢复", [
        ("backup", "--out DIR/", "把数据库、上传文件与审计目录备份为一个归档"),
        ("restore", "ARCHIVE", "校验备份文件后恢复到空的平台"),
        ("upgrade-check", "", "升级前检查：尚未执行的迁移、会在大表上长时间锁表的操作"),
    ]),
    ("运维检查", [
        ("check", "--deploy", "检查生产环境配置是否完整"),
        ("audit", "verify|checkpoint|pubkey", "审计日志：校验哈希链与检查点；签名记录各链链头"),
        ("files", "prune|encrypt", "文件维护：清理没有记录引用的上传文件；加密旧文件"),
        ("workdays", "check|add", "工作日计算；节假日数据是否已核实"),
        ("sms-outbox", "[--last N]", "查看本地短信发件箱（演示环境获取验证码）"),
    ]),
    ("账号与密钥", [
        ("createsuperuser", "", "创建系统管理员账号"),
        ("changepassword", "USERNAME", "修改账号密码"),
        ("unlock-login", "ACCOUNT", "解除登录锁定"),
        ("apikey", "create|list|revoke|scopes", "管理应用密钥（机器对接）"),
        ("seals", "init-ca|import|issue|list", "电子印章：平台CA、部门证书与印章"),
    ]),
]


def main_help() -> str:
    width = max(len(f"{name} {args}".strip()) for _, entries in GROUPS for name, args, _ in entries) + 2
    out = ["zhengwu 一体化政务服务平台 — 运维命令", "", "用法：zhengwu <命令> [参数]", ""]
    for title, entries in GROUPS:
        out.append(f"{title}：")
        out.extend(f"  {f'{name} {args}'.strip().ljust(width)}{text}" for name, args, text in entries)
        out.append("")
    out += [
        "zhengwu help <命令>   查看一个命令的用法和全部参数，如 zhengwu help import-items",
        "zhengwu help --all    列出全部命令，包括 Django 自带的开发与维护命令（仍可使用，供开发人员）",
        "zhengwu --version     显示版本",
        "",
        "命令名中的连字符与下划线通用（import-items 即 import_items）。",
    ]
    return "\n".join(out) + "\n"


def display_name(command: str) -> str:
    """The name as README writes it (``import-items``) — Django's own commands keep theirs."""
    listed = {name.replace("-", "_"): name for _, entries in GROUPS for name, _, _ in entries}
    return listed.get(command, command)


def unknown_command(typed: str, known: list[str]) -> str:
    """The message for a command that does not exist, naming the closest one (difflib over the
    platform's commands first, then every command)."""
    wanted = typed.replace("-", "_")
    listed = [name.replace("-", "_") for _, entries in GROUPS for name, _, _ in entries]
    close = difflib.get_close_matches(wanted, listed, n=1) or difflib.get_close_matches(wanted, known, n=1)
    text = f"错误：没有“{typed}”这个命令。"
    if close:
        text += f"您是不是要运行：zhengwu {display_name(close[0])}？"
    return text + "\n运行 zhengwu --help 查看常用命令，zhengwu help --all 查看全部命令。\n"


# argparse's own words (Python 3.11's gettext strings), for `zhengwu help <command>` and for a
# command given bad arguments. Applied only while the `zhengwu` command runs (:func:`chinese_argparse`).
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "one of the arguments %s is required": "以下参数必须给出其中一个：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多只能给一个值",
    "expected at least one argument": "至少需要一个值",
    "ignored explicit argument %r": "该选项不带值，多余的值：%r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是：%(matches)s",
    "invalid choice: %(value)r (choose from %(choices)s)": "取值 %(value)r 无效（可选：%(choices)s）",
    "invalid %(type)s value: %(value)r": "取值 %(value)r 无效（应为%(type)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "%(prog)s: error: %(message)s\n": "错误：%(message)s\n运行 %(prog)s --help 查看全部参数。\n",
}

# Django's options that every command has (BaseCommand.create_parser), by option string.
DJANGO_OPTIONS_ZH = {
    "--version": "显示 Django 的版本并退出（平台版本：zhengwu --version）",
    "--verbosity": "输出详细程度：0=最少，1=正常，2=详细，3=非常详细",
    "--settings": "设置模块（如 zhengwu.settings）；不给时用环境变量 DJANGO_SETTINGS_MODULE",
    "--pythonpath": "加到 Python 模块搜索路径的目录",
    "--traceback": "命令出错时显示完整的调用栈（供开发人员排查）",
    "--no-color": "输出不加颜色",
    "--force-color": "输出总是加颜色",
    "--skip-checks": "跳过系统检查",
    "--help": "显示本帮助并退出",
}


class chinese_argparse:
    """Context manager: argparse speaks Chinese inside it (its module-level gettext functions are
    swapped, then restored, so a test process or an embedding program is left as it was)."""

    def __enter__(self):
        import argparse

        self._saved = argparse._, argparse.ngettext
        argparse._ = lambda text: ARGPARSE_ZH.get(text, text)
        argparse.ngettext = lambda one, many, n: (
            f"需要 {n} 个值" if one == "expected %s argument" else self._saved[1](one, many, n))
        return self

    def __exit__(self, *exc):
        import argparse

        argparse._, argparse.ngettext = self._saved
        return False


def localise_parser(parser, command: str):
    """A command's parser as the operator sees it: the hyphenated name in 用法 and Django's common
    options described in Chinese (the command's own arguments are already Chinese)."""
    prog, _, name = parser.prog.rpartition(" ")
    if name == command:
        parser.prog = f"{prog} {display_name(command)}".strip()
    for action in parser._actions:
        for option in action.option_strings:
            if option in DJANGO_OPTIONS_ZH:
                action.help = DJANGO_OPTIONS_ZH[option]
                break
    chinese_type_names(parser)
    return parser


_CHECK_WORDS = [
    ("System check identified some issues:", "系统检查发现以下问题："),
    ("\nCRITICALS:\n", "\n严重错误：\n"), ("\nERRORS:\n", "\n错误：\n"), ("\nWARNINGS:\n", "\n警告：\n"),
    ("\nINFOS:\n", "\n提示：\n"), ("\nDEBUGS:\n", "\n调试信息：\n"), ("\tHINT: ", "\t建议："),
    ("\n?: (", "\n("),
]


# Django's deployment warnings the platform's settings can still raise, in Chinese, by ID (its HTTPS
# ones are replaced by zhengwu.W003; the others need a setting only a developer would change).
DJANGO_CHECKS_ZH = {
    "security.W009": "密钥（ZHENGWU_SECRET_KEY）太短或太简单（少于 50 个字符、少于 5 种字符，或以 django-insecure- 开头）："
                     "会话、密码重置和签名都依赖它，请设置一个足够长的随机值",
    "security.W018": "生产环境不应开启调试模式（ZHENGWU_DEBUG）：出错页面会泄露配置与数据",
    "security.W020": "ALLOWED_HOSTS 为空：请用 ZHENGWU_ALLOWED_HOSTS 设置门户的域名",
    "security.W005": "HSTS 未包含子域名（ZHENGWU_HSTS_INCLUDE_SUBDOMAINS）",
    "security.W021": "HSTS 未设置 preload（ZHENGWU_HSTS_PRELOAD）",
}


def chinese_check_text(text: str) -> str:
    """Django's system-check report (BaseCommand.check) with its own words in Chinese; the messages
    of the platform's checks are Chinese already."""
    import re

    for english, chinese in _CHECK_WORDS:
        text = text.replace(english, chinese)

    def count(m):
        issues = "未发现问题" if m.group(1) == "no issues" else f"发现 {m.group(1).split()[0]} 个问题"
        return f"系统检查{issues}（{m.group(2)} 项按设置忽略）。"

    text = re.sub(r"\((security\.W\d+)\) [^\n]*",
                  lambda m: f"({m.group(1)}) {DJANGO_CHECKS_ZH[m.group(1)]}" if m.group(1) in DJANGO_CHECKS_ZH else m.group(0),
                  text)
    return re.sub(r"System check identified (no issues|\d+ issues?) \((\d+) silenced\)\.", count, text)


def chinese_type_names(parser) -> None:
    """``取值 'abc' 无效（应为 整数）`` rather than ``int``: argparse names an argument's type by its
    ``__name__``."""
    names = {int: "整数", float: "数字"}
    for action in parser._actions:
        if action.type in names:
            kind = action.type

            def convert(value, kind=kind):
                return kind(value)

            convert.__name__ = names[kind]
            action.type = convert
