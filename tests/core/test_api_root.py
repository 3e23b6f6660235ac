"""The API root: health, OpenAPI, and Chinese errors for malformed requests."""

import pytest


@pytest.mark.django_db
def test_health_and_openapi(client):
    assert client.get("/api/v1/health").json() == {"status": "ok"}
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "政务服务平台 API"
    assert "/api/v1/items/search" in schema["paths"]
    assert "/api/v1/cases/{case_id}/submit" in schema["paths"] or any("/submit" in p for p in schema["paths"])


@pytest.mark.django_db
def test_malformed_request_gets_chinese_400(client, make_citizen):
    user = make_citizen()
    client.force_login(user)
    resp = client.get("/api/v1/cases/mine?limit=abc")
    assert resp.status_code == 400
    body = resp.json()
    assert body["detail"] == "提交的内容有误" and body["errors"]["limit"] == ["应为整数"]


@pytest.mark.django_db
def test_me_requires_login(client):
    assert client.get("/api/v1/me").status_code == 401
