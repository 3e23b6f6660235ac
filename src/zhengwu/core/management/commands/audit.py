"""``zhengwu audit``: verify the audit chains, take signed checkpoints of their heads, show the
checkpoint signing key's public half (ADR 0020)."""

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from zhengwu.core import audit, audit_anchor


class Command(BaseCommand):
    help = ("审计日志：verify 校验哈希链与检查点，报告第一处断裂；checkpoint 签名记录各链链头"
            "（--export 文件：另存一份给审计员保存）；pubkey 显示检查点签名公钥")
    # An operator's tool: it must run when the web part would not (it serves no page), and loading
    # every view for Django's URL checks cost seconds a run.
    requires_system_checks: list = []  # noqa: RUF012  (Django reads a list)

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="校验哈希链与检查点")
        verify.add_argument("--checkpoints", metavar="FILE",
                            help="另外对照审计员保存的检查点文件（checkpoint --export 的输出或 checkpoints.jsonl 的副本）")
        checkpoint = sub.add_parser("checkpoint", help="签名记录各链链头（写入数据目录的文件与数据库）")
        checkpoint.add_argument("--export", metavar="FILE",
                                help="把这个检查点连同公钥写成一份给审计员保存的文本（- 为标准输出）")
        sub.add_parser("pubkey", help="显示检查点签名公钥（没有签名密钥时生成一个）")

    def handle(self, *args, action, **opts):
        try:
            getattr(self, f"_{action}")(**opts)
        except (audit_anchor.AnchorError, ImproperlyConfigured) as exc:  # a key or a checkpoint
            raise CommandError(str(exc)) from None

    def _verify(self, checkpoints=None, **_):
        if checkpoints and not Path(checkpoints).is_file():
            raise CommandError(f"--checkpoints：找不到文件 {checkpoints}")
        result = audit.verify(checkpoints)
        if not result.ok:
            if result.broken_seq is None:
                raise CommandError(f"审计检查点校验失败：{result.reason}")
            raise CommandError(
                f"审计链断裂：第 {result.broken_seq} 条，{result.reason}（此前 {result.checked} 条完好）"
            )
        self.stdout.write(f"审计链完整：共校验 {result.checked} 条记录，{result.chains} 条链。")
        if result.legacy:
            self.stdout.write(f"其中 {result.legacy} 条是启用密钥之前的记录（SM3，未加密钥）。")
        if result.checkpoints:
            self.stdout.write(
                f"检查点 {result.checkpoints} 个，签名有效，与 {result.checkpoint_source} 一致；最近一个"
                f"（{result.latest_checkpoint_at}）覆盖 {result.covered} 条记录，"
                f"其后 {result.checked - result.covered} 条尚无检查点。")
        else:
            self.stdout.write(self.style.WARNING(
                "尚无检查点：末尾记录连同链头被删除将无法发现。请运行 zhengwu audit checkpoint"
                "（zhengwu worker 每小时自动记录）。"))

    def _checkpoint(self, export=None, **_):
        cp = audit_anchor.take()
        self.stdout.write(f"已记录第 {cp.n} 个检查点：{cp.events} 条记录，{len(cp.heads)} 条链，"
                          f"写入 {audit_anchor.checkpoint_path()} 与数据库。")
        if export:
            text = audit_anchor.export_document(cp, audit_anchor.signing_key().public_key())
            if export == "-":
                self.stdout.write(text, ending="")
            else:
                try:
                    Path(export).write_text(text, encoding="utf-8")
                except OSError as exc:
                    raise CommandError(f"--export：无法写入 {export}：{exc.strerror or exc}") from None
                self.stdout.write(f"已导出到 {export}，请交审计员离线保存。")

    def _pubkey(self, **_):
        pub = audit_anchor.signing_key(create=True).public_key()
        self.stdout.write(f"public-key: {audit_anchor.public_text(pub)}\n"
                          f"# Ed25519，公钥指纹 {audit_anchor.key_id(pub)}")
