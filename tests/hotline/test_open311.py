"""Open311 GeoReport v2: services, requests (GET list with filters, POST, one request), errors in
the spec's shape, the spec's field names, no personal data, confidential tickets not listed."""


import pytest

from zhengwu.accounts import apikeys
from zhengwu.hotline.models import Ticket
from zhengwu.hotline.rules import API_SCOPE

pytestmark = pytest.mark.django_db

SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {"service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"}


def test_services(client, taxonomy):
    r = client.get("/open311/v2/services.json")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/json")
    data = r.json()
    assert len(data) == 5
    for s in data:
        assert set(s) == SERVICE_FIELDS
        assert s["type"] in ("realtime", "batch", "blackbox") and s["metadata"] is False
    food = next(s for s in data if s["service_name"] == "餐饮卫生")
    assert food["service_code"] == taxonomy["市场监管/食品安全/餐饮卫生"].code and food["group"] == "市场监管"


def test_post_then_get(client, taxonomy, street, settings):
    settings.ZHENGWU_OPEN311_ANONYMOUS = True
    code = taxonomy["城市管理/市容环境/垃圾清运"].code
    r = client.post("/open311/v2/requests.json", {"service_code": code, "description": "小区门口垃圾三天没人清运",
                                                   "lat": "34.7805", "long": "113.6861", "first_name": "小明",
                                                   "last_name": "王", "phone": "13800007777",
                                                   "attribute[address_public]": "true"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert isinstance(body, list) and set(body[0]) == {"service_request_id", "service_notice", "account_id"}
    number = body[0]["service_request_id"]
    t = Ticket.objects.get(number=number)
    assert t.channel == "open311" and t.category.code == code and str(t.caller_name) == "王**"
    assert t.latitude == pytest.approx(34.7805)

    r = client.get(f"/open311/v2/requests/{number}.json")
    one = r.json()
    assert r.status_code == 200 and len(one) == 1 and set(one[0]) == REQUEST_FIELDS
    assert one[0]["status"] == "open" and one[0]["service_code"] == code and one[0]["long"] == pytest.approx(113.6861)
    assert "13800007777" not in r.content.decode() and "小明" not in r.content.decode()

    r = client.get("/open311/v2/requests.json", {"service_code": code, "status": "open"})
    assert [x["service_request_id"] for x in r.json()] == [number]
    assert client.get("/open311/v2/requests.json", {"status": "closed"}).json() == []
    assert client.get("/open311/v2/requests.json", {"service_request_id": f"{number},RX0"}).json()[0]["service_request_id"] == number
    assert client.get("/open311/v2/requests.json", {"start_date": "2000-01-01T00:00:00Z",
                                                    "end_date": "2000-02-01T00:00:00Z"}).json() == []


def test_post_errors_follow_the_spec(client, taxonomy, settings):
    settings.ZHENGWU_OPEN311_ANONYMOUS = True
    code = taxonomy["城市管理/市容环境/垃圾清运"].code
    cases = [({}, 400, "service_code"), ({"service_code": "999"}, 404, "999"),
             ({"service_code": code, "description": "没有位置"}, 400, "位置"),
             ({"service_code": code, "address_string": "经八路1号"}, 400, "description"),
             ({"service_code": code, "address_string": "经八路1号", "description": "x", "api_key": "wrong"}, 403, "api_key")]
    for data, status, words in cases:
        r = client.post("/open311/v2/requests.json", data)
        assert r.status_code == status, (data, r.content)
        err = r.json()
        assert isinstance(err, list) and err[0]["code"] == status and words in err[0]["description"]
    assert client.get("/open311/v2/requests/RX000.json").status_code == 404
    assert client.get("/open311/v2/requests.json", {"status": "maybe"}).status_code == 400
    assert client.get("/open311/v2/requests.json", {"start_date": "yesterday"}).status_code == 400
    assert Ticket.objects.count() == 0


def test_api_key_and_confidential(client, taxonomy, new_ticket):
    key = apikeys.issue("城市大脑", [API_SCOPE]).secret
    code = taxonomy["城市管理/市容环境/占道经营"].code
    r = client.post("/open311/v2/requests.json", {"service_code": code, "address_string": "经八路1号",
                                                   "description": "路口摊贩占道", "api_key": key},
                    HTTP_IDEMPOTENCY_KEY="abc")
    assert r.status_code == 201
    r2 = client.post("/open311/v2/requests.json", {"service_code": code, "address_string": "经八路1号",
                                                    "description": "路口摊贩占道", "api_key": key},
                     HTTP_IDEMPOTENCY_KEY="abc")
    assert r2.json()[0]["service_request_id"] == r.json()[0]["service_request_id"]
    secret = new_ticket(confidential=True)
    listed = [x["service_request_id"] for x in client.get("/open311/v2/requests.json").json()]
    assert secret.number not in listed and r.json()[0]["service_request_id"] in listed
    assert client.get(f"/open311/v2/requests/{secret.number}.json").status_code == 404
    assert client.get("/open311/v2/discovery.json").json()["endpoints"][0]["specification"].endswith("GeoReport_v2")
