"""Measuring search quality: hit@1, hit@5 and MRR of :func:`search` on a set of citizen questions
(``zhengwu search evaluate FILE``), and a naive baseline to compare with.

The question file is a CSV (UTF-8, BOM allowed) with the header ``问题,事项``: one question per
row, written as a citizen would type it, and the item that should answer it. ``事项`` may list
several acceptable answers separated by ``|``. An answer designates a published item when, after
:func:`answer_key` (NFKC — full-width brackets and letters become half-width —, lower case, no
whitespace), it equals the item's 事项名称, its 业务办理项名称, or one of its codes (实施编码,
基本编码, 业务办理项编码). Names are compared whole: "居民身份证补领" does not match
"居民身份证补领（临时）". An answer that designates no item of the searched catalogue is
reported (``unknown``) and the question counts as a miss — a typo in the file must not pass
unnoticed.

Metrics, over the questions: hit@k is the share whose first acceptable item is within the first k
results; MRR is the mean of 1/rank of that item (0 when it is not in the first
:data:`DEPTH` results).
"""

from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass, field

from .analysis import normalise

DEPTH = 20  # results looked at per question (MRR counts 0 beyond)
QUESTION_HEADERS = ("问题", "question", "query")
ANSWER_HEADERS = ("事项", "事项名称", "answer", "item")


class EvaluationFileError(ValueError):
    """The question file cannot be used (Chinese message for the operator)."""


@dataclass(frozen=True)
class Question:
    row: int
    text: str
    answers: tuple[str, ...]


@dataclass
class Outcome:
    question: Question
    rank: int | None  # 1-based rank of the first acceptable item, None if not in the first DEPTH
    top: list[str]  # names of the first results
    unknown: list[str] = field(default_factory=list)  # answers that designate no item


@dataclass
class Report:
    name: str
    outcomes: list[Outcome]
    elapsed_ms: list[float] = field(default_factory=list)

    @property
    def ranks(self) -> list[int | None]:
        return [o.rank for o in self.outcomes]

    @property
    def count(self) -> int:
        return len(self.outcomes)

    def hit(self, k: int) -> float:
        return hit_at(self.ranks, k)

    @property
    def mrr(self) -> float:
        return mean_reciprocal_rank(self.ranks)

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.rank is None or o.rank > 1]

    @property
    def unknown(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.unknown]

    def summary(self) -> str:
        n = self.count
        hits1 = sum(1 for r in self.ranks if r == 1)
        hits5 = sum(1 for r in self.ranks if r is not None and r <= 5)
        line = (f"{self.name}：{n} 个问题，hit@1 {pct(self.hit(1))}（{hits1}），hit@5 {pct(self.hit(5))}（{hits5}），"
                f"MRR {self.mrr:.3f}")
        if self.elapsed_ms:
            ms = sorted(self.elapsed_ms)
            line += f"，p95 {ms[max(0, int(len(ms) * 0.95) - 1)]:.1f} ms"
        return line


def pct(value: float) -> str:
    return f"{value * 100:.1f}%"


# -- metrics (pure) --------------------------------------------------------------------------------
def hit_at(ranks: list[int | None], k: int) -> float:
    """Share of questions whose answer is within the first ``k`` results."""
    if not ranks:
        return 0.0
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks)


def mean_reciprocal_rank(ranks: list[int | None]) -> float:
    if not ranks:
        return 0.0
    return sum(1.0 / r for r in ranks if r) / len(ranks)


def first_rank(result_keys: list[set[str]], answers: set[str]) -> int | None:
    """1-based position of the first result whose keys include an acceptable answer."""
    for i, keys in enumerate(result_keys, 1):
        if keys & answers:
            return i
    return None


def answer_key(text: str) -> str:
    return re.sub(r"\s+", "", normalise(text))


# -- the question file -----------------------------------------------------------------------------
def _csv_rows(data: bytes | str, what: str) -> list[list[str]]:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise EvaluationFileError(f"{what}应为 UTF-8 编码的 CSV") from None
    return list(csv.reader(io.StringIO(data.lstrip("\ufeff"))))


def read_questions(data: bytes | str) -> list[Question]:
    """Parse a question file; raise :class:`EvaluationFileError` naming the problem."""
    rows = _csv_rows(data, "问题文件")
    if not rows:
        raise EvaluationFileError("问题文件为空：第一行应为表头“问题,事项”")
    header = [answer_key(c) for c in rows[0]]
    try:
        qi = next(i for i, h in enumerate(header) if h in QUESTION_HEADERS)
        ai = next(i for i, h in enumerate(header) if h in ANSWER_HEADERS)
    except StopIteration:
        raise EvaluationFileError(f"表头应包含“问题”和“事项”两列，现为：{'、'.join(rows[0])[:120]}") from None
    out = []
    for number, row in enumerate(rows[1:], 2):
        if not any(c.strip() for c in row):
            continue
        text = row[qi].strip() if qi < len(row) else ""
        answers = tuple(a.strip() for a in (row[ai] if ai < len(row) else "").split("|") if a.strip())
        if not text or not answers:
            raise EvaluationFileError(f"第{number}行：“问题”和“事项”都不能为空")
        out.append(Question(number, text, answers))
    if not out:
        raise EvaluationFileError("问题文件中没有问题")
    return out


# -- running ---------------------------------------------------------------------------------------
def _catalogue(region: str | None) -> dict[int, tuple[str, set[str]]]:
    """Published items in scope: pk → (name, keys that designate it)."""
    from ..models import ServiceItem
    from ..models.items import ItemStatus
    from .ranking import region_range

    qs = ServiceItem.objects.filter(status=ItemStatus.PUBLISHED)
    rng = region_range(region)
    if rng:
        qs = qs.filter(region__code__gte=rng[0], region__code__lte=rng[1])
    out = {}
    for pk, name, handling, impl, hcode, base in qs.values_list(
            "pk", "name", "handling_name", "implementation_code", "handling_code", "base_item__code"):
        keys = {answer_key(v) for v in (name, handling, impl, hcode, base) if v}
        out[pk] = (f"{name}（{handling}）" if handling else name, keys)
    return out


def _known(catalogue: dict[int, tuple[str, set[str]]]) -> set[str]:
    return set().union(*(keys for _, keys in catalogue.values())) if catalogue else set()


def _outcome(q: Question, ranked_pks: list[int], catalogue: dict[int, tuple[str, set[str]]],
             known: set[str]) -> Outcome:
    answers = {answer_key(a) for a in q.answers}
    unknown = [a for a in q.answers if answer_key(a) not in known]
    result_keys = [catalogue[pk][1] if pk in catalogue else set() for pk in ranked_pks]
    top = [catalogue[pk][0] for pk in ranked_pks[:5] if pk in catalogue]
    return Outcome(q, first_rank(result_keys, answers), top, unknown)


def evaluate(questions: list[Question], *, region: str | None = None, name: str = "搜索") -> Report:
    """Ask :func:`search` every question (the real ranking on the current database)."""
    from .ranking import search

    catalogue = _catalogue(region)
    known = _known(catalogue)
    outcomes, elapsed = [], []
    for q in questions:
        started = time.perf_counter()
        result = search(q.text, region=region, limit=DEPTH, bundle_limit=0)
        elapsed.append((time.perf_counter() - started) * 1000)
        outcomes.append(_outcome(q, [h.pk for h in result.items], catalogue, known))
    return Report(name, outcomes, elapsed)


def evaluate_baseline(questions: list[Question], *, region: str | None = None,
                      name: str = "基线（字符 1–3 元 TF-IDF，仅事项名称）") -> Report:
    """A naive comparison: character 1–3-gram TF-IDF over the item names alone, cosine ranking."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    catalogue = _catalogue(region)
    known = _known(catalogue)
    pks = list(catalogue)
    if not pks:
        return Report(name, [_outcome(q, [], catalogue, known) for q in questions])
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True,
                                 preprocessor=lambda s: answer_key(s))
    matrix = vectorizer.fit_transform([catalogue[pk][0] for pk in pks])
    outcomes = []
    for q in questions:
        scores = (matrix @ vectorizer.transform([q.text]).T).toarray().ravel()
        order = sorted((i for i in range(len(pks)) if scores[i] > 0), key=lambda i: (-scores[i], pks[i]))[:DEPTH]
        outcomes.append(_outcome(q, [pks[i] for i in order], catalogue, known))
    return Report(name, outcomes)


def format_misses(report: Report, limit: int | None = None) -> list[str]:
    lines = []
    for o in report.misses[:limit]:
        lines.append(f"  第{o.question.row}行 “{o.question.text}” → 应为 {' | '.join(o.question.answers)}（{_place(o.rank)}）；"
                     f"前几位：{'；'.join(o.top[:3]) or '（无结果）'}")
    return lines


def ranks_of(report: Report, prefix: str) -> dict[str, list]:
    """Each question's rank and first results, keyed ``prefix:row`` (for comparing two runs)."""
    return {f"{prefix}:{o.question.row}": [o.question.text, o.rank, o.top[:3]] for o in report.outcomes}


def rank_changes(before: dict[str, list], after: dict[str, list]) -> list[str]:
    """What moved between two runs (``ranks_of`` of each): per file the hit@1 / hit@5 counts before and
    after, then each question whose rank crossed 1 or 5, worse ones first. Questions only one run has
    are left out."""
    def hits(rank: int | None, k: int) -> bool:
        return rank is not None and rank <= k

    keys = [k for k in after if k in before]
    lines = []
    for prefix in dict.fromkeys(k.rpartition(":")[0] for k in keys):
        mine = [k for k in keys if k.rpartition(":")[0] == prefix]
        counts = [sum(hits(run[k][1], n) for k in mine) for run in (before, after) for n in (1, 5)]
        lines.append(f"{prefix}（{len(mine)} 题）：hit@1 {counts[0]} → {counts[2]}，hit@5 {counts[1]} → {counts[3]}")

    def worse(k: str) -> bool:
        return (after[k][1] or DEPTH + 1) > (before[k][1] or DEPTH + 1)

    moved = [k for k in keys if any(hits(before[k][1], n) != hits(after[k][1], n) for n in (1, 5))]
    moved.sort(key=lambda k: (not worse(k), k))
    for k in moved:
        was, now = before[k][1], after[k][1]
        word = "变差" if worse(k) else "变好"
        lines.append(f"  {word} {k} “{after[k][0]}”：{_place(was)} → {_place(now)}；现在前几位：{'；'.join(after[k][2]) or '（无结果）'}")
    return lines


def _place(rank: int | None) -> str:
    return f"第{rank}位" if rank else f"前{DEPTH}位中没有"


# -- 一件事 offered next to the results --------------------------------------------------------------
@dataclass
class BundleReport:
    """How the 一件事 offered above the results (up to three) match what each question expects."""

    questions: int = 0
    expecting: int = 0  # questions that expect a 一件事
    found: int = 0  # …and were offered it
    offered: int = 0  # 一件事 offered in all
    right: int = 0  # …that the question expects
    stray: int = 0  # questions expecting none that were offered one

    @property
    def recall(self) -> float:
        return self.found / self.expecting if self.expecting else 1.0

    @property
    def precision(self) -> float:
        return self.right / self.offered if self.offered else 1.0


def read_bundle_questions(data: bytes | str) -> list[tuple[str, set[str]]]:
    """A CSV with the header ``问题,一件事``; an empty 一件事 means none should be offered."""
    rows = _csv_rows(data, "一件事问题文件")
    if not rows or [answer_key(c) for c in rows[0]][:2] != ["问题", "一件事"]:
        raise EvaluationFileError("一件事问题文件的表头应为“问题,一件事”")
    return [(r[0].strip(), {a.strip() for a in (r[1] if len(r) > 1 else "").split("|") if a.strip()})
            for r in rows[1:] if r and r[0].strip()]


def evaluate_bundles(questions: list[tuple[str, set[str]]], *, region: str | None = None) -> BundleReport:
    from .ranking import search

    report = BundleReport()
    for text, expected in questions:
        offered = {h.obj.name for h in search(text, region=region, limit=1).bundles if h.obj is not None}
        report.questions += 1
        report.offered += len(offered)
        report.right += len(offered & expected)
        if expected:
            report.expecting += 1
            report.found += bool(offered & expected)
        elif offered:
            report.stray += 1
    return report
