"""``zhengwu hotline …``: the 12345 hotline's operator commands.

    zhengwu hotline train FILE [--test-share 0.2]      train a new dispatch model and switch to it
    zhengwu hotline classify FILE --out OUT.csv        every row + 分类, 承办单位, 置信度, 需人工 (标题/内容 suffice)
    zhengwu hotline evaluate FILE [--folds 5 --seed 0] k-fold accuracy, macro-F1, per-class F1, ms per ticket,
                                                       share sent to a person (nothing saved)
    zhengwu hotline evaluate FILE --test OTHER         trained on FILE, measured on OTHER
    zhengwu hotline import-categories FILE [--dry-run] the taxonomy (一级分类/二级分类/三级分类 …)
    zhengwu hotline models                             the model versions
    zhengwu hotline escalate                           自动督办 overdue and unclaimed tickets (schedule it)
    zhengwu hotline knowledge-evaluate FILE [--demo]   precision@3 / hit@3 of the 知识库 suggestions (knowledge_eval)
"""

from __future__ import annotations

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
        t.add_argument("--model", default="", help="模型规格（默认 tsvc:char+word+title+kw:balanced；先用 evaluate --model 比较）")
        c = sub.add_parser("classify", help="为文件中每一行预测分类和承办单位（需要 标题 或 内容 列，分类 列可选）")
        c.add_argument("file")
        c.add_argument("--out", required=True, help="输出 CSV 文件：原有各列 + 分类、承办单位、置信度、需人工、依据")
        e = sub.add_parser("evaluate", help="只测量：k 折交叉验证的准确率、宏平均 F1、单条预测耗时，不保存模型")
        e.add_argument("file")
        e.add_argument("--folds", type=int, default=5, help="折数（默认 5）")
        e.add_argument("--model", default="", help="模型规格，如 tsvc:char+word+title+kw:balanced（默认为训练所用）")
        e.add_argument("--seed", type=int, default=0, help="分折的随机种子（默认 0；换种子看结果是否稳定）")
        e.add_argument("--threshold", type=float, default=None, help="需人工的置信度阈值（默认为当前设置）")
        e.add_argument("--rules", choices=("none", "boost", "override"), default="none",
                       help="与模型结合的关键词规则：none 不用，boost 加权，override 命中即采用")
        e.add_argument("--level", type=int, default=0, help="只按前几级分类评估（如 1：一级分类）；默认按文件中的完整分类")
        e.add_argument("--taxonomy", default="", help="分类关键词（模型的 kw 特征和 --rules）取自此分类文件（关键词 列）；"
                                                      "不给则取数据库中的诉求分类关键词（--rules 另加派单规则）")
        e.add_argument("--test", default="", help="不做交叉验证：用 FILE 全部训练，在此文件上测量（另写的留出集）")
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
        from zhengwu.hotline import dispatch_model

        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        row, trained = services.train_model(None, path.read_bytes(), path.name, test_share=opts["test_share"],
                                            spec=opts["model"] or None)
        words = (f"诉求分类关键词 {trained.meta.get('keywords', 0)} 个" if dispatch_model.uses_keywords(trained.meta["spec"])
                 else "不用诉求分类关键词")
        self.stdout.write(f"模型 {trained.meta['spec']}，{words}，训练用时 {trained.seconds:.1f} 秒")
        self.stdout.write(self.style.SUCCESS(f"新模型已启用：{classifier.describe(row)}"))

    def do_classify(self, opts):
        path = Path(opts["file"])
        if not path.exists():
            raise CommandError(f"文件不存在：{path}")
        table = classifier.read_tickets(path.read_bytes(), path.name)
        if classifier.active_model() is None:
            self.stderr.write("提示：尚未训练模型，仅按派单规则和分类关键词预测")
        samples = [table.sample(r) for r in table.rows]
        threshold = classifier.review_threshold()
        classifier.classify_rows(samples[:1])  # loads the model: not part of the time per ticket
        started = time.perf_counter()
        results = classifier.classify_rows(samples)
        ms = 1000 * (time.perf_counter() - started) / max(1, len(samples))
        added = ["分类", "承办单位", "置信度", "需人工", "依据"]
        header = ["原" + c if c in added else c for c in table.columns] + added
        out = Path(opts["out"])
        review = 0
        with open(out, "w", newline="", encoding="utf-8-sig") as f:
            w = spreadsheets.csv_writer(f)
            w.writerow(header)
            for row, r in zip(table.rows, results, strict=True):
                person = r is None or r.confidence < threshold
                review += person
                w.writerow(row + [r.category_path if r else "", r.department_name if r else "",
                                  f"{r.confidence:.3f}" if r else "0", "是" if person else "否", r.source if r else ""])
        labelled = [(s, r) for s, r in zip(samples, results, strict=True) if s.category]
        if classifier.CATEGORY in table.index and labelled:
            hits = sum(1 for s, r in labelled if r and classifier.same_category(r.category_path, s.category))
            self.stdout.write(f"与原分类一致 {hits}/{len(labelled)}（{hits / len(labelled):.1%}）")
        self.stdout.write(f"置信度低于 {threshold:.2f} 需人工派单：{review} 行")
        self.stdout.write(self.style.SUCCESS(f"已写入 {out}：{len(samples)} 行，平均每条 {ms:.2f} 毫秒"))

    def do_evaluate(self, opts):
        from zhengwu.hotline import dispatch_model

        samples = self._labelled(opts["file"], opts["level"])
        if len(samples) < classifier.MIN_SAMPLES:
            raise CommandError(f"样本太少：至少需要 {classifier.MIN_SAMPLES} 条有内容和分类的记录，实际 {len(samples)} 条")
        if opts["folds"] < 2:
            raise CommandError("--folds 至少为 2")
        spec = opts["model"] or dispatch_model.DEFAULT_SPEC
        threshold = classifier.review_threshold() if opts["threshold"] is None else opts["threshold"]
        rules = classifier.evaluation_rules(opts["taxonomy"] or None) if opts["rules"] != "none" else []
        keywords = classifier.taxonomy_keywords(opts["taxonomy"] or None)
        try:
            if opts["test"]:
                test = self._labelled(opts["test"], opts["level"])
                e = dispatch_model.holdout(samples, test, spec=spec, threshold=threshold, rules=rules,
                                           rule_mode=opts["rules"], keywords=keywords)
                how = f"用 {len(samples)} 条训练，在另一文件上测量"
            else:
                e = dispatch_model.kfold(samples, spec=spec, folds=opts["folds"], threshold=threshold, rules=rules,
                                         rule_mode=opts["rules"], seed=opts["seed"], keywords=keywords)
                how = f"{e.folds} 折交叉验证（分层）"
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        words = (f"分类关键词 {sum(len(w) for _p, w in keywords)} 个" if dispatch_model.uses_keywords(spec)
                 else "不用分类关键词")
        self.stdout.write(f"样本 {e.samples} 条，{len(e.labels)} 个分类；{how}，模型 {e.spec}，"
                          f"{words}，关键词规则 {e.rules}（{len(rules)} 条）")
        self.stdout.write(f"准确率 {e.accuracy:.1%}，宏平均 F1 {e.macro_f1:.3f}")
        self.stdout.write("各分类 F1：")
        for label, (f1, n) in sorted(e.per_class.items(), key=lambda kv: kv[1][0]):
            self.stdout.write(f"  {f1:.3f}  {label}（{n} 条）")
        self.stdout.write(f"单条预测耗时：平均 {e.ms_mean:.2f} 毫秒，p95 {e.ms_p95:.2f} 毫秒")
        rest = f"{e.accuracy_rest:.1%}" if e.accuracy_rest is not None else "—"
        self.stdout.write(f"置信度阈值 {e.threshold:.2f}：需人工 {e.to_person:.1%}，其余工单准确率 {rest}")
        self.stdout.write(f"平均置信度 {e.mean_confidence:.3f}，校准误差 ECE {e.calibration_error:.3f}（越小越接近真实概率）")
        self.stdout.write(f"{'每折' if e.folds else ''}训练用时 {e.fit_seconds:.1f} 秒")

    @staticmethod
    def _labelled(path, level: int):
        samples = classifier.read_file(path)
        if level > 0:
            for s in samples:
                s.category = "/".join(s.category.split("/")[:level])
        return samples

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
