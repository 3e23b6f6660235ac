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

5. Intent words (怎么办, 要什么手续, 需要什么材料, 在哪办, 多少钱 …) are cut whole and dropped, so
   they never outrank the object of the question. Synonym words that jieba cut across (汽车|租赁)
   or that sit inside an unknown word (宠物狗 → 宠物) still apply.

Ranking is BM25F: every indexed document (a published item or 一件事) has, per term, a weight that
already folds in the field it came from (name, 通俗名称 and keywords weigh far more than
materials or 受理条件) and the length of its headline; a query adds, per concept, the best
``query weight × IDF × document weight`` of the concept's terms, and multiplies the sum by the
share of concepts the document matched, so that an item matching every part of the question
beats one that matches a single word many times.

Catalogues written without 通俗名称 or keywords (issue 28): item names are also indexed as
character unigrams and bigrams (``~犬``, ``~犬类``). A word the index does not know is looked for
by its characters (养犬证 → 犬类准养证核发), needing half of them (two at least) so nonsense finds
nothing; when the words find fewer than three documents the whole question is; otherwise the
characters count a little. An item whose headline holds an operation the question did not ask
for (注销, 变更, 补办 … ``data/search/variantwords.txt``) ranks below its plain sibling. The quality
is measured by :mod:`.evaluation` (``zhengwu search evaluate``, ``bench/search_quality.py``,
docs/search-quality.md).

Performance (a city's catalogue; the bench's search rows): the index lives in two tables
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

from .analysis import Analyzer, SynonymRule, analyzer, is_cjk, normalise, parse_synonyms, pinyin_of
from .index import (
    FACET_THEME,
    Document,
    build_document,
    bundle_document,
    index_bundle,
    index_bundles,
    index_item,
    index_items,
    item_document,
    rebuild_index,
    vacuum_index,
    write_documents,
)
from .places import places
from .query import MAX_QUERY_CHARS, Concept, ParsedQuery, parse_query
from .ranking import SearchResult, items_with_theme, region_range, search
from .results import Hit, ItemRow, highlight, item_rows
from .vocabulary import Vocabulary, vocabulary

__all__ = [
    "FACET_THEME", "MAX_QUERY_CHARS", "Analyzer", "Concept", "Document", "Hit", "ItemRow", "ParsedQuery",
    "SearchResult", "SynonymRule", "Vocabulary", "analyzer", "build_document", "bundle_document", "highlight",
    "index_bundle", "index_bundles", "index_item", "index_items", "is_cjk", "item_document", "item_rows",
    "items_with_theme", "normalise", "parse_query", "parse_synonyms", "pinyin_of", "rebuild_index", "region_range", "search",
    "vacuum_index", "vocabulary", "warm_up", "write_documents",
]


def warm_up() -> None:
    """Load jieba, pypinyin, the dictionaries and the vocabulary now rather than on the first
    query (about two seconds per process) — e.g. from a web server's post-fork hook."""
    analyzer().tokenizer  # noqa: B018
    analyzer().action_words  # noqa: B018
    analyzer().rule_words_for_pinyin("")  # the lexicon's spellings, for typos (a third of a second)
    places()  # the place names (a fifth of a second)
    vocabulary().derived  # noqa: B018
