"""Plain-language search over the catalogue (事项搜索): "孩子出生上户口" finds 出生登记.

How a query is understood (:func:`parse_query`):

1. Text is normalised (full-width → half-width, lower case) and cut into words by jieba, with a
   user dictionary of domain words (``data/search/userdict.txt`` plus every word of the synonyms
   file) so that 上户口, 小餐饮, 期满换证 stay whole. Stop words (怎么, 要, 办, 啥, 我想 …) go.
2. Every remaining word becomes a *concept*: the word itself, its dictionary sub-words (户口登记 →
   户口, 登记) and its synonyms from ``data/synonyms.txt`` (上户口 = 落户 = 入户; 驾照 = 驾驶证;
   "公积金 取>提取" applies only when 公积金 is in the query too), each with a lower weight than
   the word the citizen typed.
3. Letters are read as pinyin: full spellings (``jiashizheng``), initials (``gjj``) and runs of
   spellings (``gongjijintiqu``) resolve to indexed words through a pinyin map of the vocabulary.
4. Words the index has never seen are repaired where cheap: a homophone typo (驾使证) through its
   pinyin, anything else by rapidfuzz against the vocabulary.

Ranking is BM25F: every indexed document (a published item or 一件事) has, per term, a weight that
already folds in the field it came from (name, 通俗名称 and keywords weigh far more than
materials or 受理条件) and the length of its headline; a query adds, per concept, the best
``query weight × IDF × document weight`` of the concept's terms, and multiplies the sum by the
share of concepts the document matched, so that an item matching every part of the question
beats one that matches a single word many times.

Performance (100,000 items, ``bench/search_items.py``): the index lives in two tables
(:mod:`zhengwu.catalog.models.search`); a query reads, per term, only its top postings by weight
(one UNION ALL statement, region and audience filters applied inside the scan), scores those,
then re-scores the best candidates exactly with all their postings. Each process keeps the
vocabulary (term → document frequency, pinyin map) in memory for typo and pinyin handling, and
brings it up to date on every query by comparing the index's generation counter — one
primary-key read — so nothing depends on which process wrote the index.

Keeping the index fresh: :func:`index_item` / :func:`index_items` / :func:`index_bundle` write
inside the caller's transaction; the signal receivers in :mod:`zhengwu.catalog.signals` call
them after commit for every saved or deleted item, bundle and bundle member;
:func:`rebuild_index` (``zhengwu reindex-items``) rebuilds everything.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import threading
import time
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .models.search import (
    AUDIENCE_LEGAL,
    AUDIENCE_PERSON,
    SearchIndexState,
    SearchPosting,
    SearchTerm,
    bundle_doc,
    doc_kind,
    item_doc,
)

logger = logging.getLogger(__name__)

# A question's ranking is cached for this long while the index does not change (its key carries
# the index generation): popular questions then cost one index-state and one row query.
RANKING_CACHE_SECONDS = 600

DATA_DIR = Path(__file__).resolve().parent / "data"

# -- ranking parameters --------------------------------------------------------------------------
# Field weights (BM25F): what the item *is* (name, 通俗名称, keywords) outweighs what it asks for.
FIELD_WEIGHTS = {
    "name": 6.0,
    "popular_name": 6.0,
    "keywords": 4.0,
    "handling_name": 3.0,
    "base_name": 3.0,
    "results": 1.5,
    "themes": 1.5,
    "department": 1.0,
    "description": 1.0,
    "member_items": 1.5,
    "materials": 0.3,
    "conditions": 0.2,
}
HEADLINE_FIELDS = frozenset({"name", "popular_name", "keywords", "handling_name"})
K1 = 2.0
B = 0.4
AVG_HEADLINE_LEN = 8.0
FACET_WEIGHT = 1.0
CONDITIONS_CHARS = 300

# Query weights: what the citizen typed counts fully; what we inferred counts less.
W_TYPED = 1.0
W_PINYIN = 0.9
W_SYNONYM = 0.85
W_EXPANSION = 0.75
W_SUBWORD = 0.5
W_FUZZY = 0.6
W_INITIALS = 0.8

TOP_PER_TERM = 200  # postings read per term in the first pass
SELECTIVE_SHARE = 0.02  # a term in more than 2% of documents does not propose candidates
CANDIDATES = 80  # documents re-scored exactly in the second pass
MAX_QUERY_TERMS = 40
MAX_QUERY_CHARS = 100
FUZZY_CUTOFF = 70.0

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUN_RE = re.compile(rf"[{_CJK}]+|[a-z]+|[0-9]+")
_CJK_RE = re.compile(rf"^[{_CJK}]+$")
_ASCII_RE = re.compile(r"^[a-z0-9]+$")
_KEYWORD_SPLIT = re.compile(r"[\s,，、;；/|]+")
_CODE_RE = re.compile(r"^[0-9A-Za-z]{10,}$")

FACET_THEME = "@theme:"


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), lower case, trimmed."""
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def is_cjk(word: str) -> bool:
    return bool(_CJK_RE.match(word))


def pinyin_of(word: str) -> tuple[str, str]:
    """(full pinyin, initials) of a Chinese word, without tones: 公积金 → (gongjijin, gjj)."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(word, errors="ignore")
    if len(syllables) != len(word):  # a character pypinyin does not know: no reliable spelling
        return "", ""
    full = "".join(syllables)
    initials = "".join(s[0] for s in lazy_pinyin(word, style=Style.FIRST_LETTER, errors="ignore") if s)
    return full, initials


# == Dictionaries and the analyzer (no ORM) ====================================================
@dataclass(frozen=True)
class SynonymRule:
    """One line of synonyms.txt. ``sources`` expand to ``targets``; a two-way rule has both equal."""

    sources: frozenset[str]
    targets: tuple[str, ...]
    context: frozenset[str] = frozenset()
    two_way: bool = False


def _read_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


def parse_synonyms(lines: Iterable[str]) -> list[SynonymRule]:
    """Parse the synonyms file format (see the header of data/synonyms.txt)."""
    rules: list[SynonymRule] = []
    for line in lines:
        parts = line.split()
        body = parts[-1]
        context = frozenset(normalise(w) for c in parts[:-1] for w in c.split("|") if w)
        if ">" in body:
            left, right = body.split(">", 1)
            sources = [normalise(w) for w in re.split(r"[=,，]", left) if w]
            targets = [normalise(w) for w in re.split(r"[=,，]", right) if w]
            if sources and targets:
                rules.append(SynonymRule(frozenset(sources), tuple(targets), context, False))
        else:
            words = [normalise(w) for w in body.split("=") if w]
            if len(words) > 1:
                rules.append(SynonymRule(frozenset(words), tuple(words), context, True))
    return rules


class Analyzer:
    """Segmentation, stop words and synonyms. One per process (:func:`analyzer`), thread-safe."""

    def __init__(self, data_dir: Path = DATA_DIR) -> None:
        self.stopwords = frozenset(normalise(w) for w in _read_lines(data_dir / "search" / "stopwords.txt"))
        self.splitwords = [normalise(w) for w in _read_lines(data_dir / "search" / "splitwords.txt")]
        self.userwords: list[tuple[str, int | None]] = []
        for line in _read_lines(data_dir / "search" / "userdict.txt"):
            word, _, freq = line.partition(" ")
            self.userwords.append((normalise(word), int(freq) if freq.strip().isdigit() else None))
        self.rules = parse_synonyms(_read_lines(data_dir / "synonyms.txt"))
        self.rules_by_word: dict[str, list[SynonymRule]] = defaultdict(list)
        for rule in self.rules:
            for w in rule.sources:
                self.rules_by_word[w].append(rule)
        self.synonym_words = frozenset(w for r in self.rules for w in (*r.sources, *r.targets))
        self._tokenizer = None
        self._cache: dict[str, tuple[tuple[str, ...], int]] = {}
        self._lock = threading.Lock()

    # -- jieba ---------------------------------------------------------------------------------
    @property
    def tokenizer(self):
        if self._tokenizer is None:
            with self._lock:
                if self._tokenizer is None:
                    self._tokenizer = self._build_tokenizer()
        return self._tokenizer

    def _build_tokenizer(self):
        import jieba

        tk = jieba.Tokenizer()
        tk.initialize()
        known = {w for w, _ in self.userwords}
        for word, freq in self.userwords:
            if len(word) > 1:
                tk.add_word(word, freq=freq or 1000)
        for word in sorted(self.synonym_words - known):
            if len(word) > 1 and is_cjk(word):
                tk.add_word(word, freq=500)
        for word in self.splitwords:
            tk.del_word(word)
        pinyin_of("预热")  # pypinyin loads its phrase dictionaries on first use (~1 s): do it here
        return tk

    def is_word(self, text: str) -> bool:
        return self.tokenizer.FREQ.get(text, 0) > 0

    def cut(self, text: str) -> list[str]:
        """Precise segmentation of normalised text, punctuation and spaces dropped."""
        out = []
        for tok in self.tokenizer.cut(text, HMM=True):
            tok = tok.strip()
            if tok and (tok.isalnum()):
                out.append(tok)
        return out

    def subwords(self, word: str) -> list[str]:
        """Dictionary words inside a longer word (机动车驾驶证 → 机动车, 驾驶证, 驾驶 …)."""
        n = len(word)
        if n < 3 or not is_cjk(word) or n > 16:
            return []
        freq = self.tokenizer.FREQ
        found = []
        for size in range(n - 1, 1, -1):
            for i in range(0, n - size + 1):
                s = word[i:i + size]
                if freq.get(s, 0) > 0 and s not in self.stopwords:
                    found.append(s)
        return found

    def analyse(self, text: str) -> tuple[tuple[str, ...], int]:
        """The terms a text contributes to the index — words and their sub-words, with repeats
        (term frequency); no stop words, no single Chinese characters — and its length in words.

        Cached per text: a catalogue repeats itself (the same 基本目录 names, materials and
        conditions in every region), and segmentation is most of the cost of indexing.
        """
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        out: list[str] = []
        length = 0
        for tok in self.cut(normalise(text)):
            if tok in self.stopwords:
                continue
            length += 1
            if is_cjk(tok):
                # Single characters carry meaning only where the synonyms give them one (开, 取).
                if len(tok) > 1 or tok in self.rules_by_word:
                    out.append(tok)
                out.extend(self.subwords(tok))
            elif len(tok) > 1 or tok.isdigit():
                out.append(tok)
        result = (tuple(out), length)
        if len(self._cache) > 200_000:
            self._cache.clear()
        self._cache[text] = result
        return result

    def index_words(self, text: str) -> list[str]:
        return list(self.analyse(text)[0])

    # -- synonyms ------------------------------------------------------------------------------
    def expansions(self, word: str, context: set[str]) -> dict[str, float]:
        """Synonyms of ``word`` that apply given the query's other words, with their weights."""
        out: dict[str, float] = {}
        for rule in self.rules_by_word.get(word, ()):
            if rule.context and not (rule.context & context):
                continue
            weight = W_SYNONYM if rule.two_way else W_EXPANSION
            for t in rule.targets:
                if t != word and out.get(t, 0) < weight:
                    out[t] = weight
        return out


_analyzer: Analyzer | None = None
_analyzer_lock = threading.Lock()


def analyzer() -> Analyzer:
    global _analyzer
    if _analyzer is None:
        with _analyzer_lock:
            if _analyzer is None:
                _analyzer = Analyzer()
    return _analyzer


# == Documents: what gets indexed ===============================================================
@dataclass
class Document:
    """A document ready for the index: term → BM25F weight, plus its filter columns."""

    doc: int
    weights: dict[str, float]
    region_code: str
    audience: int


def audience_bits(service_object: str) -> int:
    return {"person": AUDIENCE_PERSON, "legal": AUDIENCE_LEGAL}.get(service_object, AUDIENCE_PERSON | AUDIENCE_LEGAL)


def build_document(doc: int, fields: Sequence[tuple[str, str]], *, region_code: str, audience: int,
                   facets: Iterable[str] = ()) -> Document:
    """BM25F weights of a document given ``(field, text)`` pairs (see FIELD_WEIGHTS)."""
    an = analyzer()
    tf: dict[str, float] = defaultdict(float)
    length = 0
    for name, text in fields:
        if not text:
            continue
        fw = FIELD_WEIGHTS[name]
        words, n = an.analyse(text)
        if name == "keywords":
            words = []
            for kw in _KEYWORD_SPLIT.split(normalise(text)):
                if not kw:
                    continue
                ws = list(an.analyse(kw)[0])
                if kw not in ws and 1 < len(kw) <= 12:
                    ws.append(kw)
                words.extend(dict.fromkeys(ws))  # one keyword counts a word once
        if name in HEADLINE_FIELDS:
            length += n
        for w in words:
            if len(w) <= 64:
                tf[w] += fw
    norm = K1 * (1 - B + B * max(length, 1) / AVG_HEADLINE_LEN)
    weights = {t: round(v * (K1 + 1) / (v + norm), 5) for t, v in tf.items()}
    for facet in facets:
        weights[facet[:64]] = FACET_WEIGHT
    return Document(doc, weights, region_code, audience)


def item_document(item) -> Document:
    """The document of a published service item (``item`` with region, department, base_item,
    published_version and its materials loaded — see :func:`_items_for_index`)."""
    v = item.published_version
    fields: list[tuple[str, str]] = [
        ("name", item.name),
        ("popular_name", item.popular_name),
        ("keywords", item.keywords),
        ("handling_name", item.handling_name),
        ("themes", " ".join(item.themes or [])),
        ("department", f"{item.department.name} {item.department.short_name}"),
    ]
    if item.base_item_id and item.base_item.name != item.name:
        fields.append(("base_name", item.base_item.name))
    if v is not None:
        fields.append(("results", " ".join(str(r.get("name", "")) for r in (v.results or []) if isinstance(r, dict))))
        fields.append(("materials", " ".join(m.name for m in v.materials.all())))
        fields.append(("conditions", (v.acceptance_conditions or "")[:CONDITIONS_CHARS]))
    facets = [f"{FACET_THEME}{t}" for t in (item.themes or []) if t]
    return build_document(item_doc(item.pk), fields, region_code=item.region.code,
                          audience=audience_bits(item.service_object), facets=facets)


def bundle_document(bundle) -> Document:
    """The document of a published 一件事 (``bundle`` with region and member items loaded)."""
    members = " ".join(bi.service_item.name for bi in bundle.bundle_items.all())
    fields = [
        ("name", bundle.name),
        ("popular_name", bundle.popular_name),
        ("keywords", bundle.keywords),
        ("description", bundle.description[:CONDITIONS_CHARS]),
        ("member_items", members),
    ]
    return build_document(bundle_doc(bundle.pk), fields, region_code=bundle.region.code,
                          audience=audience_bits(bundle.target))


# == Writing the index ===========================================================================
def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _fetch(sql: str, params: Sequence = ()) -> list[tuple]:
    """Run a read on the hot path without the ORM's per-query compilation cost."""
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _in(values: Sequence) -> str:
    return ", ".join(["%s"] * len(values))


def _chunks(seq: Sequence, size: int = 500):
    for i in range(0, len(seq), size):
        yield seq[i:i + size]


def _bump_generation() -> int:
    """Take the index write lock (the state row) and return the new generation.

    The UPDATE comes first so that on PostgreSQL the row lock, and on SQLite the write lock, is
    held from here to commit: index writers are serialised and generations follow commit order.
    """
    updated = SearchIndexState.objects.filter(pk=1).update(generation=F("generation") + 1)
    if not updated:
        SearchIndexState.objects.get_or_create(pk=1, defaults={"generation": 0, "token": uuid.uuid4().hex})
        SearchIndexState.objects.filter(pk=1).update(generation=F("generation") + 1)
    return SearchIndexState.objects.values_list("generation", flat=True).get(pk=1)


def _ensure_terms(terms: Iterable[str], generation: int, known: dict[str, int] | None = None) -> dict[str, int]:
    """Ids of ``terms``, creating the missing ones (with their pinyin)."""
    ids: dict[str, int] = {}
    wanted = [t for t in set(terms) if not (known and t in known)]
    if known:
        ids.update({t: known[t] for t in terms if t in known})
    for chunk in _chunks(wanted):
        for term_id, term in SearchTerm.objects.filter(term__in=chunk).values_list("id", "term"):
            ids[term] = term_id
    missing = [t for t in wanted if t not in ids]
    if missing:
        rows = []
        for t in missing:
            full, initials = pinyin_of(t) if is_cjk(t) and len(t) > 1 else ("", "")
            rows.append(SearchTerm(term=t, df=0, changed_gen=generation, pinyin=full[:120], initials=initials[:40]))
        SearchTerm.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
        for chunk in _chunks(missing):
            for term_id, term in SearchTerm.objects.filter(term__in=chunk).values_list("id", "term"):
                ids[term] = term_id
    if known is not None:
        known.update(ids)
    return ids


def _insert_postings(rows: list[tuple]) -> None:
    if not rows:
        return
    table = _table(SearchPosting)
    columns = "term_id, doc, weight, region_code, audience"
    with connection.cursor() as cur:
        if connection.vendor == "postgresql" and len(rows) > 1000:
            # COPY is several times faster than INSERT for the millions of rows of a rebuild.
            with cur.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s)"
        for chunk in _chunks(rows, 5000):
            cur.executemany(sql, chunk)


def _overview_changed_on_commit() -> None:
    from .overview import overview_changed

    transaction.on_commit(overview_changed, robust=True)


def write_documents(docs: dict[int, Document | None]) -> None:
    """Replace the postings of the given documents (None: remove from the index), keeping the
    document frequencies and the document count right. Runs in the caller's transaction."""
    if not docs:
        return
    keys = sorted(docs)
    with transaction.atomic():
        generation = _bump_generation()
        _overview_changed_on_commit()
        old: dict[int, set[int]] = defaultdict(set)
        for chunk in _chunks(keys):
            for doc, term_id in SearchPosting.objects.filter(doc__in=chunk).values_list("doc", "term_id"):
                old[doc].add(term_id)
            SearchPosting.objects.filter(doc__in=chunk).delete()
        ids = _ensure_terms({t for d in docs.values() if d for t in d.weights}, generation)
        rows = []
        delta: dict[int, int] = defaultdict(int)
        doc_delta = 0
        for key in keys:
            d = docs[key]
            new_ids = {ids[t] for t in d.weights} if d else set()
            for t in old.get(key, set()) - new_ids:
                delta[t] -= 1
            for t in new_ids - old.get(key, set()):
                delta[t] += 1
            doc_delta += (1 if d else 0) - (1 if key in old else 0)
            if d:
                rows.extend((ids[t], key, w, d.region_code, d.audience) for t, w in d.weights.items())
        _insert_postings(rows)
        by_delta: dict[int, list[int]] = defaultdict(list)
        for term_id, n in delta.items():
            if n:
                by_delta[n].append(term_id)
        for n, term_ids in by_delta.items():
            for chunk in _chunks(term_ids):
                SearchTerm.objects.filter(pk__in=chunk).update(df=F("df") + n, changed_gen=generation)
        if doc_delta:
            SearchIndexState.objects.filter(pk=1).update(doc_count=F("doc_count") + doc_delta)


def _items_for_index(ids: Iterable[int]):
    from django.db.models import Prefetch

    from .models import Material, ServiceItem

    # region/department/base_item and the published version are read for every document, and
    # the version's materials too: select/prefetch them so a batch costs a fixed number of
    # queries, and only the columns a document uses (not the guide's JSON).
    return (ServiceItem.objects.filter(pk__in=list(ids))
            .select_related("region", "department", "base_item", "published_version")
            .only("id", "status", "name", "popular_name", "keywords", "handling_name", "themes", "service_object",
                  "region_id", "department_id", "base_item_id", "published_version_id", "region__code",
                  "department__name", "department__short_name", "base_item__name",
                  "published_version__results", "published_version__acceptance_conditions")
            .prefetch_related(Prefetch("published_version__materials",
                                       queryset=Material.objects.only("id", "version_id", "name", "seq"))))


def _is_searchable(item) -> bool:
    from .models.items import ItemStatus

    return item.status == ItemStatus.PUBLISHED and item.published_version_id is not None


def index_items(item_ids: Iterable[int]) -> None:
    """(Re)index service items by id: published ones are (re)written, others removed."""
    ids = sorted({int(i) for i in item_ids})
    for chunk in _chunks(ids):
        docs: dict[int, Document | None] = {item_doc(pk): None for pk in chunk}
        for item in _items_for_index(chunk):
            if _is_searchable(item):
                docs[item_doc(item.pk)] = item_document(item)
        write_documents(docs)


def index_item(item) -> None:
    """(Re)index one service item — call after it is published, changed, disabled or deleted."""
    index_items([getattr(item, "pk", item)])


def _bundles_for_index(ids: Iterable[int]):
    from .models import Bundle

    # Member item names go into the document: prefetch them with the bundle.
    return (Bundle.objects.filter(pk__in=list(ids)).select_related("region")
            .prefetch_related("bundle_items__service_item"))


def index_bundles(bundle_ids: Iterable[int]) -> None:
    from .models import Bundle

    ids = sorted({int(i) for i in bundle_ids})
    for chunk in _chunks(ids):
        docs: dict[int, Document | None] = {bundle_doc(pk): None for pk in chunk}
        for b in _bundles_for_index(chunk):
            if b.status == Bundle.Status.PUBLISHED:
                docs[bundle_doc(b.pk)] = bundle_document(b)
        write_documents(docs)


def index_bundle(bundle) -> None:
    """(Re)index one 一件事 — call after it is published, changed, disabled or deleted."""
    index_bundles([getattr(bundle, "pk", bundle)])


def rebuild_index(*, batch_size: int = 1000, progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index from the published items and bundles; returns the document count.

    One transaction: searches keep reading the old index until the new one commits.
    """
    from .models import Bundle, ServiceItem
    from .models.items import ItemStatus

    with transaction.atomic():
        _bump_generation()
        _overview_changed_on_commit()
        with connection.cursor() as cur:  # plain DELETEs: no ORM collector over millions of rows
            cur.execute(f"DELETE FROM {connection.ops.quote_name(SearchPosting._meta.db_table)}")
            cur.execute(f"DELETE FROM {connection.ops.quote_name(SearchTerm._meta.db_table)}")
        generation = SearchIndexState.objects.values_list("generation", flat=True).get(pk=1)
        item_ids = list(ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, published_version__isnull=False)
                        .order_by("pk").values_list("pk", flat=True))
        bundle_ids = list(Bundle.objects.filter(status=Bundle.Status.PUBLISHED).order_by("pk").values_list("pk", flat=True))
        total = len(item_ids) + len(bundle_ids)
        known: dict[str, int] = {}
        df: dict[int, int] = defaultdict(int)
        done = 0

        def flush(documents: list[Document]) -> None:
            ids = _ensure_terms({t for d in documents for t in d.weights}, generation, known)
            rows = []
            for d in documents:
                for t, w in d.weights.items():
                    rows.append((ids[t], d.doc, w, d.region_code, d.audience))
                    df[ids[t]] += 1
            _insert_postings(rows)

        for chunk in _chunks(item_ids, batch_size):
            flush([item_document(i) for i in _items_for_index(chunk)])
            done += len(chunk)
            if progress:
                progress(done, total)
        for chunk in _chunks(bundle_ids, batch_size):
            flush([bundle_document(b) for b in _bundles_for_index(chunk)])
            done += len(chunk)
            if progress:
                progress(done, total)
        table = connection.ops.quote_name(SearchTerm._meta.db_table)
        with connection.cursor() as cur:
            cur.executemany(f"UPDATE {table} SET df = %s, changed_gen = %s WHERE id = %s",
                            [(n, generation, term_id) for term_id, n in df.items()])
        SearchIndexState.objects.filter(pk=1).update(doc_count=total, token=uuid.uuid4().hex, rebuilt_at=timezone.now())
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner guesses (and JIT-compiles) its way through millions
            # of new rows. VACUUM (for index-only scans) cannot run here: reindex-items runs it.
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {_table(SearchPosting)}")
                cur.execute(f"ANALYZE {_table(SearchTerm)}")
    return total


def vacuum_index() -> None:
    """VACUUM ANALYZE the index tables (PostgreSQL; outside a transaction) after a rebuild, so
    that the per-term scans are index-only. Does nothing on other databases."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {_table(SearchPosting)}")
        cur.execute(f"VACUUM ANALYZE {_table(SearchTerm)}")


# == The per-process vocabulary ==================================================================
class Vocabulary:
    """Terms of the index with their document frequency and pinyin, for typo and pinyin handling.

    Brought up to date on every use by comparing (token, generation) of the index state row:
    unchanged → nothing to do; a newer generation → read the terms changed since; another token
    (rebuild, restored database, test rollback) → read everything.
    """

    def __init__(self) -> None:
        self.token: str | None = None
        self.generation = -1
        self.doc_count = 0
        self.df: dict[str, int] = {}
        self._pinyin: dict[str, str] = {}
        self._initials: dict[str, str] = {}
        self._derived: tuple | None = None
        self._lock = threading.Lock()

    def sync(self) -> None:
        state = _fetch(f"SELECT token, generation, doc_count FROM {_table(SearchIndexState)} WHERE id = 1")
        token, generation, doc_count = state[0] if state else ("", 0, 0)
        if token == self.token and generation == self.generation:
            self.doc_count = doc_count
            return
        with self._lock:
            if token != self.token or generation < self.generation:
                rows = SearchTerm.objects.filter(df__gt=0)
                self.df, self._pinyin, self._initials = {}, {}, {}
            else:
                rows = SearchTerm.objects.filter(changed_gen__gt=self.generation)
            for term, df, py, ini in rows.values_list("term", "df", "pinyin", "initials").iterator(chunk_size=5000):
                if df > 0:
                    self.df[term] = df
                    if py:
                        self._pinyin[term] = py
                        self._initials[term] = ini
                else:
                    self.df.pop(term, None)
                    self._pinyin.pop(term, None)
                    self._initials.pop(term, None)
            self.token, self.generation, self.doc_count = token, generation, doc_count
            self._derived = None

    def _build_derived(self) -> tuple:
        by_pinyin: dict[str, list[str]] = defaultdict(list)
        by_initials: dict[str, list[str]] = defaultdict(list)
        for term, py in self._pinyin.items():
            by_pinyin[py].append(term)
            if len(term) >= 2:
                by_initials[self._initials[term]].append(term)
        for lst in (*by_pinyin.values(), *by_initials.values()):
            lst.sort(key=lambda t: -self.df.get(t, 0))
        by_length: dict[int, list[str]] = defaultdict(list)
        for t in self._pinyin:
            if 2 <= len(t) <= 10:
                by_length[len(t)].append(t)
        return dict(by_pinyin), dict(by_initials), dict(by_length), sorted(by_pinyin)

    @property
    def derived(self) -> tuple:
        d = self._derived
        if d is None:
            d = self._derived = self._build_derived()
        return d

    def words_for_pinyin(self, spelling: str) -> list[str]:
        return self.derived[0].get(spelling, [])

    def words_for_initials(self, initials: str) -> list[str]:
        return self.derived[1].get(initials, [])

    def pinyin_prefix(self, prefix: str, limit: int = 3) -> list[str]:
        import bisect

        keys = self.derived[3]
        i = bisect.bisect_left(keys, prefix)
        words: list[str] = []
        while i < len(keys) and keys[i].startswith(prefix) and len(words) < 50:
            words.extend(self.derived[0][keys[i]])
            i += 1
        words.sort(key=lambda t: -self.df.get(t, 0))
        return words[:limit]

    def fuzzy(self, word: str, extra: Iterable[str] = (), limit: int = 2, cutoff: float = FUZZY_CUTOFF) -> list[str]:
        """Indexed words (and ``extra`` words) within a small edit distance of ``word``."""
        from rapidfuzz import fuzz, process

        by_length = self.derived[2]
        n = len(word)
        choices = [*by_length.get(n - 1, ()), *by_length.get(n, ()), *by_length.get(n + 1, ()),
                   *(w for w in extra if abs(len(w) - n) <= 1)]
        found = process.extract(word, choices, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit * 3)
        found = [f for f in found if f[0] != word]
        found.sort(key=lambda x: (-x[1], -self.df.get(x[0], 0)))
        return list(dict.fromkeys(w for w, _, _ in found))[:limit]


_vocabulary = Vocabulary()


def vocabulary() -> Vocabulary:
    _vocabulary.sync()
    return _vocabulary


# == Understanding a query =======================================================================
@dataclass
class Concept:
    """One part of the question (a word the citizen typed) and the terms that can satisfy it."""

    label: str
    terms: dict[str, float] = field(default_factory=dict)

    def add(self, term: str, weight: float) -> None:
        if term and self.terms.get(term, 0) < weight:
            self.terms[term] = weight


@dataclass
class ParsedQuery:
    text: str
    concepts: list[Concept]
    code: str | None = None  # the query looks like an item code

    @property
    def terms(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for c in self.concepts:
            for t, w in c.terms.items():
                if out.get(t, 0) < w:
                    out[t] = w
        return out

    @property
    def highlight_words(self) -> list[str]:
        """Chinese words worth highlighting in a result (longest first)."""
        words = {t for t in self.terms if is_cjk(t) and len(t) > 1}
        return sorted(words, key=lambda w: (-len(w), w))


def _resolve_letters(run: str, vocab: Vocabulary) -> list[Concept]:
    """Letters typed as pinyin: full spelling, initials, a run of spellings, or a prefix."""
    words = vocab.words_for_pinyin(run)
    if words:
        c = Concept(run)
        for w in words[:3]:
            c.add(w, W_PINYIN)
        return [c]
    words = vocab.words_for_initials(run)
    if words and len(run) >= 2:
        c = Concept(run)
        for w in words[:3]:
            c.add(w, W_INITIALS)
        return [c]
    # A run of full spellings (gongjijintiqu): the segmentation with the fewest pieces.
    by_pinyin = vocab.derived[0]
    n = len(run)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(min(n, i + 30), i + 1, -1):
            piece = run[i:j]
            if piece in by_pinyin and (best[j] is None or len(best[j]) > len(best[i]) + 1):
                best[j] = [*best[i], piece]
    if best[n] and len(best[n]) > 1:
        concepts = []
        for piece in best[n]:
            c = Concept(piece)
            for w in by_pinyin[piece][:3]:
                c.add(w, W_PINYIN)
            concepts.append(c)
        return concepts
    if len(run) >= 3:
        words = vocab.pinyin_prefix(run)
        if words:
            c = Concept(run)
            for w in words:
                c.add(w, W_FUZZY)
            return [c]
    c = Concept(run)
    c.add(run, W_TYPED)
    if len(run) >= 4:
        from rapidfuzz import fuzz, process

        found = process.extract(run, list(by_pinyin), scorer=fuzz.ratio, score_cutoff=80, limit=2)
        for spelling, _, _ in found:
            for w in by_pinyin[spelling][:2]:
                c.add(w, W_FUZZY)
    return [c]


def _known(word: str, vocab: Vocabulary, an: Analyzer) -> bool:
    return word in vocab.df or word in an.rules_by_word


def _repair_runs(tokens: list[str], vocab: Vocabulary, an: Analyzer) -> list[str | Concept]:
    """Join adjacent pieces back into a word when one of them is unknown and the join is known —
    by its characters, by its sound (驾/使证 → 驾使证 → jiashizheng → 驾驶证) or, for a long
    join, within one wrong character (最低生活保证 → 最低生活保障)."""
    out: list[str | Concept] = []
    i = 0
    while i < len(tokens):
        found = None
        for attempt in ("exact", "fuzzy"):
            for size in (4, 3, 2):
                window = tokens[i:i + size]
                if len(window) < size or all(_known(t, vocab, an) for t in window):
                    continue
                joined = "".join(window)
                if len(joined) > 8 or not is_cjk(joined):
                    continue
                if attempt == "exact":
                    if _known(joined, vocab, an):
                        found = (size, joined)
                        break
                    spelling, _ = pinyin_of(joined)
                    words, weight = (vocab.words_for_pinyin(spelling) if spelling else []), W_PINYIN
                elif len(joined) >= 4:
                    words, weight = vocab.fuzzy(joined, limit=2, cutoff=79), W_FUZZY
                else:
                    continue
                if words:
                    c = Concept(joined)
                    for w in words[:3]:
                        c.add(w, weight)
                    found = (size, c)
                    break
            if found:
                break
        if found:
            out.append(found[1])
            i += found[0]
        else:
            out.append(tokens[i])
            i += 1
    return out


def parse_query(q: str, vocab: Vocabulary | None = None) -> ParsedQuery:
    """Turn what the citizen typed into concepts and weighted terms (see the module docstring)."""
    an = analyzer()
    vocab = vocab if vocab is not None else vocabulary()
    text = normalise(q)[:MAX_QUERY_CHARS]
    compact = re.sub(r"[\s-]+", "", text)
    if _CODE_RE.match(compact) and any(ch.isdigit() for ch in compact) and sum(ch.isdigit() for ch in compact) >= 8:
        return ParsedQuery(text, [], code=compact.upper())
    concepts: list[Concept] = []
    for run in _RUN_RE.findall(text):
        if run.isdigit():
            c = Concept(run)
            c.add(run, W_TYPED)
            concepts.append(c)
        elif run.isascii():
            concepts.extend(_resolve_letters(run, vocab))
        else:
            tokens = [t for t in an.cut(run) if t not in an.stopwords]
            for piece in _repair_runs(tokens, vocab, an):
                if isinstance(piece, Concept):
                    for word, weight in list(piece.terms.items()):
                        for sub in an.subwords(word):
                            piece.add(sub, round(weight * W_SUBWORD, 4))
                    concepts.append(piece)
                    continue
                c = Concept(piece)
                if len(piece) > 1 or piece in an.rules_by_word:
                    c.add(piece, W_TYPED)
                for sub in an.subwords(piece):
                    c.add(sub, W_SUBWORD)
                if len(piece) > 1 and not _known(piece, vocab, an):
                    spelling, _ = pinyin_of(piece)
                    for w in vocab.words_for_pinyin(spelling)[:3] if spelling else []:
                        c.add(w, W_PINYIN)
                    if len(c.terms) <= 1 + len(an.subwords(piece)):
                        for w in vocab.fuzzy(piece, extra=an.rules_by_word):
                            c.add(w, W_FUZZY)
                if c.terms:
                    concepts.append(c)
    # Synonyms, with the whole question as context ("公积金 取>提取" needs 公积金 somewhere).
    context = {t for c in concepts for t in c.terms} | {c.label for c in concepts}
    for c in concepts:
        for term, weight in list(c.terms.items()):
            if weight < W_FUZZY:
                continue
            for syn, sw in an.expansions(term, context).items():
                c.add(syn, round(weight * sw, 4))
    # Merge duplicate concepts (the same word typed twice counts once).
    merged: dict[str, Concept] = {}
    for c in concepts:
        key = c.label
        if key in merged:
            for t, w in c.terms.items():
                merged[key].add(t, w)
        else:
            merged[key] = c
    return ParsedQuery(text, list(merged.values()))


# == Searching ===================================================================================
@dataclass
class Hit:
    kind: str  # "item" | "bundle"
    pk: int
    score: float
    matched: list[str] = field(default_factory=list)
    obj: object = None  # the ServiceItem / Bundle, loaded with its department and region


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
    return _fetch(f"SELECT doc, term_id, weight FROM {_table(SearchPosting)} "
                  f"WHERE doc IN ({_in(docs)}) AND (term_id + 0) IN ({_in(term_ids)})", [*docs, *term_ids])


def _score(rows: Iterable[tuple[int, int, float]], term_concepts: dict[int, list[tuple[int, float]]],
           n_concepts: int) -> dict[int, tuple[float, set[int]]]:
    best: dict[int, dict[int, float]] = {}
    for doc, term_id, weight in rows:
        per = best.get(doc)
        if per is None:
            per = best[doc] = {}
        for ci, qw in term_concepts[term_id]:
            s = qw * weight
            if s > per.get(ci, 0.0):
                per[ci] = s
    out = {}
    for doc, per in best.items():
        total = sum(per.values())
        out[doc] = (total * len(per) / n_concepts, set(per))
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
    parsed = parse_query(q, vocab)
    if parsed.code:
        hits = _code_hits(parsed.code, rng, audiences)
        return SearchResult(parsed, hits[offset:offset + limit], [], len(hits),
                            (time.perf_counter() - started) * 1000)
    terms = parsed.terms
    if not terms:
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
    _attach_objects(item_hits, bundle_hits)
    return SearchResult(parsed, [h for h in item_hits if h.obj is not None],
                        [h for h in bundle_hits if h.obj is not None], total,
                        (time.perf_counter() - started) * 1000)


def _ranking_key(vocab: Vocabulary, q: str, rng, audiences, limit: int, offset: int, bundle_limit: int) -> str:
    raw = json.dumps([normalise(q), rng, audiences, limit, offset, bundle_limit], ensure_ascii=False)
    return f"search:rank:{vocab.token}:{vocab.generation}:{hashlib.sha1(raw.encode()).hexdigest()}"


def _rank(parsed: ParsedQuery, vocab: Vocabulary, rng, audiences, limit: int, offset: int,
          bundle_limit: int) -> tuple[int, list[tuple], list[tuple]]:
    """(total, [(item pk, score, matched labels)], [(bundle pk, score, matched labels)])."""
    terms = parsed.terms
    # The strongest terms only: a long question with many synonyms must not turn into 100 scans.
    chosen = dict(sorted(terms.items(), key=lambda kv: -kv[1])[:MAX_QUERY_TERMS])
    words = list(chosen)
    rows = _fetch(f"SELECT id, term, df FROM {_table(SearchTerm)} WHERE term IN ({_in(words)}) AND df > 0", words)
    n_docs = max(vocab.doc_count, 1)
    term_concepts: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for term_id, term, df in rows:
        idf = math.log(1 + (n_docs - df + 0.5) / (df + 0.5))
        for ci, c in enumerate(parsed.concepts):
            if term in c.terms:
                term_concepts[term_id].append((ci, c.terms[term] * idf))
    n_concepts = max(len(parsed.concepts), 1)
    term_ids = sorted(term_concepts)
    # Candidates come from the selective terms; a very common term (身份证 sits in most items'
    # materials) only re-scores them in the second pass — unless the question has nothing else.
    df_of = {term_id: df for term_id, _, df in rows}
    selective = [t for t in term_ids if df_of[t] <= max(SELECTIVE_SHARE * n_docs, TOP_PER_TERM)]
    first = _score(_first_pass(selective or term_ids, rng, audiences, None), term_concepts, n_concepts)
    total = len(first)
    # Second pass: the best candidates of each kind, scored with all their postings.
    ranked = sorted(first.items(), key=lambda kv: (-kv[1][0], kv[0]))
    item_docs = [d for d, _ in ranked if d % 2 == 0][:max(CANDIDATES, offset + limit)]
    bundle_docs = [d for d, _ in ranked if d % 2 == 1][:max(bundle_limit * 3, 10)]
    exact = _score(_exact_postings(item_docs + bundle_docs, term_ids), term_concepts, n_concepts) if ranked else {}

    def hits_of(docs: list[int]) -> list[Hit]:
        hits = []
        for d in docs:
            score, matched_concepts = exact.get(d, first[d])
            kind, pk = doc_kind(d)
            matched = sorted({c.label for ci, c in enumerate(parsed.concepts) if ci in matched_concepts})
            hits.append(Hit(kind, pk, round(score, 4), matched))
        hits.sort(key=lambda h: (-h.score, h.pk))
        return hits

    return (total, [(h.pk, h.score, tuple(h.matched)) for h in hits_of(item_docs)[offset:offset + limit]],
            [(h.pk, h.score, tuple(h.matched)) for h in hits_of(bundle_docs)[:bundle_limit]])


class _Ref:
    """A related row reduced to the columns a result shows (department, region, base item)."""

    __slots__ = ("pk", "name", "short_name", "code")

    def __init__(self, pk=None, name="", short_name="", code=""):
        self.pk, self.name, self.short_name, self.code = pk, name, short_name, code

    def __str__(self) -> str:
        return self.name or self.code or ""


class ItemRow:
    """A search result item: the headline columns of a ServiceItem and its department, region and
    base item, read in one joined query without building ORM instances (the result list is on
    every search's critical path). Attribute names match ServiceItem's, so templates and the API
    treat both alike."""

    COLUMNS = ("id", "name", "popular_name", "status", "item_type", "service_object", "case_type",
               "statutory_days", "promised_days", "visits", "online_depth", "implementation_code",
               "handling_code", "handling_name", "department_id", "region_id", "base_item_id")

    def __init__(self, row: tuple) -> None:
        for col, value in zip(self.COLUMNS, row, strict=False):
            setattr(self, col, value)
        n = len(self.COLUMNS)
        self.pk = self.id
        self.department = _Ref(self.department_id, row[n], row[n + 1])
        self.region = _Ref(self.region_id, row[n + 3], code=row[n + 2])
        self.base_item = _Ref(self.base_item_id, code=row[n + 4] or "") if self.base_item_id else None

    _choices: dict[str, dict] = {}

    def _label(self, field_name: str) -> str:
        choices = ItemRow._choices.get(field_name)
        if choices is None:
            from .models import ServiceItem

            choices = ItemRow._choices[field_name] = dict(ServiceItem._meta.get_field(field_name).flatchoices)
        value = getattr(self, field_name)
        return str(choices.get(value, value))

    def get_item_type_display(self) -> str:
        return self._label("item_type")

    def get_service_object_display(self) -> str:
        return self._label("service_object")

    def get_case_type_display(self) -> str:
        return self._label("case_type")

    def __str__(self) -> str:
        return self.name


def item_rows(ids: Sequence[int]) -> dict[int, ItemRow]:
    """Published items by id as :class:`ItemRow` (one query)."""
    from zhengwu.org.models import Department, Region

    from .models import BaseItem, ServiceItem
    from .models.items import ItemStatus

    if not ids:
        return {}
    cols = ", ".join(f"i.{c}" for c in ItemRow.COLUMNS)
    sql = (f"SELECT {cols}, d.name, d.short_name, r.code, r.name, b.code "
           f"FROM {_table(ServiceItem)} i JOIN {_table(Department)} d ON d.id = i.department_id "
           f"JOIN {_table(Region)} r ON r.id = i.region_id LEFT JOIN {_table(BaseItem)} b ON b.id = i.base_item_id "
           f"WHERE i.id IN ({_in(ids)}) AND i.status = %s")
    return {row[0]: ItemRow(row) for row in _fetch(sql, [*ids, ItemStatus.PUBLISHED])}


def _attach_objects(item_hits: list[Hit], bundle_hits: list[Hit]) -> None:
    """Load the hits' rows; drop any that stopped being published meanwhile."""
    from .models import Bundle

    if item_hits:
        items = item_rows([h.pk for h in item_hits])
        for h in item_hits:
            h.obj = items.get(h.pk)
    if bundle_hits:
        bundles = Bundle.objects.filter(pk__in=[h.pk for h in bundle_hits], status=Bundle.Status.PUBLISHED) \
            .select_related("region").in_bulk()
        for h in bundle_hits:
            h.obj = bundles.get(h.pk)


def _code_hits(code: str, rng: tuple[str, str] | None, audiences: tuple[int, ...] | None) -> list[Hit]:
    """A query that is an item code: 基本编码 (12), 实施编码 (31), 业务办理项编码 (33) or a
    province's own shape — matched exactly on the indexed code columns."""
    from django.db.models import Q

    from .models import ServiceItem
    from .models.items import ItemStatus

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


def highlight(text: str, words: Sequence[str]) -> str:
    """HTML of ``text`` with ``words`` wrapped in <mark> (escaped; longest words win)."""
    from django.utils.html import escape

    if not text:
        return ""
    words = [w for w in words if w and w in text]
    if not words:
        return str(escape(text))
    pattern = re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))
    out, last = [], 0
    for m in pattern.finditer(text):
        out.append(str(escape(text[last:m.start()])))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        last = m.end()
    out.append(str(escape(text[last:])))
    return "".join(out)


def warm_up() -> None:
    """Load jieba, pypinyin, the dictionaries and the vocabulary now rather than on the first
    query (about two seconds per process) — e.g. from a web server's post-fork hook."""
    analyzer().tokenizer  # noqa: B018
    vocabulary().derived  # noqa: B018
