"""资源目录 workbench pages: a department sees and edits only its own resources; 数据管理员 review."""

import io

from openpyxl import load_workbook

from tests.datashare.dcat_fixtures import FIELDS, resource_data
from tests.datashare import dcat_fixtures
from zhengwu.datashare.models import DataResource
from zhengwu.datashare.services import catalogue

people = dcat_fixtures.people  # the fixture, used by name


def _form(dept, code="101001/000001", **kw):
    data = {**resource_data(dept, code), **kw, "field_key": ["id_number", "name", ""],
            "field_name": ["公民身份号码", "姓名", ""], "field_type": ["字符型", "字符型", "字符型"],
            "field_length": ["18", "", ""], "field_share": ["", "", ""], "field_personal": ["0"]}
    return data


def test_department_registers_edits_submits(people, client):
    client.force_login(people.police_admin)
    bad = client.post("/workbench/data/resources/new/", _form(people.police, share_condition=""))
    assert bad.status_code == 400 and "有条件共享的资源必须写明共享条件" in bad.content.decode()
    response = client.post("/workbench/data/resources/new/", _form(people.police))
    r = DataResource.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/workbench/data/resources/{r.pk}/"
    assert list(r.fields.values_list("key", "personal")) == [("id_number", True), ("name", False)]
    # double submission: the second is refused (code taken), nothing duplicated
    again = client.post("/workbench/data/resources/new/", _form(people.police))
    assert again.status_code == 400 and DataResource.objects.count() == 1
    form = client.get(f"/workbench/data/resources/{r.pk}/edit/").content.decode()
    assert 'value="101001/000001"' in form and 'value="公民身份号码"' in form
    page = client.get(f"/workbench/data/resources/{r.pk}/").content.decode()
    assert "提交审核" in page and "审核通过并发布" not in page
    stale = client.post(f"/workbench/data/resources/{r.pk}/edit/", {**_form(people.police, name="新"),
                                                                    "lock_version": r.lock_version + 5})
    assert stale.status_code == 400 and "已被他人修改" in stale.content.decode()
    client.post(f"/workbench/data/resources/{r.pk}/action/", {"action": "submit", "lock_version": r.lock_version})
    r.refresh_from_db()
    assert r.status == "review"
    # the department cannot publish (the button is not there, the post is refused)
    client.post(f"/workbench/data/resources/{r.pk}/action/", {"action": "approve", "lock_version": r.lock_version})
    r.refresh_from_db()
    assert r.status == "review"


def test_other_department_cannot_see_or_edit(people, client):
    r = catalogue.create_resource(people.police_admin, resource_data(people.police), FIELDS)
    client.force_login(people.market_admin)
    assert client.get(f"/workbench/data/resources/{r.pk}/").status_code == 404
    assert client.get(f"/workbench/data/resources/{r.pk}/edit/").status_code == 404
    assert "人口基本信息" not in client.get("/workbench/data/resources/").content.decode()
    forged = client.post("/workbench/data/resources/new/", _form(people.police, "101001/000009"))
    assert forged.status_code == 403
    client.force_login(people.window)
    assert client.get("/workbench/data/resources/new/").status_code == 403


def test_data_admin_publishes_and_exports(people, client):
    r = catalogue.create_resource(people.police_admin, resource_data(people.police), FIELDS)
    r = catalogue.transition(people.police_admin, r.pk, r.lock_version, "submit")
    client.force_login(people.data_admin)
    home = client.get("/workbench/").content.decode()
    assert "资源目录" in home and 'data-count="1" title="1 个资源待审核"' in home
    assert "审核通过并发布" in client.get(f"/workbench/data/resources/{r.pk}/").content.decode()
    client.post(f"/workbench/data/resources/{r.pk}/action/", {"action": "approve", "lock_version": r.lock_version})
    r.refresh_from_db()
    assert (r.status, r.version) == ("published", 1)
    xlsx = client.get("/workbench/data/resources/?format=xlsx")
    assert load_workbook(io.BytesIO(xlsx.content))["资源"]["B2"].value == "人口基本信息"


def test_import_page_shows_row_errors(people, client):
    client.force_login(people.data_admin)
    response = client.post("/workbench/data/resources/import/", {"file": io.BytesIO(b"junk")})
    assert response.status_code == 400 and "未写入任何数据" in response.content.decode()


def test_demo_loads_twice(transactional_db):
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.datashare import demo
    from zhengwu.datashare.models import DataNeed, InfoSystem
    from zhengwu.org.demo import load as load_org

    load_org(io.StringIO())
    load_accounts(io.StringIO())
    demo.load(io.StringIO())
    demo.load(io.StringIO())
    assert DataResource.objects.filter(status="published").count() == 5
    assert DataResource.objects.get(code="101001/000001").registry == "person"
    assert InfoSystem.objects.filter(connected=True).count() == 4
    assert DataNeed.objects.filter(status="open").count() == 2
