"""信息系统普查: register, lock, figures, pages."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.datashare.dcat_fixtures import published
from tests.datashare import dcat_fixtures
from zhengwu.datashare.models import DataResource
from zhengwu.datashare.services import systems

people = dcat_fixtures.people  # the fixture, used by name


def test_register_lock_and_permissions(people):
    s = systems.save_system(people.police_admin, {"department": people.police.pk, "name": "人口系统",
                                                  "deployment": "政务云", "connected": "是", "build_year": "2015"})
    assert (s.deployment, s.connected, s.build_year) == ("gov_cloud", True, 2015)
    with pytest.raises(PermissionDenied):
        systems.save_system(people.market_admin, {"department": people.police.pk, "name": "x"})
    with pytest.raises(ValidationError) as exc:
        systems.save_system(people.police_admin, {"department": people.police.pk, "name": "人口系统"})
    assert "已登记名为“人口系统”" in exc.value.message_dict["name"][0]
    systems.save_system(people.police_admin, {"department": people.police.pk, "name": "人口系统2"}, pk=s.pk,
                        lock_version=0)
    with pytest.raises(ValidationError):
        systems.save_system(people.data_admin, {"department": people.police.pk, "name": "人口系统3"}, pk=s.pk,
                            lock_version=0)


def test_figures(people):
    a = systems.save_system(people.data_admin, {"department": people.police.pk, "name": "A", "connected": "是",
                                                "deployment": "vertical"})
    systems.save_system(people.data_admin, {"department": people.police.pk, "name": "B", "connected": "否"})
    systems.save_system(people.data_admin, {"department": people.market.pk, "name": "C", "connected": "是"})
    r = published(people.data_admin, people.police)
    DataResource.objects.filter(pk=r.pk).update(source_system=a)
    f = systems.figures()
    assert f["total"] == 3 and f["connected"] == 2 and f["rate"] == 66.7
    assert {(x["department__name"], x["rate"]) for x in f["by_department"]} == {("公安分局", 50.0), ("市场监管局", 100.0)}
    assert {x["deployment"]: x["n"] for x in f["by_deployment"]} == {"上级部门垂直部署": 1, "其他": 2}
    assert f["per_system"][0] == {"pk": a.pk, "name": "A", "department__name": "公安分局", "n": 1}


def test_pages(people, client):
    client.force_login(people.police_admin)
    response = client.post("/workbench/data/systems/new/", {"department": people.police.pk, "name": "页面系统",
                                                              "deployment": "gov_cloud", "connected": "是",
                                                              "in_use": "是", "build_year": "abc"})
    assert response.status_code == 400 and "建设年份应为四位年份" in response.content.decode()
    response = client.post("/workbench/data/systems/new/", {"department": people.police.pk, "name": "页面系统",
                                                              "deployment": "gov_cloud", "connected": "是",
                                                              "in_use": "是"})
    assert response.status_code == 302
    page = client.get("/workbench/data/systems/").content.decode()
    assert "页面系统" in page and "100.0%" in page
    client.force_login(people.window)
    assert client.get("/workbench/data/systems/new/").status_code == 403


def test_edit_links_only_where_the_edit_page_admits(people, client, make_staff):
    police = systems.save_system(people.data_admin, {"department": people.police.pk, "name": "人口系统"})
    market = systems.save_system(people.data_admin, {"department": people.market.pk, "name": "市场主体系统"})

    def edit_links(user):
        client.force_login(user)
        page = client.get("/workbench/data/systems/").content.decode()
        links = {s.pk for s in (police, market) if f"/workbench/data/systems/{s.pk}/edit/" in page}
        for pk in links:
            assert client.get(f"/workbench/data/systems/{pk}/edit/").status_code == 200
        return links

    assert edit_links(people.police_admin) == {police.pk}
    assert edit_links(people.data_admin) == {police.pk, market.pk}
    leader = make_staff("leader")  # reads the register, edits nothing
    assert edit_links(leader) == set()
    client.force_login(leader)
    assert client.get(f"/workbench/data/systems/{police.pk}/edit/").status_code == 403
