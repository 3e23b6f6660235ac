"""The hotline JSON API: who may do what (401/403/404), registration with idempotency, machines
with X-Api-Key, actions with the lock (409), console assistance."""

import json

import pytest

from zhengwu.accounts import apikeys
from zhengwu.hotline.models import Ticket
from zhengwu.hotline.rules import API_SCOPE

apikeys.register_scope("hotline:test-other", "测试：其他范围")

pytestmark = pytest.mark.django_db
API = "/api/v1/hotline"


def _post(client, url, data, **headers):
    return client.post(url, json.dumps(data), content_type="application/json", **headers)


def test_anonymous_is_401(client):
    assert client.get(f"{API}/tickets").status_code == 401
    assert client.get(f"{API}/similar?text=abc").status_code == 401
    assert _post(client, f"{API}/tickets", {"content": "x"}).status_code == 401


def test_citizen_and_departments_cannot_use_centre_endpoints(client, citizen, handler, dispatched):
    client.force_login(citizen)
    assert client.get(f"{API}/tickets").status_code == 403
    assert client.get(f"{API}/similar?text=饭店卫生").status_code == 403
    client.force_login(handler)
    assert client.get(f"{API}/tickets").status_code == 403
    assert client.get(f"{API}/similar?text=饭店卫生").status_code == 403
    t = dispatched()
    r = client.get(f"{API}/tickets?view=department&tab=dispatched")
    assert r.status_code == 200 and [x["number"] for x in r.json()["items"]] == [t.number]
    r = _post(client, f"{API}/tickets", {"content": "部门想登记"})
    assert r.status_code == 403


def test_other_department_gets_404(client, urban_handler, dispatched):
    t = dispatched()
    client.force_login(urban_handler)
    assert client.get(f"{API}/tickets/{t.pk}").status_code == 404
    assert _post(client, f"{API}/tickets/{t.pk}/claim", {"lock_version": t.lock_version}).status_code == 404


def test_centre_registers_with_idempotency_and_dispatches(client, centre, handler, taxonomy, street, market):
    client.force_login(centre)
    body = {"ticket_type": "complaint", "content": "经八路饭店卫生差，吃完腹泻", "phone": "13800008888",
            "region": street.code, "category": taxonomy["市场监管/食品安全/餐饮卫生"].pk, "channel": "phone"}
    r1 = _post(client, f"{API}/tickets", body, HTTP_IDEMPOTENCY_KEY="call-1")
    r2 = _post(client, f"{API}/tickets", body, HTTP_IDEMPOTENCY_KEY="call-1")
    assert r1.status_code == 201 and r2.status_code == 200 and r1.json()["id"] == r2.json()["id"]
    assert Ticket.objects.count() == 1
    t = r1.json()
    assert t["phone"] == "138****8888" and t["state"] == "registered" and t["suggestions"]
    r = _post(client, f"{API}/tickets/{t['id']}/dispatch", {"lock_version": t["lock_version"], "department": market.pk})
    assert r.status_code == 200 and r.json()["state"] == "dispatched"
    stale = _post(client, f"{API}/tickets/{t['id']}/urge", {"lock_version": t["lock_version"], "opinion": "快"})
    assert stale.status_code == 409 and "刷新" in stale.json()["detail"]
    bad = _post(client, f"{API}/tickets/{t['id']}/urge", {"lock_version": r.json()["lock_version"], "opinion": ""})
    assert bad.status_code == 400 and bad.json()["errors"]["opinion"] == ["督办意见不能为空"]
    client.force_login(handler)
    r = _post(client, f"{API}/tickets/{t['id']}/claim", {"lock_version": r.json()["lock_version"]})
    assert r.status_code == 200 and r.json()["state"] == "handling"
    wrong = _post(client, f"{API}/tickets/{t['id']}/close", {"lock_version": r.json()["lock_version"]})
    assert wrong.status_code == 403
    detail = client.get(f"{API}/tickets/{t['id']}").json()
    assert [e["action"] for e in detail["events"]] == ["register", "dispatch", "claim"]


def test_validation_errors_are_chinese(client, centre):
    client.force_login(centre)
    r = _post(client, f"{API}/tickets", {"content": "", "ticket_type": "x", "phone": "1"})
    assert r.status_code == 400
    errors = r.json()["errors"]
    assert errors["content"] == ["诉求内容不能为空"] and "诉求类型不正确" in errors["ticket_type"][0]
    r = _post(client, f"{API}/tickets", {"ticket_type": "consult"})
    assert r.status_code == 400 and r.json()["errors"]["content"] == ["必填"]


def test_machine_client_with_api_key(client, taxonomy):
    grid_key = apikeys.issue("网格化平台", [API_SCOPE]).secret
    other_key = apikeys.issue("只读目录", ["hotline:test-other"]).secret
    body = {"ticket_type": "help", "content": "网格员上报：垃圾桶满溢", "address": "经八路"}
    r = _post(client, f"{API}/tickets", body, HTTP_X_API_KEY=grid_key, HTTP_IDEMPOTENCY_KEY="g1")
    assert r.status_code == 201 and r.json()["channel"] == "api"
    r2 = _post(client, f"{API}/tickets", body, HTTP_X_API_KEY=grid_key, HTTP_IDEMPOTENCY_KEY="g1")
    assert r2.status_code == 200 and Ticket.objects.count() == 1
    assert _post(client, f"{API}/tickets", body, HTTP_X_API_KEY="nope").status_code == 401
    assert client.get(f"{API}/tickets", HTTP_X_API_KEY=grid_key).status_code == 403
    # A key without the hotline scope may not file tickets.
    assert _post(client, f"{API}/tickets", body, HTTP_X_API_KEY=other_key).status_code == 403


def test_centre_list_keyset_and_assist(client, centre, new_ticket, street):
    for i in range(5):
        new_ticket(content=f"第{i}单：经八路饭店卫生差", phone=f"1380000{i:04d}")
    client.force_login(centre)
    page1 = client.get(f"{API}/tickets?tab=registered").json()
    assert len(page1["items"]) == 5 and page1["next"] is None
    from zhengwu.hotline import queries

    rows, nxt = queries.centre_list(centre, "all", size=2)
    rows2, nxt2 = queries.centre_list(centre, "all", before=nxt, size=2)
    assert nxt and [r.pk for r in rows2] == [rows[-1].pk - 1, rows[-1].pk - 2]
    r = client.get(f"{API}/assist", {"text": "经八路饭店卫生差，吃完腹泻", "phone": "13800000001", "region": street.code,
                                      "address": "经八路88号"})
    data = r.json()
    assert r.status_code == 200 and data["suggestions"][0]["category"] == "市场监管/食品安全/餐饮卫生"
    assert all(s["needs_review"] == (s["confidence"] < 0.5) for s in data["suggestions"])
    assert data["similar"] and data["similar"][0]["reasons"]
    r = client.get(f"{API}/similar", {"phone": "13800000003", "text": "x"})
    assert r.status_code == 200 and r.json()[0]["reasons"] == ["同一来电人"]
    r = client.get(f"{API}/suggest", {"text": "饭店卫生"})
    assert r.status_code == 200


def test_openapi_documents_the_hotline(client):
    r = client.get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/hotline/similar" in paths and "/api/v1/hotline/tickets/{ticket_id}/{action}" in paths
