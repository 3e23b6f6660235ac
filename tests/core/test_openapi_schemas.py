"""The OpenAPI document (/api/v1/openapi.json) tells the truth: one schema class per component
name (the document keys schemas by class name, so two classes of one name overwrite each other),
and what the endpoints answer validates against what the document says they answer."""

from __future__ import annotations

import datetime as dt
import typing
from collections import defaultdict

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from jsonschema import Draft202012Validator
from pydantic import BaseModel

TAXONOMY_CSV = """一级分类,二级分类,三级分类,承办单位,办理时限,关键词
市场监管,食品安全,餐饮卫生,市场监管局,5,饭店 卫生 腹泻 变质
城市管理,市容环境,垃圾清运,城管局,3,垃圾 清运
""".encode()


# -- one class per component name ---------------------------------------------------------------
def _models_in(annotation) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in typing.get_args(annotation) for m in _models_in(arg)]


def _documented_models() -> set[type[BaseModel]]:
    """Every schema class an operation reads or answers, and the classes inside them."""
    from zhengwu.api import api

    todo = []
    for _prefix, router in api._routers:
        for view in router.path_operations.values():
            for op in view.operations:
                for model in [*op.response_models.values(), *op.models]:
                    todo.extend(_models_in(model))
    seen: set[type[BaseModel]] = set()
    while todo:
        model = todo.pop()
        if model not in seen:
            seen.add(model)
            for f in model.model_fields.values():
                todo.extend(_models_in(f.annotation))
    return seen


def test_no_two_schema_classes_share_a_component_name():
    by_name = defaultdict(set)
    for model in _documented_models():
        if model.__module__.startswith("zhengwu."):
            by_name[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    shared = {name: sorted(classes) for name, classes in by_name.items() if len(classes) > 1}
    assert shared == {}
    assert len(by_name) > 40  # the walk did reach the routers' schemas


@pytest.mark.django_db
def test_each_endpoint_documents_its_own_schema(client):
    spec = client.get("/api/v1/openapi.json").json()
    schemas = spec["components"]["schemas"]

    def answer(path, status="200"):
        ref = spec["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]["$ref"]
        return schemas[ref.rsplit("/", 1)[1]]

    guide = answer("/api/v1/items/{item_id}")
    material = guide["properties"]["materials"]["items"]["$ref"].rsplit("/", 1)[1]
    assert {"seq", "necessity", "acceptance_standard"} <= set(schemas[material]["properties"])
    assert {"group_by", "definitions", "rows"} <= set(answer("/api/v1/cases/figures")["properties"])
    assert {"period", "by", "rows"} <= set(answer("/api/v1/ratings/figures")["properties"])
    assert set(answer("/api/v1/items/{item_id}", "404")["properties"]) == {"detail", "errors"}


# -- answers validate against the document --------------------------------------------------------
class Checker:
    """Calls endpoints and validates each answer against the operation's documented response."""

    def __init__(self, spec: dict):
        self.spec = spec
        self.checked: list[tuple[str, str, int]] = []

    def __call__(self, response, method: str, template: str):
        op = self.spec["paths"][template][method]
        status = str(response.status_code)
        assert status in op["responses"], (method, template, status, response.content[:300])
        content = op["responses"][status].get("content", {}).get("application/json")
        if content:
            schema = {**content["schema"], "components": self.spec["components"]}
            problems = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
                        for e in Draft202012Validator(schema).iter_errors(response.json())]
            assert problems == [], (method, template, status, problems[:5])
        self.checked.append((method, template, response.status_code))
        return response


def _client(user=None) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def district_data(make_department, make_staff, make_citizen, publish_item, district):
    """A district as the demo has it, small: a published and indexed item with materials, a case
    submitted and accepted into review, a concluded case rated badly (a rectification), a hotline
    taxonomy with one ticket, and the people who look at them."""
    from zhengwu.cases.models import Case
    from zhengwu.cases.services import applying, intake
    from zhengwu.catalog import search
    from zhengwu.hotline import classifier, knowledge
    from zhengwu.hotline import services as hotline
    from zhengwu.hotline.models import Category
    from zhengwu.ratings import services as ratings

    market = make_department(name="郑州市金水区市场监督管理局", short_name="市场监管局")
    make_department(name="郑州市金水区城市管理局", short_name="城管局")
    item = publish_item(
        market, "食品经营许可证核发", promised_days=10, item_fields={"implementation_code": "X"},
        legal_basis="《中华人民共和国食品安全法》第三十五条", results=[{"name": "食品经营许可证", "type": "证照"}],
        materials=[("食品经营许可申请书", "required"), ("营业执照", "required"), ("健康证明", "tolerated")])
    search.index_item(item)
    citizen, other = make_citizen(name="王小吃"), make_citizen(name="李四")
    people = {"citizen": citizen, "other": other, "window": make_staff("window"),
              "approver": make_staff("approver", department=market), "leader": make_staff("leader"),
              "centre": make_staff("hotline"), "dept_admin": make_staff("dept_admin", department=market),
              "data_admin": make_staff("data_admin")}

    case = applying.create_draft(citizen, item, form_data={"shop_name": "老王小吃", "area": 30})
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    for name in ("食品经营许可申请书", "营业执照"):
        applying.upload_material(citizen, case, SimpleUploadedFile(f"{name}.pdf", pdf, "application/pdf"), name=name)
    case.refresh_from_db()
    case = applying.submit(citizen, case, case.lock_version)
    intake.accept(people["window"], case, case.lock_version)
    concluded_at = timezone.now() - dt.timedelta(hours=1)
    concluded = Case.objects.create(
        number="T00000001", service_item=item, item_version=item.published_version, department=market,
        region=district, applicant=citizen.applicant, state="concluded", outcome="approved",
        submitted_at=concluded_at - dt.timedelta(days=3), concluded_at=concluded_at)
    rating = ratings.rate_case(citizen, concluded, level=1, comment="来回跑了三次")

    report = hotline.import_categories(None, TAXONOMY_CSV, "taxonomy.csv")
    assert report["ok"], report
    classifier.invalidate()
    knowledge.invalidate()
    ticket = hotline.register(people["centre"], {
        "ticket_type": "complaint", "content": "经八路一家饭店后厨卫生脏乱差，吃完后腹泻。", "phone": "13800001111",
        "caller_name": "王先生", "address": "经八路88号", "category": Category.objects.get(name="餐饮卫生").pk})
    yield {"item": item, "case": case, "concluded": concluded, "rating": rating, "ticket": ticket, **people}
    classifier.invalidate()
    knowledge.invalidate()


@pytest.mark.django_db
def test_answers_validate_against_the_document(client, district_data):
    d = district_data
    check = Checker(client.get("/api/v1/openapi.json").json())
    anon, citizen, other = _client(), _client(d["citizen"]), _client(d["other"])
    window, approver, leader = _client(d["window"]), _client(d["approver"]), _client(d["leader"])
    centre, dept_admin, data_admin = _client(d["centre"]), _client(d["dept_admin"]), _client(d["data_admin"])
    case, item = d["case"], d["item"]

    # 事项目录 (public)
    check(anon.get("/api/v1/items/search", {"q": "食品经营"}), "get", "/api/v1/items/search")
    check(anon.get("/api/v1/items/search", {"q": ""}), "get", "/api/v1/items/search")
    check(anon.get("/api/v1/items/", {"limit": 1}), "get", "/api/v1/items/")
    check(anon.get("/api/v1/items/", {"cursor": "!"}), "get", "/api/v1/items/")
    check(anon.get("/api/v1/items/bundles/"), "get", "/api/v1/items/bundles/")
    check(anon.get("/api/v1/items/bundles/999999"), "get", "/api/v1/items/bundles/{bundle_id}")
    assert check(anon.get(f"/api/v1/items/{item.pk}"), "get", "/api/v1/items/{item_id}").json()["materials"]
    check(anon.get("/api/v1/items/999999"), "get", "/api/v1/items/{item_id}")

    # 办件
    assert check(citizen.get("/api/v1/cases/mine"), "get", "/api/v1/cases/mine").json()["items"]
    assert check(citizen.get(f"/api/v1/cases/{case.pk}"), "get", "/api/v1/cases/{case_id}").json()["timeline"]
    check(approver.get(f"/api/v1/cases/{case.pk}"), "get", "/api/v1/cases/{case_id}")
    check(other.get(f"/api/v1/cases/{case.pk}"), "get", "/api/v1/cases/{case_id}")  # 404
    check(anon.get(f"/api/v1/cases/{case.pk}"), "get", "/api/v1/cases/{case_id}")  # 401
    check(window.get("/api/v1/cases/search"), "get", "/api/v1/cases/search")
    check(window.get("/api/v1/cases/search", {"date_from": "2026-02-01", "date_to": "2026-01-01"}), "get",
          "/api/v1/cases/search")  # 400
    check(citizen.get("/api/v1/cases/search"), "get", "/api/v1/cases/search")  # 403
    check(window.get("/api/v1/cases/intake"), "get", "/api/v1/cases/intake")
    assert check(approver.get("/api/v1/cases/inbox"), "get", "/api/v1/cases/inbox").json()["items"]
    check(leader.get("/api/v1/cases/figures"), "get", "/api/v1/cases/figures")
    check(leader.get("/api/v1/cases/figures", {"group_by": "colour"}), "get", "/api/v1/cases/figures")
    stale = citizen.post(f"/api/v1/cases/{case.pk}/withdraw", {"lock_version": 0}, content_type="application/json")
    check(stale, "post", "/api/v1/cases/{case_id}/withdraw")  # 409 or 403: both documented

    # 好差评
    check(leader.get("/api/v1/ratings/figures"), "get", "/api/v1/ratings/figures")
    check(leader.get("/api/v1/ratings/figures", {"by": "item"}), "get", "/api/v1/ratings/figures")
    check(leader.get("/api/v1/ratings/figures", {"period": "2026-13"}), "get", "/api/v1/ratings/figures")
    assert check(dept_admin.get("/api/v1/ratings/"), "get", "/api/v1/ratings/").json()["items"]
    rects = check(dept_admin.get("/api/v1/ratings/rectifications"), "get", "/api/v1/ratings/rectifications").json()
    check(dept_admin.get(f"/api/v1/ratings/rectifications/{rects[0]['id']}"), "get",
          "/api/v1/ratings/rectifications/{pk}")
    check(dept_admin.get("/api/v1/ratings/rectifications/999999"), "get", "/api/v1/ratings/rectifications/{pk}")
    check(data_admin.get("/api/v1/ratings/outbox"), "get", "/api/v1/ratings/outbox")

    # 12345热线
    ticket = d["ticket"]
    assert check(centre.get("/api/v1/hotline/tickets"), "get", "/api/v1/hotline/tickets").json()["items"]
    check(centre.get(f"/api/v1/hotline/tickets/{ticket.pk}"), "get", "/api/v1/hotline/tickets/{ticket_id}")
    check(centre.get("/api/v1/hotline/tickets/999999"), "get", "/api/v1/hotline/tickets/{ticket_id}")
    check(centre.get("/api/v1/hotline/suggest", {"text": "饭店卫生很差吃了腹泻"}), "get", "/api/v1/hotline/suggest")
    check(centre.get("/api/v1/hotline/knowledge", {"q": "垃圾"}), "get", "/api/v1/hotline/knowledge")
    check(centre.get("/api/v1/hotline/similar", {"text": "饭店后厨卫生脏乱差", "phone": "13800001111"}), "get",
          "/api/v1/hotline/similar")
    check(centre.get("/api/v1/hotline/assist", {"text": "饭店后厨卫生脏乱差", "phone": "13800001111"}), "get",
          "/api/v1/hotline/assist")
    check(citizen.get("/api/v1/hotline/tickets"), "get", "/api/v1/hotline/tickets")  # 403

    # 平台
    check(citizen.get("/api/v1/me"), "get", "/api/v1/me")
    check(anon.get("/api/v1/me"), "get", "/api/v1/me")
    check(anon.get("/api/v1/health"), "get", "/api/v1/health")

    statuses = {s for _m, _t, s in check.checked}
    assert {200, 400, 401, 403, 404} <= statuses
