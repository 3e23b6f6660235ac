"""``zhengwu files prune``: remove stored files that no record refers to (left by rolled-back uploads).

``zhengwu files encrypt``: encrypt in place the files stored before encryption at rest was
switched on (:mod:`zhengwu.core.storage`), and make every stored file 0600, every directory 0700.
"""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from zhengwu.core import audit, files


class Command(BaseCommand):
    help = ("文件维护：prune 清理没有任何记录引用的上传文件（只处理超过宽限期的文件）；"
            "encrypt 加密启用加密存储前保存的明文文件")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        prune = sub.add_parser("prune", help="清理孤立文件")
        prune.add_argument("--grace-hours", type=float, default=24, help="只处理早于此小时数的文件（默认 24）")
        prune.add_argument("--dry-run", action="store_true", help="只列出，不删除")
        encrypt = sub.add_parser("encrypt", help="就地加密明文存储的文件（可重复执行）")
        encrypt.add_argument("--dry-run", action="store_true", help="只统计，不加密")

    def handle(self, *args, action, dry_run, **opts):
        if action == "encrypt":
            return self.encrypt(dry_run)
        result = files.prune(grace=dt.timedelta(hours=opts["grace_hours"]), dry_run=dry_run)
        for rel in result.orphans[:50]:
            self.stdout.write(f"  {rel}")
        if len(result.orphans) > 50:
            self.stdout.write(f"  … 另有 {len(result.orphans) - 50} 个")
        verb = "可清理" if dry_run else "已清理"
        self.stdout.write(self.style.SUCCESS(
            f"扫描 {result.scanned} 个文件，{verb} {len(result.orphans)} 个孤立文件（{result.bytes / 1024:.1f} KiB）"))
        if not dry_run and result.removed:
            audit.record("files.prune", after={"removed": result.removed, "bytes": result.bytes})

    def encrypt(self, dry_run: bool):
        result = files.encrypt_existing(dry_run=dry_run)
        for rel in result.failed[:50]:
            self.stderr.write(f"  无法处理：{rel}")
        verb = "待加密" if dry_run else "已加密"
        self.stdout.write(self.style.SUCCESS(
            f"扫描 {result.scanned} 个文件，{verb} {result.encrypted} 个，原已加密 {result.already} 个"))
        if not dry_run and result.encrypted:
            audit.record("files.encrypt", after={"encrypted": result.encrypted, "failed": len(result.failed)})
        if result.failed:
            raise CommandError(f"{len(result.failed)} 个文件未能处理（权限或磁盘错误），请检查后重新执行")
