"""知识库 search while the operator types: jieba words + character bigrams, BM25 over title,
keywords, usual questions and the answer, all in memory.

A centre has hundreds to a few thousand articles, so each process keeps the whole index and
refreshes it when the table changes (a cheap fingerprint — count and latest update — checked at
most every :data:`CHECK_SECONDS`); a query is a few dictionary lookups (well under a
millisecond), so the console can search on every keystroke.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max

CHECK_SECONDS = 5.0
FIELD_WEIGHTS = {"title": 3.0, "keywords": 3.0, "question": 2.0, "answer": 1.0}
_WORD = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+")
STOP = {"的", "了", "是", "我", "在", "有", "和", "就", "不", "都", "要", "也", "怎么", "如何", "什么", "可以", "需要",
        "一个", "这个", "反映", "来电", "市民", "请问", "咨询", "问题", "希望", "情况"}

_tokenizer = None
_lock = threading.Lock()
_warming = False


def warm_up() -> None:
    """Load jieba's dictionary in the background (about a second, once per process) so that the
    console's first keystrokes are answered at full speed."""
    global _warming
    if _tokenizer is None and not _warming:
        _warming = True
        threading.Thread(target=_jieba, name="hotline-jieba-warmup", daemon=True).start()


def load() -> None:
    """Load jieba's dictionary now, in this thread (a web worker's start, ``zhengwu serve``)."""
    _jieba()


def _jieba():
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import logging

                import jieba

                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                tk.initialize()
                _tokenizer = tk
    return _tokenizer


def terms(text: str) -> list[str]:
    """Words (jieba, search mode) and the character bigrams of each run of Chinese text."""
    text = (text or "").lower()
    out = []
    for run in _WORD.findall(text):
        if run.isascii():
            out.append(run)
            continue
        for w in _jieba().cut_for_search(run):
            if len(w) >= 2 and w not in STOP:
                out.append(w)
        out += ["#" + run[i:i + 2] for i in range(len(run) - 1)]
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
        self.docs: dict[int, tuple[str, str, str]] = {}
        self.n = 0


_index = _Index()


def invalidate() -> None:
    _index.checked = 0.0
    _index.fingerprint = None


def _refresh() -> None:
    now = time.monotonic()
    if now - _index.checked < CHECK_SECONDS and _index.fingerprint is not None:
        return
    from .models import KnowledgeArticle

    from django.db.models import Q
    from django.utils import timezone

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
            ts = terms(getattr(a, fname) or "")
            length += len(ts)
            for t in ts:
                tf[t] += weight
        norm = 0.25 + 0.75 * min(4.0, max(0.25, length / 120))
        for t, f in tf.items():
            postings[t][a.pk] = f * 2.2 / (f + 1.2 * norm)
        docs[a.pk] = (a.title, a.answer, a.category.path if a.category_id else "")
    with _lock:
        _index.postings, _index.docs, _index.n = dict(postings), docs, len(docs)
        _index.fingerprint = fp


def search(query: str, limit: int = 5) -> list[Hit]:
    _refresh()
    qterms = set(terms(query))
    if not qterms or not _index.n:
        return []
    scores: dict[int, float] = defaultdict(float)
    n = _index.n
    for t in qterms:
        posting = _index.postings.get(t)
        if not posting:
            continue
        idf = math.log(1 + (n - len(posting) + 0.5) / (len(posting) + 0.5))
        weight = 0.5 if t.startswith("#") else 1.0
        for doc, w in posting.items():
            scores[doc] += weight * idf * w
    best = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
    return [Hit(pk, *_index.docs[pk][:2], score=s, category=_index.docs[pk][2]) for pk, s in best if s > 0.5]
