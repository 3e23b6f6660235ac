"""``zhengwu gen-data --size small|medium|city [--seed N]``: synthetic benchmark data (see zhengwu_bench)."""

import json

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "生成基准测试数据（可复现：同一 seed 生成相同的数据）；在演示辖区之上追加，不删除任何数据"

    def add_arguments(self, parser):
        from zhengwu_bench.context import SIZES
        from zhengwu_bench.generate import DOMAINS

        parser.add_argument("--size", choices=list(SIZES), default="small",
                            help="tiny（测试用）/ small（CI）/ medium / city（10万事项、20万申请人、100万办件）")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（默认 1）")
        parser.add_argument("--only", default="", help="只运行这些数据域（逗号分隔，用于续跑被中断的生成或单测一个领域）："
                            + ",".join(name for name, _ in DOMAINS))
        parser.add_argument("--json", dest="json_path", default="", help="把各表用时写入该 JSON 文件")

    def handle(self, *args, size, seed, json_path, only, **options):
        from zhengwu_bench.context import AlreadyGenerated
        from zhengwu_bench.generate import generate

        self.stdout.write(f"生成基准数据：size={size} seed={seed}")
        try:
            timings = generate(size, seed, log=self.stdout.write,
                               only=[d for d in only.split(",") if d], parallel=True)
        except AlreadyGenerated as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(self.style.SUCCESS(f"完成：共 {timings['total_seconds']} s"))
        if json_path:
            with open(json_path, "w", encoding="utf-8") as fh:
                json.dump(timings, fh, ensure_ascii=False, indent=2)
