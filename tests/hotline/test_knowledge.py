"""Knowledge-base suggestions (issue 28): relevant or nothing; the labelled set's figures; the
``knowledge-evaluate`` command."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from zhengwu.hotline import knowledge, knowledge_eval
from zhengwu.hotline.demo import articles
from zhengwu.hotline.models import KnowledgeArticle

pytestmark = pytest.mark.django_db
EVAL = Path(knowledge_eval.__file__).resolve().parent / "data" / "eval" / "knowledge_eval.csv"
BARBECUE = "市民来电反映小区楼下烧烤店油烟太大，每天晚上熏得开不了窗，怎么办，希望有关部门尽快处理"


@pytest.fixture
def demo_kb():
    with knowledge_eval.demo_knowledge_base() as n:
        yield n


def titles(text, **kw):
    return [h.title for h in knowledge.search(text, 3, **kw)]


def test_barbecue_smoke_is_not_offered_remote_medical_care(demo_kb):
    got = titles(BARBECUE)
    assert got and got[0] == "餐饮油烟扰民如何处理"
    assert not any("异地就医" in t for t in got)


def test_barbecue_smoke_with_the_original_ten_entries_gets_nothing_wrong():
    """The knowledge base as it was when the bug was seen: no entry about 油烟."""
    for t, q, _p, kw, a, s in articles()[:10]:
        KnowledgeArticle.objects.create(title=t, question=q, keywords=kw, answer=a, source=s)
    for text in (BARBECUE, "邻居家油烟机对着我家窗户，油烟扰民怎么办"):
        assert not any("异地就医" in t for t in titles(text)), text


def test_a_clear_call_gets_its_entry(demo_kb):
    assert titles("在外地住院了没有备案，回来还能报销吗")[0] == "没有备案异地就医如何报销"
    assert titles("咨询租房提取公积金要带什么材料")[0] == "公积金提取需要哪些材料"


@pytest.mark.parametrize("text", ["问一下郑州动物园几点开门，门票多少钱", "市民来电反映希望尽快处理，已经反映过好几次了",
                                  "人行道上有个井盖不见了，很危险"])
def test_unrelated_text_gets_nothing(demo_kb, text):
    assert titles(text) == []


def test_the_ticket_category_is_preferred(demo_kb):
    text = "换城市工作了，以前交的转过来"
    assert titles(text, category="住房保障/住房公积金/公积金提取")[0] == "公积金异地转移接续"
    assert titles(text, category="劳动保障/社会保险/社保缴费")[0] == "养老保险跨省转移"


def test_labelled_set_quality(demo_kb):
    """Floors a little under what was measured (held-out 78.7% / 98.1% / 60%, see the report)."""
    calls = knowledge_eval.read_file(EVAL)
    assert len(calls) >= 120 and sum(1 for c in calls if not c.relevant) >= 20
    f = knowledge_eval.evaluate(calls)
    assert f.precision >= 0.75 and f.hit >= 0.9 and f.silent_unanswerable >= 0.5, knowledge_eval.lines(f)
    held = knowledge_eval.evaluate([c for c in calls if c.split == "heldout"], category_mode="file")
    assert held.precision >= 0.75 and held.hit >= 0.9, knowledge_eval.lines(held)


def test_labels_name_existing_entries():
    known = {a[0] for a in articles()}
    assert {t for c in knowledge_eval.read_file(EVAL) for t in c.relevant} <= known


def test_command_prints_the_figures():
    out = io.StringIO()
    call_command("hotline", "knowledge-evaluate", str(EVAL), "--demo", "--split", "heldout", stdout=out)
    text = out.getvalue()
    for label in ("precision@3", "hit@3", "无相关知识的来电不推荐率", "毫秒", "来电 64 条"):
        assert label in text
    assert not KnowledgeArticle.objects.exists()  # rolled back


def test_command_names_a_bad_file(tmp_path):
    from django.core.management.base import CommandError

    bad = tmp_path / "x.csv"
    bad.write_text("内容\n烧烤\n", encoding="utf-8")
    with pytest.raises(CommandError, match="来电内容"):
        call_command("hotline", "knowledge-evaluate", str(bad))
    with pytest.raises(CommandError, match="不存在"):
        call_command("hotline", "knowledge-evaluate", str(tmp_path / "none.csv"))
