"""Fixtures for case tests: a published item with materials, people at the window and desks."""

from __future__ import annotations

import functools
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers import ApiClient

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _pdf(name="材料.pdf", body=PDF):
    return SimpleUploadedFile(name, body, content_type="application/pdf")


@pytest.fixture
def pdf():
    """Build an uploaded file: pdf(name, body) — a small real PDF by default."""
    return _pdf


@pytest.fixture
def png_bytes():
    return PNG


@pytest.fixture
def fire_dept(make_department):
    return make_department(name="消防救援大队", short_name="消防")


@pytest.fixture
def item(publish_item, dept):
    return publish_item(
        dept, "食品经营许可证核发", promised_days=10, item_fields={"implementation_code": "X"},
        allows_tolerance=True, allows_commitment=True,
        legal_basis="《中华人民共和国食品安全法》第三十五条",
        results=[{"name": "食品经营许可证", "type": "证照"}],
        form_schema={"type": "object", "required": ["shop_name", "area"], "properties": {
            "applicant_name": {"type": "string", "title": "申请人名称", "x-prefill": "name"},
            "shop_name": {"type": "string", "title": "店铺名称", "minLength": 2},
            "area": {"type": "number", "title": "经营面积（平方米）", "minimum": 1},
        }},
        materials=[("食品经营许可申请书", "required"), ("营业执照", "required"), ("健康证明", "tolerated")],
    )


@pytest.fixture
def citizen(make_citizen):
    return make_citizen(name="王小吃")


@pytest.fixture
def window_staff(make_staff):
    return make_staff("window")  # comprehensive window: every department of the district


@pytest.fixture
def fire_approver(make_staff, fire_dept):
    return make_staff("approver", department=fire_dept)


@pytest.fixture
def submitted_case(item, citizen, pdf):
    from zhengwu.cases.services import applying

    case = applying.create_draft(citizen, item, form_data={"shop_name": "老王小吃", "area": 30})
    for m in ("食品经营许可申请书", "营业执照"):
        applying.upload_material(citizen, case, pdf(), name=m)
    case.refresh_from_db()
    return applying.submit(citizen, case, case.lock_version)


# -- API (appended for the cases API tests) ---------------------------------------------------
@pytest.fixture
def api():
    """api(user) → an :class:`~tests.helpers.ApiClient` of /api/v1/cases/ logged in as ``user``
    (anonymous when None)."""
    return functools.partial(ApiClient, base="/api/v1/cases/")


# -- staff pages (workbench) -------------------------------------------------------------------
@pytest.fixture
def staff_client():
    """staff_client(user) → a fresh test client logged in as ``user``."""
    from django.test import Client

    def do(user):
        c = Client()
        c.force_login(user)
        return c

    return do


@pytest.fixture
def item_admin(make_staff):
    return make_staff("item_admin")


@pytest.fixture
def accepted_case(submitted_case, window_staff):
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import intake

    intake.accept(window_staff, submitted_case, submitted_case.lock_version)
    return Case.objects.get(pk=submitted_case.pk)


@pytest.fixture
def joint_process(item, item_admin, fire_dept):
    """A parallel two-department process (市场监管 + 消防 会签) followed by a decision."""
    from zhengwu.cases.services import approval

    return approval.save_process_definition(item_admin, item, [
        {"id": "market", "name": "市场监管审查", "role": "approver", "department": item.department_id, "share": 0.5,
         "parallel": "joint", "actions": ["pass", "reject"]},
        {"id": "fire", "name": "消防审查", "role": "approver", "department": fire_dept.pk, "share": 0.5,
         "parallel": "joint", "actions": ["pass", "reject"]},
        {"id": "decide", "name": "决定", "role": "approver", "department": item.department_id, "share": 0.5,
         "actions": ["pass", "return", "reject"]},
    ])


# -- applicant pages, files and 一件事 (appended) ---------------------------------------------------
@pytest.fixture
def login():
    """Log a user in on a fresh client: login(user) -> Client."""
    from django.test import Client

    def do(user):
        c = Client()
        c.force_login(user)
        return c

    return do


@pytest.fixture
def make_item(publish_item, dept):
    """make_item(name, schema=..., materials=[(name, necessity)], department=...) — a published item."""

    def make(name, *, department=None, schema=None, **kw):
        return publish_item(department or dept, name, form_schema=schema or {}, **kw)

    return make


@pytest.fixture
def fire_item(make_item, fire_dept):
    return make_item("公众聚集场所投入使用营业前消防安全检查", department=fire_dept, schema={
        "type": "object", "required": ["shop_name", "seats"], "properties": {
            "shop_name": {"type": "string", "title": "店铺名称", "minLength": 2},
            "seats": {"type": "integer", "title": "座位数", "minimum": 1},
        }}, materials=[("营业执照", "required"), ("消防安全制度", "required")])


@pytest.fixture
def sign_item(make_item):
    return make_item("户外招牌设置审批", schema={
        "type": "object", "required": ["sign_size"], "properties": {
            "sign_size": {"type": "number", "title": "招牌面积（平方米）", "exclusiveMinimum": 0},
        }}, materials=[("营业执照", "required"), ("招牌设计效果图", "required")])


@pytest.fixture
def bundle(district, item, fire_item, sign_item):
    """开办餐饮店一件事: food licence + fire check, and the shop sign as a 选办 item."""
    from zhengwu.catalog.models import Bundle, BundleItem

    b = Bundle.objects.create(region=district, name="开办餐饮店一件事", status=Bundle.Status.PUBLISHED, target="both")
    BundleItem.objects.create(bundle=b, service_item=item, seq=1)
    BundleItem.objects.create(bundle=b, service_item=fire_item, seq=2)
    BundleItem.objects.create(bundle=b, service_item=sign_item, seq=3, optional=True)
    return b
