"""``zhengwu search …``: the catalogue search's operator commands.

    zhengwu search evaluate FILE [--region CODE] [--baseline] [--misses] [--limit N]
        hit@1, hit@5 and MRR of the search on a CSV of citizen questions (header 问题,事项; several
        acceptable items separated by "|"), through the real search on the current database.
        --baseline also prints a naive character 1–3-gram TF-IDF over the item names alone.
        The matching rule and the metrics: zhengwu.catalog.search.evaluation.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengwu.catalog.search import evaluation


class Command(BaseCommand):
    help = "事项搜索：用群众问题集评测搜索效果（hit@1、hit@5、MRR）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        e = sub.add_parser("evaluate", help="评测：CSV 文件，表头“问题,事项”，多个可接受事项用“|”分隔")
        e.add_argument("file")
        e.add_argument("--region", help="只在该区划（及其下级）的事项中搜索，如 511602")
        e.add_argument("--baseline", action="store_true", help="同时给出基线：仅按事项名称的字符 1–3 元 TF-IDF")
        e.add_argument("--misses", action="store_true", help="列出未排在第一位的问题")
        e.add_argument("--limit", type=int, default=None, help="--misses 最多列出几条")

    def handle(self, *args, **opts):
        getattr(self, "do_" + opts["sub"].replace("-", "_"))(opts)

    def do_evaluate(self, opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        try:
            questions = evaluation.read_questions(path.read_bytes())
            reports = [evaluation.evaluate(questions, region=opts.get("region"), name="搜索")]
            if opts.get("baseline"):
                reports.append(evaluation.evaluate_baseline(questions, region=opts.get("region")))
        except (evaluation.EvaluationFileError, ValueError) as exc:
            raise CommandError(f"{path.name}：{exc}") from None
        for report in reports:
            self.stdout.write(report.summary())
        unknown = reports[0].unknown
        if unknown:
            self.stderr.write(f"有 {len(unknown)} 个问题的答案在目录中找不到（按未命中计）：")
            for o in unknown:
                self.stderr.write(f"  第{o.question.row}行：{' | '.join(o.unknown)}")
        if opts.get("misses"):
            for report in reports:
                misses = evaluation.format_misses(report, opts.get("limit"))
                self.stdout.write(f"{report.name}未排第一的问题（{len(report.misses)} 个）：")
                for line in misses:
                    self.stdout.write(line)
