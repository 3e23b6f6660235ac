"""The 查询核验 API contract: keys, scopes, grants, quotas, fields, batches, and a QueryCall row
for every call (refusals included), never the ID number in the clear."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.datashare import verify_factories as vf
from zhengwu.core.identifiers import make_id_number, make_uscc
from zhengwu.core.pii import blind_index
from zhengwu.datashare.models import QueryCall

ID = make_id_number("41010519900307123")
OTHER = make_id_number("41010519920101002")


@pytest.fixture
def setup(make_department):
    provider = make_department(name="公安局")
    consumer = make_department(name="住房公积金中心")
    res = vf.resource(provider, "person")
    key, secret = vf.key(department=consumer)
    grant = vf.grant(key, res, consumer, fields=["name", "gender", "birth_date"])
    vf.person(ID, "张三")
    return {"provider": provider, "consumer": consumer, "res": res, "key": key, "secret": secret, "grant": grant}


def post(client, path, body, secret=None):
    headers = {"HTTP_X_API_KEY": secret} if secret else {}
    return client.post(f"/api/v1/data/{path}", json.dumps(body), content_type="application/json", **headers)


PURPOSE = "住房公积金提取：核验申请人身份"


def test_verify_person_match_mismatch_not_found(client, setup):
    s = setup
    r = post(client, "verify/person", {"id_number": ID, "name": "张三", "purpose": PURPOSE}, s["secret"])
    assert r.status_code == 200 and r.json() == {"result": "一致"}
    r = post(client, "verify/person", {"id_number": ID, "name": "张四", "purpose": PURPOSE}, s["secret"])
    assert r.json() == {"result": "不一致"}
    r = post(client, "verify/person", {"id_number": OTHER, "name": "张三", "purpose": PURPOSE}, s["secret"])
    assert r.json() == {"result": "不一致"}
    calls = list(QueryCall.objects.order_by("pk"))
    assert [c.result for c in calls] == ["match", "mismatch", "mismatch"]
    c = calls[0]
    assert c.kind == "verify" and c.api_key_id == s["key"].pk and c.consumer_id == s["consumer"].pk
    assert c.resource_id == s["res"].pk and c.purpose == PURPOSE and c.status_code == 200
    assert c.subject_index == blind_index("id_number", ID) and c.latency_ms > 0
    assert ID not in json.dumps([c.subject_index, c.fields, c.consumer_name])


def test_verify_legal(client, setup, make_department):
    s = setup
    res = vf.resource(s["provider"], "legal")
    vf.grant(s["key"], res, s["consumer"], fields=["name"])
    uscc = make_uscc("9", "1", "410105", "MA9XKT3Q")
    vf.legal(uscc, "郑州市示例科技有限公司")
    r = post(client, "verify/legal", {"uscc": uscc, "name": "郑州市示例科技有限公司", "purpose": PURPOSE}, s["secret"])
    assert r.json() == {"result": "一致"}
    r = post(client, "verify/legal", {"uscc": uscc, "name": "别的公司", "purpose": PURPOSE}, s["secret"])
    assert r.json() == {"result": "不一致"}
    assert QueryCall.objects.filter(registry="legal", subject_index=uscc).count() == 2


def test_no_key_401_and_bad_key_401(client, setup):
    r = post(client, "verify/person", {"id_number": ID, "name": "张三", "purpose": PURPOSE})
    assert r.status_code == 401 and "应用密钥" in r.json()["detail"]
    r = post(client, "verify/person", {"id_number": ID, "name": "张三", "purpose": PURPOSE}, "zw_nope_nope")
    assert r.status_code == 401


def test_wrong_scope_403_recorded(client, setup):
    s = setup
    _key, secret = vf.key("只能核验", scopes=["data:verify"], department=s["consumer"])
    r = post(client, "query/person", {"id_number": ID, "fields": ["name"], "purpose": PURPOSE}, secret)
    assert r.status_code == 403 and "data:query" in r.json()["detail"]
    row = QueryCall.objects.get()
    assert row.result == "refused" and row.status_code == 403 and row.kind == "query"


def test_no_grant_revoked_expired_403(client, setup):
    s = setup
    key2, secret2 = vf.key("无授权系统", department=s["consumer"])
    r = post(client, "verify/person", {"id_number": ID, "name": "张三", "purpose": PURPOSE}, secret2)
    assert r.status_code == 403 and "共享授权" in r.json()["detail"]
    # revocation holds at once (the grant is read on every call)
    assert post(client, "verify/person", {"id_number": ID, "name": "张三", "purpose": PURPOSE},
                s["secret"]).status_code == 200
    g = s["grant"]
    g.revoked_at = timezone.now()
    g.save()
    r = post(client, "verify/person", {"id_number": ID, "name": "张三", "purpose": PURPOSE}, s["secret"])
    assert r.status_code == 403 and "已撤销" in r.json()["detail"]
    g.revoked_at = None
    g.expires_at = timezone.now()
    g.save()
    r = post(client, "verify/person", {"id_number": ID, "name": "张三", "purpose": PURPOSE}, s["secret"])
    assert r.status_code == 403 and "已过期" in r.json()["detail"]
    rows = list(QueryCall.objects.order_by("pk").values_list("result", "status_code"))
    assert rows == [("refused", 403), ("match", 200), ("refused", 403), ("refused", 403)]


def test_named_resource(client, setup):
    s = setup
    body = {"id_number": ID, "name": "张三", "purpose": PURPOSE, "resource": s["res"].code}
    assert post(client, "verify/person", body, s["secret"]).status_code == 200
    other = vf.resource(s["provider"], "person")
    r = post(client, "verify/person", {**body, "resource": other.code}, s["secret"])
    assert r.status_code == 403 and other.code in r.json()["detail"]


def test_purpose_required_400_recorded(client, setup):
    r = post(client, "verify/person", {"id_number": ID, "name": "张三"}, setup["secret"])
    assert r.status_code == 400 and r.json()["detail"] == "用途：必填"
    assert r.json()["errors"]["purpose"] == ["用途：必填"]
    assert QueryCall.objects.get().status_code == 400


def test_bad_id_number_400_and_nothing_personal_logged(client, setup, caplog):
    bad = ID[:-1] + ("0" if ID[-1] != "0" else "1")
    r = post(client, "verify/person", {"id_number": bad, "name": "张三", "purpose": PURPOSE}, setup["secret"])
    assert r.status_code == 400 and r.json()["errors"]["id_number"]
    post(client, "verify/person", {"id_number": ID, "name": "张三"}, setup["secret"])
    assert caplog.text and bad not in caplog.text and ID not in caplog.text and "张三" not in caplog.text


def test_query_fields(client, setup):
    s = setup
    r = post(client, "query/person", {"id_number": ID, "fields": ["name", "birth_date"], "purpose": PURPOSE},
             s["secret"])
    assert r.status_code == 200
    assert r.json() == {"found": True, "data": {"name": "张三", "birth_date": "1990-03-07"}}
    r = post(client, "query/person", {"id_number": ID, "fields": ["name", "phone", "household_address"],
                                      "purpose": PURPOSE}, s["secret"])
    assert r.status_code == 403 and r.json()["errors"]["fields"] == ["phone", "household_address"]
    assert "13800001111" not in r.content.decode()
    r = post(client, "query/person", {"id_number": ID, "fields": ["name", "salary"], "purpose": PURPOSE}, s["secret"])
    assert r.status_code == 400 and "salary" in r.json()["detail"]
    r = post(client, "query/person", {"id_number": OTHER, "fields": ["name"], "purpose": PURPOSE}, s["secret"])
    assert r.json() == {"found": False, "data": {}}
    rows = list(QueryCall.objects.order_by("pk").values_list("result", "status_code", "fields"))
    assert rows[0] == ("found", 200, ["name", "birth_date"])
    assert rows[1][:2] == ("refused", 403) and rows[2][:2] == ("error", 400) and rows[3][:2] == ("not_found", 200)


def test_quota_429_with_retry_after(client, setup):
    s = setup
    g = s["grant"]
    g.daily_quota = 2
    g.save()
    body = {"id_number": ID, "name": "张三", "purpose": PURPOSE}
    assert post(client, "verify/person", body, s["secret"]).status_code == 200
    assert post(client, "verify/person", body, s["secret"]).status_code == 200
    r = post(client, "verify/person", body, s["secret"])
    assert r.status_code == 429 and int(r["Retry-After"]) > 0
    assert "每日调用上限" in r.json()["detail"]
    assert QueryCall.objects.filter(status_code=429).count() == 1


def test_per_minute_429(client, setup, monkeypatch):
    """Two calls in one minute with a limit of one: the second is refused. The clock is held at
    the middle of a minute (the counter's window is the calendar minute: two calls either side of
    a minute's end were both allowed, and the test failed on a loaded machine)."""
    from types import SimpleNamespace

    from django.utils import timezone

    from zhengwu.datashare import quota

    fixed = timezone.now().replace(second=30, microsecond=0)
    monkeypatch.setattr(quota, "timezone", SimpleNamespace(now=lambda: fixed,
                                                           localtime=lambda t=None: timezone.localtime(t or fixed)))
    s = setup
    g = s["grant"]
    g.per_minute = 1
    g.save()
    body = {"id_number": ID, "name": "张三", "purpose": PURPOSE}
    assert post(client, "verify/person", body, s["secret"]).status_code == 200
    r = post(client, "verify/person", body, s["secret"])
    assert r.status_code == 429 and 1 <= int(r["Retry-After"]) <= 60 and "每分钟" in r.json()["detail"]


def test_batch_1000_ok_1001_400(client, setup):
    s = setup
    numbers = [make_id_number(f"410105199001{i % 28 + 1:02d}{i:03d}") for i in range(1000)]
    for n in numbers[:10]:
        vf.person(n, "王五")
    items = [{"id_number": n, "name": "王五" if i % 2 == 0 else "赵六"} for i, n in enumerate(numbers)]
    r = post(client, "verify/person/batch", {"items": items, "purpose": PURPOSE}, s["secret"])
    assert r.status_code == 200, r.content
    results = r.json()["results"]
    assert len(results) == 1000
    assert results[:4] == ["一致", "不一致", "一致", "不一致"] and set(results[10:]) == {"不一致"}
    assert QueryCall.objects.filter(kind="verify").count() == 1000
    r = post(client, "verify/person/batch", {"items": items + items[:1], "purpose": PURPOSE}, s["secret"])
    assert r.status_code == 400 and "1000" in r.json()["detail"]
    assert QueryCall.objects.filter(status_code=400).count() == 1


def test_batch_bad_item_named(client, setup):
    items = [{"id_number": ID, "name": "张三"}, {"id_number": "123", "name": "李四"}]
    r = post(client, "verify/person/batch", {"items": items, "purpose": PURPOSE}, setup["secret"])
    assert r.status_code == 400 and "items[1].id_number" in r.json()["errors"]


def test_batch_counts_against_daily_quota(client, setup):
    s = setup
    g = s["grant"]
    g.daily_quota = 3
    g.save()
    items = [{"id_number": ID, "name": "张三"}] * 4
    r = post(client, "verify/person/batch", {"items": items, "purpose": PURPOSE}, s["secret"])
    assert r.status_code == 429 and r["Retry-After"]


def test_openapi_lists_the_routes(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert {"/api/v1/data/verify/person", "/api/v1/data/verify/legal", "/api/v1/data/verify/person/batch",
            "/api/v1/data/query/person"} <= set(paths)


@pytest.mark.django_db(transaction=True)
def test_call_row_written_in_autocommit(client, make_department):
    """Outside a test transaction the row goes in through its own (on PostgreSQL: asynchronous
    commit) transaction, and is there afterwards."""
    provider, consumer = make_department(name="公安局"), make_department(name="税务局")
    key, secret = vf.key(department=consumer)
    vf.grant(key, vf.resource(provider, "person"), consumer)
    vf.person(ID, "张三")
    r = post(client, "verify/person", {"id_number": ID, "name": "张三", "purpose": PURPOSE}, secret)
    assert r.json() == {"result": "一致"}
    assert QueryCall.objects.get().result == "match"
