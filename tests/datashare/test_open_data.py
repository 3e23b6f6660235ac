"""开放数据: the published `ckanapi` client against a live server, and the DCAT catalogue."""

import json

import ckanapi
import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, RDF

from tests.datashare.dcat_fixtures import FIELDS, published, resource_data
from tests.datashare import dcat_fixtures
from zhengwu.datashare.services import catalogue

people = dcat_fixtures.people  # the fixture, used by name


@pytest.fixture
def open_catalogue(people):
    legal = published(people.data_admin, people.market, "101002/000001", name="法人基本信息",
                      share_type="unconditional", share_condition="", open_type="open", category="基础信息资源",
                      registry="legal", summary="市场主体登记的法人基本信息")
    published(people.data_admin, people.market, "201001/000001", name="市场主体年度统计",
              share_type="unconditional", open_type="open", category="统计", format="XLSX")
    published(people.data_admin, people.police, "101001/000001")  # closed: not open
    draft = catalogue.create_resource(people.data_admin, resource_data(people.market, "201001/000002",
                                                                       open_type="open", share_type="unconditional"),
                                      FIELDS)  # never published: not open
    withdrawn = published(people.data_admin, people.market, "201001/000003", name="已撤销的", open_type="open",
                          share_type="unconditional")
    catalogue.transition(people.data_admin, withdrawn.pk, withdrawn.lock_version, "withdraw", "停止")
    return legal, draft


def test_ckanapi_client_live(live_server, open_catalogue, people):
    legal, _draft = open_catalogue
    ckan = ckanapi.RemoteCKAN(live_server.url)
    assert ckan.action.package_list() == ["zw-101002-000001", "zw-201001-000001"]
    pkg = ckan.action.package_show(id="101002/000001")
    assert pkg["title"] == "法人基本信息" and pkg["name"] == "zw-101002-000001"
    assert pkg["organization"]["title"] == "市场监管局" and pkg["version"] == "1"
    fields = json.loads(next(e["value"] for e in pkg["extras"] if e["key"] == "信息项"))
    assert [f["key"] for f in fields] == ["id_number", "name", "gender"]
    assert ckan.action.package_show(id="zw-101002-000001")["id"] == "101002/000001"
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="101001/000001")  # published but not open
    with pytest.raises(ckanapi.NotFound):
        ckan.action.package_show(id="201001/000002")  # open but never published
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_show()

    found = ckan.action.package_search(q="法人", rows=10)
    assert found["count"] == 1 and found["results"][0]["id"] == "101002/000001"
    assert ckan.action.package_search(rows=1, start=1)["results"][0]["id"] == "201001/000001"
    assert ckan.action.package_search(fq="tags:统计")["count"] == 1
    org = people.market.uscc.lower()
    assert ckan.action.package_search(fq=f"organization:{org}")["count"] == 2
    assert ckan.action.organization_list() == [org]
    shown = ckan.action.organization_show(id=org, include_datasets=True)
    assert shown["package_count"] == 2 and len(shown["packages"]) == 2
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="nobody")
    assert ckan.action.tag_list() == sorted(["基础信息资源", "接口", "统计", "XLSX"])
    assert ckan.action.status_show()["ckan_version"]
    assert len(ckan.action.current_package_list_with_resources(limit=5)) == 2

    # GET works too (get_only clients), and the same answers on /api/3/action/
    get_only = ckanapi.RemoteCKAN(live_server.url, get_only=True)
    assert get_only.action.package_search(q="法人")["count"] == 1
    import requests

    body = requests.get(f"{live_server.url}/api/3/action/package_list", timeout=10).json()
    assert body["success"] is True and body["result"] == ["zw-101002-000001", "zw-201001-000001"]


def test_ckan_error_shape(client, open_catalogue):
    response = client.get("/api/3/action/package_show", {"id": "nope"})
    assert response.status_code == 404
    body = response.json()
    assert body["success"] is False and body["error"]["__type"] == "Not Found Error" and "help" in body
    response = client.get("/api/3/action/no_such_action")
    assert response.status_code == 400 and response.json()["success"] is False
    response = client.post("/api/3/action/package_search", data="[1", content_type="application/json")
    assert response.status_code == 400 and response.json()["error"]["__type"] == "Bad Request"
    response = client.get("/api/3/action/package_search", {"rows": "x"})
    assert response.status_code == 409 and response.json()["error"]["__type"] == "Validation Error"
    response = client.get("/api/3/action/package_list")
    assert response.json() == {"help": "http://testserver/api/3/action/help_show?name=package_list",
                               "success": True, "result": ["zw-101002-000001", "zw-201001-000001"]}


@pytest.mark.parametrize("suffix,fmt", [("ttl", "turtle"), ("rdf", "xml"), ("jsonld", "json-ld")])
def test_dcat_parses(client, open_catalogue, suffix, fmt):
    response = client.get(f"/open-data/catalog.{suffix}")
    assert response.status_code == 200
    g = rdflib.Graph().parse(data=response.content, format=fmt)
    datasets = set(g.subjects(RDF.type, DCAT.Dataset))
    assert len(datasets) == 2
    titles = {str(t) for d in datasets for t in g.objects(d, DCTERMS.title)}
    assert titles == {"法人基本信息", "市场主体年度统计"}
    assert len(set(g.subjects(RDF.type, DCAT.Catalog))) == 1
    text = response.content.decode()
    assert "id_number" not in text and "公民身份号码" not in text  # metadata of the dataset, no field values


def test_public_pages(client, open_catalogue):
    legal, draft = open_catalogue
    page = client.get("/open-data/")
    assert page.status_code == 200 and "法人基本信息" in page.content.decode()
    assert "人口基本信息" not in page.content.decode()
    assert client.get(f"/open-data/{legal.pk}/").status_code == 200
    assert client.get(f"/open-data/{draft.pk}/").status_code == 404
