"""Open311 hardening (issue 20, items 4, 5, 9, 11d): idempotency keys per client, filing needs a key
unless anonymous filing is switched on, anonymous filing limited per address, addresses published
only with the citizen's agreement, out-of-range dates refused with 400."""

import pytest

from zhengwu.accounts import apikeys
from zhengwu.hotline.models import Ticket
from zhengwu.hotline.rules import API_SCOPE

pytestmark = pytest.mark.django_db

URL = "/open311/v2/requests.json"


@pytest.fixture
def code(taxonomy):
    return taxonomy["城市管理/市容环境/占道经营"].code


def _post(client, data, key=None, addr="203.0.113.7"):
    extra = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post(URL, data, REMOTE_ADDR=addr, **extra)


def _is_error(r, status, words):
    body = r.json()
    assert r.status_code == status, r.content
    assert r["Content-Type"].startswith("application/json")
    assert isinstance(body, list) and body[0]["code"] == status and words in body[0]["description"], body


def test_two_clients_with_one_idempotency_key_file_two_tickets(client, code, settings):
    settings.ZHENGWU_OPEN311_ANONYMOUS = True
    grid = apikeys.issue("网格化平台", [API_SCOPE]).secret
    brain = apikeys.issue("城市大脑", [API_SCOPE]).secret
    r1 = _post(client, {"service_code": code, "address_string": "经八路1号", "description": "路口摊贩占道",
                        "api_key": grid}, key="req-1")
    r2 = _post(client, {"service_code": code, "address_string": "纬五路2号", "description": "人行道上摆摊卖水果",
                        "api_key": brain}, key="req-1")
    r3 = _post(client, {"service_code": code, "address_string": "农业路3号", "description": "夜市占用消防通道"},
               key="req-1")
    r4 = _post(client, {"service_code": code, "address_string": "花园路4号", "description": "商铺门前堆放货物"},
               key="req-1", addr="198.51.100.9")
    assert [r.status_code for r in (r1, r2, r3, r4)] == [201] * 4
    numbers = [r.json()[0]["service_request_id"] for r in (r1, r2, r3, r4)]
    assert len(set(numbers)) == 4
    assert Ticket.objects.get(number=numbers[1]).content == "人行道上摆摊卖水果"
    assert Ticket.objects.get(number=numbers[3]).content == "商铺门前堆放货物"
    # The same client repeating its key gets its own ticket back, nothing new stored.
    again = _post(client, {"service_code": code, "address_string": "纬五路2号", "description": "人行道上摆摊卖水果",
                           "api_key": brain}, key="req-1")
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == numbers[1]
    # Long keys are not cut to a common beginning.
    long = "x" * 80
    a = _post(client, {"service_code": code, "address_string": "经八路1号", "description": "甲", "api_key": grid},
              key=long + "a")
    b = _post(client, {"service_code": code, "address_string": "经八路1号", "description": "乙", "api_key": grid},
              key=long + "b")
    assert a.json()[0]["service_request_id"] != b.json()[0]["service_request_id"]
    assert Ticket.objects.count() == 6


def test_anonymous_filing_is_refused_by_default(client, code):
    r = _post(client, {"service_code": code, "address_string": "经八路1号", "description": "路口摊贩占道"})
    _is_error(r, 401, "api_key")
    assert "应用密钥" in r.json()[0]["description"]
    assert Ticket.objects.count() == 0
    key = apikeys.issue("城市大脑", [API_SCOPE]).secret
    r = _post(client, {"service_code": code, "address_string": "经八路1号", "description": "路口摊贩占道", "api_key": key})
    assert r.status_code == 201


def test_anonymous_filing_is_limited_per_address(client, code, settings):
    settings.ZHENGWU_OPEN311_ANONYMOUS = True
    settings.ZHENGWU_OPEN311_ANONYMOUS_LIMIT = 3
    settings.ZHENGWU_OPEN311_ANONYMOUS_WINDOW = 3600
    data = {"service_code": code, "address_string": "经八路1号"}
    first = _post(client, {**data, "description": "第0次反映占道"}, key="k0")
    for i in (1, 2):
        assert _post(client, {**data, "description": f"第{i}次反映占道"}).status_code == 201
    r = _post(client, {**data, "description": "第3次反映占道"})
    _is_error(r, 429, "频繁")
    assert 0 < int(r["Retry-After"]) <= 3600
    assert Ticket.objects.count() == 3
    # A repeated request is answered from its ticket, not refused; other addresses and keyed systems go on.
    again = _post(client, {**data, "description": "第0次反映占道"}, key="k0")
    assert again.status_code == 200 and again.json() == first.json()
    assert _post(client, {**data, "description": "另一地址"}, addr="198.51.100.9").status_code == 201
    key = apikeys.issue("城市大脑", [API_SCOPE]).secret
    for i in range(4):
        assert _post(client, {**data, "description": f"接入系统第{i}单", "api_key": key}).status_code == 201


def test_a_refused_filing_does_not_use_the_quota(client, code, settings):
    settings.ZHENGWU_OPEN311_ANONYMOUS = True
    settings.ZHENGWU_OPEN311_ANONYMOUS_LIMIT = 1
    bad = _post(client, {"service_code": code, "address_string": "经八路1号", "description": "占道",
                         "phone": "不是电话"})
    assert bad.status_code == 400
    ok = _post(client, {"service_code": code, "address_string": "经八路1号", "description": "占道"}, key="once")
    assert ok.status_code == 201
    again = _post(client, {"service_code": code, "address_string": "经八路1号", "description": "占道"}, key="once")
    assert again.status_code == 200 and again.json() == ok.json()


def test_public_requests_show_addresses_only_with_consent(client, new_ticket, code, street):
    hidden = new_ticket(address="经八路88号", latitude="34.78", longitude="113.68")
    shown = new_ticket(address="纬五路6号", latitude="34.77", longitude="113.67", address_public=True,
                       phone="13800002222")
    assert hidden.address_public is False and shown.address_public is True
    rows = {x["service_request_id"]: x for x in client.get(URL).json()}
    assert (rows[hidden.number]["address"], rows[hidden.number]["lat"], rows[hidden.number]["long"]) == ("", None, None)
    assert rows[shown.number]["address"] == "纬五路6号" and rows[shown.number]["lat"] == pytest.approx(34.77)
    one = client.get(f"/open311/v2/requests/{hidden.number}.json")
    assert "经八路88号" not in one.content.decode() and one.json()[0]["long"] is None
    # A keyed system passes the citizen's agreement as an attribute; anything but true/false is refused.
    key = apikeys.issue("城市大脑", [API_SCOPE]).secret
    base = {"service_code": code, "address_string": "农业路9号", "description": "占道", "api_key": key}
    agreed = _post(client, {**base, "attribute[address_public]": "true"}).json()[0]["service_request_id"]
    silent = _post(client, {**base, "description": "又占道"}).json()[0]["service_request_id"]
    assert Ticket.objects.get(number=agreed).address_public and not Ticket.objects.get(number=silent).address_public
    _is_error(_post(client, {**base, "attribute[address_public]": "maybe"}), 400, "attribute[address_public]")


def test_citizen_form_asks_before_publishing_the_address(client, citizen, taxonomy, street):
    client.force_login(citizen)
    assert "同意公开诉求地址" in client.get("/hotline/").content.decode()
    base = {"ticket_type": "suggestion", "region": street.code, "address": "经八路1号"}
    client.post("/hotline/", {**base, "content": "建议增设公交站点", "idempotency_key": "a"})
    client.post("/hotline/", {**base, "content": "建议增设路灯", "idempotency_key": "b", "address_public": "on"})
    assert dict(Ticket.objects.values_list("content", "address_public")) == {"建议增设公交站点": False,
                                                                            "建议增设路灯": True}


@pytest.mark.parametrize("param,value", [
    ("end_date", "0001-01-01T00:00:00"), ("start_date", "0001-01-01T00:00:00"),
    ("end_date", "9999-12-31T23:59:59"), ("start_date", "9999-12-31T23:59:59"),
    ("end_date", "9999-12-31T23:59:59+14:00"), ("end_date", "0001-01-01T00:00:00-12:00"),
    ("start_date", "0001-01-01"), ("end_date", "2026-13-01"), ("start_date", "2026-11-01T25:00:00"),
])
def test_extreme_or_bad_dates_give_400(client, param, value):
    r = client.get(URL, {param: value})
    _is_error(r, 400, param)
    assert ("开始时间" if param == "start_date" else "结束时间") in r.json()[0]["description"]


def test_dates_at_the_edges_of_the_range_work(client):
    r = client.get(URL, {"start_date": "1900-01-01T00:00:00", "end_date": "2100-12-31T23:59:59+08:00"})
    assert r.status_code == 200 and r.json() == []


def test_an_ended_window_starts_a_new_count(client, code, settings):
    import datetime as dt

    from django.utils import timezone

    from zhengwu.core.pii import blind_index
    from zhengwu.hotline.models import Open311Quota

    settings.ZHENGWU_OPEN311_ANONYMOUS = True
    settings.ZHENGWU_OPEN311_ANONYMOUS_LIMIT = 2
    settings.ZHENGWU_OPEN311_ANONYMOUS_WINDOW = 3600
    long_ago = timezone.now() - dt.timedelta(days=2)
    spent = blind_index("open311-client", "203.0.113.7")
    Open311Quota.objects.create(client=spent, started_at=long_ago, count=2)
    Open311Quota.objects.create(client="0" * 32, started_at=long_ago, count=9)
    data = {"service_code": code, "address_string": "经八路1号", "description": "占道"}
    assert _post(client, data).status_code == 201  # the address's old window ended
    assert Open311Quota.objects.get(client=spent).count == 1
    assert _post(client, data, addr="198.51.100.9").status_code == 201  # a new address: ended rows purged
    assert not Open311Quota.objects.filter(client="0" * 32).exists()
    assert "203.0.113.7" not in str(list(Open311Quota.objects.values_list("client", flat=True)))
