"""The search index: the document of an item or 一件事 (term → BM25F weight) and writing it."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from ..models.search import (
    AUDIENCE_LEGAL,
    AUDIENCE_PERSON,
    SearchIndexState,
    SearchPosting,
    SearchTerm,
    bundle_doc,
    item_doc,
)
from .analysis import analyzer, is_cjk, normalise, pinyin_of
from .sql import quoted_table

# -- index weights --------------------------------------------------------------------------------
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
# A posting this heavy comes from the headline (a name word weighs about 2, materials 0.3): such
# postings are counted in SearchTerm.head_df, and an operation word this heavy marks a variant.
# Character n-grams come from the headline only, so all of theirs count (see is_headline).
HEADLINE_MIN_WEIGHT = 1.5
K1 = 2.0
B = 0.4
AVG_HEADLINE_LEN = 8.0
FACET_WEIGHT = 1.0
CONDITIONS_CHARS = 300

# Character n-grams of the headline (unigrams and bigrams of its Chinese characters), indexed as
# terms of their own ("~犬", "~犬类"): the fallback for words the dictionaries do not know
# (养犬证 → 犬类准养证核发) — see ranking.ngram_terms. Their weight is low and length-normalised.
NGRAM_PREFIX = "~"
NGRAM_FIELDS = frozenset({"name", "popular_name", "handling_name"})
NGRAM_WEIGHT = 1.0
AVG_NAME_CHARS = 10.0
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def is_headline(term: str, weight: float) -> bool:
    """Whether a posting counts in SearchTerm.head_df (the documents whose headline carries the term)."""
    return weight >= HEADLINE_MIN_WEIGHT or term.startswith(NGRAM_PREFIX)


def char_ngrams(text: str) -> list[str]:
    """The n-gram terms of a text: each Chinese character and each pair of adjacent ones."""
    out: list[str] = []
    for run in _CJK_RUN.findall(normalise(text)):
        out.extend(NGRAM_PREFIX + ch for ch in run)
        out.extend(NGRAM_PREFIX + run[i:i + 2] for i in range(len(run) - 1))
    return out


# A bracketed note on the legal basis of an item (四川: "（据省政府令第349号,部分省级权限下放成都等８市)")
# says where a power comes from, not what the item is: its words (成都, 政府) must not make the item an
# answer to "要去成都上班了". It is not indexed, and the name reranker does not read it.
_LEGAL_NOTE = re.compile(r"[（(]\s*(?:根据|依据|据)[^（）()]{4,}[）)]")


def strip_notes(name: str) -> str:
    """An item name without its legal-basis notes (see _LEGAL_NOTE)."""
    stripped, notes = _LEGAL_NOTE.subn("", name or "")
    return stripped.strip() if notes else name


_KEYWORD_SPLIT = re.compile(r"[\s,，、;；/|]+")

FACET_THEME = "@theme:"


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
    grams: set[str] = set()
    chars = 0
    for name, text in fields:
        if name in NGRAM_FIELDS and text:
            found = char_ngrams(text)
            chars += sum(1 for g in found if len(g) == 2)
            grams.update(found)
    if grams:
        gram_weight = round(NGRAM_WEIGHT * (K1 + 1) / (1 + K1 * (1 - B + B * max(chars, 1) / AVG_NAME_CHARS)), 5)
        for g in grams:
            weights[g] = gram_weight
    for facet in facets:
        weights[facet[:64]] = FACET_WEIGHT
    return Document(doc, weights, region_code, audience)


def item_document(item) -> Document:
    """The document of a published service item (``item`` with region, department, base_item,
    published_version and its materials loaded — see :func:`_items_for_index`)."""
    v = item.published_version
    fields: list[tuple[str, str]] = [
        ("name", strip_notes(item.name)),
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
    table = quoted_table(SearchPosting)
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
    from ..overview import overview_changed

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
        old_head: dict[int, set[int]] = defaultdict(set)
        for chunk in _chunks(keys):
            for doc, term_id, term, weight in (SearchPosting.objects.filter(doc__in=chunk)
                                               .values_list("doc", "term_id", "term__term", "weight")):
                old[doc].add(term_id)
                if is_headline(term, weight):
                    old_head[doc].add(term_id)
            SearchPosting.objects.filter(doc__in=chunk).delete()
        ids = _ensure_terms({t for d in docs.values() if d for t in d.weights}, generation)
        rows = []
        delta: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # term → [df change, head_df change]
        doc_delta = 0
        for key in keys:
            d = docs[key]
            new_ids = {ids[t] for t in d.weights} if d else set()
            new_head = {ids[t] for t, w in d.weights.items() if is_headline(t, w)} if d else set()
            for t in old.get(key, set()) - new_ids:
                delta[t][0] -= 1
            for t in new_ids - old.get(key, set()):
                delta[t][0] += 1
            for t in old_head.get(key, set()) - new_head:
                delta[t][1] -= 1
            for t in new_head - old_head.get(key, set()):
                delta[t][1] += 1
            doc_delta += (1 if d else 0) - (1 if key in old else 0)
            if d:
                rows.extend((ids[t], key, w, d.region_code, d.audience) for t, w in d.weights.items())
        _insert_postings(rows)
        by_delta: dict[tuple[int, int], list[int]] = defaultdict(list)
        for term_id, (n, h) in delta.items():
            if n or h:
                by_delta[(n, h)].append(term_id)
        for (n, h), term_ids in by_delta.items():
            for chunk in _chunks(term_ids):
                SearchTerm.objects.filter(pk__in=chunk).update(df=F("df") + n, head_df=F("head_df") + h,
                                                               changed_gen=generation)
        if doc_delta:
            SearchIndexState.objects.filter(pk=1).update(doc_count=F("doc_count") + doc_delta)


def _items_for_index(ids: Iterable[int]):
    from django.db.models import Prefetch

    from ..models import Material, ServiceItem

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
    from ..models.items import ItemStatus

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
    from ..models import Bundle

    # Member item names go into the document: prefetch them with the bundle.
    return (Bundle.objects.filter(pk__in=list(ids)).select_related("region")
            .prefetch_related("bundle_items__service_item"))


def index_bundles(bundle_ids: Iterable[int]) -> None:
    from ..models import Bundle

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
    from ..models import Bundle, ServiceItem
    from ..models.items import ItemStatus

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
        head_df: dict[int, int] = defaultdict(int)
        done = 0

        def flush(documents: list[Document]) -> None:
            ids = _ensure_terms({t for d in documents for t in d.weights}, generation, known)
            rows = []
            for d in documents:
                for t, w in d.weights.items():
                    rows.append((ids[t], d.doc, w, d.region_code, d.audience))
                    df[ids[t]] += 1
                    if is_headline(t, w):
                        head_df[ids[t]] += 1
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
            cur.executemany(f"UPDATE {table} SET df = %s, head_df = %s, changed_gen = %s WHERE id = %s",
                            [(n, head_df.get(term_id, 0), generation, term_id) for term_id, n in df.items()])
        SearchIndexState.objects.filter(pk=1).update(doc_count=total, token=uuid.uuid4().hex, rebuilt_at=timezone.now())
        if connection.vendor == "postgresql":
            # Fresh statistics, or the planner guesses (and JIT-compiles) its way through millions
            # of new rows. VACUUM (for index-only scans) cannot run here: reindex-items runs it.
            with connection.cursor() as cur:
                cur.execute(f"ANALYZE {quoted_table(SearchPosting)}")
                cur.execute(f"ANALYZE {quoted_table(SearchTerm)}")
    return total


def vacuum_index() -> None:
    """VACUUM ANALYZE the index tables (PostgreSQL; outside a transaction) after a rebuild, so
    that the per-term scans are index-only. Does nothing on other databases."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {quoted_table(SearchPosting)}")
        cur.execute(f"VACUUM ANALYZE {quoted_table(SearchTerm)}")
