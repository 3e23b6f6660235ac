"""``zhengwu report …``: generate a 政务服务月报/年报 now (synchronously) and say where it is.

    zhengwu report month 2026-11     the monthly report of November 2026
    zhengwu report year 2026         the yearly report of 2026
    zhengwu report run               what the worker's job does: queue the scheduled ones, generate the queued
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "统计报告：立即生成政务服务月报或年报（Excel 和 PDF）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        m = sub.add_parser("month", help="生成月报，如 zhengwu report month 2026-11")
        m.add_argument("period")
        y = sub.add_parser("year", help="生成年报，如 zhengwu report year 2026")
        y.add_argument("period")
        sub.add_parser("run", help="执行定时任务：排队到期的定时报告并生成排队中的报告")

    def handle(self, *args, **opts):
        from zhengwu.insights.reports import services

        if opts["sub"] == "run":
            self.stdout.write(services.run_queued())
            return
        try:
            run = services.build(opts["sub"], opts["period"])
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from None
        if run.status != run.Status.DONE:
            raise CommandError(f"{run.title}生成失败（{run.seconds:.1f} 秒）：{run.error}")
        self.stdout.write(f"{run.title}已生成，用时 {run.seconds:.1f} 秒")
        self.stdout.write(f"Excel：{run.xlsx_file.path}（{run.xlsx_size:,} 字节，SHA-256 {run.xlsx_sha256}）")
        self.stdout.write(f"PDF：{run.pdf_file.path}（{run.pdf_size:,} 字节，SHA-256 {run.pdf_sha256}）")
        self.stdout.write(self.style.SUCCESS("文件已加密存储，请在 工作台 › 统计分析 › 统计报告 下载"))
