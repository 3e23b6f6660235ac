"""应用密钥: issued once, stored as a digest, scoped, revocable, expiring."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from ninja import NinjaAPI
from ninja.testing import TestClient

from zhengwu.accounts import apikeys
from zhengwu.accounts.models import ApiKey
from zhengwu.core.models import AuditEvent

pytestmark = pytest.mark.django_db

apikeys.register_scope("test:read", "测试读取")
apikeys.register_scope("test:write", "测试写入")

api = NinjaAPI(urls_namespace="apikey-test")


@api.get("/thing", auth=apikeys.ApiKeyAuth("test:read"))
def thing(request):
    return {"app": request.api_key.name}


client = TestClient(api)


def test_issue_stores_only_a_digest_and_audits():
    issued = apikeys.issue("上级好差评系统", ["test:read"])
    key = ApiKey.objects.get(pk=issued.key.pk)
    assert issued.secret.startswith(f"zw_{key.prefix}_")
    assert issued.secret not in (key.key_hash, key.prefix)
    assert AuditEvent.objects.filter(action="apikey.issue", object_id=str(key.pk)).exists()
    assert issued.secret not in str(AuditEvent.objects.get(action="apikey.issue").after)


def test_valid_key_with_scope_is_accepted_by_header_or_bearer():
    raw = apikeys.issue("热线系统", ["test:read"]).secret
    assert client.get("/thing", headers={"X-Api-Key": raw}).json() == {"app": "热线系统"}
    assert client.get("/thing", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    assert ApiKey.objects.get().last_used_at is not None


def test_missing_scope_is_403_with_the_scope_named():
    raw = apikeys.issue("只写", ["test:write"]).secret
    r = client.get("/thing", headers={"X-Api-Key": raw})
    assert r.status_code == 403
    assert "test:read" in r.json()["detail"]


@pytest.mark.parametrize("mangle", [lambda raw: raw[:-2] + "xx", lambda raw: "zw_deadbeef_x", lambda raw: "", lambda raw: "nope"])
def test_wrong_keys_are_401(mangle):
    raw = apikeys.issue("应用", ["test:read"]).secret
    assert client.get("/thing", headers={"X-Api-Key": mangle(raw)}).status_code == 401


def test_revoked_and_expired_keys_are_refused():
    issued = apikeys.issue("应用", ["test:read"])
    apikeys.revoke(issued.key)
    assert client.get("/thing", headers={"X-Api-Key": issued.secret}).status_code == 401
    old = apikeys.issue("过期应用", ["test:read"], expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/thing", headers={"X-Api-Key": old.secret}).status_code == 401


def test_unknown_scope_and_missing_name_are_refused_in_chinese():
    with pytest.raises(ValueError, match="授权范围：未知的范围 nosuch:scope"):
        apikeys.issue("应用", ["nosuch:scope"])
    with pytest.raises(ValueError, match="应用名称：必填"):
        apikeys.issue(" ", ["test:read"])
    assert not ApiKey.objects.exists()


def test_command_creates_lists_and_revokes(capsys):
    call_command("apikey", "create", "自助终端", "--scope", "test:read")
    out = capsys.readouterr().out
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("zw_")
    key = ApiKey.objects.get()
    call_command("apikey", "list")
    assert key.prefix in capsys.readouterr().out
    call_command("apikey", "revoke", key.prefix)
    key.refresh_from_db()
    assert not key.active


def test_admin_issues_a_key_and_shows_it_once(admin_client):
    r = admin_client.post("/admin/accounts/apikey/add/", {
        "name": "上级平台", "scope_choices": ["test:read"], "note": "", "active": "on",
    }, follow=True)
    assert r.status_code == 200
    key = ApiKey.objects.get()
    shown = [str(m) for m in r.context["messages"]]
    assert any(f"zw_{key.prefix}_" in m for m in shown)
    assert key.scopes == ["test:read"] and key.created_by.username == "admin"
    # The change page never shows the secret again.
    page = admin_client.get(f"/admin/accounts/apikey/{key.pk}/change/").content.decode()
    assert f"zw_{key.prefix}_" not in page


def test_command_list_shows_the_last_use_in_local_time(capsys):
    """Pages and ``zhengwu sms-outbox`` show Beijing time; ``apikey list`` showed UTC (8 hours off)."""
    call_command("apikey", "create", "自助终端", "--scope", "test:read")
    ApiKey.objects.update(last_used_at=dt.datetime(2026, 12, 7, 11, 17, tzinfo=dt.UTC))
    capsys.readouterr()
    call_command("apikey", "list")
    out = capsys.readouterr().out
    assert "最近使用 2026-12-07 19:17" in out and "11:17" not in out
