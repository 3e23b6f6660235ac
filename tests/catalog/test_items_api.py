"""Contract of the public catalogue API: /api/v1/items/search, guides, lists, bundles."""

from __future__ import annotations

import pytest

from .search_fixtures import search_catalogue  # noqa: F401

pytestmark = pytest.mark.django_db

BRIEF_FIELDS = {"id", "name", "popular_name", "department", "department_id", "region_code", "region_name",
                "base_code", "implementation_code", "handling_code", "item_type", "item_type_name",
                "service_object", "promised_days", "statutory_days", "visits", "online_depth", "url"}


def test_search_returns_ranked_items_with_contract_fields(client, search_catalogue):
    response = client.get("/api/v1/items/search", {"q": "孩子出生上户口", "region": "410105"})
    assert response.status_code == 200
    data = response.json()
    assert data["query"] == "孩子出生上户口"
    assert data["items"][0]["name"] == "出生登记"
    first = data["items"][0]
    assert BRIEF_FIELDS | {"score", "matched"} <= set(first)
    assert first["department"] == "金水区公安分局" and first["region_code"] == "410105000000"
    assert first["url"] == f"/items/{first['id']}/"
    # The body is serialised without the schema: it must still be exactly what SearchOut documents.
    from zhengwu.catalog.api import SearchOut

    assert SearchOut.model_validate(data).model_dump(mode="json") == data
    scores = [i["score"] for i in data["items"]]
    assert scores == sorted(scores, reverse=True)
    assert "上户口" in data["words"] or "落户" in data["words"]
    assert data["bundles"][0]["name"] == "新生儿出生一件事"


def test_search_filters_by_object_and_limit(client, search_catalogue):
    data = client.get("/api/v1/items/search", {"q": "营业执照", "object": "legal", "limit": 2}).json()
    assert 0 < len(data["items"]) <= 2
    assert all(i["service_object"] in ("legal", "both") for i in data["items"])


@pytest.mark.parametrize(("params", "message"), [
    ({"q": ""}, "请输入要搜索的内容"),
    ({"q": "出生", "object": "robot"}, "服务对象"),
    ({"q": "出生", "region": "41010500000000"}, "区划代码"),
    ({"q": "出生", "limit": 999}, "返回条数"),
    ({"q": "出" * 101}, "不能超过100个字"),
])
def test_search_errors_are_in_chinese(client, search_catalogue, params, message):
    response = client.get("/api/v1/items/search", params)
    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_guide_of_a_published_item(client, search_catalogue):
    item = search_catalogue.item("出生登记")
    data = client.get(f"/api/v1/items/{item.pk}").json()
    assert data["name"] == "出生登记" and data["version"] == 1
    assert [m["name"] for m in data["materials"]] == ["出生医学证明", "父母双方居民户口簿", "父母双方居民身份证", "结婚证"]
    m = data["materials"][0]
    assert {"necessity", "necessity_name", "form_name", "copies", "source_name", "license_type"} <= set(m)
    assert data["case_type_name"] == "即办件" and data["statutory_days"] is None
    for key in ("acceptance_conditions", "process_steps", "locations", "office_hours", "consult_phone",
                "complaint_phone", "fees", "results", "special_procedures", "tongban_scope_name", "legal_basis"):
        assert key in data


def test_unpublished_and_disabled_items_answer_404(client, search_catalogue):
    for item in (search_catalogue.draft_item, search_catalogue.disabled_item):
        response = client.get(f"/api/v1/items/{item.pk}")
        assert response.status_code == 404
        assert response.json()["detail"] == "该事项不存在或未发布"
    assert client.get("/api/v1/items/999999").status_code == 404


def test_list_is_cursor_paginated_and_filtered(client, search_catalogue):
    seen, cursor = [], None
    while True:
        params = {"limit": 7, "region": "410105"}
        if cursor:
            params["cursor"] = cursor
        data = client.get("/api/v1/items/", params).json()
        seen += [i["id"] for i in data["items"]]
        cursor = data["next_cursor"]
        if not cursor:
            break
    expected = {i.pk for i in search_catalogue.items.values()}
    assert seen == sorted(seen) and set(seen) == expected  # published items of the district, no drafts, no others
    dept = search_catalogue.departments["公积金中心"]
    data = client.get("/api/v1/items/", {"department": dept.pk, "object": "person"}).json()
    assert {i["name"] for i in data["items"]} == {"住房公积金提取（租房）", "住房公积金提取（购房）", "住房公积金个人住房贷款"}
    data = client.get("/api/v1/items/", {"theme": "婚姻登记"}).json()
    assert [i["name"] for i in data["items"]] == ["结婚登记"]
    assert client.get("/api/v1/items/", {"cursor": "bad!"}).status_code == 400


def test_bundles_list_and_detail_with_merged_materials(client, search_catalogue):
    data = client.get("/api/v1/items/bundles/").json()
    assert {b["name"] for b in data} == {"开小吃店一件事", "新生儿出生一件事"}
    bundle = search_catalogue.bundles["新生儿出生一件事"]
    detail = client.get(f"/api/v1/items/bundles/{bundle.pk}").json()
    assert [i["name"] for i in detail["items"]] == ["出生医学证明首次签发", "出生登记", "新生儿参加城乡居民基本医疗保险登记"]
    names = [m["name"] for m in detail["merged_materials"]]
    assert len(names) == len(set(names))  # de-duplicated
    assert names.count("出生医学证明") == 1 and "出生医学证明" in names
    f = detail["figures"]
    assert f["materials_before"] == 2 + 4 + 2 and f["materials_after"] == len(names)
    assert f["materials_saved"] == f["materials_before"] - f["materials_after"] > 0
    assert client.get("/api/v1/items/bundles/999999").status_code == 404


def test_openapi_documents_the_catalogue_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/items/search", "/api/v1/items/", "/api/v1/items/{item_id}", "/api/v1/items/bundles/",
                 "/api/v1/items/bundles/{bundle_id}"):
        assert path in paths, sorted(paths)
    schemas = spec["components"]["schemas"]
    assert {"SearchOut", "GuideOut", "ItemListOut", "BundleDetailOut"} <= set(schemas)
    assert "score" in schemas["SearchHitOut"]["properties"]
