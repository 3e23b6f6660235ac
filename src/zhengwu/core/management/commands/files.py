"""``zhengwu files prune``: remove stored files that no record refers to (left by rolled-back uploads)."""

import datetime as dt

from django.core.management.base import BaseCommand

from zhengwu.core import audit, files


class Command(BaseCommand):
    help = "文件维护：prune 清理没有任何记录引用的上传文件（只处理超过宽限期的文件）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        prune = sub.add_parser("prune", help="清理孤立文件")
        prune.add_argument("--grace-hours", type=float, default=24, help="只处理早于此小时数的文件（默认 24）")
        prune.add_argument("--dry-run", action="store_true", help="只列出，不删除")

    def handle(self, *args, action, grace_hours, dry_run, **opts):
        result = files.prune(grace=dt.timedelta(hours=grace_hours), dry_run=dry_run)
        for rel in result.orphans[:50]:
            self.stdout.write(f"  {rel}")
        if len(result.orphans) > 50:
            self.stdout.write(f"  … 另有 {len(result.orphans) - 50} 个")
        verb = "可清理" if dry_run else "已清理"
        self.stdout.write(self.style.SUCCESS(
            f"扫描 {result.scanned} 个文件，{verb} {len(result.orphans)} 个孤立文件（{result.bytes / 1024:.1f} KiB）"))
        if not dry_run and result.removed:
            audit.record("files.prune", after={"removed": result.removed, "bytes": result.bytes})
