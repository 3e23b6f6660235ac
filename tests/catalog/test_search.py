"""Plain-language search: citizens' phrasings, synonyms, pinyin, typos, filters, index upkeep."""

from __future__ import annotations

import pytest

from zhengwu.catalog import search
from zhengwu.catalog.models import SearchIndexState, SearchPosting, SearchTerm

from .search_fixtures import make_published_item, search_catalogue  # noqa: F401

pytestmark = pytest.mark.django_db


def names(result, n=5) -> list[str]:
    return [h.obj.name for h in result.items[:n]]


@pytest.mark.parametrize(("query", "expected", "within"), [
    # The examples, in the citizen's words.
    ("孩子出生上户口", ["出生登记"], 1),
    ("开个小吃店要办啥", ["小餐饮登记", "食品经营许可（新办）", "个体工商户设立登记"], 3),
    ("公积金怎么取", ["住房公积金提取（租房）", "住房公积金提取（购房）"], 2),
    ("驾照到期", ["机动车驾驶证期满换证"], 1),
    # More phrasings through synonyms and sub-words.
    ("身份证过期了怎么办", ["居民身份证换领"], 1),
    ("外地看病", ["异地就医备案"], 1),
    ("二手房过户要带什么", ["存量房转移登记"], 1),
    ("领失业金", ["失业保险金申领"], 1),
    ("宝宝办医保", ["新生儿参加城乡居民基本医疗保险登记"], 1),
    ("吃低保", ["最低生活保障审批"], 1),
    ("我想开饭店", ["食品经营许可（新办）"], 1),
    ("社保卡丢了", ["社会保障卡补换"], 1),
])
def test_citizen_phrasings_find_the_right_items(search_catalogue, query, expected, within):
    result = search.search(query, region="410105")
    top = names(result, within)
    for name in expected:
        assert name in top, f"{query!r} → {names(result)}"


def test_small_eatery_question_also_offers_the_bundle(search_catalogue):
    result = search.search("开个小吃店要办啥")
    assert result.bundles and result.bundles[0].obj.name == "开小吃店一件事"


def test_official_name_still_ranks_first(search_catalogue):
    assert names(search.search("出生医学证明首次签发"), 1) == ["出生医学证明首次签发"]
    assert names(search.search("住房公积金个人住房贷款"), 1) == ["住房公积金个人住房贷款"]


@pytest.mark.parametrize(("query", "expected"), [
    ("gjj", "住房公积金"),                 # initials
    ("jiashizheng", "机动车驾驶证"),       # full pinyin
    ("gongjijintiqu", "住房公积金提取"),   # a run of spellings
    ("GJJ 提取", "住房公积金提取"),        # initials + Chinese, upper case
])
def test_pinyin_and_initials(search_catalogue, query, expected):
    result = search.search(query)
    assert result.items and result.items[0].obj.name.startswith(expected), names(result)


def test_pinyin_context_makes_context_synonyms_apply(search_catalogue):
    # "取" means 提取 only next to 公积金 — also when 公积金 was typed as initials.
    assert names(search.search("gjj怎么取"), 2) == ["住房公积金提取（租房）", "住房公积金提取（购房）"] or \
        set(names(search.search("gjj怎么取"), 2)) == {"住房公积金提取（租房）", "住房公积金提取（购房）"}


@pytest.mark.parametrize(("query", "expected"), [
    ("驾使证到期", "机动车驾驶证期满换证"),   # homophone typo, repaired by its pinyin
    ("最低生活保证", "最低生活保障审批"),     # one wrong character, repaired by rapidfuzz
    ("gongjijing提取", "住房公积金提取"),     # pinyin typo
])
def test_typos_are_tolerated(search_catalogue, query, expected):
    result = search.search(query)
    assert result.items and result.items[0].obj.name.startswith(expected), names(result)


def _concepts(query: str) -> dict[str, set[str]]:
    from zhengwu.catalog.search.query import parse_query

    return {c.label: set(c.terms) for c in parse_query(query).concepts}


def test_a_typo_of_a_citizens_word_is_repaired_by_its_sound(search_catalogue):
    # 掉了 is no word of any item, only of the lexicon (掉了>遗失,补领…): its typo 掉乐 is still 掉了.
    terms = set().union(*_concepts("身份证掉乐").values())
    assert {"掉了", "遗失"} <= terms


def test_a_typo_is_respelt_across_the_cut_it_caused(search_catalogue):
    # jieba cuts 社抱卡上 as 社抱/卡上 and 发漂 as one unknown word: both are respelt by their sound.
    assert "社保卡" in _concepts("社抱卡上的手机号要改")
    assert "发票" in _concepts("发漂丢了")
    # Words jieba knows are no typos (成都 is no 程度), nor is a word glued to a stop word (改个: 改革?).
    assert set(_concepts("成都上班")) == {"成都", "上班"}
    assert not {"改革", "盖个"} & set().union(*_concepts("想改个名字").values())
    # jieba glued the typo to a stop character (个功|墓): the rest is respelt without it.
    assert "公墓" in _concepts("村上想建个功墓")


def test_a_context_of_several_characters_counts_wherever_the_question_holds_it(search_catalogue):
    # "天然气|燃气|煤气|管道气 通气,开户…>供气报装": 管道气 is cut 管道/气 (and 气要 here), never a word,
    # so the rule used to apply only with its other contexts.
    assert "供气报装" in _concepts("新房子管道气要开户")["开户"]
    # Without any of its contexts the rule does not apply.
    assert "供气报装" not in _concepts("新房子要开户")["开户"]


def test_a_lexicon_word_with_letters_in_it_is_read_whole(search_catalogue):
    # 放射科=x光机=ct机>放射诊疗: x光机 used to be read as x / 光机, so no rule about it ever applied.
    concepts = _concepts("诊所装X光机报废了")
    assert "x光机" in concepts and "放射诊疗" in concepts["x光机"]
    assert "x" not in concepts and "光机" not in concepts


def test_a_near_word_repair_needs_a_slip_of_the_keys_not_another_word(search_catalogue):
    from zhengwu.catalog.search.vocabulary import is_slip

    # Characters glued on, or swapped for ones that sound close, are slips; another word is not.
    assert is_slip("最低生活保证", "最低生活保障") and is_slip("要区卫健局", "区卫健局")
    assert not is_slip("社保卡领了", "社保卡丢了") and not is_slip("网约车证换", "网约车办证")
    # HMM's 领了 is in no dictionary: 驾驶证领了 was once "repaired" to the keyword 驾驶证补领.
    assert "补领" not in _concepts("驾驶证领了")


def test_a_repair_that_spans_words_stands_for_each_of_them(search_catalogue):
    from zhengwu.catalog.search.analysis import analyzer
    from zhengwu.catalog.search.query import Concept, _split_repair
    from zhengwu.catalog.search.vocabulary import vocabulary

    # 社保卡|丢|乐 sounds like 社保卡丢了 (a keyword somewhere): it is 社保卡 and 丢了, each with its synonyms.
    joined = Concept("社保卡丢乐", {"社保卡丢了": 0.9})
    parts = _split_repair(joined, "社保卡丢了", 0.9, vocabulary(), analyzer())
    assert [c.label for c in parts] == ["社保卡", "丢了"] and "社保卡丢了" in parts[0].terms


def test_stop_words_alone_find_nothing(search_catalogue):
    result = search.search("我想问一下怎么办理")
    assert result.items == [] and result.bundles == []


def test_unpublished_and_disabled_items_are_never_found(search_catalogue):
    cat = search_catalogue
    found = {h.pk for q in ("孩子出生上户口", "新生儿入户", "上户口", "出生入户") for h in search.search(q, limit=50).items}
    assert cat.draft_item.pk not in found
    assert cat.disabled_item.pk not in found
    assert cat.item("出生登记").pk in found


def test_region_filter_keeps_the_region_and_below(search_catalogue):
    cat = search_catalogue
    everywhere = {h.pk for h in search.search("出生登记", limit=50).items}
    assert {cat.item("出生登记").pk, cat.other_region_item.pk} <= everywhere
    jinshui = {h.pk for h in search.search("出生登记", region="410105000000", limit=50).items}
    assert cat.item("出生登记").pk in jinshui and cat.other_region_item.pk not in jinshui
    zhengzhou = {h.pk for h in search.search("出生登记", region="4101", limit=50).items}
    assert {cat.item("出生登记").pk, cat.other_region_item.pk} <= zhengzhou


def test_service_object_filter(search_catalogue):
    legal = search.search("营业执照", audience="legal", limit=50)
    assert legal.items
    assert all(h.obj.service_object in ("legal", "both") for h in legal.items)
    person = search.search("开公司", audience="person", limit=50)
    assert "公司设立登记" not in names(person, 50)


def test_bad_filters_raise_chinese_errors(search_catalogue):
    with pytest.raises(ValueError, match="服务对象"):
        search.search("出生", audience="robot")
    with pytest.raises(ValueError, match="区划代码"):
        search.search("出生", region="41010500000000")


def test_code_query_finds_item_by_code(search_catalogue):
    item = search_catalogue.item("出生登记")
    item.implementation_code = "11410105MB1234567X2000123450000"
    item.save()
    result = search.search(item.implementation_code)
    assert [h.pk for h in result.items] == [item.pk]


def test_publishing_makes_an_item_findable_after_commit(search_catalogue, django_capture_on_commit_callbacks):
    dept = search_catalogue.item("出生登记").department
    assert "残疾人证新办" not in names(search.search("办残疾证"))
    with django_capture_on_commit_callbacks(execute=True):
        item = make_published_item(dept, "残疾人证新办", popular_name="办残疾证", keywords="残疾证，残疾人证")
    assert names(search.search("办残疾证"), 1) == ["残疾人证新办"]
    # Disabling it takes it out again, through the same signal path.
    with django_capture_on_commit_callbacks(execute=True):
        item.status = "disabled"
        item.save()
    assert "残疾人证新办" not in names(search.search("办残疾证"))


def test_index_item_keeps_document_frequencies_right(search_catalogue):
    item = search_catalogue.item("结婚登记")
    term = SearchTerm.objects.get(term="结婚登记")
    before, head_before = term.df, term.head_df
    assert head_before >= 1  # 结婚登记 is the item's name
    docs_before = SearchIndexState.objects.get(pk=1).doc_count
    item.status = "disabled"
    item.save()
    search.index_item(item)
    assert SearchTerm.objects.get(term="结婚登记").df == before - 1
    assert SearchTerm.objects.get(term="结婚登记").head_df == head_before - 1
    assert SearchIndexState.objects.get(pk=1).doc_count == docs_before - 1
    assert not SearchPosting.objects.filter(doc=item.pk * 2).exists()
    item.status = "published"
    item.save()
    search.index_item(item)
    search.index_item(item)  # idempotent
    assert SearchTerm.objects.get(term="结婚登记").df == before
    assert SearchTerm.objects.get(term="结婚登记").head_df == head_before
    assert SearchIndexState.objects.get(pk=1).doc_count == docs_before


def test_incremental_index_equals_rebuild(search_catalogue):
    """Index items one by one in another order: the postings equal those of a full rebuild."""
    def snapshot():
        terms = dict(SearchTerm.objects.values_list("id", "term"))
        return (sorted((terms[t], d, round(w, 4)) for t, d, w in SearchPosting.objects.values_list("term_id", "doc", "weight")),
                {t: (n, h) for t, n, h in SearchTerm.objects.filter(df__gt=0).values_list("term", "df", "head_df")})

    rebuilt = snapshot()
    ids = sorted(i.pk for i in search_catalogue.items.values())
    for pk in reversed(ids):
        search.index_items([pk])
    search.index_bundles([b.pk for b in search_catalogue.bundles.values()])
    assert snapshot() == rebuilt


def test_another_process_sees_new_terms(search_catalogue):
    """The vocabulary cache of a process follows the index's generation, whoever wrote it."""
    vocab = search.Vocabulary()
    vocab.sync()
    assert "犬只登记" not in vocab.df
    dept = search_catalogue.item("出生登记").department
    item = make_published_item(dept, "犬只登记", popular_name="养狗办狗证")
    search.index_item(item)  # as if written by another process: this Vocabulary was not told
    vocab.sync()
    assert vocab.df.get("犬只登记") == 1
    assert "犬只登记" in vocab.words_for_pinyin("quanzhidengji")


def test_near_words_come_in_the_same_order_whatever_order_they_were_read_in():
    """Every worker must read a question alike: the lexicon's words reach the near-word lookup in
    an order that depends on the process's string hashes, so ties are broken by the word itself."""
    vocab = search.Vocabulary()
    words = ["社保卡丢了", "社保卡补了", "社保卡掉了"]
    assert vocab.fuzzy("社保卡领了", extra=words) == vocab.fuzzy("社保卡领了", extra=words[::-1]) == ["社保卡丢了", "社保卡掉了"]


def test_reindex_command_rebuilds_everything(search_catalogue):
    from io import StringIO

    from django.core.management import call_command

    SearchPosting.objects.all().delete()
    assert not search.search("驾照到期").items
    out = StringIO()
    call_command("reindex_items", stdout=out)
    assert "搜索索引已重建" in out.getvalue()
    assert names(search.search("驾照到期"), 1) == ["机动车驾驶证期满换证"]
    assert SearchIndexState.objects.get(pk=1).doc_count == len(search_catalogue.items) + 1 + len(search_catalogue.bundles)  # + the other district's item


def test_highlight_escapes_and_marks():
    assert search.highlight("出生<登记>", ["出生"]) == "<mark>出生</mark>&lt;登记&gt;"
    assert search.highlight("户口登记", ["户口", "户口登记"]) == "<mark>户口登记</mark>"
    assert search.highlight("开办餐饮店一件事", ["开办", "餐饮店"]) == "<mark>开办餐饮店</mark>一件事"  # no gap between


def test_synonym_file_is_parsed_with_context_and_direction():
    rules = search.parse_synonyms(["上户口=落户=入户", "孩子>新生儿,子女", "公积金|住房公积金 取>提取"])
    assert rules[0].two_way and rules[0].sources == {"上户口", "落户", "入户"}
    assert not rules[1].two_way and rules[1].targets == ("新生儿", "子女")
    assert rules[2].context == {"公积金", "住房公积金"}
    an = search.analyzer()
    assert "提取" not in an.expansions("取", set())
    assert "提取" in an.expansions("取", {"公积金"})
    assert "孩子" not in an.expansions("新生儿", set())  # one-way


def test_shipped_synonyms_cover_many_phrasings():
    an = search.analyzer()
    assert len(an.rules) >= 300
    for citizen, official in [("上户口", "落户"), ("驾照", "驾驶证"), ("小吃店", "小餐饮"), ("生孩子", "出生")]:
        assert official in an.expansions(citizen, set()), citizen
