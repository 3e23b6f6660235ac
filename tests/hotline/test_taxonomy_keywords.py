"""A leaf's 关键词 (issue 28: the dispatch model reads them): shown and edited on the taxonomy page
without a file, no lost update, long lists refused with a message instead of cut."""

import pytest
from django.core.exceptions import PermissionDenied

from zhengwu.core.models import AuditEvent
from zhengwu.hotline import classifier, services
from zhengwu.hotline.models import KEYWORDS_MAX, Category

pytestmark = pytest.mark.django_db

PAGE = "/workbench/hotline/taxonomy/"


def _post(client, leaf, expected, keywords):
    return client.post(PAGE, {"form": "keywords", "category": leaf.pk, "expected": expected, "keywords": keywords},
                       follow=True)


def test_the_page_shows_and_saves_a_leaf_s_keywords(client, centre, taxonomy):
    leaf = taxonomy["环境保护/噪声污染/施工噪声"]
    client.force_login(centre)
    page = client.get(PAGE).content.decode()
    assert 'value="噪音 施工"' in page and "重新训练派单模型时进入模型" in page
    r = _post(client, leaf, "噪音 施工", "噪音，施工、打桩 夜间施工 打桩")
    assert "已保存“环境保护/噪声污染/施工噪声”的关键词" in r.content.decode()
    leaf.refresh_from_db()
    assert leaf.keywords == "噪音 施工 打桩 夜间施工"  # one separator, each word once
    event = AuditEvent.objects.filter(action="hotline.category.keywords").latest("seq")
    assert event.before == {"keywords": "噪音 施工"} and event.after == {"keywords": leaf.keywords}
    # what the model and the no-model suggestions read from now on
    classifier.invalidate()
    assert ("环境保护/噪声污染/施工噪声", ["噪音", "施工", "打桩", "夜间施工", "施工噪声"]) in classifier.taxonomy_keywords()


def test_a_second_editor_working_from_the_old_text_does_not_overwrite(client, centre, taxonomy):
    leaf = taxonomy["城市管理/市容环境/垃圾清运"]
    client.force_login(centre)
    _post(client, leaf, "垃圾 清运", "垃圾 清运 垃圾桶")
    r = _post(client, leaf, "垃圾 清运", "垃圾 清运 垃圾站")  # opened the page before the first save
    assert "已被他人修改，请刷新页面后重新编辑" in r.content.decode()
    leaf.refresh_from_db()
    assert leaf.keywords == "垃圾 清运 垃圾桶"


def test_refusals_name_the_rule(client, centre, handler, taxonomy):
    leaf = taxonomy["市场监管/消费维权/预付卡退费"]
    client.force_login(centre)
    r = _post(client, leaf, leaf.keywords, "长" * (KEYWORDS_MAX + 1))
    assert f"关键词不能超过{KEYWORDS_MAX}个字" in r.content.decode()
    branch = Category.objects.get(path="市场监管/消费维权")
    r = _post(client, branch, "", "退费")
    assert "不是三级分类：关键词只设在三级分类上" in r.content.decode()
    leaf.refresh_from_db()
    assert leaf.keywords == "预付卡 退费 会员卡" and branch.keywords == ""
    with pytest.raises(PermissionDenied) as exc:
        services.set_keywords(handler, leaf.pk, leaf.keywords, "退费")
    assert "仅派单中心或系统管理员" in str(exc.value)


def test_import_refuses_a_keyword_list_too_long_instead_of_cutting_it(market):
    long_words = " ".join(f"词{i:04d}" for i in range(200))  # 1,199 characters
    data = ("一级分类,二级分类,三级分类,承办单位,办理时限,关键词\n"
            f"市场监管,消费维权,预付卡退费,市场监管局,10,{long_words}\n").encode()
    report = services.import_categories(None, data, "t.csv")
    assert not report["ok"] and not Category.objects.exists()
    assert report["errors"] == [{"row": 2, "column": "关键词", "message": f"关键词不能超过{KEYWORDS_MAX}个字（含分隔的空格）"}]
    fits = " ".join(f"词{i:04d}" for i in range(150))  # 899 characters: kept whole (it was cut at 200)
    report = services.import_categories(None, data.replace(long_words.encode(), fits.encode()), "t.csv")
    assert report["ok"] and Category.objects.get(level=3).keywords == fits


def _many_leaves(n):
    """``n`` more leaves under one new 一级分类 (a city's taxonomy runs to thousands)."""
    top = Category.objects.create(name="农业农村", level=1, path="农业农村", code="T90")
    mid = Category.objects.create(name="农资", level=2, path="农业农村/农资", code="T9001", parent=top)
    Category.objects.bulk_create(
        Category(name=f"品类{i:03d}", level=3, path=f"农业农村/农资/品类{i:03d}", code=f"T9001{i:03d}", parent=mid,
                 keywords="化肥" if i == 7 else "")
        for i in range(n))


def test_a_large_taxonomy_is_paged_filtered_and_a_save_returns_to_the_same_page(client, centre, taxonomy):
    from zhengwu.hotline.views_staff import TAXONOMY_PAGE

    _many_leaves(250)
    total = Category.objects.count()
    client.force_login(centre)
    page = client.get(PAGE).content.decode()
    assert page.count('<tr id="c-') == TAXONOMY_PAGE and f"共 {total} 个分类" in page
    assert f"第1/{-(-total // TAXONOMY_PAGE)}页" in page
    only = client.get(PAGE, {"top": "农业农村"}).content.decode()
    assert "符合条件的 252 个分类" in only and "环境保护" not in only.split('id="category-table"')[1]
    last = client.get(PAGE, {"top": "农业农村", "page": 3}).content.decode()
    assert last.count('<tr id="c-') == 52 and "品类249" in last
    assert 'href="?top=%E5%86%9C%E4%B8%9A%E5%86%9C%E6%9D%91&amp;page=2">上一页' in last  # the filter is kept
    found = client.get(PAGE, {"q": "化肥"}).content.decode()
    assert found.count('<tr id="c-') == 1 and "品类007" in found
    assert "没有符合条件的分类" in client.get(PAGE, {"q": "没有这个词"}).content.decode()
    # saving a keyword on page 3 of a filtered list comes back to that page, not to page 1 of all
    leaf = Category.objects.get(path="农业农村/农资/品类230")
    r = client.post(PAGE, {"form": "keywords", "category": leaf.pk, "expected": "", "keywords": "种子 假种子",
                           "top": "农业农村", "page": "3"})
    assert r.status_code == 302 and r["Location"] == f"{PAGE}?top=%E5%86%9C%E4%B8%9A%E5%86%9C%E6%9D%91&page=3#c-{leaf.pk}"
    assert "品类230" in client.get(r["Location"]).content.decode()
    leaf.refresh_from_db()
    assert leaf.keywords == "种子 假种子"
