"""The name reranker (issue 28): how much of the question's characters an item's name carries.

The ranking reads the question as words, synonyms and concepts; a catalogue written with names only
(no 通俗名称, no keywords) often says a thing in words no lexicon links to the citizen's. Then the plain
overlap of characters between the question and the name is a good witness, and it is independent of
the lexicon: the candidates' ranking scores (scaled to the best) get ``W_NAME`` times the cosine of
the question's and the name's character unigrams and bigrams (TF-IDF, sublinear term frequency,
IDF from the index's character n-gram document frequencies), scaled to the best cosine.

Measured with ``bench/search_quality.py`` (docs/search-quality.md, 第五轮): ``W_NAME`` 0.2 was chosen on the
dev sets (hit@1 +6 of 471 questions) and then raised the held-out sets by 9 hit@1 and 7 hit@5 of 367.

The name's coverage (第九轮): the cosine rewards a name for carrying the question; it does not
ask how much of the name the question accounts for. Among siblings (巡游出租汽车经营许可证到期换证 and
道路货运经营许可（换发）, 机关事业单位社会保险注销登记 and 企业注销社会保险登记) the one whose name is
mostly explained by the question — its words, their synonyms, its characters — is the one asked
about. Each candidate also gets ``W_COVER`` times the share of its name's Chinese characters that
lie inside an occurrence of one of the question's words or synonyms (weight ≥ ``COVER_MIN_WEIGHT``)
or are characters of the question. Parenthesised parts (办理项, 县级, 换发…) are left out: the
variant penalty judges those (ranking.VARIANT_PENALTY).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

from .analysis import is_cjk
from .index import char_ngrams, strip_notes
from .sql import fetch, placeholders, quoted_table

W_NAME = 0.2
# Measured on the dev sets (docs/search-quality.md): 0.3–0.7 all gave hit@1 +10 to +12 of 621 in
# 第九轮; 0.7 with ranking.CONCEPT_REST_SHARE 0.4 gave hit@1 +45 of 12,201 over 0.4 with 0.3 in 第十六轮.
W_COVER = 0.7
COVER_MIN_WEIGHT = 0.5  # a synonym at least this strong (not a loose part) covers the name
_PARENTHESISED = re.compile(r"[（(][^（()）]*[）)]")


def name_coverage(name: str, words: Iterable[str], question: str) -> float:
    """Share (0 to 1) of the Chinese characters of ``name``, its parenthesised parts left out,
    that the question accounts for: inside an occurrence of one of ``words`` (the question's words
    and synonyms), or a character of the question itself."""
    name = _PARENTHESISED.sub("", name) or name
    covered = [ch in question for ch in name]
    for w in words:
        start = 0
        while (i := name.find(w, start)) >= 0:
            covered[i:i + len(w)] = [True] * len(w)
            start = i + 1
    han = [k for k, ch in enumerate(name) if is_cjk(ch)]
    return sum(1 for k in han if covered[k]) / len(han) if han else 0.0


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
           n_docs: int, words: dict[str, float] | None = None) -> dict[int, float]:
    """The candidates' scores with the name overlap and the name's coverage blended in (see the
    module docstring); ``words``: the question's words and synonyms with their weights."""
    if not scores or not (W_NAME or W_COVER):
        return scores
    sims = name_similarity(question, names, df, n_docs) if W_NAME else {}
    top = max(sims.values(), default=0.0)
    best = max(scores.values()) or 1.0
    out = {k: s / best + (W_NAME * sims.get(k, 0.0) / top if top > 0 else 0.0) for k, s in scores.items()}
    if W_COVER:
        strong = [w for w, weight in (words or {}).items() if weight >= COVER_MIN_WEIGHT and len(w) > 1]
        out = {k: s + W_COVER * name_coverage(names.get(k, ""), strong, question) for k, s in out.items()}
    return out
