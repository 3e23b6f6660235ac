"""The machine API: /api/v1/licences/verify (licences:verify) and /api/v1/licences (licences:read)."""

from __future__ import annotations

import pytest

from tests.licenses import factories as f
from zhengwu.accounts import apikeys
from zhengwu.core.identifiers import make_id_number, make_uscc
from zhengwu.core.models import AuditEvent

ID = make_id_number("41010519850512341")
OTHER = make_id_number("41010519920101002")


@pytest.fixture
def issuer(make_department):
    return make_department(name="市场监管局")


@pytest.fixture
def ltype(issuer):
    return f.licence_type(issuer, name="食品经营许可证")


@pytest.fixture
def keys(db):
    return {"verify": apikeys.issue("政务服务中心核验终端", ["licences:verify"]).secret,
            "read": apikeys.issue("公积金中心", ["licences:read"]).secret,
            "other": apikeys.issue("话务系统", ["hotline:tickets"]).secret}


def _get(client, path, key=None, **params):
    headers = {"HTTP_X_API_KEY": key} if key else {}
    return client.get(path, params, **headers)


def test_verify_by_identifier(client, keys, ltype, issuer):
    lic = f.licence(ltype, issuer, holder_name="王五", holder_id_number=ID)
    r = _get(client, "/api/v1/licences/verify", keys["verify"], id=lic.identifier)
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["result"] == "valid" and body["result_label"] == "有效"
    assert body["licence"]["holder"] == "王*" and body["licence"]["number"] == lic.number
    assert ID not in r.content.decode() and "王五" not in r.content.decode()
    lic.status = "revoked"
    lic.save()
    assert _get(client, "/api/v1/licences/verify", keys["verify"], id=lic.identifier).json()["result"] == "revoked"


def test_verify_bad_check_char_unknown_and_number(client, keys, ltype, issuer):
    lic = f.licence(ltype, issuer, holder_id_number=ID, number="JY0001")
    bad = lic.identifier[:-1] + ("A" if lic.identifier[-1] != "A" else "B")
    r = _get(client, "/api/v1/licences/verify", keys["verify"], id=bad)
    assert r.status_code == 400 and "校验位不正确" in r.json()["errors"]["id"][0]
    r = _get(client, "/api/v1/licences/verify", keys["verify"], number="JY0001")
    assert r.json()["licence"]["identifier"] == lic.identifier and r.json()["others"] == []
    assert _get(client, "/api/v1/licences/verify", keys["verify"], number="NONE").json()["result"] == "not_found"
    r = _get(client, "/api/v1/licences/verify", keys["verify"])
    assert r.status_code == 400 and r.json()["detail"]


def test_verify_needs_a_key_with_the_scope(client, keys, ltype, issuer):
    lic = f.licence(ltype, issuer, holder_id_number=ID)
    none = _get(client, "/api/v1/licences/verify", id=lic.identifier)
    assert none.status_code == 401 and none["Content-Type"].startswith("application/json") and none.json()["detail"]
    wrong = _get(client, "/api/v1/licences/verify", keys["other"], id=lic.identifier)
    assert wrong.status_code == 403 and "licences:verify" in wrong.json()["detail"]
    bogus = _get(client, "/api/v1/licences/verify", "zw_nope_nope", id=lic.identifier)
    assert bogus.status_code == 401 and bogus.json()["detail"]
    # The read scope does not verify, the verify scope does not read.
    assert _get(client, "/api/v1/licences/verify", keys["read"], id=lic.identifier).status_code == 403
    assert _get(client, "/api/v1/licences", keys["verify"], holder_id_number=ID).status_code == 403
    assert _get(client, "/api/v1/licences", holder_id_number=ID).status_code == 401


def test_holder_query_returns_the_holders_licences_and_is_audited(client, keys, ltype, issuer):
    mine = f.licence(ltype, issuer, holder_name="王五", holder_id_number=ID)
    f.licence(ltype, issuer, holder_name="赵六", holder_id_number=OTHER)
    before = AuditEvent.objects.count()
    r = _get(client, "/api/v1/licences", keys["read"], holder_id_number=ID.lower())
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 1 and body["licences"][0]["identifier"] == mine.identifier
    assert body["licences"][0]["data"]["scope"] == "餐饮服务" and body["licences"][0]["status"] == "valid"
    [event] = AuditEvent.objects.filter(action="licences.api.holder_query")
    assert AuditEvent.objects.count() == before + 1
    assert event.after["api_key"].startswith("公积金中心") and event.after["count"] == 1
    assert ID not in str(event.after) and ID not in str(event.before)


def test_holder_query_by_uscc_and_bad_input(client, keys, ltype, issuer):
    uscc = make_uscc("9", "1", "410105", "MA123456")
    firm_type = f.licence_type(issuer, name="营业执照测试", holder_kind="legal")
    lic = f.licence(firm_type, issuer, holder_name="郑州某餐饮有限公司", holder_uscc=uscc)
    r = _get(client, "/api/v1/licences", keys["read"], holder_uscc=uscc)
    assert [x["identifier"] for x in r.json()["licences"]] == [lic.identifier]
    bad = _get(client, "/api/v1/licences", keys["read"], holder_id_number="410105199001011234")
    assert bad.status_code == 400 and "身份证号" in str(bad.json())
    both = _get(client, "/api/v1/licences", keys["read"])
    assert both.status_code == 400 and "只提供一项" in str(both.json())
    assert not AuditEvent.objects.filter(action="licences.api.holder_query", after__holder="410105199001011234").exists()


def test_holder_query_by_post_body(client, keys, ltype, issuer):
    mine = f.licence(ltype, issuer, holder_name="王五", holder_id_number=ID)
    r = client.post("/api/v1/licences/query", {"holder_id_number": ID}, content_type="application/json",
                    HTTP_X_API_KEY=keys["read"])
    assert r.status_code == 200, r.content
    assert [x["identifier"] for x in r.json()["licences"]] == [mine.identifier]
    assert client.post("/api/v1/licences/query", {"holder_id_number": ID}, content_type="application/json",
                       HTTP_X_API_KEY=keys["verify"]).status_code == 403
    assert AuditEvent.objects.filter(action="licences.api.holder_query").count() == 1
