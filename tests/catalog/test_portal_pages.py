"""Public portal pages: home, search results, 办事指南, browsing by department/theme/一件事."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from .search_fixtures import make_published_item, search_catalogue  # noqa: F401

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return response.content.decode()


def test_home_has_search_box_hot_searches_themes_departments_and_bundles(client, search_catalogue):
    page = text(client.get("/"))
    assert 'name="q"' in page and reverse("catalog:item_search") in page
    assert "热门搜索" in page and "孩子出生上户口" in page
    assert "户籍办理" in page and "准营准办" in page  # themes that have items
    assert "开小吃店一件事" in page and "新生儿出生一件事" in page
    assert reverse("catalog:department_items", args=[search_catalogue.departments["公安分局"].pk]) in page
    assert reverse("catalog:bundles") in page and reverse("catalog:browse_departments") in page


def test_search_page_ranks_and_highlights(client, search_catalogue):
    response = client.get(reverse("catalog:item_search"), {"q": "孩子出生上户口"})
    page = text(response)
    results = page[page.index('id="search-results"'):]
    first = re.search(r'href="/items/(\d+)/(?:\?sr=1)?"', results).group(1)
    assert int(first) == search_catalogue.item("出生登记").pk
    assert "<mark>" in results
    assert "新生儿出生一件事" in re.sub(r"</?mark>", "", page)  # the bundle is offered above the items
    assert search_catalogue.draft_item.name not in page
    # the count is that of the items listed (one page here), not of every item sharing a word
    listed = len(re.findall(r'class="fw-semibold fs-5 text-decoration-none" href="/items/', results))
    understood = re.search(r'id="search-understood">(.*?)</p>', page).group(1)
    assert "约" not in understood and f"共找到 {listed} 项" in understood and listed > 0


def test_search_page_filters_and_messages(client, search_catalogue):
    page = text(client.get(reverse("catalog:item_search"), {"q": "营业执照", "object": "legal"}))
    assert "公司设立登记" in page
    page = text(client.get(reverse("catalog:item_search"), {"q": "开公司", "object": "person"}))
    assert "公司设立登记" not in page
    page = text(client.get(reverse("catalog:item_search"), {"q": "量子纠缠"}))
    assert "没有找到" in page
    page = text(client.get(reverse("catalog:item_search"), {"q": "出生", "region": "41010500000000"}))
    assert "区划代码" in page
    page = text(client.get(reverse("catalog:item_search")))
    assert "热门搜索" in page and 'id="search-results"' not in page


def test_guide_page_shows_every_element(client, search_catalogue):
    item = search_catalogue.item("出生登记")
    from zhengwu.catalog.models import ItemVersion

    ItemVersion.objects.filter(pk=item.published_version_id).update(
        fees=[{"name": "工本费", "standard": "20元/证", "basis": "发改价格〔2003〕2322号"}],
        special_procedures=[{"name": "现场核查", "days": 5, "description": "必要时核查"}], allows_tolerance=True)
    page = text(client.get(reverse("catalog:item_guide", args=[item.pk])))
    for section in ("guide-basic", "guide-conditions", "guide-materials", "guide-process", "guide-limits", "guide-fees",
                    "guide-place", "guide-phones", "guide-results", "guide-special", "guide-scope", "guide-basis"):
        assert f'id="{section}"' in page, section
    for words in ("基本信息", "受理条件", "申请材料", "必要性", "材料形式", "份数", "来源渠道", "容缺可后补", "办理流程",
                  "法定时限", "承诺时限", "到现场次数", "工本费", "20元/证", "办理地点", "办理时间", "咨询电话",
                  "监督投诉电话", "办理结果", "现场核查", "通办范围", "全市通办", "设定依据", "出生医学证明", "打印"):
        assert words in page, words
    assert "新生儿出生一件事" in page  # the bundles it belongs to


def test_guide_page_is_404_for_unpublished_items(client, search_catalogue):
    for item in (search_catalogue.draft_item, search_catalogue.disabled_item):
        assert client.get(reverse("catalog:item_guide", args=[item.pk])).status_code == 404


def test_guide_page_in_large_font_mode(client, search_catalogue):
    client.cookies["zw_font"] = "large"
    page = text(client.get(reverse("catalog:item_guide", args=[search_catalogue.item("结婚登记").pk])))
    assert re.search(r'<html[^>]*class="zw-large"', page)
    assert "标准字体" in page


def test_browse_by_department(client, search_catalogue):
    page = text(client.get(reverse("catalog:browse_departments")))
    assert "金水区公积金中心" in page and "中原区公安分局" in page
    dept = search_catalogue.departments["公积金中心"]
    page = text(client.get(reverse("catalog:department_items", args=[dept.pk])))
    assert "住房公积金提取（租房）" in page and "住房公积金缴存登记" in page
    page = text(client.get(reverse("catalog:department_items", args=[dept.pk]), {"object": "person"}))
    assert "住房公积金缴存登记" not in page


def test_browse_by_theme(client, search_catalogue):
    page = text(client.get(reverse("catalog:browse_themes")))
    assert "个人办事" in page and "法人办事" in page and "生育收养" in page and "设立变更" in page
    page = text(client.get(reverse("catalog:theme_items", args=["person", "生育收养"])))
    for name in ("出生登记", "生育登记", "出生医学证明首次签发"):
        assert name in page
    assert "结婚登记" not in page
    assert client.get(reverse("catalog:theme_items", args=["person", "不存在的主题"])).status_code == 404


def test_bundles_pages(client, search_catalogue):
    page = text(client.get(reverse("catalog:bundles")))
    assert "开小吃店一件事" in page and "新生儿出生一件事" in page
    bundle = search_catalogue.bundles["开小吃店一件事"]
    page = text(client.get(reverse("catalog:bundle_detail", args=[bundle.pk])))
    for words in ("个体工商户设立登记", "小餐饮登记", "食品经营许可（新办）", "合并后的申请材料", "减少", "经营者身份证明"):
        assert words in page
    assert page.count("<td>经营者身份证明") == 1  # asked by two items, listed once


def test_pages_do_not_query_per_row(client, search_catalogue, django_assert_max_num_queries):
    dept = search_catalogue.departments["公积金中心"]
    for n in range(15):
        make_published_item(dept, f"公积金测试事项{n}", materials=["居民身份证", "申请表"])
    urls = [reverse("catalog:department_items", args=[dept.pk]), reverse("catalog:item_search") + "?q=公积金",
            reverse("catalog:item_guide", args=[search_catalogue.item("出生登记").pk]), "/",
            reverse("catalog:bundle_detail", args=[search_catalogue.bundles["开小吃店一件事"].pk]),
            reverse("catalog:theme_items", args=["person", "住房保障"]), reverse("catalog:browse_departments")]
    for url in urls:
        client.get(url)  # warm per-process caches (vocabulary)
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_pages_name_an_icon_served_by_the_platform(client, search_catalogue):
    """The browser asks for no /favicon.ico (a 404 in every console) and loads nothing remote."""
    page = client.get("/").content.decode()
    href = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)"', page).group(1)
    assert href.startswith("/static/")
    icon = client.get(href)
    assert icon.status_code == 200 and b"<svg" in b"".join(icon.streaming_content)
