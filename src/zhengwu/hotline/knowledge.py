"""知识库 search while the operator types: jieba words + character bigrams, BM25 over title,
keywords, usual questions and the answer, all in memory.

A centre has hundreds to a few thousand articles, so each process keeps the whole index and
refreshes it when the table changes (a cheap fingerprint — count and latest update — checked at
most every :data:`CHECK_SECONDS`); a query is a few dictionary lookups (well under a
millisecond), so the console can search on every keystroke.

Relevance (issue 28: a call about 烧烤油烟扰民 was offered 异地就医备案怎么办 because both share
"怎么办"): the phrases every call and many titles contain (:data:`STOP_PHRASES` — 反映, 市民, 来电,
怎么办, 希望, 处理 …) are cut out before words and bigrams are taken; bigrams count only from the
title, keywords and usual questions (the answer's wording is too generic) and half as much as
words; an entry is suggested only when its score reaches :data:`MIN_SCORE` and
:data:`RELATIVE_CUTOFF` of the best one (nothing is better than something wrong); and when the
ticket's category is known (chosen, or the dispatch model's first suggestion), entries of that
category are preferred and entries of an unrelated 一级分类 are pushed down.
Measured with ``zhengwu hotline knowledge-evaluate`` on ``data/eval/knowledge_eval.csv``.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max

from . import text

CHECK_SECONDS = 5.0
FIELD_WEIGHTS = {"title": 3.0, "keywords": 3.0, "question": 2.0, "answer": 0.7}
BIGRAM_FIELDS = {"title", "keywords", "question"}
BIGRAM_WEIGHT = 0.5
MIN_SCORE = 8.0  # below it an entry is no answer to the call (tuned on the dev half of the labelled set)
RELATIVE_CUTOFF = 0.55  # an entry scoring under this share of the best one is not shown
MIN_COLLECTION = 50  # idf as if there were at least this many entries, so MIN_SCORE holds for a small base
SAME_CATEGORY = 1.4  # the ticket's own 三级分类
SAME_TOP = 1.1  # the same 一级分类
OTHER_TOP = 0.6  # an entry of another 一级分类 (entries without a category are left as they are)
_WORD = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
STOP = {"的", "了", "是", "我", "在", "有", "和", "就", "不", "都", "要", "也", "怎么", "如何", "什么", "可以", "需要",
        "一个", "这个", "反映", "来电", "市民", "请问", "咨询", "问题", "希望", "情况"}
# Cut out of the text before words and bigrams are taken: they say nothing about the subject.
STOP_PHRASES = sorted({
    "来电人", "来电", "市民", "反映", "咨询", "请问", "问一下", "想问", "问问", "希望", "要求", "建议", "尽快", "有关部门",
    "相关部门", "处理", "解决", "怎么办", "怎么弄", "怎么", "如何", "什么", "为什么", "能不能", "可不可以", "可以",
    "有没有", "是不是", "需要", "问题", "情况", "一下", "我们", "我家", "他们", "自己", "现在", "已经", "一直",
    "好几", "还是", "但是", "因为", "所以", "这个", "那个", "一个", "没有", "不了", "不给", "多少", "哪里", "哪些",
    "去哪", "的话", "知道", "告诉", "说是", "特别", "非常", "太", "很", "都", "了", "的", "吗", "呢", "吧", "啊",
}, key=len, reverse=True)
_STOP_RE = re.compile("|".join(map(re.escape, STOP_PHRASES)))
_BIGRAM_STOP = set("的了是我你他她们在和也都吗呢吧啊把被给让这那个说很太还")

_lock = threading.Lock()  # the in-memory index (rebuilt when the knowledge base changes)
_warming = False


def warm_up() -> None:
    """Load jieba's dictionary in the background (about a second, once per process) so that the
    console's first keystrokes are answered at full speed."""
    global _warming
    if not text.loaded() and not _warming:
        _warming = True
        threading.Thread(target=_jieba, name="hotline-jieba-warmup", daemon=True).start()


def load() -> None:
    """Load jieba's dictionary now, in this thread (a web worker's start, ``zhengwu serve``)."""
    _jieba()


def _jieba():
    return text.tokenizer()


def terms(text: str, bigrams: bool = True) -> list[str]:
    """Words (jieba, search mode) and the character bigrams of each run of Chinese text, once
    :data:`STOP_PHRASES` are cut out."""
    text = _STOP_RE.sub(" ", (text or "").lower())
    out = []
    for run in _WORD.findall(text):
        if run.isascii():
            out.append(run)
            continue
        for w in _jieba().cut_for_search(run):
            if len(w) >= 2 and w not in STOP:
                out.append(w)
        if bigrams:
            out += ["#" + run[i:i + 2] for i in range(len(run) - 1)
                    if run[i] not in _BIGRAM_STOP and run[i + 1] not in _BIGRAM_STOP]
    return out


@dataclass
class Hit:
    id: int
    title: str
    answer: str
    score: float
    category: str = ""

    def as_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "answer": self.answer[:300], "score": round(self.score, 2),
                "category": self.category}


class _Index:
    def __init__(self):
        self.fingerprint = None
        self.checked = 0.0
        self.postings: dict[str, dict[int, float]] = {}
        self.docs: dict[int, tuple[str, str, str, int | None]] = {}
        self.n = 0
        self.tops: dict[int, str] = {}  # category id → its 一级分类 name


_index = _Index()


def invalidate() -> None:
    _index.checked = 0.0
    _index.fingerprint = None


def _refresh() -> None:
    now = time.monotonic()
    if now - _index.checked < CHECK_SECONDS and _index.fingerprint is not None:
        return
    from django.db.models import Q
    from django.utils import timezone

    from .models import KnowledgeArticle

    qs = KnowledgeArticle.objects.filter(is_active=True).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))
    fp = tuple(qs.aggregate(n=Count("pk"), m=Max("updated_at")).values())
    _index.checked = now
    if fp == _index.fingerprint:
        return
    postings: dict[str, dict[int, float]] = defaultdict(dict)
    docs = {}
    for a in qs.select_related("category"):
        tf: Counter = Counter()
        length = 0
        for fname, weight in FIELD_WEIGHTS.items():
            ts = terms(getattr(a, fname) or "", bigrams=fname in BIGRAM_FIELDS)
            length += len(ts)
            for t in ts:
                tf[t] += weight
        norm = 0.25 + 0.75 * min(4.0, max(0.25, length / 120))
        for t, f in tf.items():
            postings[t][a.pk] = f * 2.2 / (f + 1.2 * norm)
        docs[a.pk] = (a.title, a.answer, a.category.path if a.category_id else "", a.category_id)
    from .models import Category

    tops = {pk: path.split("/")[0] for pk, path in Category.objects.values_list("pk", "path")}
    with _lock:
        _index.postings, _index.docs, _index.n, _index.tops = dict(postings), docs, len(docs), tops
        _index.fingerprint = fp


def _category_factor(doc_path: str, doc_cat: int | None, category) -> float:
    if category is None or not doc_path:
        return 1.0
    if doc_cat == category or doc_path == category:
        return SAME_CATEGORY
    top = category.split("/")[0] if isinstance(category, str) else _index.tops.get(category)
    if not top:
        return 1.0
    return SAME_TOP if doc_path.split("/")[0] == top else OTHER_TOP


def search(query: str, limit: int = 5, category: int | str | None = None, min_score: float | None = None) -> list[Hit]:
    """The entries that answer ``query``, best first; none when nothing scores :data:`MIN_SCORE`.
    ``category`` (a Category id or path: the ticket's chosen or predicted 分类) prefers its entries."""
    _refresh()
    qterms = set(terms(query))
    if not qterms or not _index.n:
        return []
    scores: dict[int, float] = defaultdict(float)
    n = max(_index.n, MIN_COLLECTION)
    for t in qterms:
        posting = _index.postings.get(t)
        if not posting:
            continue
        idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
        weight = BIGRAM_WEIGHT if t.startswith("#") else 1.0
        for doc, w in posting.items():
            scores[doc] += weight * idf * w
    if category is not None:
        for doc in scores:
            scores[doc] *= _category_factor(_index.docs[doc][2], _index.docs[doc][3], category)
    best = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
    if not best:
        return []
    floor = max(MIN_SCORE if min_score is None else min_score, RELATIVE_CUTOFF * best[0][1])
    return [Hit(pk, *_index.docs[pk][:2], score=s, category=_index.docs[pk][2]) for pk, s in best if s >= floor]
