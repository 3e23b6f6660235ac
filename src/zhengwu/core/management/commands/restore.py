"""``zhengwu restore ARCHIVE``: restore a ``zhengwu backup`` archive into an empty platform,
then verify the audit chain (docs/backup.md, :mod:`zhengwu.core.backup_restore`)."""

import datetime as dt
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhengwu.core import audit, backup_restore
from zhengwu.core.backup import BackupError


def _local(stamp: str) -> str:
    """An ISO timestamp of the manifest (UTC) in local time, as the pages and listings show it."""
    try:
        return f"{timezone.localtime(dt.datetime.fromisoformat(stamp)):%Y-%m-%d %H:%M:%S}"
    except (TypeError, ValueError):
        return str(stamp)


class Command(BaseCommand):
    help = ("恢复：校验备份文件（各成员 SHA-256、密钥指纹、数据库类型与迁移）后恢复到空的平台，"
            "再执行迁移并校验审计链")
    # An operator's tool: it must run when the web part would not (it serves no page), and loading
    # every view for Django's URL checks cost seconds a run.
    requires_system_checks: list = []  # noqa: RUF012  (Django reads a list)

    def add_arguments(self, parser):
        parser.add_argument("archive", help="zhengwu backup 生成的备份文件")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时也覆盖（先另行备份！）")
        parser.add_argument("--accept-new-secret-key", action="store_true",
                            help="ZHENGWU_SECRET_KEY 与备份时不同也继续（登录会话与已发出的评价链接失效）")

    def handle(self, *args, archive, force, accept_new_secret_key, **opts):
        try:
            result = backup_restore.restore(archive, force=force, accept_new_secret_key=accept_new_secret_key,
                                            log=self.stdout.write)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        m = result.manifest
        for w in result.warnings:
            self.stdout.write(self.style.WARNING(w))
        self.stdout.write(f"备份时间 {_local(m['created_at'])}，zhengwu {m.get('zhengwu_version', '?')}，"
                          f"数据库 {m['database']['vendor']}")
        differ = []
        for label, n in sorted(result.counts.items()):
            was = m.get("counts", {}).get(label)
            self.stdout.write(f"  {label}: {n}" + ("" if was in (None, n) else f"（备份清单为 {was}）"))
            if was is not None and was != n:
                differ.append(label)
        self.stdout.write(f"文件 {result.files} 个，审计目录文件 {result.audit_files} 个；"
                          + (f"执行了 {len(result.migrated)} 个迁移" if result.migrated else "无需迁移"))
        if differ:
            raise CommandError(f"恢复后的记录数与备份清单不符：{'、'.join(differ)}")
        audit.record("ops.restore", object_type="ops.backup", object_id=Path(archive).name,
                     after={"archive": Path(archive).name, "created_at": m["created_at"], "counts": m.get("counts")})
        try:
            verified = audit.verify()
        except ImproperlyConfigured as exc:
            raise CommandError(f"恢复完成，但审计链无法校验：{exc}") from None
        if not verified.ok:
            raise CommandError(f"恢复完成，但审计链校验失败：第 {verified.broken_seq} 条，{verified.reason}")
        self.stdout.write(f"审计链完整：共校验 {verified.checked} 条记录，{verified.chains} 条链，检查点 {verified.checkpoints} 个。")
        self.stdout.write(self.style.SUCCESS("恢复完成。请启动服务后检查 /api/v1/health。"))
