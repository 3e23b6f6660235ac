"""The name reranker (issue 28): how much of the question's characters an item's name carries.

The ranking reads the question as words, synonyms and concepts; a catalogue written with names only
(no 通俗名称, no keywords) often says a thing in words no lexicon links to the citizen's. Then the plain
overlap of characters between the question and the name is a good witness, and it is independent of
the lexicon: the candidates' ranking scores (scaled to the best) get ``W_NAME`` times the cosine of
the question's and the name's character unigrams and bigrams (TF-IDF, sublinear term frequency,
IDF from the index's character n-gram document frequencies), scaled to the best cosine.

Measured with ``bench/search_quality.py`` (docs/search-quality.md, 第五轮): ``W_NAME`` 0.2 was chosen on the
dev sets (hit@1 +6 of 471 questions) and then raised the held-out sets by 9 hit@1 and 7 hit@5 of 367.
"""

from __future__ import annotations

import math
from collections import Counter

from .index import char_ngrams, strip_notes
from .sql import fetch, placeholders, quoted_table

W_NAME = 0.2


def _vector(text: str, df: dict[str, int], n_docs: int) -> dict[str, float]:
    counts = Counter(char_ngrams(text))
    vec = {g: (1 + math.log(n)) * math.log((n_docs + 1) / (df.get(g, 0) + 1)) for g, n in counts.items()}
    norm = math.sqrt(sum(x * x for x in vec.values())) or 1.0
    return {g: x / norm for g, x in vec.items()}


def name_similarity(question: str, names: dict[int, str], df: dict[str, int], n_docs: int) -> dict[int, float]:
    """Cosine of the question's and each name's character n-gram vectors (0 to 1)."""
    q = _vector(question, df, n_docs)
    if not q:
        return {}
    out = {}
    for key, name in names.items():
        v = _vector(name, df, n_docs)
        out[key] = sum(x * v.get(g, 0.0) for g, x in q.items())
    return out


def item_names(pks: list[int]) -> dict[int, str]:
    """What the reranker reads of an item: its name and its 业务办理项 name, as the catalogue lists it."""
    from ..models import ServiceItem

    if not pks:
        return {}
    rows = fetch(f"SELECT id, name, handling_name FROM {quoted_table(ServiceItem)} WHERE id IN ({placeholders(pks)})", pks)
    return {pk: f"{strip_notes(name)}（{handling}）" if handling else strip_notes(name) for pk, name, handling in rows}


def rerank(scores: dict[int, float], question: str, names: dict[int, str], df: dict[str, int],
           n_docs: int) -> dict[int, float]:
    """The candidates' scores with the name overlap blended in (see the module docstring)."""
    if not scores or not W_NAME:
        return scores
    best = max(scores.values()) or 1.0
    sims = name_similarity(question, names, df, n_docs)
    top = max(sims.values(), default=0.0)
    if top <= 0:
        return scores
    return {k: s / best + W_NAME * sims.get(k, 0.0) / top for k, s in scores.items()}
