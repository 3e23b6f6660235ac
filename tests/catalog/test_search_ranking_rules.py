"""The ranking's rules for catalogues written with names only (issue 28): the IDF counts the items a
word names, not the ones whose materials mention it; the thing asked about outweighs the situation;
a part of a long synonym needs a sibling part; verbs are no objects;
negations are no typos; a legal-basis note in a name is not indexed."""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from zhengwu.catalog import search
from zhengwu.catalog.models import SearchTerm
from zhengwu.catalog.search import ranking
from zhengwu.catalog.search.query import Concept

from .search_fixtures import make_published_item, search_catalogue  # noqa: F401


@pytest.mark.django_db
def test_head_df_counts_the_items_a_word_names_not_those_whose_materials_mention_it(search_catalogue):
    # 居民身份证 is in the materials of most of the fixture's items but in few headlines.
    term = SearchTerm.objects.get(term="居民身份证")
    assert term.df >= 10
    assert 1 <= term.head_df <= 3
    # Character n-grams come from the headline only: all of their documents count.
    gram = SearchTerm.objects.filter(term__startswith="~").exclude(df=0).first()
    assert gram.head_df == gram.df


@pytest.mark.django_db
def test_the_migration_fills_head_df_as_the_index_writes_it(search_catalogue):
    written = dict(SearchTerm.objects.values_list("term", "head_df"))
    SearchTerm.objects.update(head_df=0)
    migration = importlib.import_module("zhengwu.catalog.migrations.0011_searchterm_head_df")
    migration.fill(apps, SimpleNamespace(connection=connection))  # it only reads the editor's connection
    assert dict(SearchTerm.objects.values_list("term", "head_df")) == written


@pytest.mark.django_db
def test_a_word_in_most_items_materials_still_finds_the_item_it_names(department):
    # A catalogue written with names only, where most items ask for the 居民身份证 among their
    # materials: counted over all postings 身份证 would be too common to outweigh 到期换证.
    make_published_item(department, "居民身份证办理", materials=["居民户口簿"])
    for n in range(3):
        make_published_item(department, f"第{n}类经营许可证到期换证", materials=["原许可证"])
    for n in range(20):
        make_published_item(department, f"第{n}类补贴申领", materials=["居民身份证", "银行卡"])
    search.rebuild_index()
    assert [h.obj.name for h in search.search("身份证过期").items][:1] == ["居民身份证办理"]


def test_a_thing_asked_about_outweighs_a_situation():
    thing, situation = Concept("身份证", {"身份证": 1.0}), Concept("过期", {"过期": 1.0, "换证": 0.75})
    assert ranking._is_object(thing)
    assert not ranking._is_object(situation)  # its strong synonyms are operations
    assert not ranking._is_object(Concept("注销", {"注销": 1.0}))
    weights = [ranking.W_OBJECT, 1.0]
    # Document 2 holds the thing, document 4 the situation, with the same term score.
    scores = ranking._score([(2, 10, 1.0), (4, 11, 1.0)], {10: [(0, 2.0)], 11: [(1, 2.0)]}, weights)
    assert scores[2][0] > scores[4][0]
    equal = ranking._score([(2, 10, 1.0), (4, 11, 1.0)], {10: [(0, 2.0)], 11: [(1, 2.0)]}, [1.0, 1.0])
    assert equal[2][0] == equal[4][0]


@pytest.mark.django_db
def test_a_part_of_a_long_synonym_needs_a_sibling_part():
    parsed = search.parse_query("社保卡")
    concept = parsed.concepts[0]
    # 社保卡 = 医疗保险卡 (data/synonyms.txt): 医疗 is a part of that synonym, not the thing itself.
    assert "医疗" in concept.parts
    assert any("保险卡" in group or "保险" in group for group in concept.parts["医疗"])
    # 医疗 alone (医疗用毒性药品购用审批) does not answer 社保卡; 医疗 next to 保险 does.
    term_concepts = {1: [(0, 1.0)], 2: [(0, 1.0)]}
    parts = {(1, 0): [frozenset({2})]}
    alone = ranking._score([(2, 1, 1.0)], term_concepts, [1.0], parts=parts)
    together = ranking._score([(4, 1, 1.0), (4, 2, 1.0)], term_concepts, [1.0], parts=parts)
    assert 2 not in alone
    assert 4 in together
    # A word typed by the citizen is never a mere part.
    assert "社保卡" not in concept.parts


def test_the_name_reranker_prefers_the_name_that_carries_the_question():
    from zhengwu.catalog.search import rerank

    df = {"~临": 3, "~时": 5, "~用": 40, "~地": 30, "~审": 200, "~批": 200, "~临时": 3, "~用地": 20, "~审批": 200,
          "~占": 10, "~占地": 1}
    names = {2: "临时用地审批", 4: "设立宗教活动临时地点审批"}
    sims = rerank.name_similarity("临时占地审批", names, df, 1000)
    assert sims[2] > sims[4] > 0
    # Equal ranking scores: the name decides; a clearly better ranking score still wins.
    assert max(rerank.rerank({2: 1.0, 4: 1.0}, "临时占地审批", names, df, 1000).items(), key=lambda kv: kv[1])[0] == 2
    assert max(rerank.rerank({2: 0.5, 4: 1.0}, "临时占地审批", names, df, 1000).items(), key=lambda kv: kv[1])[0] == 4
    assert rerank.rerank({2: 1.0}, "abc", names, df, 1000) == {2: 1.0}  # no characters in common: unchanged


@pytest.mark.django_db
def test_search_blends_the_name_overlap_in(department, monkeypatch):
    from django.core.cache import cache

    for name in ("乡村建设规划许可证核发", "建设工程（含临时建设）规划许可证核发", "建设用地（含临时用地）规划许可证核发（出让用地）",
                 "临时用地审批", "设立宗教活动临时地点审批", "临时占用公共体育场（馆）设施审批（县级）",
                 "土地权属争议裁决", "受理农村土地承包经营纠纷仲裁申请", "参保单位参保信息查询", "参保人员参保信息查询",
                 "个体工商户变更登记（备案）", "两证整合个体工商户信息变更（县级行使）"):  # as 广安区 wrote them
        make_published_item(department, name)
    search.rebuild_index()

    def top(question, weight):
        monkeypatch.setattr("zhengwu.catalog.search.rerank.W_NAME", weight)
        monkeypatch.setattr("zhengwu.catalog.search.rerank.W_COVER", 0.0)  # the name's coverage: tested below
        cache.clear()
        return [h.obj.name for h in search.search(question).items]

    # The words alone put a longer name first; its characters say the short one is what was asked.
    # (临时占地审批 was such a case until a lone character's words were indexed, Analyzer.orphan_words;
    # 个体户变更 until 两证整合 became a lexicon word, 第十三轮: now the name's coverage decides it.)
    assert top("临时占地审批", 0.2)[0] == "临时用地审批"
    assert top("个人参保信息", 0.0)[0] == "参保单位参保信息查询"
    assert top("个人参保信息", 0.2)[0] == "参保人员参保信息查询"
    assert set(top("临时占地审批", 0.0)) == set(top("临时占地审批", 0.2))  # it orders the candidates, adds none


def test_name_coverage_counts_what_the_question_accounts_for():
    from zhengwu.catalog.search.rerank import name_coverage

    # 企业 (a synonym of 公司), 注销 and 社会保险 cover the whole name; 机关事业 is not asked about.
    words = ["企业", "单位", "注销", "社会保险", "登记"]
    assert name_coverage("企业注销社会保险登记", words, "公司社保销户") == 1.0
    assert name_coverage("机关事业单位社会保险注销登记", words, "公司社保销户") == pytest.approx(10 / 14)
    # Parenthesised parts are left out; the question's own characters count.
    assert name_coverage("临时用地审批（县级）", [], "临时占地审批") == pytest.approx(5 / 6)
    assert name_coverage("（县级）", [], "x") == 0.0


@pytest.mark.django_db
def test_of_two_siblings_the_one_whose_name_the_question_explains_comes_first(department, monkeypatch):
    from django.core.cache import cache

    for name in ("机关事业单位社会保险注销登记", "企业注销社会保险登记", "机动车维修工时单价备案", "机动车维修经营备案",
                 "机动车维修经营备案（变更）", "个体工商户变更登记（备案）", "两证整合个体工商户信息变更（县级行使）",
                 "乡村建设规划许可证核发", "建设工程（含临时建设）规划许可证核发", "临时用地审批", "设立宗教活动临时地点审批",
                 "土地权属争议裁决", "受理农村土地承包经营纠纷仲裁申请", "参保单位参保信息查询", "参保人员参保信息查询",
                 "建设用地（含临时用地）规划许可证核发（出让用地）", "临时占用公共体育场（馆）设施审批（县级）"):  # as 广安区 wrote them
        make_published_item(department, name)
    search.rebuild_index()

    def top(question, weight):
        monkeypatch.setattr("zhengwu.catalog.search.rerank.W_COVER", weight)
        cache.clear()
        return search.search(question).items[0].obj.name

    # (修车店备案 was such a case until the lexicon's 第十三轮 led 修车店 to 机动车维修 itself.)
    assert top("公司社保注销", 0.0) == "机关事业单位社会保险注销登记"
    assert top("公司社保注销", 0.4) == "企业注销社会保险登记"
    assert top("修车店备案", 0.4) == "机动车维修经营备案"


def test_verbs_and_time_words_are_no_objects():
    # jieba tags 封存, 开通, 恢复 as verbs and 重新 as an adverb: what is done, not the thing.
    for word in ("封存", "开通", "恢复", "重新", "上班"):
        assert not ranking._is_object(Concept(word, {word: 1.0})), word
    for word in ("社保卡", "档案", "燃气", "身份证"):
        assert ranking._is_object(Concept(word, {word: 1.0})), word


@pytest.mark.django_db
def test_a_negation_is_no_typo_of_a_word_that_sounds_alike(search_catalogue):
    from zhengwu.catalog.search.query import parse_query

    # 不办 (bu ban) sounds like 补办: "驾校不办了" asks to stop, not to replace a lost licence.
    terms = parse_query("驾校不办了").terms
    assert "补办" not in terms
    assert "补办" in parse_query("驾校补办").terms


def test_a_legal_basis_note_in_a_name_is_not_indexed():
    from zhengwu.catalog.search.index import strip_notes

    name = "初步设计文件审批(据省政府令第349号,部分省级权限下放成都等８市)"
    assert strip_notes(name) == "初步设计文件审批"
    assert strip_notes("居民身份证办理（包括临时）") == "居民身份证办理（包括临时）"


@pytest.mark.django_db
def test_a_place_named_in_a_legal_basis_note_does_not_answer_a_question(department):
    from django.core.cache import cache

    for name in ("生产建设项目水土保持方案审批（新办）（据省政府令第349号,部分省级权限下放成都等８市)", "档案转出", "档案接收"):
        make_published_item(department, name, acceptance_conditions="材料齐全。",
                            results=[{"name": "决定书", "type": "其他", "sample": ""}])
    search.rebuild_index()
    cache.clear()
    hits = search.search("要去成都上班了，档案咋个调走").items
    assert "档案" in hits[0].obj.name
    assert not any("成都" in h.matched for h in hits)
    # The item is still found by what it is.
    assert search.search("水土保持方案审批").items[0].obj.name.startswith("生产建设项目水土保持方案审批")


def test_what_fei_negates_is_not_indexed_apart_from_it():
    from zhengwu.catalog.search.analysis import analyzer

    an = analyzer()
    # 非公司企业法人 are enterprises that are not companies; 民办非企业单位 are no enterprises.
    words = an.analyse("非公司企业法人变更登记")[0]
    assert "非公司" in words and "公司" not in words and "变更登记" in words
    assert "企业" not in an.analyse("民办非企业单位注销登记")[0]
    assert "煤矿" not in an.analyse("非煤矿山安全生产许可")[0]
    # Only the word right after 非: a 非正常死亡 is still a 死亡.
    assert "死亡" in an.analyse("非正常死亡证明")[0]
    assert an.cut("我非要办") == ["我", "非要", "办"]


@pytest.mark.django_db
def test_a_company_question_does_not_find_the_non_company_items(department):
    from django.core.cache import cache

    for name in ("非公司企业法人变更登记", "非公司企业法人分支机构变更登记（备案）", "小微型客车租赁备案（变更）",
                 "公司变更登记"):  # as 广安区 wrote them
        make_published_item(department, name)
    search.rebuild_index()
    cache.clear()
    names = [h.obj.name for h in search.search("租车公司搬家").items]
    assert names[0] == "小微型客车租赁备案（变更）"
    assert not any(n.startswith("非公司") for n in names[:2])
    # Asked by its own words, the item is found.
    assert search.search("非公司企业法人变更").items[0].obj.name == "非公司企业法人变更登记"


def test_a_lone_character_gets_back_the_word_a_longer_lexicon_word_took_from_it():
    from zhengwu.catalog.search.analysis import analyzer

    an = analyzer()
    # The lexicon's 公司设立登记 and 经营许可 cut these names around a lone character.
    assert an.cut("分公司设立登记") == ["分", "公司设立登记"]
    assert "分公司" in an.analyse("分公司设立登记")[0]
    assert an.cut("取水许可证新办审批")[:2] == ["取水许可", "证"]
    assert "许可证" in an.analyse("取水许可证新办审批")[0]
    # Stop words are not joined (律师及律所: no 及律), nor is what 非 negates.
    assert an.analyse("律师及律所业务咨询")[0][:2] == ("律师", "律所")
    assert not any("及" in w for w in an.analyse("律师及律所业务咨询")[0])
    assert not any(w.startswith("非") for w in an.orphan_words(["非", "正常"], 0))


@pytest.mark.django_db
def test_a_branch_company_question_finds_the_branch_company_item(department):
    from django.core.cache import cache

    for name in ("分公司设立登记", "分公司注销登记", "分公司变更登记（备案）", "公司设立登记"):  # as 广安区 wrote them
        make_published_item(department, name)
    search.rebuild_index()
    cache.clear()
    assert search.search("开分公司").items[0].obj.name == "分公司设立登记"


@pytest.mark.django_db
def test_a_name_that_says_it_is_not_what_was_asked_is_not_found_by_its_synonyms(department):
    """非公司企业法人 are enterprises that are not companies: 公司's synonyms (企业, 法人) must not make
    them the answer to a question about a company; asked for by name, they are still found."""
    from django.core.cache import cache

    for name in ("非公司企业法人设立登记", "非公司企业法人分支机构设立登记", "公司设立登记",
                 "经营性人力资源服务机构开展人力资源服务业务备案(县级)", "经营性人力资源服务机构从事职业中介活动许可（县级）"):
        make_published_item(department, name)  # as 广安区 wrote them
    search.rebuild_index()
    cache.clear()
    top = [h.obj.name for h in search.search("开职业中介公司备案").items]
    assert top[0].startswith("经营性人力资源服务机构")
    assert top.index("非公司企业法人设立登记") > top.index("公司设立登记")
    assert search.search("非公司企业法人设立").items[0].obj.name == "非公司企业法人设立登记"


def test_a_lexicon_phrase_for_an_operation_is_no_object():
    from zhengwu.catalog.search.analysis import analyzer
    from zhengwu.catalog.search.query import object_word

    an = analyzer()
    # jieba's dictionary does not know these phrases; the lexicon leads them to 注销, 变更.
    for phrase in ("不干了", "撤掉", "换负责人", "转外省"):
        assert an.is_operation_phrase(phrase) and not object_word(phrase, an)
    # Things stay things, also when some of their synonyms are operations (身份证 → 换领, 补领).
    for thing in ("身份证", "护士", "科技型企业", "营业执照"):
        assert not an.is_operation_phrase(thing) and object_word(thing, an)


@pytest.mark.django_db
def test_an_operation_phrase_finds_its_operation_among_the_siblings(department):
    from django.core.cache import cache

    # As 广安区 wrote them; 注销 is in many names (a common word weighs little).
    for name in ("护士新办执业注册", "护士执业注销注册", "护士变更执业注册", "护士延续执业注册", "个体工商户注销登记",
                 "公司注销登记", "分公司注销登记", "户口注销", "社会保障卡注销", "医疗机构执业审批（注销）（县级）",
                 "烟草专卖零售许可证注销", "残疾人证注销", "医师注销执业注册"):
        make_published_item(department, name)
    search.rebuild_index()
    cache.clear()
    # No operation asked: the first-time item is the answer.
    assert search.search("护士执业注册").items[0].obj.name == "护士新办执业注册"
    # 不干了 → 注销. The lexicon's rule also led to 执业注册, a word only the other three names hold
    # whole (护士执业注销注册 is cut 执业/注销/注册): the 新办 item came first.
    assert search.search("护士不干了").items[0].obj.name == "护士执业注销注册"
    assert search.search("护士换医院").items[0].obj.name == "护士变更执业注册"


def test_a_place_named_in_a_question_is_elsewhere_only_when_the_search_is_not_there():
    from zhengwu.catalog.search.places import elsewhere_terms, home_code

    assert home_code("511602000000") == "511602" and home_code("410100") == "4101" and home_code("") == ""
    # Searched in 广安区 (四川): 成都 is another place of the province, 重庆 another province.
    assert elsewhere_terms("成都", "511602") == {"外地": 0.85}
    assert set(elsewhere_terms("重庆市", "511602")) == {"外地", "外省"}
    assert set(elsewhere_terms("武侯区", "410105000000")) == {"外地", "外省"}
    # The searched region itself, what contains it, what lies inside it: no other place.
    for here in ("广安", "广安区", "广安市", "四川", "四川省"):
        assert elsewhere_terms(here, "511602") == {}, here
    assert elsewhere_terms("岳池县", "5116") == {}
    # A name two counties share counts as here when one of them is (朝阳区: 北京 and 长春).
    assert elsewhere_terms("朝阳区", "110105") == {}
    # Cities whose short name is an ordinary word to jieba (silver, guests), and words that are no place.
    for word in ("白银", "来宾", "老家", "城区", "林区", "和平"):
        assert elsewhere_terms(word, "511602") == {}, word
    # No region to compare with: nothing.
    assert elsewhere_terms("成都", None) == {}


@pytest.mark.django_db
def test_a_city_named_in_a_question_finds_the_items_for_another_place(department):
    """广安区 writes 异地; the citizen names the city. 北京 is elsewhere for a 郑州 search, 郑州 is not."""
    from django.core.cache import cache

    for name in ("辅助器具异地配置申请", "辅助器具配置（更换）申请", "辅助器具配置（更换）费用申报", "工伤异地就医申请",
                 "工伤保险待遇变更"):
        make_published_item(department, name)  # as 广安区 wrote them
    search.rebuild_index()
    cache.clear()
    assert search.search("我是工伤，想在北京配假肢可以不", region="410105").items[0].obj.name == "辅助器具异地配置申请"
    assert search.search("我是工伤，想在郑州配假肢可以不", region="410105").items[0].obj.name != "辅助器具异地配置申请"


@pytest.mark.django_db
def test_without_a_region_the_catalogues_own_place_decides_what_is_elsewhere(department, make_department, settings):
    from django.core.cache import cache

    from zhengwu.catalog.search.places import catalogue_home
    from zhengwu.org.models import Region

    settings.ZHENGWU_HOME_REGION = ""
    for name in ("辅助器具异地配置申请", "辅助器具配置（更换）申请", "辅助器具配置（更换）费用申报"):
        make_published_item(department, name)  # 金水区
    search.rebuild_index()
    cache.clear()
    assert catalogue_home() == "410105"
    assert search.search("我是工伤，想在北京配假肢可以不").items[0].obj.name == "辅助器具异地配置申请"
    # A second district of the city publishes: the catalogue is the city's (郑州市).
    erqi = Region.objects.create(code="410103000000", name="二七区", parent=Region.objects.get(code="410100000000"))
    make_published_item(make_department(name="二七区人社局", region=erqi), "工伤保险待遇变更")
    cache.clear()
    assert catalogue_home() == "4101"
    assert search.search("我是工伤，想在郑州配假肢可以不").items[0].obj.name != "辅助器具异地配置申请"



@pytest.mark.django_db
def test_a_question_naming_no_operation_lets_the_plain_siblings_operation_word_cover_a_name(department, monkeypatch):
    from django.core.cache import cache

    from zhengwu.catalog.search import rerank as rerank_module

    # As 广安区 wrote them: the 注销 name repeats the question's 卫生许可证, the 新办 one says 卫生许可
    # and 新办审批, which the question does not say: 新办 counts as covered when no operation is asked.
    for name in ("公共场所卫生许可证注销（县级）", "公共场所卫生许可新办审批（县级）", "公共场所卫生许可变更（县级）"):
        make_published_item(department, name)
    search.rebuild_index()
    seen = []
    real = rerank_module.rerank
    monkeypatch.setattr(ranking, "rerank", lambda *a, **k: seen.append(dict(a[5])) or real(*a, **k))

    def words(question):
        cache.clear()
        search.search(question)
        return seen[-1]

    assert words("理发店卫生许可证").get("新办") == 1.0
    assert "新办" not in words("理发店卫生许可证注销")
    plain = [w for w, x in words("理发店卫生许可证").items() if x >= 0.5 and len(w) > 1]
    assert rerank_module.name_coverage("公共场所卫生许可新办审批", plain, "理发店卫生许可证") == 1.0
