"""``zhengwu hotline …``: the 12345 hotline's operator commands.

    zhengwu hotline train FILE [--test-share 0.2]      train a new dispatch model and switch to it
    zhengwu hotline classify FILE --out OUT.csv        predicted 分类, 承办单位, 置信度 per row
    zhengwu hotline evaluate FILE                      held-out accuracy and ms per ticket (nothing saved)
    zhengwu hotline import-categories FILE [--dry-run] the taxonomy (一级分类/二级分类/三级分类 …)
    zhengwu hotline models                             the model versions
    zhengwu hotline escalate                           自动督办 overdue and unclaimed tickets (schedule it)
    zhengwu hotline knowledge-evaluate FILE [--demo]   precision@3 / hit@3 of the 知识库 suggestions (knowledge_eval)
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from zhengwu.core import spreadsheets
from zhengwu.hotline import classifier, knowledge_eval, services


class Command(BaseCommand):
    help = "12345热线：训练/使用智能派单模型，导入诉求分类"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="sub", required=True)
        t = sub.add_parser("train", help="用历史工单训练派单模型（.xlsx/.csv：标题、内容、分类，可选 承办单位）")
        t.add_argument("file")
        t.add_argument("--test-share", type=float, default=0.2, help="留作验证的比例（默认 0.2）")
        c = sub.add_parser("classify", help="为文件中每一行预测分类和承办单位")
        c.add_argument("file")
        c.add_argument("--out", required=True, help="输出 CSV 文件")
        e = sub.add_parser("evaluate", help="只测量：留出法准确率与单条预测耗时，不保存模型")
        e.add_argument("file")
        e.add_argument("--test-share", type=float, default=0.2)
        i = sub.add_parser("import-categories", help="导入三级诉求分类")
        i.add_argument("file")
        i.add_argument("--dry-run", action="store_true")
        sub.add_parser("models", help="列出模型版本")
        sub.add_parser("escalate", help="自动督办：超过签收或办结时限且24小时内未督办的工单")
        knowledge_eval.add_arguments(sub.add_parser("knowledge-evaluate", help="知识库推荐的相关性：标注集上的 precision@3、hit@3"))

    def handle(self, *args, **opts):
        try:
            getattr(self, "do_" + opts["sub"].replace("-", "_"))(opts)
        except classifier.TrainingError as exc:
            raise CommandError(str(exc)) from None

    def do_train(self, opts):
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        row, trained = services.train_model(None, path.read_bytes(), path.name, test_share=opts["test_share"])
        self.stdout.write(f"训练用时 {trained.seconds:.1f} 秒")
        self.stdout.write(self.style.SUCCESS(f"新模型已启用：{classifier.describe(row)}"))

    def do_classify(self, opts):
        samples = classifier.read_file(opts["file"])
        if classifier.active_model() is None:
            self.stderr.write("提示：尚未训练模型，仅按派单规则和分类关键词预测")
        out = Path(opts["out"])
        started = time.perf_counter()
        results = classifier.classify_rows(samples)
        ms = 1000 * (time.perf_counter() - started) / max(1, len(samples))
        with open(out, "w", newline="", encoding="utf-8-sig") as f:
            w = spreadsheets.csv_writer(f)
            w.writerow(["标题", "内容", "原分类", "预测分类", "预测承办单位", "置信度", "依据"])
            for s, r in zip(samples, results):
                w.writerow([s.title, s.content, s.category, r.category_path if r else "", r.department_name if r else "",
                            f"{r.confidence:.3f}" if r else "", r.source if r else ""])
        labelled = [(s, r) for s, r in zip(samples, results) if s.category]
        if labelled:
            hits = sum(1 for s, r in labelled if r and r.category_path == s.category)
            self.stdout.write(f"与原分类一致 {hits}/{len(labelled)}（{hits / len(labelled):.1%}）")
        self.stdout.write(self.style.SUCCESS(f"已写入 {out}：{len(samples)} 行，平均每条 {ms:.2f} 毫秒"))

    def do_evaluate(self, opts):
        samples = classifier.read_file(opts["file"])
        trained = classifier.train(samples, test_share=opts["test_share"])
        model = {"pipeline": trained.pipeline, "departments": trained.departments}
        texts = [s.text for s in samples[:500]]
        classifier.model_scores(model, texts[0])
        times = []
        for t in texts:
            t0 = time.perf_counter()
            classifier.model_scores(model, t)
            times.append(1000 * (time.perf_counter() - t0))
        times.sort()
        self.stdout.write(f"样本 {trained.samples} 条，{len(trained.labels)} 个分类；留出 {trained.test_samples} 条验证（分层抽样，"
                          f"按分类各留 {opts['test_share']:.0%}）")
        self.stdout.write(f"验证集准确率 {trained.accuracy:.1%}，前三准确率 {trained.top3_accuracy:.1%}")
        self.stdout.write(f"单条预测耗时：平均 {statistics.mean(times):.2f} 毫秒，p95 {times[int(0.95 * len(times)) - 1]:.2f} 毫秒")
        self.stdout.write(f"训练用时 {trained.seconds:.1f} 秒（含验证模型和全量模型两次训练）")

    def do_import_categories(self, opts):
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        report = services.import_categories(None, path.read_bytes(), path.name, dry_run=opts["dry_run"])
        for e in report["errors"]:
            self.stderr.write(f"第{e['row']}行 {e['column']}：{e['message']}")
        if not report["ok"]:
            raise CommandError(f"有 {len(report['errors'])} 处问题，未导入任何分类")
        verb = "检查通过" if opts["dry_run"] else "已导入"
        self.stdout.write(self.style.SUCCESS(f"{verb}：{report['leaves']} 个三级分类，新增 {report['created']}，更新 {report['updated']}"))

    def do_escalate(self, opts):
        n = services.escalate_overdue()
        self.stdout.write(self.style.SUCCESS(f"已自动督办 {n} 张超时工单"))

    def do_models(self, opts):
        from zhengwu.hotline.models import ClassifierModel

        for row in ClassifierModel.objects.all()[:50]:
            self.stdout.write(("* " if row.is_active else "  ") + classifier.describe(row))

    def do_knowledge_evaluate(self, opts):
        knowledge_eval.run(opts, self.stdout)
