"""Search quality (issue 28): the evaluation's metrics and command, intent words, the character
n-gram fallback, unasked variants, and the demo's held-out questions."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command

from zhengwu.catalog import search
from zhengwu.catalog.search import evaluation, ranking

from .search_fixtures import make_published_item, search_catalogue  # noqa: F401

EVAL = Path(search.__file__).resolve().parent.parent / "data" / "search" / "eval"


# -- metrics (pure) --------------------------------------------------------------------------------
def test_hit_at_and_mrr():
    ranks = [1, 2, None, 6]
    assert evaluation.hit_at(ranks, 1) == 0.25
    assert evaluation.hit_at(ranks, 5) == 0.5
    assert evaluation.hit_at(ranks, 10) == 0.75
    assert evaluation.mean_reciprocal_rank(ranks) == pytest.approx((1 + 0.5 + 1 / 6) / 4)
    assert evaluation.hit_at([], 5) == 0.0 and evaluation.mean_reciprocal_rank([]) == 0.0


def test_first_rank_takes_the_first_acceptable_result():
    results = [{"a"}, {"b", "code-b"}, {"c"}]
    assert evaluation.first_rank(results, {"c", "b"}) == 2
    assert evaluation.first_rank(results, {"code-b"}) == 2
    assert evaluation.first_rank(results, {"z"}) is None


def test_answer_key_ignores_width_case_and_spaces():
    assert evaluation.answer_key("居民身份证办理（包括临时） ") == evaluation.answer_key("居民身份证办理(包括临时)")
    assert evaluation.answer_key("ABC 12") == "abc12"


def test_read_questions_accepts_several_answers_and_a_bom():
    qs = evaluation.read_questions("\ufeff问题,事项\n狗证怎么办,养犬登记\n\n水电过户,供水过户联办|供电过户联办\n".encode())
    assert [(q.row, q.text, q.answers) for q in qs] == [
        (2, "狗证怎么办", ("养犬登记",)), (4, "水电过户", ("供水过户联办", "供电过户联办"))]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "为空"),
    ("名称,答案\n狗证,养犬登记\n".encode(), "表头应包含"),
    ("问题,事项\n狗证,\n".encode(), "第2行"),
    ("问题,事项\n".encode(), "没有问题"),
    ("问题,事项\n狗证,养犬登记\n".encode("gbk"), "UTF-8"),
])
def test_read_questions_refuses_bad_files_with_a_chinese_message(data, message):
    with pytest.raises(evaluation.EvaluationFileError, match=message):
        evaluation.read_questions(data)


def test_read_bundle_questions_refuses_bad_files_with_a_chinese_message():
    assert evaluation.read_bundle_questions("问题,一件事\n孩子出生,新生儿出生一件事\n公积金提取,\n".encode()) == [
        ("孩子出生", {"新生儿出生一件事"}), ("公积金提取", set())]
    with pytest.raises(evaluation.EvaluationFileError, match="UTF-8"):
        evaluation.read_bundle_questions("问题,一件事\n孩子出生,新生儿出生一件事\n".encode("gbk"))
    with pytest.raises(evaluation.EvaluationFileError, match="表头"):
        evaluation.read_bundle_questions("问题,事项\n孩子出生,出生登记\n".encode())


def test_rank_changes_lists_what_crossed_first_and_fifth_worse_first():
    before = {"d:2": ["甲", 1, ["A"]], "d:3": ["乙", 6, ["B"]], "d:4": ["丙", 2, ["C"]], "d:5": ["丁", 3, ["D"]],
              "gone:1": ["戊", 1, ["E"]]}
    after = {"d:2": ["甲", 2, ["X", "A"]], "d:3": ["乙", 4, ["B"]], "d:4": ["丙", 3, ["C"]], "d:5": ["丁", None, []],
             "new:1": ["己", 1, ["F"]]}
    lines = evaluation.rank_changes(before, after)
    assert lines[0] == "d（4 题）：hit@1 1 → 0，hit@5 3 → 3"
    assert [line.split("：")[0] for line in lines[1:]] == ["  变差 d:2 “甲”", "  变差 d:5 “丁”", "  变好 d:3 “乙”"]
    assert "第1位 → 第2位；现在前几位：X；A" in lines[1] and "第3位 → 前20位中没有；现在前几位：（无结果）" in lines[2]


def test_the_shipped_question_files_are_well_formed():
    files = sorted(EVAL.glob("*_dev*.csv")) + sorted(EVAL.glob("*_heldout*.csv"))
    assert len(files) == 24
    total = sum(len(evaluation.read_questions(f.read_bytes())) for f in files)
    assert total >= 18536


# -- the command on a tiny catalogue -----------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.usefixtures("search_catalogue")
def test_evaluate_command_prints_the_figures_the_baseline_and_the_misses(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("问题,事项\n孩子出生上户口,出生登记\n驾照到期,机动车驾驶证期满换证\n"
                    "外地看病,住房公积金个人住房贷款\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("search", "evaluate", str(path), "--region", "410105", "--baseline", "--misses", stdout=out, stderr=err)
    text = out.getvalue()
    assert "搜索：3 个问题，hit@1 66.7%（2），hit@5 66.7%（2），MRR 0.667" in text
    assert "基线（字符 1–3 元 TF-IDF，仅事项名称）：3 个问题" in text
    assert "“外地看病” → 应为 住房公积金个人住房贷款" in text
    assert err.getvalue() == ""


@pytest.mark.django_db
@pytest.mark.usefixtures("search_catalogue")
def test_evaluate_command_reports_answers_that_are_not_in_the_catalogue(tmp_path):
    path = tmp_path / "q.csv"
    path.write_text("问题,事项\n孩子出生上户口,出生登记\n驾照到期,驾照换证（没有这个事项）\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("search", "evaluate", str(path), stdout=out, stderr=err)
    assert "hit@1 50.0%（1）" in out.getvalue()
    assert "第3行：驾照换证（没有这个事项）" in err.getvalue()


@pytest.mark.django_db
@pytest.mark.usefixtures("search_catalogue")
def test_evaluate_command_refuses_a_bad_file(tmp_path):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("search", "evaluate", str(tmp_path / "none.csv"))
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="表头应包含“问题”和“事项”"):
        call_command("search", "evaluate", str(bad))
    with pytest.raises(CommandError, match="区划代码"):
        call_command("search", "evaluate", str(EVAL / "demo_dev.csv"), "--region", "4101050000001")


# -- intent words, n-grams, variants ----------------------------------------------------------------
def test_intent_words_are_not_concepts(db):
    for q in ("出生登记需要什么材料", "出生登记要什么手续", "出生登记在哪办", "出生登记多少钱", "出生登记怎么办"):
        assert [c.label for c in search.parse_query(q).concepts] == ["出生登记"], q

    # 西南官话: 咋个办 = 怎么办, 要啥子 = 要什么
    for q in ("出生登记咋个办", "出生登记要啥子手续", "出生登记在哪点办"):
        assert [c.label for c in search.parse_query(q).concepts] == ["出生登记"], q


@pytest.mark.django_db
@pytest.mark.usefixtures("search_catalogue")
def test_an_operation_synonym_does_not_stand_for_the_object(make_department):
    # 身份证 > 换领 (the demo lexicon): a social security card's 换领 must not count as "身份证".
    dept = make_department(name="金水区证件服务中心", short_name="证件中心")
    for name in ("居民身份证办理（包括临时）", "社会保障卡补领、换领、换发", "巡游出租汽车经营许可证到期换证"):
        make_published_item(dept, name)
    search.rebuild_index()
    names = [h.obj.name for h in search.search("身份证过期了咋个换").items[:3]]
    assert names[0] == "居民身份证换领"
    assert "社会保障卡补领、换领、换发" not in names[:2]


@pytest.mark.django_db
@pytest.mark.usefixtures("search_catalogue")
def test_intent_words_never_outrank_the_object(make_department):
    dept = make_department(name="金水区档案馆", short_name="档案馆")
    make_published_item(dept, "档案材料补充")
    make_published_item(dept, "办理流程咨询服务")
    search.rebuild_index()
    for q in ("出生登记需要什么材料", "出生登记的办理流程是什么", "在哪里办出生登记，要多少钱"):
        assert [h.obj.name for h in search.search(q).items[:1]] == ["出生登记"], q
    # The word keeps its meaning where it is the object.
    assert search.search("档案材料补充").items[0].obj.name == "档案材料补充"


@pytest.mark.django_db
@pytest.mark.usefixtures("search_catalogue")
def test_unseen_words_still_find_the_closest_item_by_characters(make_department, monkeypatch):
    dept = make_department(name="金水区自然资源局", short_name="自然资源局")
    make_published_item(dept, "古树名木认定")
    search.rebuild_index()
    result = search.search("古代树木")
    assert result.items and result.items[0].obj.name == "古树名木认定"
    # Without the character n-grams the same question does not find it.
    monkeypatch.setattr(ranking, "ngram_terms", lambda text, scale=1.0: {})
    cache.clear()  # the ranking cache would answer from before
    assert "古树名木认定" not in [h.obj.name for h in search.search("古代树木 ").items]


@pytest.mark.django_db
@pytest.mark.usefixtures("search_catalogue")
def test_a_single_unknown_character_is_looked_for_too(make_department):
    dept = make_department(name="金水区自然资源局", short_name="自然资源局")
    make_published_item(dept, "古树名木认定")
    search.rebuild_index()
    assert search.search("树").items[0].obj.name == "古树名木认定"


@pytest.mark.django_db
@pytest.mark.usefixtures("search_catalogue")
def test_an_unasked_variant_ranks_below_the_plain_item(make_department):
    dept = make_department(name="金水区交通运输局", short_name="交通运输局")
    for suffix in ("注销", "新增", "补办", "变更"):
        make_published_item(dept, f"网络预约出租汽车运输证发放（{suffix}）")
    search.rebuild_index()
    assert search.search("网约车运输证").items[0].obj.name == "网络预约出租汽车运输证发放（新增）"
    assert search.search("网约车运输证丢了").items[0].obj.name == "网络预约出租汽车运输证发放（补办）"
    assert search.search("网约车运输证注销").items[0].obj.name == "网络预约出租汽车运输证发放（注销）"


@pytest.mark.django_db
@pytest.mark.usefixtures("search_catalogue")
def test_colloquial_words_reach_catalogues_written_differently(make_department):
    """A catalogue with names only (no 通俗名称, no keywords), written as another district does."""
    police = make_department(name="金水区公安分局二", short_name="公安二")
    for name in ("犬类准养证核发", "居民身份证挂失申报、丢失招领", "居民身份证跨省异地办理", "公章刻制业特种行业许可证核发"):
        make_published_item(police, name)
    search.rebuild_index()
    for q, expected in (("养狗办证", "犬类准养证核发"), ("家里的宠物狗", "犬类准养证核发"),
                        ("在外省补办身份证", "居民身份证跨省异地办理"), ("身份证掉了挂失", "居民身份证挂失申报、丢失招领"),
                        ("刻章", "公章刻制业特种行业许可证核发")):
        assert expected in [h.obj.name for h in search.search(q).items[:1]], q


# -- the demo district's held-out questions (the whole demo catalogue: a few seconds) ----------------
DEMO_HELDOUT_HIT5 = 0.975


@pytest.mark.django_db
def test_demo_heldout_questions_stay_above_the_target():
    from zhengwu.catalog import demo as catalog_demo
    from zhengwu.org import demo as org_demo

    org_demo.load(StringIO())
    catalog_demo.load(StringIO())
    search.rebuild_index()
    report = evaluation.evaluate(evaluation.read_questions((EVAL / "demo_heldout.csv").read_bytes()), region="410105")
    assert report.hit(5) >= DEMO_HELDOUT_HIT5, "\n".join(evaluation.format_misses(report))
    # The 一件事 offered above the results: the expected one for most questions that have one, and
    # almost never one for a question about a single item (22/24, 22 of 28 offered, 1/16 when measured).
    bundles = evaluation.evaluate_bundles(evaluation.read_bundle_questions((EVAL / "demo_bundles.csv").read_bytes()),
                                          region="410105")
    assert bundles.expecting == 24 and bundles.questions == 40
    assert bundles.found >= 20 and bundles.precision >= 0.7 and bundles.stray <= 2, bundles
