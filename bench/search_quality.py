"""Search quality (issue 28): hit@1, hit@5 and MRR of the catalogue search on citizens' questions.

    .venv/bin/python bench/search_quality.py            # a fresh SQLite database in a temp dir
    .venv/bin/python bench/search_quality.py --data-dir /tmp/sq --keep
    .venv/bin/python bench/search_quality.py --dev-only --save-ranks /tmp/before.json   # then change something and
    .venv/bin/python bench/search_quality.py --dev-only --compare /tmp/before.json      # see which questions moved

Loads into a fresh database the demo district's catalogue (金水区, with its 通俗名称 and keywords)
and a real district catalogue from another province (广安市广安区, 1,131 items as that district
wrote them, imported with ``zhengwu import-items``: no 通俗名称, no keywords), then runs
``zhengwu.catalog.search.evaluation`` on each catalogue's dev and held-out questions
(src/zhengwu/catalog/data/search/eval/; 广安 has second to sixth dev sets, ``guangan_dev2.csv`` to
``guangan_dev6.csv`` (the third, fourth and sixth mostly on items no other file asks about), and second to fifth
held-out sets, ``guangan_heldout2.csv`` to ``guangan_heldout7.csv`` (the fifth on the 286 items the catalogue
gained at 1,131, the sixth and seventh on items sampled from the whole catalogue), written before any search
was run on them; ``guangan_devtypo.csv`` is the 广安 dev questions again, each with one homophone typo
(``bench/make_typo_questions.py``)), each scoped to its district as a district portal is, next to the naive baseline
(character 1–3-gram TF-IDF over the item names alone). The held-out questions were written before
the search was tuned and are never tuned on: ``--misses`` never lists their misses and ``--dev-only``
skips them. A catalogue may have held-out parts only (no dev set); each part whose file is missing
is skipped.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
EVAL = ROOT / "src" / "zhengwu" / "catalog" / "data" / "search" / "eval"
CATALOGUES = [
    # (label, region, question files prefix, items file to import or None for the demo)
    ("演示辖区（金水区，有通俗名称和关键词）", "410105", "demo", None),
    ("外省真实目录（广安区，1,131 项，仅事项名称）", "511602", "guangan", "guangan_items.csv"),
]

# (file suffix, title): the dev sets are tuned on, the held-out set never is (their misses are never listed)
PARTS = [("dev", "开发集"), ("dev2", "开发集 2"), ("dev3", "开发集 3"), ("dev4", "开发集 4"), ("dev5", "开发集 5"), ("dev6", "开发集 6"), ("dev7", "开发集 7"), ("dev8", "开发集 8"), ("dev9", "开发集 9"), ("dev10", "开发集 10"), ("dev11", "开发集 11"), ("dev12", "开发集 12"), ("dev13", "开发集 13"), ("dev14", "开发集 14"),
         ("devtypo", "开发集（错别字）"), ("heldout", "留出集"), ("heldout2", "留出集 2"),
         ("heldout3", "留出集 3"), ("heldout4", "留出集 4"), ("heldout5", "留出集 5"), ("heldout6", "留出集 6"),
         ("heldout7", "留出集 7")]
HELD_OUT = {part for part, _ in PARTS if part.startswith("heldout")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", help="where the SQLite database goes (default: a new temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the data dir afterwards")
    parser.add_argument("--misses", action="store_true", help="list the dev sets' misses (never the held-out ones)")
    parser.add_argument("--dev-only", action="store_true", help="skip the held-out sets (while tuning)")
    parser.add_argument("--held-out-only", action="store_true", help="run the held-out sets only (a final measurement)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --data-dir: reuse a database loaded before, only rebuild the index")
    parser.add_argument("--save-ranks", metavar="FILE",
                        help="write each dev question's rank to FILE (JSON), to --compare a later run with")
    parser.add_argument("--compare", metavar="FILE",
                        help="list the dev questions whose rank crossed 1 or 5 since the run that saved FILE")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="zw-search-quality-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["ZHENGWU_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # always a fresh SQLite database: the ranking is the same on both
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengwu.settings")
    # A bench loader publishes a whole catalogue directly: the import does so only with 双人复核 off (ADR 0060).
    os.environ["ZHENGWU_CATALOG_FOUR_EYES"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    from zhengwu.catalog import demo as catalog_demo
    from zhengwu.catalog.search import evaluation
    from zhengwu.org import demo as org_demo

    started = time.monotonic()
    quiet = io.StringIO()
    if not (args.reuse and args.data_dir):
        call_command("migrate", verbosity=0)
        org_demo.load(quiet)
        catalog_demo.load(quiet)
        for _, region, _, items in CATALOGUES:
            if items:
                # A district's whole catalogue into an empty region: its departments come with it.
                call_command("import_items", str(EVAL / items), region=region, create_departments=True,
                             stdout=quiet, stderr=quiet)
    call_command("reindex_items", stdout=quiet)
    print(f"数据准备用时 {time.monotonic() - started:.0f} 秒（{data_dir}）")
    print()
    print("| 目录 | 问题集 | 问题数 | hit@1 | hit@5 | MRR | 基线 hit@1 | 基线 hit@5 | 基线 MRR | 搜索 p95 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    dev_reports = []
    dev_ranks: dict[str, list] = {}  # never the held-out questions
    for label, region, prefix, _ in CATALOGUES:
        for part, title in PARTS:
            held_out = part in HELD_OUT
            if not (EVAL / f"{prefix}_{part}.csv").exists() or (held_out and args.dev_only) or (
                    not held_out and args.held_out_only):
                continue
            questions = evaluation.read_questions((EVAL / f"{prefix}_{part}.csv").read_bytes())
            report = evaluation.evaluate(questions, region=region)
            base = evaluation.evaluate_baseline(questions, region=region)
            ms = sorted(report.elapsed_ms)
            p95 = ms[max(0, int(len(ms) * 0.95) - 1)]
            print(f"| {label} | {title} | {report.count} | {evaluation.pct(report.hit(1))} | "
                  f"{evaluation.pct(report.hit(5))} | {report.mrr:.3f} | {evaluation.pct(base.hit(1))} | "
                  f"{evaluation.pct(base.hit(5))} | {base.mrr:.3f} | {p95:.1f} ms |")
            if report.unknown:
                print(f"  ！{len(report.unknown)} 个答案不在目录中：" +
                      "；".join(f"第{o.question.row}行 {'|'.join(o.unknown)}" for o in report.unknown))
            if part not in HELD_OUT:
                dev_reports.append(report)
                dev_ranks.update(evaluation.ranks_of(report, f"{prefix}_{part}"))
    bundle_file = EVAL / "demo_bundles.csv"
    if bundle_file.exists():
        b = evaluation.evaluate_bundles(evaluation.read_bundle_questions(bundle_file.read_bytes()), region="410105")
        print(f"\n一件事（演示辖区，{b.questions} 个问题，`demo_bundles.csv`）：应给出一件事的 {b.expecting} 题中给出了 {b.found} 题；"
              f"共给出 {b.offered} 个，其中 {b.right} 个是问题要的（{b.precision * 100:.0f} %）；"
              f"不该给的 {b.questions - b.expecting} 题中给了 {b.stray} 题。")
    if args.misses:
        for report in dev_reports:
            print("\n".join(evaluation.format_misses(report)))
    if args.compare:
        before = json.loads(Path(args.compare).read_text(encoding="utf-8"))
        print(f"\n与 {args.compare} 相比（只比开发集）：")
        print("\n".join(evaluation.rank_changes(before, dev_ranks)))
    if args.save_ranks:
        Path(args.save_ranks).write_text(json.dumps(dev_ranks, ensure_ascii=False), encoding="utf-8")
    if not args.keep and not args.data_dir:
        shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
