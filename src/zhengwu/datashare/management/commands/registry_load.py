"""``zhengwu registry-load --kind person|legal FILE``: bulk-load 人口库/法人库 (10,000,000 rows)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from zhengwu.datashare.services import loading


class Command(BaseCommand):
    help = "批量导入人口库或法人库（CSV：UTF-8或GBK；或.xlsx），输出质量报告摘要"

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--kind", choices=["person", "legal"], required=True, help="person 人口库；legal 法人库")
        parser.add_argument("--workers", type=int, default=1,
                            help="校验加密的进程数（默认1；CPU空闲核数多于2时可设为2或更多）")
        parser.add_argument("--chunk", type=int, default=loading.CHUNK_ROWS, help="每批行数")

    def handle(self, *args, file, kind, workers, chunk, **options):
        import os

        name = os.path.basename(file)
        try:
            fh = open(file, "rb")
        except OSError as exc:
            raise CommandError(f"无法打开文件 {file}：{exc.strerror}") from None
        batch = loading.start_batch(kind, name)
        started = time.monotonic()
        try:
            with fh:
                loading.run_import(batch, fh, workers=workers, chunk_rows=chunk)
        except loading.ImportFileError as exc:
            raise CommandError(f"导入失败（库中数据未改变）：{exc.message}") from None
        seconds = time.monotonic() - started
        s = batch.summary
        self.stdout.write(
            f"批次 {batch.pk}：共{batch.rows_total:,}行，新增{s['inserted']:,}，更新{s['updated']:,}，"
            f"问题行{batch.rows_bad:,}，提示{s['warned_rows']:,}；用时{seconds:.1f}秒"
            f"（{batch.rows_total / max(seconds, 1e-6):,.0f}行/秒）")
        for code, n in sorted(s["counts"].items()):
            self.stdout.write(f"  {loading.CODE_LABELS.get(code, code)}：{n:,}")
        if batch.report_file:
            self.stdout.write(f"质量报告：{batch.report_file.name}（加密存储；在工作台“基础库导入”页面下载）")
