"""/api/v1/ratings/: the figures endpoint the bench calls, rating a case, rectification actions,
the outbox feed, and who may see what (other departments: 404, wrong roles: 403)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from zhengwu.ratings import services
from zhengwu.ratings.models import OutboxRecord

pytestmark = pytest.mark.django_db


def _period():
    return timezone.localdate().strftime("%Y-%m")


def test_figures_contract(api, concluded_case, citizen, leader, make_case):
    services.rate_case(citizen, concluded_case, level=5)
    make_case(citizen)
    res = api(leader).get("figures", period=_period(), by="department")
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["by"] == "department" and body["period"] == _period()
    (row,) = body["rows"]
    assert row["label"] == concluded_case.department.name
    assert (row["ratings"], row["events"], row["active_rate"], row["satisfaction_rate"]) == (1, 2, 0.5, 1.0)
    assert row["levels"]["5"] == 1 and body["total"]["ratings"] == 1
    assert "满意率" in body["definitions"]
    for by in ("window", "staff", "item", "region", "kind"):
        assert api(leader).get("figures", period=_period(), by=by).status_code == 200
    bad = api(leader).get("figures", period="2026-13", by="department")
    assert bad.status_code == 400 and "period" in bad.json()["errors"]
    assert api(leader).get("figures", by="colour").status_code == 400
    assert api(leader).get("figures", region="4101").status_code == 400


def test_figures_need_a_staff_session(api, citizen):
    assert api().get("figures").status_code == 401
    assert api(citizen).get("figures").status_code == 403


def test_rate_case_api_once_and_only_own(api, concluded_case, citizen, other_citizen):
    payload = {"level": 2, "comment": "慢", "dims": {"overall": 2, "efficiency": 1, "guide": 3, "convenience": 2,
                                                   "usability": 3}}
    assert api(other_citizen).post(f"cases/{concluded_case.pk}", payload).status_code == 404
    res = api(citizen).post(f"cases/{concluded_case.pk}", payload)
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["is_bad"] and body["rectification_state"] == "待核实"
    again = api(citizen).post(f"cases/{concluded_case.pk}", {"level": 5})
    assert again.status_code == 409 and "只能评价一次" in again.json()["detail"]
    assert api(citizen).post(f"cases/{concluded_case.pk}", {"level": 9}).status_code == 400
    # without the CSRF header a session POST is refused
    c = api(citizen)
    c.headers = {}
    assert c.post(f"cases/{concluded_case.pk}", {"level": 5}).status_code == 403


def test_rectification_api_scoped_and_versioned(api, concluded_case, citizen, dept_admin, other_admin, supervisor):
    r = services.rate_case(citizen, concluded_case, level=1, tags=["办理时间长、效率低"])
    rid = r.rectification.pk
    assert api(other_admin).get(f"rectifications/{rid}").status_code == 404
    assert api(other_admin).post(f"rectifications/{rid}/verify", {"version": 0, "valid": True}).status_code == 404
    assert [x["id"] for x in api(other_admin).get("rectifications").json()] == []
    res = api(dept_admin).post(f"rectifications/{rid}/verify", {"version": 0, "valid": True, "reason": "属实"})
    assert res.status_code == 200 and res.json()["state"] == "rectify"
    stale = api(dept_admin).post(f"rectifications/{rid}/rectify", {"version": 0, "measures": "已整改到位了"})
    assert stale.status_code == 409
    short = api(dept_admin).post(f"rectifications/{rid}/rectify", {"version": 1, "measures": "好"})
    assert short.status_code == 400 and "measures" in short.json()["errors"]
    ok = api(dept_admin).post(f"rectifications/{rid}/rectify", {"version": 1, "measures": "组织培训并公示材料清单"})
    assert ok.json()["state"] == "callback"
    assert api(dept_admin).post(f"rectifications/{rid}/urge", {"note": "快"}).status_code == 403
    assert api(supervisor).post(f"rectifications/{rid}/urge", {"note": "请尽快回访"}).json()["urge_count"] == 1
    ok = api(dept_admin).post(f"rectifications/{rid}/callback", {"version": 2, "reached": True, "satisfied": True})
    assert ok.json()["state"] == "closed"
    assert api(dept_admin).get("", bad=True).json()["items"][0]["rectification_state"] == "已办结"


def test_outbox_read_and_ack(api, concluded_case, citizen, data_admin, window_staff):
    services.rate_case(citizen, concluded_case, level=4)
    assert api(window_staff).get("outbox").status_code == 403
    rows = api(data_admin).get("outbox").json()
    assert len(rows) == 1
    row = rows[0]
    assert set(row) >= {"实施编码", "办件编号", "评价渠道", "评价等级", "评价时间", "申请人类型"}
    assert row["办件编号"] == concluded_case.number and row["评价等级"] == 4
    assert api(data_admin).get("outbox").json() == rows  # reading changes nothing
    assert api(data_admin).get(f"outbox?after={2**63}").status_code == 400
    res = api(data_admin).post("outbox/ack", {"ids": [row["id"]], "receipt": "SJ-001"})
    assert res.json() == {"marked": 1}
    assert api(data_admin).get("outbox").json() == []
    assert OutboxRecord.objects.get().receipt == "SJ-001"
    assert api(window_staff).post("outbox/ack", {"ids": [row["id"]]}).status_code == 403
    assert api(data_admin).post("outbox/ack", {"ids": []}).status_code == 400


def test_upper_level_system_reads_and_acks_with_an_api_key(client, concluded_case, citizen):
    from zhengwu.accounts import apikeys

    services.rate_case(citizen, concluded_case, level=5)
    feed = apikeys.issue("省好差评系统", ["ratings:feed"]).secret
    other = apikeys.issue("热线系统", ["hotline:tickets"]).secret
    url = "/api/v1/ratings/outbox"
    assert client.get(url).status_code == 401
    assert client.get(url, HTTP_X_API_KEY=other).status_code == 403
    rows = client.get(url, HTTP_X_API_KEY=feed).json()
    assert [r["办件编号"] for r in rows] == [concluded_case.number]
    r = client.post(f"{url}/ack", {"ids": [rows[0]["id"]], "receipt": "P-1"}, content_type="application/json",
                    HTTP_X_API_KEY=feed)
    assert r.json() == {"marked": 1}
    assert client.get(url, HTTP_X_API_KEY=feed).json() == []
    # Only the feed is open to the key: the rest of the ratings API still needs a staff login.
    assert client.get("/api/v1/ratings/", HTTP_X_API_KEY=feed).status_code == 401


def test_openapi_lists_the_ratings_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert "/api/v1/ratings/figures" in paths and "/api/v1/ratings/outbox" in paths


def test_figures_answer_is_cached_until_a_rating_changes_the_aggregate(api, concluded_case, citizen, leader,
                                                                       django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(leader)
    assert client.get("figures", period=_period()).json()["total"]["ratings"] == 0
    with CaptureQueriesContext(connection) as again:
        assert client.get("figures", period=_period()).json()["total"]["ratings"] == 0
    assert not [q for q in again.captured_queries if "ratings_ratingdaily" in q["sql"]]  # served from the cache
    with django_capture_on_commit_callbacks(execute=True):
        services.rate_case(citizen, concluded_case, level=5)
    assert client.get("figures", period=_period()).json()["total"]["ratings"] == 1  # the write bumped the generation


def test_figures_cache_is_per_scope(leader):
    from zhengwu.org.models import Role
    from zhengwu.org.permissions import Grant
    from zhengwu.ratings import queries

    narrower = [Grant(role=Role.LEADER, region_prefix="4101", region_id=1, department_ids=frozenset({1}), window_id=None)]
    leader._zw_grants = narrower
    narrow_key = queries.scope_key(leader)
    leader._zw_grants = [*narrower, Grant(role=Role.LEADER, region_prefix="4101", region_id=1,
                                          department_ids=frozenset({1, 2}), window_id=None)]
    assert queries.scope_key(leader) != narrow_key


def test_figures_fresh_recomputes_at_once(api, concluded_case, citizen, leader):
    client = api(leader)
    assert client.get("figures", period=_period()).json()["total"]["ratings"] == 0
    services.rate_case(citizen, concluded_case, level=4)  # in the test's transaction: no commit, no bump
    assert client.get("figures", period=_period()).json()["total"]["ratings"] == 0  # the cached answer
    assert client.get("figures", period=_period(), fresh="true").json()["total"]["ratings"] == 1
