"""``zhengwu import-items FILE --region CODE``: import a 实施清单 spreadsheet (.xlsx or .csv).

Prints the same report as the workbench page: counts (新增/更新/无变化/失败), departments
created (only with ``--create-departments``; otherwise an unknown 实施主体 fails its row), and every bad row with its row number, column and reason. The layout of the file is
documented in docs/catalog-import.md.

双人复核 on (the default, ADR 0060): the import makes drafts (``--as-draft``, the default) or
versions 待审核 submitted by ``--user`` (``--submit``); ``--publish`` is refused. With it off
(``ZHENGWU_CATALOG_FOUR_EYES=0``) no flag (or ``--publish``) publishes directly, as before.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhengwu.catalog.models import ImportJob
from zhengwu.catalog.services import imports
from zhengwu.core.identifiers import validate_region_code
from zhengwu.org.models import Region


def region_from_option(code: str) -> Region:
    try:
        code = validate_region_code(code, "--region 区划代码")
    except ValidationError as exc:
        raise CommandError(exc.messages[0]) from None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise CommandError(f"区划 {code} 不存在：请先在区划管理中添加（演示环境可运行 zhengwu demo）")
    return region


class Command(BaseCommand):
    help = "从Excel（.xlsx）或CSV文件批量导入事项实施清单"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的.xlsx或.csv文件")
        parser.add_argument("--region", required=True, help="导入到哪个区划（12位区划代码，县级以上可写6位）")
        parser.add_argument("--as-draft", action="store_true",
                            help="有变化的事项生成草稿版本（提交审核后发布）；启用双人复核时这是默认做法")
        parser.add_argument("--submit", action="store_true",
                            help="导入并提交审核：有变化的事项生成待审核版本（提交人为 --user 指定的导入人），"
                                 "由另一位事项管理员在工作台审核发布（可按导入批次批量通过）")
        parser.add_argument("--publish", action="store_true",
                            help="直接发布新版本：仅在关闭双人复核（ZHENGWU_CATALOG_FOUR_EYES=0）时可用，"
                                 "关闭时不加参数也是直接发布")
        parser.add_argument("--create-departments", action="store_true",
                            help="批量建库时使用：本区划机构库中没有的实施主体按“其他”类别新建并在报告中列出"
                                 "（默认不新建，这样的行报错，以免把写错的名称建成部门）")
        parser.add_argument("--user", help="以哪位工作人员的名义导入（用户名，记入审计日志）；默认为系统")
        parser.add_argument("--wait", type=float, default=600,
                            help="同一区划有其他导入正在进行时最多等待的秒数（默认600）")
        parser.add_argument("--fail-on-errors", action="store_true", help="有导入失败的行时以非零状态退出")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        region = region_from_option(opts["region"])
        user = None
        if opts.get("user"):
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(username=opts["user"]).first()
            if user is None:
                raise CommandError(f"用户 {opts['user']} 不存在")
        as_draft, submit = self._mode(opts, user)
        data = path.read_bytes()
        job, _ = imports.submit_job(region=region, data=data, file_name=path.name, as_draft=as_draft, submit=submit,
                                    create_departments=opts["create_departments"], user=user,
                                    source=ImportJob.Source.CLI)
        try:
            report = imports.run_job(job, data, wait_seconds=opts["wait"])
        except imports.ImportBusy as exc:
            raise CommandError(str(exc)) from None
        if as_draft and not submit and not opts["as_draft"]:
            self.stderr.write("已启用办事指南双人复核：本次导入为草稿（导入并提交审核请加 --submit --user 用户名）")
        text = "\n".join(report.lines())
        if report.fatal:
            raise CommandError(text)
        self.stdout.write(text)
        if report.failed:
            message = f"有 {report.failed} 行未导入，请按上面的原因修改后重新导入（已导入的行不会重复）"
            if opts["fail_on_errors"]:
                raise CommandError(message)
            self.stderr.write(message)
        else:
            self.stdout.write(self.style.SUCCESS("导入完成。"))

    @staticmethod
    def _mode(opts, user) -> tuple[bool, bool]:
        """``(as_draft, submit)`` from the options. With 双人复核 on (ADR 0060) an import does not
        publish: the default is a draft, ``--publish`` is refused saying what to use instead."""
        chosen = [f for f in ("as_draft", "submit", "publish") if opts.get(f)]
        if len(chosen) > 1:
            names = "、".join("--" + f.replace("_", "-") for f in chosen)
            raise CommandError(f"{names} 只能选一个：--as-draft 导入为草稿，--submit 导入并提交审核，--publish 直接发布")
        four_eyes = not imports.publish_allowed()
        if opts.get("publish") and four_eyes:
            raise CommandError("已启用办事指南双人复核（ZHENGWU_CATALOG_FOUR_EYES），导入不能直接发布：请改用 "
                               "--submit --user 用户名（导入并提交审核，由另一位事项管理员审核发布），或 --as-draft（导入为草稿）")
        if opts.get("submit"):
            if user is None and four_eyes:
                raise CommandError("--submit 须同时用 --user 指明导入人：待审核版本记为该用户提交，"
                                   "由另一位事项管理员审核发布")
            return True, True
        if opts.get("as_draft"):
            return True, False
        return four_eyes, False
