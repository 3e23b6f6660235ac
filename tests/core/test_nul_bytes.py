"""A NUL character (U+0000) anywhere a request carries text is refused at the edge with a 400 that
names the field (zhengwu.core.nulbytes) — before it can reach PostgreSQL, which cannot store it —
while uploaded files, which may hold 0x00 bytes, pass."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from zhengwu.core.nulbytes import RULE

pytestmark = pytest.mark.django_db


def _refused(r, field):
    assert r.status_code == 400, r.content[:300]
    body = r.json()
    assert body["errors"] == {field: [RULE]}
    assert field in body["detail"] and "空字符" in body["detail"]


def _logged_in(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def item(make_department, publish_item):
    return publish_item(make_department(name="市场监管局"), "食品经营许可证核发",
                        materials=[("营业执照", "required")])


def test_anonymous_query_parameters(client):
    _refused(client.get("/api/v1/items/?item_type=a%00b"), "item_type")
    _refused(client.get("/api/v1/items/search?q=%E5%87%BA%E7%94%9F%00"), "q")
    r = client.get("/open311/v2/requests.json?service_code=a%00")
    assert r.status_code == 400
    assert r.json() == [{"code": 400, "description": f"service_code {RULE}"}]  # Open311's error shape


def test_open311_post_with_nul_in_the_description(client):
    r = client.post("/open311/v2/requests.json", {"service_code": "0101", "description": "路灯不亮\x00", "lat": "34.7",
                                                   "long": "113.6"})
    assert r.status_code == 400 and "description" in r.json()[0]["description"]


def test_staff_and_citizen_query_parameters(make_citizen, make_staff):
    citizen = _logged_in(make_citizen())
    _refused(citizen.get("/api/v1/cases/mine?state=%00"), "state")
    window = _logged_in(make_staff("window"))
    _refused(window.get("/api/v1/cases/search?number=ZW%00"), "number")
    centre = _logged_in(make_staff("hotline"))
    _refused(centre.get("/api/v1/hotline/tickets?q=%00"), "q")
    _refused(centre.get("/api/v1/hotline/tickets?q%00=x"), "q")  # in a parameter's name too


def test_json_string_at_any_depth(make_citizen, item):
    c = _logged_in(make_citizen())
    body = '{"item_id": %d, "form_data": {"shop_name": "老王\\u0000小吃"}}' % item.pk
    _refused(c.post("/api/v1/cases/", body, content_type="application/json"), "form_data.shop_name")
    body = '{"item_id": %d, "form_data": {"tags": ["a", "b\\u0000"]}}' % item.pk
    _refused(c.post("/api/v1/cases/", body, content_type="application/json"), "form_data.tags.1")
    body = '{"item_id": %d, "form_data": {"k\\u0000": 1}}' % item.pk
    _refused(c.post("/api/v1/cases/", body, content_type="application/json"), "form_data.k")


def test_an_escaped_backslash_is_not_a_nul(make_citizen, item):
    # "\\u0000" in JSON is the six characters \u0000, not NUL: stored as written.
    c = _logged_in(make_citizen())
    body = json.dumps({"item_id": item.pk, "form_data": {"shop_name": "\\u0000"}})
    r = c.post("/api/v1/cases/", body, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["form_data"] == {"shop_name": "\\u0000"}


def test_uploaded_files_may_hold_nul_bytes_but_form_fields_may_not(make_citizen, item):
    from zhengwu.cases.services import applying

    user = make_citizen()
    case = applying.create_draft(user, item)
    c = _logged_in(user)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n\x00\x00\x00\ntrailer<<>>\n%%EOF\n"
    url = f"/api/v1/cases/{case.pk}/materials"
    r = c.post(url, {"file": SimpleUploadedFile("执照.pdf", pdf, content_type="application/pdf"), "name": "营业执照"})
    assert r.status_code == 201, r.content
    r = c.post(url, {"file": SimpleUploadedFile("执照.pdf", pdf, content_type="application/pdf"), "name": "执照\x00"})
    _refused(r, "name")


def test_citizen_page_form_gets_a_chinese_page(make_citizen):
    c = _logged_in(make_citizen())
    r = c.post("/hotline/", {"ticket_type": "help", "content": "小区路灯\x00坏了", "title": "路灯"})
    assert r.status_code == 400 and r["Content-Type"].startswith("text/html")
    page = r.content.decode()
    assert "content 不能包含空字符（NUL）" in page and "请求有误" in page


def test_path_header_and_cookie(client, make_citizen):
    r = client.get("/open311/v2/requests/RX%00.json")
    assert r.status_code == 400 and r.json() == [{"code": 400, "description": f"请求地址 {RULE}"}]
    _refused(client.get("/api/v1/cases/%00"), "请求地址")
    assert client.get("/hotline/mine/%00/").status_code == 400
    c = _logged_in(make_citizen())
    r = c.post("/api/v1/cases/", "{}", content_type="application/json", headers={"Idempotency-Key": "k\x00"})
    _refused(r, "Idempotency-Key")
    anon = Client(HTTP_COOKIE='sessionid="\\000"')
    _refused(anon.get("/api/v1/me"), "Cookie sessionid")


def test_a_lone_surrogate_in_json_is_refused_and_a_valid_pair_passes(make_citizen, item):
    """A JSON escape of an unpaired UTF-16 surrogate parses into a string no database can encode
    (fuzzing found it as a 500 on PUT /api/v1/hotline/calls): 400 naming the field. A valid pair
    (an astral character such as U+1F600) is one character after parsing and is stored."""
    from zhengwu.core.nulbytes import SURROGATE_RULE

    c = _logged_in(make_citizen())
    for body, field in (('{"item_id": %d, "form_data": {"shop_name": "老王\\ud800小吃"}}', "form_data.shop_name"),
                        ('{"item_id": %d, "form_data": {"tags": ["a", "\\uDC00"]}}', "form_data.tags.1")):
        r = c.post("/api/v1/cases/", body % item.pk, content_type="application/json")
        assert r.status_code == 400, r.content[:300]
        assert r.json()["errors"] == {field: [SURROGATE_RULE]}
    r = c.post("/api/v1/cases/", '{"item_id": %d, "form_data": {"shop_name": "老王\\ud83d\\ude00"}}' % item.pk,
               content_type="application/json")
    assert r.status_code == 201, r.content[:300]
    assert r.json()["form_data"] == {"shop_name": "老王\U0001F600"}
