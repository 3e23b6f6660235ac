from django.core.management.base import BaseCommand, CommandError

from zhengwu.core import audit


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链，报告第一处断裂"

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args, **options):
        result = audit.verify()
        if result.ok:
            self.stdout.write(f"审计链完整：共校验 {result.checked} 条记录。")
            return
        raise CommandError(
            f"审计链断裂：第 {result.broken_seq} 条，{result.reason}（此前 {result.checked} 条完好）"
        )
