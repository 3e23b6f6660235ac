"""Ticket actions by name: the staff pages and the API take them from one table
(services.TICKET_ACTIONS, keyed by the state table's actions); each only turns its form or body
into the parameters."""

import json

import pytest

from zhengwu.hotline.models import Ticket

pytestmark = pytest.mark.django_db
API = "/api/v1/hotline"
W = "/workbench/hotline"


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_api_refuses_a_name_that_is_not_an_action(client, centre, new_ticket):
    t = new_ticket()
    client.force_login(centre)
    for name in ("callback_failed", "co_reply", "fly"):  # recorded by callback; page only; unknown
        r = _post(client, f"{API}/tickets/{t.pk}/{name}", {"lock_version": t.lock_version})
        assert r.status_code == 404 and r.json()["detail"] == f"未知的工单操作：{name}"


def test_page_dispatches_to_several_co_departments_and_takes_a_co_opinion(
        client, centre, urban_handler, new_ticket, market, urban, env):
    t = new_ticket()
    client.force_login(centre)
    assert client.post(f"{W}/tickets/{t.pk}/callback_failed/", {"lock_version": t.lock_version}).status_code == 404
    client.post(f"{W}/tickets/{t.pk}/dispatch/", {"lock_version": t.lock_version, "department": market.pk,
                                                  "co_departments": [urban.pk, env.pk], "opinion": "请会同处理"})
    t = Ticket.objects.get(pk=t.pk)
    assert t.state == "dispatched" and t.lead_department == market
    assert set(t.co_departments.values_list("pk", flat=True)) == {urban.pk, env.pk}
    assert t.events.get(action="dispatch").opinion == "请会同处理"
    client.force_login(urban_handler)
    r = client.post(f"{W}/tickets/{t.pk}/co_reply/", {"opinion": "城管已配合清理占道"}, follow=True)
    assert t.events.filter(action="co_reply", department=urban, opinion="城管已配合清理占道").exists()
    assert f"已提交协办意见：工单 {t.number}" in r.content.decode() and "已协办意见" not in r.content.decode()
