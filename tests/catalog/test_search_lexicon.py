"""搜索词库 (synonym rules in the database) and 搜索日志 (learning from use)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from zhengwu.catalog import lexicon_rules, search
from zhengwu.catalog.models import SearchLog, SearchSynonym
from zhengwu.catalog.search import parse_synonyms
from zhengwu.catalog.services import lexicon as svc
from zhengwu.catalog.services import search_log

from .search_fixtures import search_catalogue  # noqa: F401

pytestmark = pytest.mark.django_db

UNKNOWN = "整个档口"  # nobody's word in the test catalogue, nor in the shipped lexicon


def names(result, n=5) -> list[str]:
    return [h.obj.name for h in result.items[:n]]


@pytest.fixture
def admin(make_staff):
    from zhengwu.org.models import Role

    return make_staff(Role.ITEM_ADMIN)


# -- rules -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "fragment"), [
    ("", "不能为空"),
    ("驾照", "至少要有两个词"),
    ("驾照=", "空的词"),
    ("a>b>c", "只能有一个"),
    ("开店>营业执照=执照", "不能用“="),
    ("驾照,驾驶证", "用“=”连接"),
    ("驾照=驾驶证!", "只能由汉字"),
    ("语境 其他 驾照=驾驶证", "最多一个语境"),
    ("驾照>驾照", "左边没有的词"),
    ("狗牌子=狗牌子", "“狗牌子”只和它自己相同"),
    ("狗牌子=狗牌子=狗牌子", "“狗牌子”只和它自己相同"),
    ("公积金 狗牌子=狗牌子", "“狗牌子”只和它自己相同"),
    ("# 驾照=驾驶证", "不能以"),
])
def test_bad_rules_are_refused_in_chinese_naming_the_field(admin, text, fragment):
    with pytest.raises(ValidationError) as exc:
        svc.add_rule(admin, rule=text)
    message = exc.value.message_dict["rule"][0]
    assert message.startswith("规则：") and fragment in message
    assert not SearchSynonym.objects.exists()


def test_good_rules_are_stored_normalised(admin):
    row = svc.add_rule(admin, rule="  公积金|住房公积金   取>提取，支取 ", note="试")
    assert row.rule == "公积金|住房公积金 取>提取,支取"
    assert row.created_by == admin and row.enabled
    with pytest.raises(ValidationError) as exc:
        svc.add_rule(admin, rule="公积金|住房公积金 取>提取,支取")
    assert "已有" in exc.value.message_dict["rule"][0]
    with pytest.raises(ValidationError) as exc:
        svc.add_rule(admin, rule="甲=乙", note="长" * 201)
    assert exc.value.message_dict["note"][0].startswith("说明：")


def test_only_item_admins_edit_the_lexicon(make_staff):
    from zhengwu.org.models import Role

    with pytest.raises(PermissionDenied):
        svc.add_rule(make_staff(Role.WINDOW), rule="驾照=驾驶证")
    assert not SearchSynonym.objects.exists()


# -- the analyzer and the search --------------------------------------------------------------
def test_a_new_rule_is_used_by_the_next_search_and_the_cached_ranking_is_not_served(search_catalogue, admin):
    before = search.search(UNKNOWN)
    assert "个体工商户设立登记" not in names(before, 3)
    assert search.search(UNKNOWN).items == before.items or True  # now cached under the index generation
    row = svc.add_rule(admin, rule=f"{UNKNOWN}>个体工商户")
    after = search.search(UNKNOWN)
    assert names(after, 1) == ["个体工商户设立登记"], names(after)
    # The new word is whole in jieba's dictionary now.
    assert UNKNOWN in search.analyzer().cut(UNKNOWN)
    svc.set_enabled(admin, row.pk, False)
    assert "个体工商户设立登记" not in names(search.search(UNKNOWN), 3)
    assert UNKNOWN not in search.analyzer().cut(UNKNOWN)


def test_another_process_picks_up_the_rule_from_the_database(search_catalogue, admin):
    """A process that did not make the edit: a fresh analyzer loads the database rules."""
    from zhengwu.catalog import lexicon_sync
    from zhengwu.catalog.search import analysis

    svc.add_rule(admin, rule=f"{UNKNOWN}>个体工商户")
    fresh = analysis.Analyzer()
    lexicon_sync.reset()
    lexicon_sync.sync(fresh)
    assert fresh.expansions(UNKNOWN, set()) == {"个体工商户": analysis.W_EXPANSION}
    assert any(UNKNOWN in r.sources for r in fresh.rules) and fresh.file_rules


def test_a_context_rule_from_the_database_applies_only_in_its_context(search_catalogue, admin):
    svc.add_rule(admin, rule=f"公积金 {UNKNOWN}>租房")
    assert names(search.search(f"公积金 {UNKNOWN}"), 1) == ["住房公积金提取（租房）"]
    assert "住房公积金提取（租房）" not in names(search.search(UNKNOWN))


def test_a_one_way_rule_applies_to_the_synonyms_of_its_source():
    """搬家=换地址 and 换地址>变更: 搬家 finds 变更 too. A synonym only in a context does not carry it,
    and a one-way rule still does not run backwards."""
    from zhengwu.catalog.search import analysis

    an = analysis.Analyzer()
    an.set_extra_rules(parse_synonyms(["甲乙丙=丁戊己", "丁戊己>个体工商户", "语境 庚辛壬=丁戊己"]), "test")
    assert an.expansions("甲乙丙", set()) == {"丁戊己": analysis.W_SYNONYM, "个体工商户": analysis.W_EXPANSION}
    assert an.expansions("庚辛壬", {"语境"}) == {"丁戊己": analysis.W_SYNONYM}
    assert "甲乙丙" not in an.expansions("个体工商户", set())


def test_the_file_rules_still_apply_with_database_rules(search_catalogue, admin):
    svc.add_rule(admin, rule="驾照=驾驶本")
    assert names(search.search("驾照到期"), 1) == ["机动车驾驶证期满换证"]


# -- the log -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("query", "stored"), [
    ("身份证410105199001011234补办", "身份证******************补办"),
    ("41010519900101123X丢了", "******************丢了"),
    ("电话 138 0013 8000 社保", "电话 ************* 社保"),
    ("０３７１－６５５００００４", "*************"),
    ("2024年 社保", "2024年 社保"),
])
def test_personal_numbers_are_masked_before_storing(query, stored):
    assert lexicon_rules.mask_query(query) == stored
    log_id = search_log.record_search(query, 3, [1, 2], session="abcdefabcdef")
    assert SearchLog.objects.get(pk=log_id).query == stored


def test_the_portal_logs_a_search_and_the_guide_opened_from_it(client, search_catalogue, django_assert_num_queries):
    q = "孩子出生上户口 身份证410105199001011234"
    page = client.get(reverse("catalog:item_search"), {"q": q})
    assert page.status_code == 200 and "X-Zw-Search-Log" not in page.headers
    row = SearchLog.objects.get()
    assert "410105199001011234" not in row.query and row.query.startswith("孩子出生上户口 ")
    assert row.result_count > 0 and row.source == "portal" and len(row.session) == 12
    first = int(row.top_items.split(",")[0])
    link = f"{reverse('catalog:item_guide', args=[first])}?sr=1"
    assert link in page.content.decode()
    guide = client.get(link)
    assert guide.status_code == 200
    row.refresh_from_db()
    assert (row.opened_item_id, row.opened_rank) == (first, 1) and row.opened_at
    # ?sr= is taken off before the page cache: the plain guide address is now a cache hit.
    client.get(link)
    with django_assert_num_queries(0):
        assert client.get(reverse("catalog:item_guide", args=[first])).status_code == 200
    # The same search again, served from the page cache, is logged too; page 2 is not a new search.
    client.cookies.clear()
    client.get(reverse("catalog:item_search"), {"q": q})
    client.get(reverse("catalog:item_search"), {"q": q, "page": 2})
    assert SearchLog.objects.count() == 2


def test_a_guide_opened_after_thirty_minutes_does_not_count(client, search_catalogue):
    client.get(reverse("catalog:item_search"), {"q": "驾照到期"})
    row = SearchLog.objects.get()
    SearchLog.objects.filter(pk=row.pk).update(created_at=timezone.now() - dt.timedelta(minutes=31))
    first = int(row.top_items.split(",")[0])
    assert client.get(f"{reverse('catalog:item_guide', args=[first])}?sr=1").status_code == 200
    row.refresh_from_db()
    assert row.opened_item_id is None


def test_the_api_logs_its_searches(client, search_catalogue):
    r = client.get("/api/v1/items/search", {"q": "驾照到期"})
    assert r.status_code == 200
    client.get("/api/v1/items/search", {"q": "驾照到期"})  # from the cache
    rows = list(SearchLog.objects.all())
    assert len(rows) == 2 and all(x.source == "api" and x.result_count > 0 and x.top_items for x in rows)


def test_logging_never_fails_the_search(client, search_catalogue, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("database down")

    monkeypatch.setattr(SearchLog.objects, "create", broken)
    assert client.get(reverse("catalog:item_search"), {"q": "驾照到期"}).status_code == 200
    assert client.get("/api/v1/items/search", {"q": "驾照到期"}).status_code == 200


def _log(query, count, opened=None, minutes_ago=60, days_ago=0, source="portal"):
    now = timezone.now() - dt.timedelta(days=days_ago, minutes=minutes_ago)
    return SearchLog.objects.create(created_at=now, day=timezone.localdate(now), query=query, result_count=count,
                                    session="s", source=source, opened_item_id=opened)


def test_zero_result_abandoned_and_top_lists(search_catalogue):
    item = search_catalogue.item("个体工商户设立登记")
    for _ in range(3):
        _log(UNKNOWN, 0)
    _log("开店", 5, opened=item.pk)
    _log("开店", 5)
    _log("开店", 5, minutes_ago=5)  # still within the window: not abandoned yet
    _log("开店", 5, source="api")  # cannot be followed
    _log("很久以前", 0, days_ago=40)
    today = timezone.localdate()
    start = today - dt.timedelta(days=29)
    top = search_log.top_queries(start, today)
    assert [(r["query"], r["searches"], r["opened"]) for r in top[:2]] == [("开店", 4, 1), (UNKNOWN, 3, 0)]
    assert [(r["query"], r["searches"]) for r in search_log.zero_result_queries(start, today)] == [(UNKNOWN, 3)]
    assert [(r["query"], r["searches"]) for r in search_log.abandoned_queries(start, today)] == [("开店", 1)]
    # The proposed rule: the item opened after the same query, else the best name match.
    rule, found = search_log.suggestion("开店")
    assert found == item and rule.startswith("开店>") and "个体工商户" in rule
    rule, found = search_log.suggestion("公积金租房")
    assert found.name == "住房公积金提取（租房）" and rule.startswith("公积金租房>")
    assert search_log.suggestion("完全无关") == ("", None)


def test_pruning_keeps_180_days():
    old = _log("旧的", 1, days_ago=181)
    kept = _log("新的", 1, days_ago=179)
    assert search_log.prune() == 1
    assert list(SearchLog.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not SearchLog.objects.filter(pk=old.pk).exists()


def test_the_prune_job_is_registered():
    from zhengwu.core.schedule import jobs

    job = {j.name: j for j in jobs()}["catalog.search_log_prune"]
    assert job.run().startswith("删除")


# -- pages -------------------------------------------------------------------------------------
def test_pages_are_for_item_admins_only(client, make_staff):
    from zhengwu.org.models import Role

    client.force_login(make_staff(Role.WINDOW))
    for name in ("catalog:wb_lexicon", "catalog:wb_lexicon_new", "catalog:wb_search_log"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("catalog:wb_lexicon_new"), {"rule": "驾照=驾驶本"}).status_code == 403
    assert not SearchSynonym.objects.exists()


def test_admin_adds_edits_and_disables_a_rule_in_the_workbench(client, admin):
    client.force_login(admin)
    page = client.get(reverse("catalog:wb_lexicon"), {"q": "户口"})
    assert page.status_code == 200 and "上户口=落户" in page.content.decode()  # the file's rules, read-only
    bad = client.post(reverse("catalog:wb_lexicon_new"), {"rule": "驾照", "enabled": "1"})
    assert bad.status_code == 400 and "规则：至少要有两个词" in bad.content.decode()
    r = client.post(reverse("catalog:wb_lexicon_new"), {"rule": "驾照=驾驶本", "note": "口语", "enabled": "1"})
    assert r.status_code == 302
    row = SearchSynonym.objects.get()
    r = client.post(reverse("catalog:wb_lexicon_edit", args=[row.pk]), {"rule": "驾照=驾驶本=车本", "enabled": "1"})
    assert r.status_code == 302
    client.post(reverse("catalog:wb_lexicon_toggle", args=[row.pk]), {"enabled": "0"})
    row.refresh_from_db()
    assert row.rule == "驾照=驾驶本=车本" and not row.enabled and row.updated_by == admin
    assert "驾照=驾驶本=车本" in client.get(reverse("catalog:wb_lexicon")).content.decode()


def test_search_analysis_page_and_one_click_suggestion(client, admin, search_catalogue):
    for _ in range(2):
        _log("公积金租房", 0)
    client.force_login(admin)
    page = client.get(reverse("catalog:wb_search_log"), {"days": 7})
    body = page.content.decode()
    assert page.status_code == 200 and "公积金租房" in body and "加为同义词" in body
    form = client.post(reverse("catalog:wb_lexicon_new"), {"suggest_for": "公积金租房"})
    assert form.status_code == 200 and not SearchSynonym.objects.exists()  # filled, not saved
    text = form.content.decode()
    assert 'value="公积金租房&gt;' in text and "住房公积金提取（租房）" in text


def test_words_no_document_contains_are_pointed_out(search_catalogue, admin, client):
    assert svc.words_not_indexed(f"{UNKNOWN}>个体工商户") == []
    assert svc.words_not_indexed(f"{UNKNOWN}>没人写过的词") == ["没人写过的词"]
    client.force_login(admin)
    r = client.post(reverse("catalog:wb_lexicon_new"), {"rule": f"{UNKNOWN}>没人写过的词", "enabled": "1"}, follow=True)
    assert "“没人写过的词”不在搜索索引里" in r.content.decode()


def test_database_words_leave_jieba_with_their_rule_but_jieba_words_stay():
    from zhengwu.catalog.search.analysis import Analyzer

    an = Analyzer()
    an.set_extra_rules(parse_synonyms([f"{UNKNOWN}>个体工商户", "孩子=娃娃"]), "v1")  # before jieba is loaded
    assert UNKNOWN in an.cut(UNKNOWN) and an.expansions("孩子", set())["娃娃"]
    an.set_extra_rules([], "v2")
    assert UNKNOWN not in an.cut(UNKNOWN)
    assert an.is_word("孩子") and "娃娃" not in an.expansions("孩子", set())  # the file's and jieba's words stay
    an.set_extra_rules(parse_synonyms([f"{UNKNOWN}>个体工商户"]), "v3")  # after: added at once
    assert UNKNOWN in an.cut(f"我想{UNKNOWN}") and an.lexicon_version == "v3"


def test_a_file_rule_keeps_a_common_word_as_common_as_jieba_has_it():
    """synonyms.txt's words join jieba's dictionary at a modest frequency; a word jieba already
    knows as common (个人) must keep its own, or every name holding it is cut anew (维护/个/人)."""
    from zhengwu.catalog.search.analysis import Analyzer

    an = Analyzer()
    an.file_rules = parse_synonyms(["个人网站,私人网站>个人,国际联网备案"])
    an._index_rules()
    assert an.tokenizer.FREQ["个人"] > 10_000
    assert an.cut("失业保险待遇发放账户维护个人")[-2:] == ["维护", "个人"]
    assert an.is_word("个人网站")  # a word jieba does not know joins as before


def test_the_rule_list_pages_keep_the_filter(client, admin):
    # no updated_by: as after the editor's account is deleted (SET_NULL); the list showed a 500 then
    SearchSynonym.objects.bulk_create(SearchSynonym(rule=f"说法{i:03d}>规范{i:03d}") for i in range(60))
    client.force_login(admin)
    first = client.get(reverse("catalog:wb_lexicon"), {"q": "说法", "status": "on"}).content.decode()
    assert "第1/2页" in first and 'href="?q=%E8%AF%B4%E6%B3%95&amp;status=on&amp;page=2">下一页' in first
    second = client.get(reverse("catalog:wb_lexicon"), {"q": "说法", "status": "on", "page": 2}).content.decode()
    assert second.count("说法0") == 10 and 'page=1">上一页' in second


def test_a_word_that_cuts_inside_a_word_is_told_apart_from_one_that_joins_words():
    assert lexicon_rules.cuts_across(["道路", "客运班线", "经营许可", "证明"], "经营许可证")
    assert lexicon_rules.cuts_across(["社保", "上", "身份证号码", "错了"], "号码错了")
    assert not lexicon_rules.cuts_across(["营业", "执照", "丢了"], "营业执照")
    assert not lexicon_rules.cuts_across(["营业", "执照"], "身份证")
    # Any occurrence counts: the first 证明 is a whole word, the second ends inside 证明书.
    assert lexicon_rules.cuts_across(["证明", "出具", "证明书"], "证明")
    assert not lexicon_rules.cuts_across(["证明", "出具", "证", "明"], "证明")


def test_a_word_that_joins_a_thing_to_what_happened_to_it_is_pointed_out():
    things = {"营业执照", "地址", "身份证"}.__contains__
    assert lexicon_rules.swallows_an_object(["营业执照", "地址", "变了", "咋个", "改"], "地址变了", things)
    # Joining words that are no thing and a situation (不/干/了), or two things, is fine.
    assert not lexicon_rules.swallows_an_object(["不", "干", "了"], "不干了", things)
    assert not lexicon_rules.swallows_an_object(["营业", "执照", "丢了"], "营业执照", things)
    assert not lexicon_rules.swallows_an_object(["地址", "变了"], "址变", things)  # that one cuts across instead


def test_saving_a_rule_whose_word_would_re_cut_names_and_questions_warns(department, admin, client):
    from .search_fixtures import make_published_item

    make_published_item(department, "道路客运班线经营许可证明（变更）")
    search_log.record_search("社保上身份证号码错了咋改", 3, [])
    search.rebuild_index()

    found = svc.recut_examples("网约车|滴滴 执照,经营证>经营许可证")
    assert list(found) == ["经营许可证"]
    assert found["经营许可证"][0][0] == "道路客运班线经营许可证明（变更）"
    assert "经营许可/证明" in found["经营许可证"][0][1]
    assert list(svc.recut_examples("社保 号码错了>个人基本信息,变更")) == ["号码错了"]
    search_log.record_search("营业执照地址变了咋个改", 2, [])
    found = svc.recut_examples("营业执照 地址变了>变更")
    assert found == {"地址变了": [("营业执照地址变了咋个改", "营业执照/地址/变了/咋个/改")]}
    # Words that are in the dictionary already, or that only join whole words, say nothing.
    assert svc.recut_examples("营业执照 丢了>补领") == {}
    assert svc.recut_examples("班线许可>客运班线,经营许可") == {}
    # A context word only has to be found in the question: it does not join the dictionary.
    assert svc.recut_examples("经营许可证 执照>经营许可") == {}

    client.force_login(admin)
    r = client.post(reverse("catalog:wb_lexicon_new"), {"rule": "网约车|滴滴 执照,经营证>经营许可证", "enabled": "1"},
                    follow=True)
    page = r.content.decode()
    assert "规则已保存" in page and "分词影响" in page and "“经营许可证”" in page and "经营许可/证明" in page
    r = client.post(reverse("catalog:wb_lexicon_new"), {"rule": "营业执照 丢了>补领", "enabled": "1"}, follow=True)
    assert "规则已保存" in r.content.decode() and "分词影响" not in r.content.decode()


def test_a_rule_another_rule_already_says_is_told_apart():
    def rule(text):
        return lexicon_rules.clean_rule(text)[1]

    group = rule("驾照=驾驶证=驾驶本")
    assert lexicon_rules.covers(group, rule("驾照>驾驶证"))
    assert lexicon_rules.covers(group, rule("驾驶本=驾照"))
    assert not lexicon_rules.covers(rule("驾照>驾驶证"), rule("驾照=驾驶证"))  # one way only
    assert not lexicon_rules.covers(group, rule("驾照>驾驶证,机动车驾驶证"))  # a target it lacks
    # Context: a rule without one, or with a wider one, applies wherever the new one would.
    assert lexicon_rules.covers(rule("公积金|住房公积金 取>提取"), rule("公积金 取>提取"))
    assert not lexicon_rules.covers(rule("公积金 取>提取"), rule("公积金|住房公积金 取>提取"))
    assert not lexicon_rules.covers(rule("公积金 取>提取"), rule("取>提取"))
    assert lexicon_rules.covers(rule("取>提取"), rule("公积金 取>提取"))


def test_saving_a_rule_the_lexicon_already_has_warns(admin, client):
    assert svc.covering_rule("驾照>驾驶证").startswith("内置词库第")  # synonyms.txt: 驾照=驾驶证=…
    assert svc.covering_rule(f"{UNKNOWN}>个体工商户") == ""
    client.force_login(admin)
    r = client.post(reverse("catalog:wb_lexicon_new"), {"rule": f"{UNKNOWN}>个体工商户", "enabled": "1"}, follow=True)
    assert "规则已保存" in r.content.decode() and "不会改变搜索结果" not in r.content.decode()
    row = SearchSynonym.objects.get(rule=f"{UNKNOWN}>个体工商户")
    assert svc.covering_rule(f"{UNKNOWN}>个体工商户") == f"词库里的“{UNKNOWN}>个体工商户”"
    # Editing the rule itself is not covered by its own row.
    r = client.post(reverse("catalog:wb_lexicon_edit", args=[row.pk]), {"rule": f"{UNKNOWN}>个体工商户", "enabled": "1"},
                    follow=True)
    assert "不会改变搜索结果" not in r.content.decode()
    r = client.post(reverse("catalog:wb_lexicon_new"), {"rule": "驾照>驾驶证", "enabled": "1"}, follow=True)
    page = r.content.decode()
    assert "规则已保存" in page and "不会改变搜索结果" in page and "内置词库第" in page


def _save_rule(client, rule: str) -> str:
    """The page after 新增规则 saves ``rule`` (the lexicon list with its messages)."""
    r = client.post(reverse("catalog:wb_lexicon_new"), {"rule": rule, "enabled": "1"}, follow=True)
    page = r.content.decode()
    assert "规则已保存" in page
    return page


def test_a_new_word_that_swallows_a_lexicon_word_is_pointed_out(admin, client):
    """要改 as a word takes 改 out of "内容要改": what 改 leads to (更改, 修改 …) no longer applies there."""
    found = svc.hidden_rule_words("水保 有变化,要改>变更")
    assert list(found) == ["要改"] and "改" in found["要改"] and "变更" not in found["要改"]["改"]
    everything = svc.hidden_rule_words("水保 要改>" + ",".join(["变更", *svc.hidden_rule_words("水保 要改>变更", 99)["要改"]["改"]]))
    assert everything == {}  # the rule itself leads where 改 did
    assert svc.hidden_rule_words("营业执照 丢了>补领") == {}  # 丢了 is a word already: nothing new is cut
    client.force_login(admin)
    page = _save_rule(client, "水保 要改>变更")
    assert "“要改”会成为一个词" in page and "“改”→" in page
    assert "会成为一个词" not in _save_rule(client, "水保 有变化>变更")


def test_a_one_character_context_that_questions_seldom_cut_out_is_pointed_out(admin, client):
    """A context applies only when the question has it as a word: 开饭店 is 开/饭店, with no 店."""
    for q in ("开饭店卖酒要办啥", "饭店卖酒要什么证", "小卖部卖酒咋个办"):
        search_log.record_search(q, 1, [])
    assert svc.lone_context_characters("店 卖酒>酒类") == {"店": (0, 2)}
    assert svc.lone_context_characters("饭店|小卖部 卖酒>酒类") == {}  # words of two characters and more
    assert svc.lone_context_characters("坝 卖酒>酒类") == {"坝": (0, 0)}  # no logged question holds it
    search_log.record_search("这个店卖酒咋办", 1, [])
    search_log.record_search("我的店卖酒", 1, [])
    assert svc.lone_context_characters("店 卖酒>酒类") == {}  # alone in 2 of 4: often enough
    client.force_login(admin)
    page = _save_rule(client, "坝 卖酒>酒类")
    assert "语境“坝”只有一个字" in page and "还没有含“坝”的问题" in page
    assert "只有一个字" not in _save_rule(client, "饭店 卖酒>酒类")


def test_no_shipped_rule_repeats_what_another_already_says():
    """synonyms.txt: a line another line covers (丢了>遗失,补领 under 丢了>遗失,补领,补办,挂失…) changes no
    search; it only hides which line does the work."""
    from collections import defaultdict

    from zhengwu.catalog.search.analysis import numbered_file_rules

    rules = [(number, r) for number, _, r in numbered_file_rules()]
    by_source = defaultdict(list)
    for number, r in rules:
        for s in r.sources:
            by_source[s].append((number, r))
    repeated = []
    for number, r in rules:
        others = {m: other for s in r.sources for m, other in by_source[s] if m != number}
        # Two lines that say the same thing: the later one repeats the earlier.
        if any(lexicon_rules.covers(o, r) and not (lexicon_rules.covers(r, o) and m > number) for m, o in others.items()):
            repeated.append(number)
    assert repeated == []
