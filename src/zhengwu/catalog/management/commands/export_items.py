"""``zhengwu export-items OUT.xlsx --region CODE``: write a region's 实施清单 in the import layout.

The file imports back unchanged (export → import reports every row 无变化). ``.csv`` output is
UTF-8 with BOM so that Excel opens it correctly.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengwu.catalog.services import imports

from .import_items import region_from_option


class Command(BaseCommand):
    help = "导出区划的事项实施清单（与导入格式相同的Excel或CSV）"

    def add_arguments(self, parser):
        parser.add_argument("out", help="输出文件（.xlsx 或 .csv）")
        parser.add_argument("--region", required=True, help="导出哪个区划（12位区划代码，县级以上可写6位）")
        parser.add_argument("--include-disabled", action="store_true", help="同时导出已停用的事项")

    def handle(self, *args, **opts):
        out = Path(opts["out"])
        suffix = out.suffix.lower()
        if suffix not in (".xlsx", ".csv"):
            raise CommandError("输出文件的扩展名应为 .xlsx 或 .csv")
        if not out.parent.exists():
            raise CommandError(f"目录不存在：{out.parent}")
        region = region_from_option(opts["region"])
        tmp = out.with_name(out.name + ".part")
        try:
            count = imports.export_items(region, tmp, fmt=suffix[1:], include_disabled=opts["include_disabled"])
            tmp.replace(out)
        finally:
            tmp.unlink(missing_ok=True)
        self.stdout.write(self.style.SUCCESS(f"已导出 {region.name}（{region.code}）的 {count} 个事项到 {out}"))
