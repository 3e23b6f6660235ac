"""Every error under /api/ and /open311/ is JSON in Chinese (zhengwu.core.errors, the handlers on
the NinjaAPI in zhengwu/api.py): unknown paths, wrong methods, crashes, missing login. Pages keep
their HTML."""

import json
import logging

import pytest
from django.http import Http404
from django.test import Client

from zhengwu.core import errors

pytestmark = pytest.mark.django_db


def _json_error(r, status):
    assert r.status_code == status, r.content[:300]
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"detail", "errors"} and errors._has_chinese(body["detail"])
    return body


def test_unknown_paths(client):
    body = _json_error(client.get("/api/v1/no-such-thing"), 404)
    assert body == {"detail": "接口不存在：请核对请求地址", "errors": {}}
    _json_error(client.get("/api/v1/cases/12/no-such-action"), 404)
    r = client.get("/open311/v2/nothing.json")
    assert r.status_code == 404 and r.json() == [{"code": 404, "description": "接口不存在：请核对请求地址"}]
    page = client.get("/no-such-page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html") and "页面不存在" in page.content.decode()


def test_wrong_method(client):
    r = client.delete("/api/v1/health")
    body = _json_error(r, 405)
    assert r["Allow"] == "GET" and "GET" in body["detail"]
    r = client.post("/open311/v2/services.json")
    assert r.status_code == 405 and r.json()[0]["code"] == 405 and r["Allow"] == "GET"


def test_a_crash_in_an_api_view_is_logged_and_answered_in_json(monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("zhengwu.catalog.api.bundle_overview", broken)
    with caplog.at_level(logging.ERROR):
        r = Client(raise_request_exception=False).get("/api/v1/items/bundles/")
    body = _json_error(r, 500)
    assert "secret" not in r.content.decode() and body["detail"] == errors.STATUS_MESSAGES[500]
    logged = [rec for rec in caplog.records if rec.name == "zhengwu.api"]
    assert logged and logged[0].exc_info and "/api/v1/items/bundles/" in logged[0].getMessage()


def test_a_crash_outside_the_api_handlers(monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("zhengwu.hotline.open311._public", broken)
    monkeypatch.setattr("zhengwu.catalog.published.home_region", broken)
    c = Client(raise_request_exception=False)
    r = c.get("/open311/v2/requests.json")
    assert r.status_code == 500 and r.json() == [{"code": 500, "description": errors.STATUS_MESSAGES[500]}]
    page = c.get("/")
    assert page.status_code == 500 and page["Content-Type"].startswith("text/html") and "系统繁忙" in page.content.decode()


def test_anonymous_unsafe_request_without_a_key_is_401_not_csrf(make_citizen):
    anon = Client(enforce_csrf_checks=True)  # no session, no CSRF token, no X-Api-Key
    for url in ("/api/v1/cases/", "/api/v1/hotline/tickets", "/api/v1/ratings/outbox/ack"):
        r = anon.post(url, "{}", content_type="application/json")
        assert _json_error(r, 401)["detail"] == "请先登录", url
    # A session is still protected: logged in, without the token, refused before anything runs.
    user = Client(enforce_csrf_checks=True)
    user.force_login(make_citizen())
    r = user.post("/api/v1/cases/", "{}", content_type="application/json")
    assert r.status_code == 403 and "CSRF" in r.json()["detail"]


def test_ninja_authentication_error_is_in_chinese(client):
    assert _json_error(client.get("/api/v1/me"), 401)["detail"] == "请先登录"


def test_not_found_messages():
    assert errors.not_found_message(errors.NotFound("办件不存在")) == "办件不存在"
    assert errors.not_found_message(errors.NotFound()) == errors.NotFound.message
    assert errors.not_found_message(Http404("工单不存在或无权查看")) == "工单不存在或无权查看"
    assert errors.not_found_message(Http404("No Ticket matches the given query.")) == "请求的资源不存在"


def test_a_number_past_postgresqls_range_is_the_requests_fault(rf):
    """PostgreSQL answers an OFFSET or a cast past its range with 22003 (a DataError): 400, not 500.
    Any other DataError stays a server error."""
    from django.db import DataError, connection, transaction

    from zhengwu import api

    if connection.vendor != "postgresql":
        pytest.skip("22003 is PostgreSQL's")
    with pytest.raises(DataError) as caught, transaction.atomic():
        connection.cursor().execute("SELECT 1 OFFSET %s", [2**63 - 1 + 1])
    resp = api._database_range(rf.get("/api/v1/x"), caught.value)
    assert resp.status_code == 400 and "超出允许范围" in json.loads(resp.content)["detail"]
    with pytest.raises(DataError) as caught, transaction.atomic():
        connection.cursor().execute("SELECT 1 / %s", [0])
    assert api._database_range(rf.get("/api/v1/x"), caught.value).status_code == 500


def test_an_address_without_its_trailing_slash_gets_a_json_308_that_keeps_the_post(client):
    r = client.post("/api/v1/cases?x=1", data=json.dumps({"item_id": 1}), content_type="application/json")
    assert r.status_code == 308 and r["Location"] == "/api/v1/cases/?x=1"
    body = r.json()
    assert r["Content-Type"].startswith("application/json") and body["code"] == "trailing_slash"
    assert "/api/v1/cases/?x=1" in body["detail"]
    assert client.get("/api/v1/health").status_code == 200  # an address that exists without one is served
    _json_error(client.get("/api/v1/no-such-thing"), 404)  # and an unknown one is still a 404


def test_a_body_that_is_not_json_is_refused_in_chinese_on_every_endpoint(make_citizen, make_department):
    from tests.datashare import verify_factories as vf

    _key, secret = vf.key(department=make_department(name="住房公积金中心"))
    for body in (b"{not json", b'{"id_number": "4101'):
        r = Client().post("/api/v1/data/verify/person", body, content_type="application/json",
                          HTTP_X_API_KEY=secret)
        assert _json_error(r, 400)["detail"] == "请求体不是有效的 JSON"
    citizen = Client()
    citizen.force_login(make_citizen())
    r = citizen.post("/api/v1/cases/", b"{not json", content_type="application/json")
    assert _json_error(r, 400)["detail"] == "请求体不是有效的 JSON"
    assert "Cannot parse" not in r.content.decode()
