"""``zhengwu backup --out DIR_OR_FILE``: one archive of the database, the data directory's files
and the audit directory, with a manifest (docs/backup.md, :mod:`zhengwu.core.backup`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengwu.core import audit, backup


class Command(BaseCommand):
    help = ("备份：把数据库、上传文件与审计目录写成一个 tar 归档（含清单 manifest.json：各成员 SHA-256、"
            "迁移状态、审计链头、密钥指纹；密钥本身不入备份）")
    # An operator's tool: it must run when the web part would not (it serves no page), and loading
    # every view for Django's URL checks cost seconds a run.
    requires_system_checks: list = []  # noqa: RUF012  (Django reads a list)

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, metavar="DIR_OR_FILE",
                            help="备份写到这个目录（文件名自动生成）或这个文件")

    def handle(self, *args, out, **opts):
        try:
            result = backup.create(out)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from None
        m = result.manifest
        size = Path(result.path).stat().st_size
        audit.record("ops.backup", object_type="ops.backup", object_id=Path(result.path).name,
                     after={"archive": Path(result.path).name, "bytes": size, "files": m["files"]["count"],
                            "counts": m["counts"], "vendor": m["database"]["vendor"]})
        counts = "，".join(f"{k} {v}" for k, v in m["counts"].items())
        self.stdout.write(f"数据库：{m['database']['vendor']}，{sum(len(v) for v in m['migrations'].values())} 个已执行的迁移；{counts}")
        self.stdout.write(f"文件：{m['files']['count']} 个（{m['files']['bytes'] / 1024 / 1024:.1f} MiB）；"
                          f"审计链头 {len(m['audit']['heads'])} 条链" +
                          (f"，最近检查点第 {m['audit']['latest_checkpoint']['n']} 个" if m["audit"]["latest_checkpoint"] else ""))
        if result.skipped:
            self.stdout.write(f"备份过程中被删除、未纳入的文件 {len(result.skipped)} 个（已无记录引用）")
        self.stdout.write(self.style.SUCCESS(f"已写入备份 {result.path}（{size / 1024 / 1024:.1f} MiB）。"
                                             "密钥不在备份中：请另行妥善保管 keys.json / 环境变量中的密钥和审计签名密钥。"))
