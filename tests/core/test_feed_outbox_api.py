"""The pull API of the feeds (/api/v1/feeds/<feed>/records and /ack) with a key scoped per feed,
and the 上报队列 page with its audited 重新推送."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tests.helpers import ApiClient
from zhengwu.accounts import apikeys
from zhengwu.core.models import AuditEvent, FeedRecord

pytestmark = pytest.mark.django_db


def _rec(feed="hotline", n=1, status="pending", **kw):
    now = timezone.now()
    return FeedRecord.objects.create(feed=feed, object_type="x.y", object_id=str(n), object_ref=f"REF{n}",
                                     event="created", version=0, payload={"编号": n}, status=status,
                                     next_attempt_at=now, created_at=now, **kw)


def _get(key, path):
    return Client().get(path, headers={"X-Api-Key": key} if key else {})


def _post(key, path, body):
    return Client().post(path, body, content_type="application/json", headers={"X-Api-Key": key})


def test_pull_with_the_feeds_own_scope_and_ack(db):
    key = apikeys.issue("省级12345平台", ["feed:hotline"]).secret
    a, b, c = _rec(n=1), _rec(n=2), _rec(n=3, status="dead")
    _rec(n=4, status="sent")
    _rec("cases", n=5)
    r = _get(key, "/api/v1/feeds/hotline/records")
    assert r.status_code == 200
    assert [x["id"] for x in r.json()] == [a.pk, b.pk, c.pk]  # unsent, in order, this feed only
    assert r.json()[0]["payload"] == {"编号": 1} and r.json()[0]["ref"] == "REF1"
    r = _get(key, f"/api/v1/feeds/hotline/records?after={a.pk}&limit=1")
    assert [x["id"] for x in r.json()] == [b.pk]
    assert _get(key, f"/api/v1/feeds/hotline/records?after={2**63}").status_code == 400
    r = _post(key, "/api/v1/feeds/hotline/ack", {"ids": [a.pk, b.pk], "receipt": "SJ-9"})
    assert r.status_code == 200 and r.json() == {"marked": 2}
    assert FeedRecord.objects.get(pk=a.pk).status == "sent" and FeedRecord.objects.get(pk=a.pk).receipt == "SJ-9"
    assert [x["id"] for x in _get(key, "/api/v1/feeds/hotline/records").json()] == [c.pk]
    event = AuditEvent.objects.get(action="feeds.ack")
    assert event.after["count"] == 2 and event.after["api_key"]


def test_a_key_of_another_feed_is_refused_in_chinese(db):
    cases_key = apikeys.issue("省级政务服务平台", ["feed:cases"]).secret
    rec = _rec()
    r = _get(cases_key, "/api/v1/feeds/hotline/records")
    assert r.status_code == 403 and r["Content-Type"].startswith("application/json")
    assert "需要授权范围 feed:hotline" in r.json()["detail"]
    r = _post(cases_key, "/api/v1/feeds/hotline/ack", {"ids": [rec.pk]})
    assert r.status_code == 403 and FeedRecord.objects.get(pk=rec.pk).status == "pending"
    assert _get(cases_key, "/api/v1/feeds/cases/records").status_code == 200
    # ids of another feed are not acknowledged through this one
    assert _post(cases_key, "/api/v1/feeds/cases/ack", {"ids": [rec.pk]}).json() == {"marked": 0}


def test_no_key_bad_key_unknown_feed_and_bad_input(db):
    key = apikeys.issue("省级12345平台", ["feed:hotline"]).secret
    assert _get(None, "/api/v1/feeds/hotline/records").status_code == 401
    assert _get("zw_nothing_here", "/api/v1/feeds/hotline/records").status_code == 401
    r = _get(key, "/api/v1/feeds/weather/records")
    assert r.status_code == 404 and "没有名为 weather 的上报数据项" in r.json()["detail"]
    r = _get(key, "/api/v1/feeds/hotline/records?limit=5000")
    assert r.status_code == 400 and "limit" in r.json()["errors"]
    r = _post(key, "/api/v1/feeds/hotline/ack", {"ids": []})
    assert r.status_code == 400 and r.json()["errors"]["ids"] == ["请给出已被上级平台接收的记录编号"]
    r = _post(key, "/api/v1/feeds/hotline/ack", {"ids": "x"})
    assert r.status_code == 400 and "ids" in r.json()["errors"]


def test_staff_sessions_data_admin_only(make_staff):
    _rec()
    assert ApiClient(make_staff("data_admin")).get("/api/v1/feeds/hotline/records").status_code == 200
    r = ApiClient(make_staff("window")).get("/api/v1/feeds/hotline/records")
    assert r.status_code == 403 and r.json()["detail"] == "只有数据管理员可以读取上报队列"


# -- the 上报队列 page ---------------------------------------------------------------------------------
def test_queue_page_counts_lists_failures_and_resends(make_staff):
    admin = make_staff("data_admin")
    _rec(n=1)
    failed = _rec(n=2, status="failed", attempts=2, last_error="上级平台返回 HTTP 500")
    dead = _rec(n=3, status="dead", attempts=10, last_error="无法连接上级平台：ConnectionRefusedError")
    _rec(n=4, status="sent", sent_at=timezone.now())
    c = Client()
    c.force_login(admin)
    body = c.get("/workbench/feeds/?feed=hotline&status=dead").content.decode()
    assert "上报队列" in body and "12345工单" in body and "办件信息" in body
    assert 'data-count="pending">1<' in body and ">1</a>" in body
    assert "无法连接上级平台" in body and f'value="{dead.pk}"' in body and f'value="{failed.pk}"' not in body
    assert "本地文件交换目录" in body
    r = c.post("/workbench/feeds/resend/", {"feed": "hotline", "status": "dead", "ids": [str(dead.pk)]})
    assert r.status_code == 302
    dead.refresh_from_db()
    assert (dead.status, dead.attempts) == ("pending", 0)
    assert AuditEvent.objects.filter(action="feeds.resend", actor_id=admin.pk).exists()
    r = c.post("/workbench/feeds/resend/", {"feed": "hotline", "all": "failed"})
    failed.refresh_from_db()
    assert failed.status == "pending"
    body = c.get("/workbench/feeds/?feed=hotline&status=failed&ref=REF2").content.decode()
    assert "没有符合条件的记录" in body


def test_queue_page_is_for_data_admins_and_resend_only_by_post(make_staff):
    c = Client()
    c.force_login(make_staff("window"))
    assert c.get("/workbench/feeds/").status_code == 403
    c.force_login(make_staff("data_admin"))
    assert c.get("/workbench/feeds/resend/").status_code == 405
    r = c.post("/workbench/feeds/resend/", {"feed": "hotline"}, follow=True)
    assert "请至少勾选一条推送失败的记录" in r.content.decode()
    from zhengwu.workbench.menu import entries_for

    assert "上报队列" in {e["label"] for e in entries_for(make_staff("data_admin"))}
