"""``zhengwu hotline knowledge-evaluate FILE``: how relevant the console's 知识库 suggestions are,
measured on a labelled set of calls (nothing is saved).

The file (.csv, UTF-8) has the columns 来电内容 and 相关知识 (the 标题 of each relevant entry, joined
by ``|``; empty when no entry answers the call), optionally 集合 (``dev`` / ``heldout``) and 分类
(the 三级分类 path the operator would choose). The bundled set is ``data/eval/knowledge_eval.csv``.

Figures, for the top ``k`` (3) suggestions:

- precision@k: per call with at least one suggestion, the share of its suggestions that are
  relevant, averaged over those calls (calls no entry answers count too: anything suggested is wrong);
- hit@k: the share of answerable calls with at least one relevant entry suggested;
- 无答案来电不推荐率: the share of unanswerable calls for which nothing is suggested;
- ms per query (mean and p95).

``--demo`` evaluates against the bundled demo knowledge base (``data/knowledge.csv``, 标题 as key)
inside a transaction that is rolled back, so it runs on any migrated database; ``--synthetic N`` adds N
generated entries there too (for timing a large knowledge base).
"""

from __future__ import annotations

import csv
import random
import statistics
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import CommandError
from django.db import transaction

SPLITS = ("all", "dev", "heldout")


@dataclass
class Call:
    text: str
    relevant: set[str]
    split: str = ""
    category: str = ""


@dataclass
class Figures:
    calls: int = 0
    answerable: int = 0
    unanswerable: int = 0
    suggested: int = 0  # calls with at least one suggestion
    precision: float = 0.0
    hit: float = 0.0
    silent_unanswerable: float = 0.0  # share of unanswerable calls with nothing suggested
    silent_answerable: float = 0.0  # share of answerable calls with nothing suggested (lost answers)
    ms_mean: float = 0.0
    ms_p95: float = 0.0
    misses: list = field(default_factory=list)  # (text, suggested titles, relevant titles)


def add_arguments(parser) -> None:
    parser.add_argument("file", help="标注集 CSV：来电内容, 相关知识（以 | 分隔的知识标题，可为空）, 可选 集合, 分类")
    parser.add_argument("--split", choices=SPLITS, default="all", help="只评估 dev 或 heldout 部分（默认全部）")
    parser.add_argument("-k", type=int, default=3, help="看前几条建议（默认 3）")
    parser.add_argument("--category", choices=("none", "file", "predicted"), default="none",
                        help="检索时带上分类：none 不带；file 用文件中的分类；predicted 用智能派单的首选分类")
    parser.add_argument("--demo", action="store_true", help="用内置演示知识库评估（事务内临时写入，结束后回滚）")
    parser.add_argument("--synthetic", type=int, default=0, help="另加 N 条合成知识条目（只用于测耗时，需 --demo）")
    parser.add_argument("--show-misses", type=int, default=0, help="列出前 N 条推荐有误的来电")


def read_file(path: str | Path) -> list[Call]:
    path = Path(path)
    if not path.exists():
        raise CommandError(f"文件不存在：{path}")
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            rows = list(csv.DictReader(f))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise CommandError(f"无法读取 {path}：须为 UTF-8 编码的 CSV（{exc}）") from None
    if not rows or "来电内容" not in rows[0] or "相关知识" not in rows[0]:
        raise CommandError("标注集须有“来电内容”和“相关知识”两列")
    calls = []
    for i, r in enumerate(rows, start=2):
        text = (r.get("来电内容") or "").strip()
        if not text:
            raise CommandError(f"第{i}行 来电内容：不能为空")
        relevant = {t.strip() for t in (r.get("相关知识") or "").split("|") if t.strip()}
        calls.append(Call(text, relevant, (r.get("集合") or "").strip(), (r.get("分类") or "").strip()))
    return calls


def _search(text: str, k: int, category):
    from . import knowledge

    if category is None:
        return knowledge.search(text, k)
    return knowledge.search(text, k, category=category)


def evaluate(calls: list[Call], *, k: int = 3, category_mode: str = "none") -> Figures:
    """Run the console's search on every call and compare the top ``k`` titles with the labels."""
    from . import classifier

    def category_of(call):
        if category_mode == "file":
            return call.category or None
        if category_mode == "predicted":
            sugg = classifier.suggest(call.text, 1)
            return sugg[0].category_path if sugg and getattr(sugg[0], "category_path", "") else None
        return None

    f = Figures(calls=len(calls))
    if calls:
        _search(calls[0].text, k, category_of(calls[0]))  # warm the index and jieba
    precisions, hits, times = [], 0, []
    silent_un = silent_ans = 0
    for call in calls:
        cat = category_of(call)
        t0 = time.perf_counter()
        hits_ = _search(call.text, k, cat)[:k]
        times.append(1000 * (time.perf_counter() - t0))
        titles = [h.title for h in hits_]
        good = [t for t in titles if t in call.relevant]
        if titles:
            precisions.append(len(good) / len(titles))
        if call.relevant:
            f.answerable += 1
            hits += bool(good)
            silent_ans += not titles
        else:
            f.unanswerable += 1
            silent_un += not titles
        if len(good) < len(titles) or (call.relevant and not good):
            f.misses.append((call.text, titles, sorted(call.relevant)))
    f.suggested = len(precisions)
    f.precision = statistics.mean(precisions) if precisions else 0.0
    f.hit = hits / f.answerable if f.answerable else 0.0
    f.silent_unanswerable = silent_un / f.unanswerable if f.unanswerable else 0.0
    f.silent_answerable = silent_ans / f.answerable if f.answerable else 0.0
    if times:
        times.sort()
        f.ms_mean = statistics.mean(times)
        f.ms_p95 = times[max(0, int(0.95 * len(times)) - 1)]
    return f


def lines(f: Figures, k: int = 3) -> list[str]:
    return [
        f"来电 {f.calls} 条：有相关知识 {f.answerable} 条，无相关知识 {f.unanswerable} 条；有推荐的 {f.suggested} 条",
        f"precision@{k}（前{k}条推荐中相关的比例，按有推荐的来电平均）：{f.precision:.1%}",
        f"hit@{k}（有相关知识的来电，前{k}条中至少一条相关）：{f.hit:.1%}",
        f"无相关知识的来电不推荐率：{f.silent_unanswerable:.1%}；有相关知识却无推荐：{f.silent_answerable:.1%}",
        f"单次检索耗时：平均 {f.ms_mean:.2f} 毫秒，p95 {f.ms_p95:.2f} 毫秒",
    ]


# -- the bundled demo knowledge base, written inside a rolled-back transaction -------------------------
class _Rollback(Exception):
    pass


def synthetic_articles(n: int, seed: int = 28) -> list[dict]:
    """``n`` generated entries with the demo knowledge base's vocabulary (for timing only)."""
    from . import knowledge
    from .demo import articles

    rnd = random.Random(seed)
    base = articles()
    words = sorted({w for a in base for w in knowledge.terms(a[1] + a[3] + a[4]) if not w.startswith("#")})
    places = ["金水区", "二七区", "中原区", "管城区", "惠济区", "郑东新区", "高新区", "经开区", "航空港区", "上街区"]
    out = []
    for i in range(n):
        title, question, _path, keywords, answer, source = rnd.choice(base)
        extra = "、".join(rnd.sample(words, 6))
        out.append({"title": f"{rnd.choice(places)}{title}（第{i + 1}号口径）", "question": question,
                    "keywords": " ".join(rnd.sample(words, 4)), "source": source,
                    "answer": f"{answer}另涉及{extra}等事项，以{rnd.choice(places)}相关部门答复为准。"})
    return out


@contextmanager
def demo_knowledge_base(synthetic: int = 0):
    """The demo knowledge base (and ``synthetic`` generated entries) in place of the database's
    active entries, for the duration of the block; everything is rolled back afterwards."""
    from . import knowledge, services
    from .demo import DATA, articles
    from .models import Category, KnowledgeArticle

    try:
        with transaction.atomic():
            if not Category.objects.exists():  # the taxonomy without its departments (which may not exist)
                rows = list(csv.reader((DATA / "taxonomy.csv").read_text(encoding="utf-8-sig").splitlines()))
                body = "\n".join(",".join(r[:3] + [""] + r[4:]) for r in rows).encode()
                report = services.import_categories(None, body, "taxonomy.csv")
                if not report["ok"]:
                    raise CommandError("演示分类导入失败")
            cats = {c.path: c for c in Category.objects.all()}
            KnowledgeArticle.objects.filter(is_active=True).update(is_active=False)
            KnowledgeArticle.objects.bulk_create(
                [KnowledgeArticle(title=t, question=q, category=cats.get(p), keywords=kw, answer=a, source=s)
                 for t, q, p, kw, a, s in articles()]
                + [KnowledgeArticle(**d) for d in synthetic_articles(synthetic)])
            knowledge.invalidate()
            yield KnowledgeArticle.objects.filter(is_active=True).count()
            raise _Rollback
    except _Rollback:
        pass
    finally:
        knowledge.invalidate()


def run(opts: dict, out) -> Figures:
    calls = read_file(opts["file"])
    if opts.get("split", "all") != "all":
        calls = [c for c in calls if c.split == opts["split"]]
    if not calls:
        raise CommandError(f"没有“{opts.get('split')}”部分的来电")
    k = max(1, int(opts.get("k") or 3))
    if opts.get("synthetic") and not opts.get("demo"):
        raise CommandError("--synthetic 须与 --demo 一起使用")

    def measure():
        from .models import KnowledgeArticle

        titles = set(KnowledgeArticle.objects.filter(is_active=True).values_list("title", flat=True))
        missing = sorted({t for c in calls for t in c.relevant} - titles)
        if missing:
            out.write(f"提示：标注的 {len(missing)} 条知识不在知识库中（如“{missing[0]}”），按不相关计")
        return evaluate(calls, k=k, category_mode=opts.get("category") or "none")

    if opts.get("demo"):
        with demo_knowledge_base(opts.get("synthetic") or 0) as n:
            out.write(f"内置演示知识库 {n} 条（临时写入，结束后回滚）")
            f = measure()
    else:
        f = measure()
    out.write(f"评估集：{opts.get('split', 'all')}；分类：{opts.get('category') or 'none'}")
    for line in lines(f, k):
        out.write(line)
    for text, got, want in f.misses[:opts.get("show_misses") or 0]:
        out.write(f"  ✗ {text[:40]} → {' / '.join(got) or '（无）'}；应为 {' / '.join(want) or '（无）'}")
    return f
