"""Catalogue fixtures: staff with catalogue roles, complete guides, published items."""

from __future__ import annotations

import itertools

import pytest

_seq = itertools.count(1)


def complete_guide(**overrides) -> dict:
    """A guide that satisfies every publication rule (a real-looking 食品经营许可)."""
    guide = {
        "name": "食品经营许可（新办）",
        "popular_name": "开饭店办食品经营许可证",
        "keywords": "小吃店，饭店，餐饮",
        "item_type": "01",
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "service_object": "legal",
        "acceptance_conditions": "申请人依法取得营业执照，有与经营食品相适应的经营场所。",
        "case_type": "committed",
        "statutory_days": 20,
        "promised_days": 5,
        "visits": 0,
        "channels": ["window", "online"],
        "online_depth": 4,
        "locations": "金水区政务服务中心B区",
        "office_hours": "周一至周五 9:00-17:30",
        "consult_phone": "0371-65500004",
        "complaint_phone": "12345",
        "process_steps": [{"name": "受理", "description": "窗口受理", "days": 1},
                          {"name": "审查", "description": "材料审查", "days": 3}],
        "fees": [],
        "results": [{"name": "食品经营许可证", "type": "证照", "sample": ""}],
    }
    guide.update(overrides)
    return guide


MATERIALS = [
    {"name": "食品经营许可申请书", "necessity": "required", "form": "original", "copies": 1, "source": "applicant"},
    {"name": "营业执照", "necessity": "required", "form": "copy", "copies": 1, "source": "government",
     "source_department": "市场监管局", "license_type": "营业执照"},
    {"name": "法定代表人身份证", "necessity": "required", "form": "copy", "copies": 1, "source": "government",
     "license_type": "居民身份证"},
]


@pytest.fixture
def department(make_department):
    return make_department(name="市场监管局")


@pytest.fixture
def item_admin(make_staff):
    from zhengwu.org.models import Role

    return make_staff(Role.ITEM_ADMIN)


@pytest.fixture
def dept_admin(make_staff, department):
    from zhengwu.org.models import Role

    return make_staff(Role.DEPT_ADMIN, department=department)


@pytest.fixture
def city_item_admin(make_staff, district):
    """事项管理员 of the whole city: creates items in any district of the tests."""
    from zhengwu.org.models import Role

    return make_staff(Role.ITEM_ADMIN, region=district.parent)


@pytest.fixture
def city_reviewer(make_staff, district):
    """A second 事项管理员 of the city: approves what :func:`city_item_admin` submits (双人复核)."""
    from zhengwu.org.models import Role

    return make_staff(Role.ITEM_ADMIN, region=district.parent)


@pytest.fixture
def reviewer(make_staff):
    """A second 事项管理员 of the district: approves what :func:`item_admin` submits (双人复核)."""
    from zhengwu.org.models import Role

    return make_staff(Role.ITEM_ADMIN)


@pytest.fixture
def make_item(city_item_admin, city_reviewer, department):
    """Create an item with a complete guide; ``publish=True`` takes it through review (submitted
    by :func:`city_item_admin`, approved by :func:`city_reviewer`)."""
    from zhengwu.catalog.services import items as svc

    item_admin = city_item_admin

    def make(name=None, dept=None, publish=True, materials=None, **guide):
        n = next(_seq)
        item = svc.create_item(item_admin, department=dept or department,
                               data=complete_guide(name=name or f"测试事项{n}", **guide),
                               materials=MATERIALS if materials is None else materials)
        if publish:
            svc.submit_for_review(item_admin, item, lock_version=item.lock_version)
            item.refresh_from_db()
            svc.approve_and_publish(city_reviewer, item, lock_version=item.lock_version)
            item.refresh_from_db()
        return item

    return make


@pytest.fixture
def guide():
    """``guide(**overrides)``: a complete guide as a dict (tests import nothing from conftest)."""
    return complete_guide


@pytest.fixture
def materials():
    return [dict(m) for m in MATERIALS]


@pytest.fixture
def demo(monkeypatch):
    """The demo district, its accounts and catalogue (search indexing is tested elsewhere)."""
    import io

    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.catalog import demo as catalog_demo
    from zhengwu.org.demo import load as load_org

    monkeypatch.setattr(catalog_demo, "_refresh_search_index", lambda *args: "")
    load_org(io.StringIO())
    load_accounts(io.StringIO())
    catalog_demo.load(io.StringIO())
