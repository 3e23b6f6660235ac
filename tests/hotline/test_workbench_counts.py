"""The 热线工单 and 派单中心 cards count the tickets waiting for the user (bounded queries)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from zhengwu.workbench import menu

pytestmark = pytest.mark.django_db


def counts(user) -> dict[str, str]:
    c = Client()
    c.force_login(user)
    html = c.get(reverse("workbench:home")).content.decode()
    return dict(re.findall(r'(?:</svg>)?\s*([^<>\s]+)</span><span class="badge[^"]*" data-count="(\d+)"', html))


def test_department_and_centre_cards_count_waiting_tickets(new_ticket, dispatched, centre, supervisor, handler,
                                                           urban_handler):
    from zhengwu.hotline import services

    assert counts(centre)["派单中心"] == "0" and counts(handler)["热线工单"] == "0"
    new_ticket()  # waiting for dispatch
    t = dispatched()  # at the 市场监管 department: waiting for 签收
    assert counts(centre)["派单中心"] == "1" and counts(supervisor)["派单中心"] == "1"
    assert counts(handler)["热线工单"] == "1"
    assert counts(urban_handler)["热线工单"] == "0"  # another department's ticket
    t = services.claim(handler, t, t.lock_version)
    assert counts(handler)["热线工单"] == "1"  # 办理中 is still waiting on the department


def test_ticket_counts_are_capped(monkeypatch, new_ticket, centre):
    new_ticket()
    new_ticket(content="纬五路夜市噪音扰民，每天凌晨两点还在营业，严重影响休息。")
    monkeypatch.setattr(menu, "COUNT_CAP", 1)
    c = Client()
    c.force_login(centre)
    assert re.search(r'data-count="2"[^>]*>1\+', c.get(reverse("workbench:home")).content.decode())
