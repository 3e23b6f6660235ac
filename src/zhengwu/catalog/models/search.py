"""The plain-language search index of the catalogue (事项搜索索引), kept in the database.

An inverted index: one :class:`SearchTerm` per distinct term (a jieba word, a pinyin spelling or
a facet such as ``@theme:户籍办理``) with its document frequency, and one :class:`SearchPosting`
per (term, document) with the document's precomputed BM25F weight for that term. Documents are
published service items and published 一件事 bundles, keyed by one integer (see
:func:`item_doc` / :func:`bundle_doc`) so that both kinds share one index and one query.

Every web and worker process reads the same tables, so an item published in one process is
found by all of them as soon as the transaction commits. :class:`SearchIndexState` is a single
row whose ``generation`` every index write bumps first — its row lock serialises index writers,
so generations increase in commit order and a process can refresh its in-memory vocabulary
(used for typo correction and pinyin completion) by reading the terms changed since the
generation it last saw. The write path is :mod:`zhengwu.catalog.search`.
"""

from __future__ import annotations

from django.db import models

# Audience bits of a document (服务对象): a person's search sees PERSON|BOTH documents.
AUDIENCE_PERSON = 1
AUDIENCE_LEGAL = 2


def item_doc(item_id: int) -> int:
    """The index key of a service item (even numbers)."""
    return int(item_id) * 2


def bundle_doc(bundle_id: int) -> int:
    """The index key of a 一件事 bundle (odd numbers)."""
    return int(bundle_id) * 2 + 1


def doc_kind(doc: int) -> tuple[str, int]:
    """("item" | "bundle", primary key) of an index key."""
    return ("bundle", doc // 2) if doc % 2 else ("item", doc // 2)


class SearchTerm(models.Model):
    term = models.CharField("词", max_length=64, unique=True)
    df = models.PositiveIntegerField("文档数", default=0)
    # Documents whose headline (name, 通俗名称, keywords, 办理项名称: a posting weight of at least
    # search.index.HEADLINE_MIN_WEIGHT) carries the term: the ranking's IDF. 身份证 sits in the
    # materials of most items but names only a few, and it is by those few that it is rare.
    head_df = models.PositiveIntegerField("标题文档数", default=0)
    # Spelling of a Chinese word, so that every process can map typed pinyin to words without
    # running pypinyin over the whole vocabulary.
    pinyin = models.CharField("拼音", max_length=120, blank=True)
    initials = models.CharField("拼音首字母", max_length=40, blank=True)
    # SearchIndexState.generation of the last write that changed this term (vocabulary refresh).
    changed_gen = models.BigIntegerField("变更代次", default=0, db_index=True)

    class Meta:
        verbose_name = "搜索词"
        verbose_name_plural = "搜索词"

    def __str__(self) -> str:
        return self.term


class SearchPosting(models.Model):
    id = models.BigAutoField(primary_key=True)
    term = models.ForeignKey(SearchTerm, on_delete=models.DO_NOTHING, db_index=False, related_name="+")
    doc = models.BigIntegerField("文档")
    weight = models.FloatField("权重")
    # Copied from the document so that filters apply inside the per-term top-k scan.
    region_code = models.CharField("区划代码", max_length=12)
    audience = models.PositiveSmallIntegerField("服务对象位")

    class Meta:
        verbose_name = "搜索倒排项"
        verbose_name_plural = "搜索倒排项"
        indexes = [
            # Top-k of a term by weight (ties broken by doc, the same way for every term).
            models.Index(fields=["term", "-weight", "doc"], name="catalog_sp_term_weight"),
            # A term's postings inside one region's code range (county portals).
            models.Index(fields=["term", "region_code"], name="catalog_sp_term_region"),
            # Re-indexing a document and exact scoring of candidates.
            models.Index(fields=["doc", "term"], name="catalog_sp_doc_term"),
        ]

    def __str__(self) -> str:
        return f"{self.term_id}@{self.doc}"


class SearchIndexState(models.Model):
    """The single row (pk=1) describing the index as a whole."""

    generation = models.BigIntegerField("代次", default=0)
    # New on every rebuild (and whenever the row is created): a process whose cached vocabulary
    # carries another token reads the vocabulary afresh instead of applying changes.
    token = models.CharField("索引标识", max_length=32, default="")
    doc_count = models.IntegerField("已索引文档数", default=0)
    rebuilt_at = models.DateTimeField("最近重建时间", null=True, blank=True)

    class Meta:
        verbose_name = "搜索索引状态"
        verbose_name_plural = "搜索索引状态"

    def __str__(self) -> str:
        return f"第{self.generation}代，{self.doc_count}个文档"

