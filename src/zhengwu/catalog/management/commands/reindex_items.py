"""``zhengwu reindex-items``: rebuild the catalogue search index from the published catalogue."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "重建事项搜索索引（已发布的事项和一件事）。导入或批量修改事项后运行；可随时重复运行。"

    def add_arguments(self, parser):
        parser.add_argument("--items", nargs="*", type=int, metavar="ID",
                            help="只重新索引这些事项ID（默认重建全部）")
        parser.add_argument("--batch-size", type=int, default=1000, help="每批读取的事项数（默认1000）")

    def handle(self, *args, items=None, batch_size=1000, **options):
        from zhengwu.catalog import search

        started = time.monotonic()
        if items:
            search.index_items(items)
            self.stdout.write(self.style.SUCCESS(f"已重新索引 {len(set(items))} 个事项"))
            return
        last = [0.0]
        verbosity = options.get("verbosity", 1)

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if verbosity >= 1 and (now - last[0] > 5 or done == total):
                last[0] = now
                self.stdout.write(f"  {done}/{total} ({now - started:.0f}s)")

        total = search.rebuild_index(batch_size=batch_size, progress=progress)
        search.vacuum_index()
        self.stdout.write(self.style.SUCCESS(
            f"搜索索引已重建：{total} 个文档（事项和一件事），用时 {time.monotonic() - started:.1f} 秒"))
