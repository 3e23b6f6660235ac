"""The demo catalogue of 金水区: enough published items and bundles, complete guides, valid codes, idempotent."""

from __future__ import annotations

import io

import pytest

pytestmark = pytest.mark.django_db


def _load():
    from zhengwu.catalog.demo import load as load_catalog
    from zhengwu.org.demo import load as load_org

    load_org(io.StringIO())
    out = io.StringIO()
    load_catalog(out)
    return out.getvalue()


@pytest.fixture
def loaded(monkeypatch):
    """The demo district and catalogue, without the (slow, separately tested) search indexing."""
    from zhengwu.catalog import demo

    monkeypatch.setattr(demo, "_refresh_search_index", lambda *args: "")
    return _load()


def _published_items():
    from zhengwu.catalog.models import ServiceItem

    return (ServiceItem.objects.filter(region__code="410105000000", status="published")
            .select_related("published_version", "department", "base_item", "base_item__parent"))


def test_enough_items_departments_and_bundles(loaded):
    from zhengwu.catalog.models import Bundle

    assert "演示事项目录" in loaded
    items = list(_published_items())
    assert len(items) >= 300
    assert len({i.department_id for i in items}) >= 25
    assert all(i.published_version and i.published_version.state == "published" for i in items)
    assert all(i.published_version.number == 1 and i.published_version.published_at for i in items)
    bundles = Bundle.objects.filter(region__code="410105000000", status="published")
    assert bundles.count() >= 10
    for bundle in bundles:
        members = list(bundle.bundle_items.select_related("service_item"))
        assert len(members) >= 2, bundle.name
        assert any(not m.optional for m in members), bundle.name
        assert all(m.service_item.status == "published" for m in members)
        assert bundle.promised_days and bundle.popular_name and bundle.lead_department_id


def test_every_item_has_a_complete_guide_and_valid_codes(loaded):
    from zhengwu.catalog.denorm import copy_headline
    from zhengwu.catalog.models.items import CHANNELS, LEGAL_THEMES, PERSON_THEMES

    themes = set(PERSON_THEMES) | set(LEGAL_THEMES)
    for item in _published_items().prefetch_related("published_version__materials"):
        v = item.published_version
        where = f"{item.department.short_name}·{item.name}"
        assert v.acceptance_conditions.strip(), where
        assert v.legal_basis.strip() and "《" in v.legal_basis, where
        materials = list(v.materials.all())
        assert materials, where
        assert all(m.name and m.acceptance_standard for m in materials), where
        assert all(m.source_department for m in materials if m.source == "government"), where
        assert v.process_steps and all(s["name"] and "days" in s for s in v.process_steps), where
        assert v.consult_phone and v.complaint_phone and v.locations and v.office_hours, where
        assert v.results and all(r["type"] in {"证照", "批文", "其他"} for r in v.results), where
        assert v.popular_name and v.keywords and v.themes and set(v.themes) <= themes, where
        assert v.channels and set(v.channels) <= set(CHANNELS), where
        if v.statutory_days is not None:
            assert v.promised_days <= v.statutory_days, where
        assert (v.case_type == "instant") == (v.promised_days == 0), where
        assert v.visits in (0, 1, 2), where
        assert copy_headline(v, item) == [], f"{where}: headline not copied"
    _check_codes()


def _check_codes():
    from zhengwu.core.identifiers import make_implementation_code, validate_base_code

    items = list(_published_items())
    codes = [i.base_item.code for i in items]
    assert len(set(codes)) == len(codes)
    for item in items:
        code = validate_base_code(item.base_item.code)
        assert code[:2] in ("00", "41") and code[2:4] == item.item_type
        assert item.implementation_code == make_implementation_code(item.department.uscc, "4", code)
        if item.base_item.parent:
            parent = item.base_item.parent.code
            assert parent.endswith("000") and parent[:9] == code[:9] and not code.endswith("000")


def test_second_load_creates_nothing():
    """With the real search indexing (when the search module exists) on both loads."""
    from zhengwu.catalog.models import BaseItem, Bundle, BundleItem, ItemVersion, Material, ServiceItem
    from zhengwu.core.models import AuditEvent

    models = (BaseItem, ServiceItem, ItemVersion, Material, Bundle, BundleItem, AuditEvent)
    first = _load()
    before = [m.objects.count() for m in models]
    out = _load()
    assert [m.objects.count() for m in models] == before
    assert "新建 0 个事项" in out and "新建 0 个事项" not in first
    assert "重建搜索索引" not in out  # the first load indexed what it created
    assert AuditEvent.objects.filter(action="catalog.demo_load").count() == 1


def _one(name):
    from zhengwu.catalog.models import ServiceItem

    return ServiceItem.objects.select_related("published_version", "department").get(name=name)


def test_items_citizens_search_for_and_bundles(loaded):
    from zhengwu.catalog.models import ServiceItem

    birth = _one("出生登记")
    assert birth.department.short_name == "公安分局"
    assert "上户口" in birth.keywords and "上户口" in birth.popular_name
    mats = {m.name: m for m in birth.published_version.materials.all()}
    assert mats["出生医学证明"].source == "government" and mats["出生医学证明"].license_type == "出生医学证明"

    food = _one("食品经营许可证核发")
    assert food.item_type == "01" and food.department.short_name == "市场监管局"
    assert "小吃店" in food.keywords and "餐饮" in food.keywords
    assert food.published_version.allows_commitment
    assert "食品安全法" in food.published_version.legal_basis

    withdrawals = ServiceItem.objects.filter(name__startswith="住房公积金提取")
    assert withdrawals.count() >= 5
    assert all("公积金" in i.keywords and "取" in i.keywords for i in withdrawals)
    assert len({i.base_item.parent_id for i in withdrawals}) == 1  # 子项 of one 主项

    licence = _one("机动车驾驶证期满换证")
    assert licence.department.short_name == "公安分局" and "驾照" in licence.keywords
    assert licence.case_type == "instant" and licence.promised_days == 0

    idcard = _one("居民身份证申领")
    assert idcard.published_version.fees and "20元" in idcard.published_version.fees[0]["standard"]
    assert _one("内地居民结婚登记").department.short_name == "民政局"
    _check_bundles()


def _check_bundles():
    from zhengwu.catalog.models import Bundle

    names = set(Bundle.objects.values_list("name", flat=True))
    for expected in ("开办餐饮店一件事", "新生儿出生一件事", "企业开办一件事", "二手房转移登记及水电气过户一件事",
                     "退休一件事", "身后一件事", "军人退役一件事", "企业注销一件事"):
        assert expected in names
    food = Bundle.objects.get(name="开办餐饮店一件事")
    # A 个体工商户 (a person) or a company opens a restaurant; the 情形 questions tell them apart.
    assert food.popular_name == "开小吃店" and food.target == "both"
    assert [q.text for q in food.questions.order_by("seq")][0] == "您以什么身份开办餐饮店？"
    assert food.questions.get(seq=1).options.get(seq=1).select_items.get().name == "个体工商户设立登记"
    assert "食品经营许可证核发" in set(food.items.values_list("name", flat=True))
    newborn = Bundle.objects.get(name="新生儿出生一件事")
    assert {"出生登记", "城乡居民基本医疗保险参保登记"} <= set(newborn.items.values_list("name", flat=True))


def test_catalog_load_without_org_demo_is_skipped():
    from zhengwu.catalog.demo import load
    from zhengwu.catalog.models import ServiceItem

    out = io.StringIO()
    load(out)
    assert "跳过" in out.getvalue() and not ServiceItem.objects.exists()
