"""一件事 bundles: write path, merged materials, figures, publication rules, permissions."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhengwu.catalog.models import Bundle, BundleItem
from zhengwu.catalog.services import bundles as svc
from zhengwu.core.models import AuditEvent
from zhengwu.org.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def restaurant_items(make_item, make_department):
    """开小吃店: three published items whose materials overlap (营业执照, 身份证)."""
    police = make_department(name="城管局")
    licence = make_item(name="食品经营许可（新办）", promised_days=5, visits=1)  # 3 materials
    registration = make_item(name="个体工商户设立登记", item_type="07", statutory_days=15, promised_days=1, visits=1,
                             results=[], materials=[
                                 {"name": "个体工商户登记申请书"},
                                 {"name": "经营者身份证明", "license_type": "居民身份证", "source": "government",
                                  "source_department": "公安"},
                             ])
    sign = make_item(name="户外招牌设置", dept=police, item_type="01", statutory_days=10, promised_days=3, visits=1,
                     materials=[{"name": "营业执照"}, {"name": "招牌设计效果图"}])
    return [licence, registration, sign]


def rows(items, optional=()):
    return [{"service_item": it, "optional": it in optional} for it in items]


def test_create_bundle_and_overview_figures(item_admin, district, restaurant_items):
    bundle = svc.create_bundle(item_admin, region=district, data={"name": "开办小吃店一件事", "visits": 1,
                                                                  "promised_days": 5},
                               items=rows(restaurant_items))
    o = svc.bundle_overview(bundle)
    names = [m.name for m in o.merged_materials]
    assert names == ["食品经营许可申请书", "营业执照", "法定代表人身份证", "个体工商户登记申请书", "招牌设计效果图"]
    identity = next(m for m in o.merged_materials if m.name == "法定代表人身份证")
    assert identity.items == ["食品经营许可（新办）", "个体工商户设立登记"]
    f = o.figures
    assert (f.materials_before, f.materials_after, f.materials_saved) == (7, 5, 2)
    assert (f.days_before, f.days_after, f.days_saved) == (9, 5, 4)
    assert (f.visits_before, f.visits_after, f.visits_saved) == (3, 1, 2)
    assert o.problems == []
    assert AuditEvent.objects.filter(action="catalog.bundle.create", object_id=str(bundle.pk)).exists()


def test_publish_requires_two_published_items(item_admin, district, make_item, restaurant_items):
    draft_item = make_item(name="从业人员健康证明", publish=False)
    bundle = svc.create_bundle(item_admin, region=district, data={"name": "开办小吃店"},
                               items=rows([restaurant_items[0], draft_item]))
    with pytest.raises(ValidationError) as exc:
        svc.publish_bundle(item_admin, bundle, lock_version=bundle.lock_version)
    assert "尚未发布" in " ".join(exc.value.messages)
    bundle.refresh_from_db()
    assert bundle.status == "draft"
    svc.edit_bundle(item_admin, bundle, lock_version=bundle.lock_version, data={}, items=rows(restaurant_items[:2]))
    bundle.refresh_from_db()
    svc.publish_bundle(item_admin, bundle, lock_version=bundle.lock_version)
    bundle.refresh_from_db()
    assert bundle.status == "published"
    with pytest.raises(ValidationError) as exc:
        svc.edit_bundle(item_admin, bundle, lock_version=bundle.lock_version, data={}, items=rows(restaurant_items[:1]))
    assert "至少包含两个事项" in " ".join(exc.value.messages)
    assert BundleItem.objects.filter(bundle=bundle).count() == 2  # nothing half-written


def test_stale_bundle_edit_is_refused(item_admin, district, restaurant_items):
    bundle = svc.create_bundle(item_admin, region=district, data={"name": "开办小吃店"}, items=rows(restaurant_items))
    svc.edit_bundle(item_admin, bundle, lock_version=0, data={"popular_name": "开个小吃店"})
    with pytest.raises(ValidationError) as exc:
        svc.edit_bundle(item_admin, bundle, lock_version=0, data={"popular_name": "开饭馆"})
    assert exc.value.messages == ["该事项已被他人修改，请刷新后重试"]
    bundle.refresh_from_db()
    assert bundle.popular_name == "开个小吃店"


def test_duplicate_name_and_duplicate_item_are_refused(item_admin, district, restaurant_items):
    svc.create_bundle(item_admin, region=district, data={"name": "开办小吃店"}, items=rows(restaurant_items))
    with pytest.raises(ValidationError) as exc:
        svc.create_bundle(item_admin, region=district, data={"name": "开办小吃店"}, items=rows(restaurant_items))
    assert "已有名为“开办小吃店”的一件事" in " ".join(exc.value.messages)
    with pytest.raises(ValidationError) as exc:
        svc.create_bundle(item_admin, region=district, data={"name": "另一件事"},
                          items=rows([restaurant_items[0], restaurant_items[0]]))
    assert "重复添加" in " ".join(exc.value.messages)
    assert Bundle.objects.count() == 1


def test_items_of_another_district_are_refused(item_admin, district, other_district, make_department, make_item,
                                               restaurant_items):
    far = make_item(name="中原区事项", dept=make_department(name="中原区市场监管局", region=other_district))
    with pytest.raises(ValidationError) as exc:
        svc.create_bundle(item_admin, region=district, data={"name": "跨区"}, items=rows([restaurant_items[0], far]))
    assert "不在本一件事的区划范围内" in " ".join(exc.value.messages)


def test_only_item_admin_of_the_region_manages_bundles(dept_admin, make_staff, other_district, district,
                                                       restaurant_items):
    with pytest.raises(PermissionDenied):
        svc.create_bundle(dept_admin, region=district, data={"name": "x"}, items=rows(restaurant_items))
    elsewhere = make_staff(Role.ITEM_ADMIN, region=other_district)
    with pytest.raises(PermissionDenied):
        svc.create_bundle(elsewhere, region=district, data={"name": "x"}, items=rows(restaurant_items))


def test_disable_and_publish_again(item_admin, district, restaurant_items):
    bundle = svc.create_bundle(item_admin, region=district, data={"name": "开办小吃店"}, items=rows(restaurant_items))
    bundle = svc.publish_bundle(item_admin, bundle, lock_version=bundle.lock_version)
    with pytest.raises(ValidationError):
        svc.publish_bundle(item_admin, bundle, lock_version=bundle.lock_version)
    bundle = svc.disable_bundle(item_admin, bundle, lock_version=bundle.lock_version, reason="合并到新主题")
    assert bundle.status == "disabled"
    bundle = svc.publish_bundle(item_admin, bundle, lock_version=bundle.lock_version)
    assert bundle.status == "published"
