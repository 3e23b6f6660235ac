"""Officials read the 信息项 by their Chinese names (公民身份号码), not the field keys (id_number)
on the catalogue and 共享申请 pages; the keys stay in form values and attributes, in the exports
and in the API."""

import re

import pytest

from tests.datashare import sharing_factories as sf

pytestmark = pytest.mark.django_db

FIELDS = (("id_number", "公民身份号码", ""), ("household_address", "户籍地址", ""))


def shown(html: str) -> str:
    """The page's text without tags and their attributes."""
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def org(make_department, make_staff):
    provider, consumer = make_department(name="公安分局"), make_department(name="人社局")
    return {"provider": provider, "consumer": consumer, "clerk": make_staff("approver", department=consumer),
            "provider_admin": make_staff("dept_admin", department=provider)}


def test_request_form_detail_and_resource_show_names_only(client, org):
    res = sf.resource(org["provider"], fields=FIELDS)
    req = sf.submit(org["clerk"], org["consumer"], res, fields=("id_number", "household_address"))
    client.force_login(org["clerk"])
    form = client.get("/workbench/data/share-requests/new/", {"resource": res.pk}).content.decode()
    assert 'value="id_number"' in form  # the key is what the form posts
    pages = {"form": form, "detail": client.get(f"/workbench/data/share-requests/{req.pk}/").content.decode()}
    client.force_login(org["provider_admin"])
    pages["approval"] = client.get(f"/workbench/data/share-requests/{req.pk}/").content.decode()
    pages["resource"] = client.get(f"/workbench/data/resources/{res.pk}/").content.decode()
    for name, html in pages.items():
        text = shown(html)
        assert "公民身份号码" in text and "户籍地址" in text, name
        assert "id_number" not in text and "household_address" not in text, name
