"""Searching the index: the two-pass BM25F ranking, the ranking cache, code and theme lookups."""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from ..models.search import AUDIENCE_LEGAL, AUDIENCE_PERSON, SearchPosting, SearchTerm, doc_kind
from .analysis import NEGATING_PREFIX, is_cjk, normalise, variant_words
from .index import FACET_THEME, HEADLINE_MIN_WEIGHT, char_ngrams
from .places import catalogue_home, places
from .query import Concept, ParsedQuery, object_word, parse_query
from .rerank import COVER_MIN_WEIGHT, item_names, rerank
from .results import Hit, attach_objects
from .sql import fetch, placeholders, quoted_table
from .vocabulary import Vocabulary, vocabulary

# A question's ranking is cached for this long while the index does not change (its key carries
# the index generation): popular questions then cost one index-state and one row query.
RANKING_CACHE_SECONDS = 600

TOP_PER_TERM = 200  # postings read per term in the first pass
SELECTIVE_SHARE = 0.02  # a term in more than 2% of documents does not propose candidates
CANDIDATES = 80  # documents re-scored exactly in the second pass
MAX_QUERY_TERMS = 40
# Character n-grams (index.char_ngrams) stand in for a word the index has never seen, and for the
# whole question when the words find fewer than FALLBACK_MIN documents; a pair of characters
# counts more than a single one, both less than a word.
W_NGRAM = 0.5
W_UNIGRAM = 0.3
FALLBACK_MIN = 3
CONCEPT_REST_SHARE = 0.4  # a concept's other terms count this much (see _score; 第十六轮 re-measured 0.2–0.5)
MIN_CHAR_SHARE = 0.5  # a part found by characters alone needs this share of its characters
# The operation words of a thing's plain sibling (公共场所卫生许可新办审批 beside its 注销, 变更 …):
# covered in a name when the question names no operation (see _rank_once).
PLAIN_OPERATIONS = ("新办", "新增", "初领", "首次")
BLEND_NGRAMS = 0.3  # every word's characters also count a little (measured on the dev sets: +MRR)
# An item whose headline carries an operation the question did not ask for (注销, 变更, 补办 …,
# data/search/variantwords.txt) ranks below its plain sibling: "网约车运输证" wants 新增, not 注销.
VARIANT_PENALTY = 0.85
VARIANT_MIN_WEIGHT = HEADLINE_MIN_WEIGHT  # a headline's weight (name, 办理项名称); materials and conditions do not count
# A part of the question naming a thing (身份证, 医保) counts this much more than a situation (过期)
# in the share of the question a document answers: 残疾人证换领 matches 过期 but is not about 身份证.
W_OBJECT = 1.5
STRONG_SYNONYM = 0.7  # a synonym this strong (not a sub-word) says what kind of word the part is
# A 一件事 is offered above the results only with at least these shares of the best 一件事's and the
# best item's scores (measured on data/search/eval/demo_bundles.csv: docs/search-quality.md).
BUNDLE_MIN_SHARE = 0.3
BUNDLE_MIN_VS_ITEM = 0.5
def _is_object(c: Concept) -> bool:
    """A part of the question naming a thing (身份证, 医保, 公司), not an operation or a situation
    (注销, 过期 → 换证/延续)."""
    if not object_word(c.label) or c.label in places():
        return False
    ops = variant_words()
    return not any(t in ops for t, w in c.terms.items() if w >= STRONG_SYNONYM)


def ngram_terms(text: str, scale: float = 1.0) -> dict[str, float]:
    """Query weights of the character n-grams of a typed word (see W_NGRAM)."""
    out: dict[str, float] = {}
    if not is_cjk(text):
        return out
    for g in char_ngrams(text):
        out[g] = round((W_NGRAM if len(g) > 2 else W_UNIGRAM) * scale, 4)
    return out


@dataclass
class SearchResult:
    query: ParsedQuery
    items: list[Hit]
    bundles: list[Hit]
    total: int  # documents that matched at least one term (an estimate above TOP_PER_TERM per term)
    elapsed_ms: float = 0.0

    @property
    def highlight_words(self) -> list[str]:
        return self.query.highlight_words


def region_range(region: str | None) -> tuple[str, str] | None:
    """The 12-digit code range of a region and everything under it (``410105`` or ``410105000000``)."""
    if not region:
        return None
    from zhengwu.core.identifiers import region_prefix

    code = re.sub(r"\D", "", region)
    if not code or len(code) > 12:
        raise ValueError("区划代码应为 2 到 12 位数字")
    prefix = region_prefix(code.ljust(12, "0")) if len(code) in (2, 4, 6, 9, 12) else code
    return prefix.ljust(12, "0"), prefix.ljust(12, "9")


def _audience_values(audience: str | None) -> tuple[int, ...] | None:
    if not audience:
        return None
    if audience == "person":
        return (AUDIENCE_PERSON, AUDIENCE_PERSON | AUDIENCE_LEGAL)
    if audience == "legal":
        return (AUDIENCE_LEGAL, AUDIENCE_PERSON | AUDIENCE_LEGAL)
    raise ValueError("服务对象只能是 person（个人）或 legal（法人）")


def _first_pass(term_ids: list[int], rng: tuple[str, str] | None, audiences: tuple[int, ...] | None,
                kind: str | None) -> list[tuple[int, int, float]]:
    """(doc, term_id, weight) of the top postings of every term, filters applied in the scan."""
    table = connection.ops.quote_name(SearchPosting._meta.db_table)
    sqlite = connection.vendor == "sqlite"
    # County portals ask for a narrow code range: scan the term's postings in that range rather
    # than its whole top list (SQLite's planner needs telling; PostgreSQL chooses by itself).
    hint = " INDEXED BY catalog_sp_term_region" if sqlite and rng and len(rng[0].rstrip("0")) >= 6 else ""
    where = ["term_id = %s"]
    params_tail: list = []
    if rng:
        where.append("region_code >= %s AND region_code <= %s")
        params_tail += list(rng)
    if audiences:
        where.append(f"audience IN ({', '.join(['%s'] * len(audiences))})")
        params_tail += list(audiences)
    if kind == "item":
        where.append("doc % 2 = 0")
    elif kind == "bundle":
        where.append("doc % 2 = 1")
    parts, params = [], []
    for i, term_id in enumerate(term_ids):
        parts.append(f"SELECT * FROM (SELECT doc, term_id, weight FROM {table}{hint} WHERE {' AND '.join(where)} "
                     f"ORDER BY weight DESC, doc LIMIT {TOP_PER_TERM}) t{i}")
        params += [term_id, *params_tail]
    if not parts:
        return []
    with connection.cursor() as cur:
        cur.execute(" UNION ALL ".join(parts), params)
        return cur.fetchall()


def _exact_postings(docs: list[int], term_ids: list[int]) -> list[tuple[int, int, float]]:
    if not docs or not term_ids:
        return []
    # "term_id + 0" keeps the planner off the term index: a common term (身份证 is in most
    # items' materials) has tens of thousands of postings, the candidates have a few dozen each.
    return fetch(f"SELECT doc, term_id, weight FROM {quoted_table(SearchPosting)} "
                  f"WHERE doc IN ({placeholders(docs)}) AND (term_id + 0) IN ({placeholders(term_ids)})", [*docs, *term_ids])


@dataclass
class _Grams:
    """What the character n-grams of a question are: term id → its single character (unigrams),
    the n-gram term ids, and, per concept looked for by its characters (an unknown word, or any
    word in the fallback), how many distinct characters its label has."""

    chars: dict[int, str]
    terms: set[int]
    label_chars: dict[int, int]


def _score(rows: Iterable[tuple[int, int, float]], term_concepts: dict[int, list[tuple[int, float]]],
           weights: list[float], grams: _Grams | None = None,
           parts: dict[tuple[int, int], list[frozenset[int]]] | None = None,
           negated: dict[int, set[int]] | None = None) -> dict[int, tuple[float, set[int]]]:
    """Score documents from their postings: per concept its best term (plus a little of the rest),
    times the weighted share of the concepts matched. ``parts`` (exact pass): a term that is only a
    part of a long synonym counts for its concept only where the document has a sibling part too.
    ``negated``: document → the concepts its headline says it is not (非公司 for 公司), matched
    there by no term at all."""
    if parts:
        rows = list(rows)
        doc_terms: dict[int, set[int]] = defaultdict(set)
        for doc, term_id, _ in rows:
            doc_terms[doc].add(term_id)
    best: dict[int, dict[int, float]] = {}
    summed: dict[int, dict[int, float]] = {}
    by_words: dict[int, set[int]] = {}  # doc → concepts it matched through a word (not n-grams)
    seen_chars: dict[tuple[int, int], set[str]] = {}
    for doc, term_id, weight in rows:
        per = best.get(doc)
        if per is None:
            per = best[doc] = {}
            summed[doc] = {}
            by_words[doc] = set()
        acc = summed[doc]
        is_gram = grams is not None and term_id in grams.terms
        for ci, qw in term_concepts[term_id]:
            if parts and (term_id, ci) in parts and not any(g & doc_terms[doc] for g in parts[(term_id, ci)]):
                continue
            if negated and ci in negated.get(doc, ()):
                continue
            s = qw * weight
            acc[ci] = acc.get(ci, 0.0) + s
            if s > per.get(ci, 0.0):
                per[ci] = s
            if not is_gram:
                by_words[doc].add(ci)
            elif term_id in grams.chars:
                seen_chars.setdefault((doc, ci), set()).add(grams.chars[term_id])
    out = {}
    for doc, per in best.items():
        acc = summed[doc]
        if grams is not None:
            # A part matched by characters alone counts only if it holds half of its characters (two
            # at least): "养犬证" in 犬类准养证核发, not "量子" in anything with a 子.
            for ci in [ci for ci in per if ci not in by_words[doc] and ci in grams.label_chars]:
                n = grams.label_chars.get(ci, 0)
                need = min(n, max(2, math.ceil(n * MIN_CHAR_SHARE)))  # and two characters at least
                if len(seen_chars.get((doc, ci), ())) < need:
                    del per[ci]
        if not per:
            continue
        # A concept scores its best term, plus a little of its other terms: a document holding
        # 建设工程, 规划 and 许可证 answers "建设工程规划许可证" better than one with only 规划许可.
        total = sum(b + CONCEPT_REST_SHARE * (acc[ci] - b) for ci, b in per.items())
        out[doc] = (total * sum(weights[ci] for ci in per) / sum(weights), set(per))
    return out


def search(q: str, *, region: str | None = None, audience: str | None = None, limit: int = 20,
           offset: int = 0, bundle_limit: int = 3) -> SearchResult:
    """Ranked published items (and 一件事) for a question in the citizen's own words.

    ``region``: a region code (or its leading digits) — the region and everything under it;
    ``audience``: ``person`` or ``legal`` (items for both are included in either).
    Raises ValueError with a Chinese message on a bad filter.
    """
    started = time.perf_counter()
    rng = region_range(region)
    audiences = _audience_values(audience)
    vocab = vocabulary()
    # Where the search is, for the places the question names: the region asked, else the platform's.
    home = region or getattr(settings, "ZHENGWU_HOME_REGION", "") or catalogue_home((vocab.token, vocab.generation))
    parsed = parse_query(q, vocab, home or None)
    if parsed.code:
        hits = _code_hits(parsed.code, rng, audiences)
        return SearchResult(parsed, hits[offset:offset + limit], [], len(hits),
                            (time.perf_counter() - started) * 1000)
    if not parsed.concepts:
        return SearchResult(parsed, [], [], 0, (time.perf_counter() - started) * 1000)
    # The ranking depends only on the question and the index, whose (token, generation) the
    # vocabulary has just read: a repeated question (the portal's popular ones) is served from the
    # cache until the index changes. The rows are always read fresh (names, still published).
    key = _ranking_key(vocab, q, rng, audiences, limit, offset, bundle_limit)
    ranking = cache.get(key)
    if ranking is None:
        ranking = _rank(parsed, vocab, rng, audiences, limit, offset, bundle_limit)
        cache.set(key, ranking, RANKING_CACHE_SECONDS)
    total, item_rank, bundle_rank = ranking
    item_hits = [Hit("item", pk, score, list(matched)) for pk, score, matched in item_rank]
    bundle_hits = [Hit("bundle", pk, score, list(matched)) for pk, score, matched in bundle_rank]
    attach_objects(item_hits, bundle_hits)
    return SearchResult(parsed, [h for h in item_hits if h.obj is not None],
                        [h for h in bundle_hits if h.obj is not None], total,
                        (time.perf_counter() - started) * 1000)


def _ranking_key(vocab: Vocabulary, q: str, rng, audiences, limit: int, offset: int, bundle_limit: int) -> str:
    raw = json.dumps([normalise(q), rng, audiences, limit, offset, bundle_limit], ensure_ascii=False)
    return f"search:rank:{vocab.token}:{vocab.generation}:{hashlib.sha1(raw.encode()).hexdigest()}"


def _rank(parsed: ParsedQuery, vocab: Vocabulary, rng, audiences, limit: int, offset: int,
          bundle_limit: int) -> tuple[int, list[tuple], list[tuple]]:
    """(total, [(item pk, score, matched labels)], [(bundle pk, score, matched labels)])."""
    ranking = _rank_once(parsed, vocab, rng, audiences, limit, offset, bundle_limit, all_ngrams=False)
    if ranking[0] < FALLBACK_MIN and any(is_cjk(c.label) for c in parsed.concepts):
        # Too little for a sensible question: let every word's characters propose items too.
        again = _rank_once(parsed, vocab, rng, audiences, limit, offset, bundle_limit, all_ngrams=True)
        if again[0] > ranking[0]:
            return again
    return ranking


def _rank_once(parsed: ParsedQuery, vocab: Vocabulary, rng, audiences, limit: int, offset: int,
               bundle_limit: int, *, all_ngrams: bool) -> tuple[int, list[tuple], list[tuple]]:
    concepts = [Concept(c.label, dict(c.terms)) for c in parsed.concepts]
    terms = parsed.terms
    # The strongest terms only: a long question with many synonyms must not turn into 100 scans.
    chosen = dict(sorted(terms.items(), key=lambda kv: -kv[1])[:MAX_QUERY_TERMS])
    asked = set(terms) | {c.label for c in concepts}
    variants = [w for w in variant_words() if w not in asked]
    # A question that names no operation (注销, 变更 … nor a synonym of one as strong as a covering
    # word) asks for the thing itself: the plain sibling's own operation word (新办, 首次 …) in a
    # name is then what the question means, and counts as covered (rerank.name_coverage).
    ops = variant_words()
    cover_words = terms if any(w in ops and (w not in terms or terms[w] >= COVER_MIN_WEIGHT) for w in asked) \
        else {**{w: 1.0 for w in PLAIN_OPERATIONS}, **terms}
    # 非 + a word the question asks for (非公司 for 公司): a headline holding it says the item is not that.
    negations = {NEGATING_PREFIX + c.label: ci for ci, c in enumerate(concepts)
                 if is_cjk(c.label) and not c.label.startswith(NEGATING_PREFIX) and NEGATING_PREFIX + c.label not in asked}
    words = list(chosen) + variants + list(negations)
    rows = fetch(f"SELECT id, term, df, head_df FROM {quoted_table(SearchTerm)} WHERE term IN ({placeholders(words)}) AND df > 0",
                 words) if words else []
    known = {term for _, term, _, _ in rows}
    negation_ids = {term_id: negations[term] for term_id, term, _, _ in rows if term in negations and term not in chosen}
    variant_ids = {term_id for term_id, term, _, _ in rows if term not in chosen and term_id not in negation_ids}
    rows = [r for r in rows if r[0] not in variant_ids and r[0] not in negation_ids]
    # A part of the question the index has no word for (or, in the fallback, every part) is
    # looked for by its characters.
    grams: list[str] = []
    by_chars: set[int] = set()  # concepts looked for by their characters in earnest
    for ci, c in enumerate(concepts):
        scale = 1.0 if all_ngrams or not (known & set(c.terms)) else BLEND_NGRAMS
        if scale == 1.0:
            by_chars.add(ci)
        if scale:
            for g, w in ngram_terms(c.label, scale).items():
                c.add(g, w)
                grams.append(g)
    gram_set = set(grams)
    if grams:
        grams = list(dict.fromkeys(grams))
        rows += fetch(f"SELECT id, term, df, head_df FROM {quoted_table(SearchTerm)} WHERE term IN ({placeholders(grams)}) AND df > 0", grams)
    n_docs = max(vocab.doc_count, 1)
    term_concepts: dict[int, list[tuple[int, float]]] = defaultdict(list)
    # IDF by the documents whose headline carries the term (SearchTerm.head_df): 身份证 in the
    # materials of most items is still rare as what an item is about.
    df_of = {t: df for t, _, df, _ in rows}  # how many postings a term has: what a scan of it costs
    rows = [(t, term, head_df) for t, term, _, head_df in rows]
    for term_id, term, df in rows:
        idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        for ci, c in enumerate(concepts):
            if term in c.terms:
                term_concepts[term_id].append((ci, c.terms[term] * idf))
    term_id_of = {term: term_id for term_id, term, _ in rows}
    parts = {(term_id_of[t], ci): [frozenset(term_id_of[x] for x in g if x in term_id_of) for g in groups]
             for ci, c in enumerate(parsed.concepts) for t, groups in c.parts.items() if t in term_id_of}
    objects = {ci for ci, c in enumerate(concepts) if _is_object(c)}
    weights = [W_OBJECT if ci in objects else 1.0 for ci in range(len(concepts))] or [1.0]
    term_ids = sorted(term_concepts)
    # Candidates come from the selective terms; a very common term (身份证 sits in most items'
    # materials) only re-scores them in the second pass — unless the question has nothing else.
    gram_info_terms = {term_id for term_id, term, _ in rows if term in gram_set}
    selective = [t for t in term_ids if df_of[t] <= max(SELECTIVE_SHARE * n_docs, TOP_PER_TERM)]
    # A part of the question whose own word is common (身份证 sits in most items' materials) still
    # proposes that word's top postings — by weight, so the items that carry it in their name:
    # otherwise "身份证过期了咋个换" would only see the items that match 过期.
    chosen_ids = set(selective)
    for ci in range(len(concepts)):
        ids = [(qw, t) for t in term_ids for cj, qw in term_concepts[t] if cj == ci and t not in gram_info_terms]
        if ids and max(ids)[1] not in chosen_ids:
            selective.append(max(ids)[1])
            chosen_ids.add(selective[-1])
    gram_info = _Grams({term_id: term[1:] for term_id, term, _ in rows if term in gram_set and len(term) == 2},
                       {term_id for term_id, term, _ in rows if term in gram_set},
                       {ci: len(set(c.label)) for ci, c in enumerate(concepts) if ci in by_chars and is_cjk(c.label)})
    # The first pass reads only the selective terms, so it cannot judge the characters' share yet.
    first = _score(_first_pass(selective or term_ids, rng, audiences, None), term_concepts, weights)
    total = len(first)
    # Second pass: the best candidates of each kind, scored with all their postings.
    ranked = sorted(first.items(), key=lambda kv: (-kv[1][0], kv[0]))
    item_docs = [d for d, _ in ranked if d % 2 == 0][:max(CANDIDATES, offset + limit)]
    bundle_docs = [d for d, _ in ranked if d % 2 == 1][:max(bundle_limit * 3, 10)]
    penalised: set[int] = set()
    exact: dict[int, tuple[float, set[int]]] = {}
    if ranked:
        postings = _exact_postings(item_docs + bundle_docs, term_ids + sorted(variant_ids) + sorted(negation_ids))
        penalised = {d for d, t, w in postings if t in variant_ids and w >= VARIANT_MIN_WEIGHT}
        negated: dict[int, set[int]] = defaultdict(set)
        for d, t, w in postings:
            if t in negation_ids and w >= VARIANT_MIN_WEIGHT:
                negated[d].add(negation_ids[t])
        # A 一件事 is offered only when its headline (name, 通俗名称, keywords) carries a word of the
        # question or a strong synonym (not a sub-word, not 申领 standing for 身份证): 新生儿出生一件事
        # lists 居民身份证 among its members' materials, but it is no answer to "身份证过期了".
        strong = {term_id for term_id, term, _ in rows if terms.get(term, 0) >= STRONG_SYNONYM}
        headlined = {d for d, t, w in postings if d % 2 == 1 and w >= HEADLINE_MIN_WEIGHT and t in strong}
        bundle_docs = [d for d in bundle_docs if d in headlined]
        exact = _score((p for p in postings if p[1] not in variant_ids and p[1] not in negation_ids), term_concepts, weights,
                       gram_info, parts, negated)

    def hits_of(docs: list[int], names: bool = False) -> list[Hit]:
        scores = {}
        for d in docs:
            if d not in exact:  # matched by too few of a part's characters
                continue
            score = exact[d][0]
            scores[d] = score * VARIANT_PENALTY if d in penalised else score
        if names and scores:
            # How much of the question's characters each name carries (rerank.py): a witness that
            # does not depend on the lexicon, for catalogues written in words it does not link.
            by_pk = item_names([doc_kind(d)[1] for d in scores])
            scores = rerank(scores, parsed.text, {d: by_pk.get(doc_kind(d)[1], "") for d in scores},
                            vocab.df, n_docs, cover_words)
        hits = []
        for d, score in scores.items():
            kind, pk = doc_kind(d)
            matched = sorted({c.label for ci, c in enumerate(concepts) if ci in exact[d][1]})
            hits.append(Hit(kind, pk, round(score, 4), matched))
        hits.sort(key=lambda h: (-h.score, h.pk))
        return hits

    item_hits, bundle_hits = hits_of(item_docs, names=True), hits_of(bundle_docs)
    if bundle_hits:
        # One far weaker than the best 一件事, or than the best item (by the ranking's own score,
        # before the name reranker), matched a stray word of the question: it is not offered.
        best_item = max((exact[d][0] for d in item_docs if d in exact), default=0.0)
        floor = max(BUNDLE_MIN_SHARE * bundle_hits[0].score, BUNDLE_MIN_VS_ITEM * best_item)
        bundle_hits = [h for h in bundle_hits if h.score >= floor]
    if not item_hits and not bundle_hits:
        total = 0
    return (total, [(h.pk, h.score, tuple(h.matched)) for h in item_hits[offset:offset + limit]],
            [(h.pk, h.score, tuple(h.matched)) for h in bundle_hits[:bundle_limit]])



def _code_hits(code: str, rng: tuple[str, str] | None, audiences: tuple[int, ...] | None) -> list[Hit]:
    """A query that is an item code: 基本编码 (12), 实施编码 (31), 业务办理项编码 (33) or a
    province's own shape — matched exactly on the indexed code columns."""
    from django.db.models import Q

    from ..models import ServiceItem
    from ..models.items import ItemStatus

    cond = Q(implementation_code=code) | Q(base_item__code=code)
    if len(code) > 31:
        cond |= Q(implementation_code=code[:31], handling_code=code)
    qs = ServiceItem.objects.filter(cond, status=ItemStatus.PUBLISHED).select_related("department", "region", "base_item")
    if rng:
        qs = qs.filter(region__code__gte=rng[0], region__code__lte=rng[1])
    if audiences:
        objs = [k for k, v in (("person", AUDIENCE_PERSON), ("legal", AUDIENCE_LEGAL), ("both", 3)) if v in audiences]
        qs = qs.filter(service_object__in=objs)
    return [Hit("item", i.pk, 1.0, [code], i) for i in qs.order_by("pk")[:200]]


def items_with_theme(theme: str, *, region: str | None = None, audience: str | None = None,
                     offset: int = 0, limit: int = 20) -> tuple[list[int], int]:
    """Ids of published items in a 主题分类 (from the index's theme facet) and how many there are."""
    rng = region_range(region)
    audiences = _audience_values(audience)
    term_id = SearchTerm.objects.filter(term=f"{FACET_THEME}{theme}"[:64]).values_list("id", flat=True).first()
    if term_id is None:
        return [], 0
    qs = SearchPosting.objects.filter(term_id=term_id)
    if rng:
        qs = qs.filter(region_code__gte=rng[0], region_code__lte=rng[1])
    if audiences:
        qs = qs.filter(audience__in=audiences)
    total = qs.count()
    docs = list(qs.order_by("doc").values_list("doc", flat=True)[offset:offset + limit])
    return [d // 2 for d in docs if d % 2 == 0], total
