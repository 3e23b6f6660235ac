"""12345 numbers drill down to the tickets behind them: the 工单明细 lists exactly what the figure
counted, scoped as the figures are; bad input is a 400 naming the field (issue 27)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from zhengwu.hotline import services
from zhengwu.insights import registry, rollups

pytestmark = pytest.mark.django_db


def _numbers(page: str) -> list[str]:
    body = page.split('id="ticket-table"')[1].split("<tbody>")[1].split("</tbody>")[0]
    return [cell.split("<")[0] for cell in body.split('class="font-monospace small">')[1:]]


def test_received_and_by_type_list_the_counted_tickets(client, new_ticket, dispatched, centre, leader, market):
    complaint = dispatched(ticket_type="complaint")
    consult = dispatched(ticket_type="consult")
    cancelled = new_ticket(ticket_type="complaint")
    services.cancel(centre, cancelled, cancelled.lock_version, "误登记")  # not counted, not listed
    today = timezone.localdate()
    received = registry.get("hotline.received")
    with rollups.live_only():
        total = received.total(today, today, user=leader)
        by_type = {r.key: r.value for r in received.compute(today, today, user=leader, by="ticket_type")}
    client.force_login(leader)
    page = client.get(received.drill_url(today, today)).content.decode()
    assert len(_numbers(page)) == total.value
    assert complaint.number in page and consult.number in page
    page = client.get(received.drill_url(today, today, "complaint", by="ticket_type")).content.decode()
    assert len(_numbers(page)) == by_type["complaint"] and consult.number not in page
    assert 'id="chip-type"' in page and "投诉" in page
    page = client.get(received.drill_url(today, today, market.pk, by="department")).content.decode()
    assert set(_numbers(page)) == {complaint.number, consult.number}
    # nothing was closed: the 办结 list is empty, like the figure's denominator
    closed = registry.get("hotline.on_time_rate")
    page = client.get(closed.drill_url(today, today)).content.decode()
    assert _numbers(page) == [] and "没有工单" in page


def test_bad_filters_are_refused_naming_the_field(client, leader):
    client.force_login(leader)
    res = client.get(reverse("hotline:figure_tickets") + "?what=x&start=2026-02-30&type=nope&department=a")
    page = res.content.decode()
    assert res.status_code == 400
    for text in ("统计口径不正确", "开始日期格式不正确", "诉求类型不正确", "部门编号不正确"):
        assert text in page


def test_only_figure_readers_see_the_list(client, make_staff):
    client.force_login(make_staff("window"))
    assert client.get(reverse("hotline:figure_tickets")).status_code == 403


def test_the_boards_overdue_link_opens_for_everyone_who_sees_it(client, dispatched, leader, centre, handler):
    """12345看板 → 查看超期工单: the centre's 超期 tab, the department's own tickets, and for a leader
    (who may open neither) the 工单明细 of exactly the tickets the board counts."""
    import re

    from zhengwu.hotline.models import Ticket

    late, on_time = dispatched(), dispatched()
    Ticket.objects.filter(pk=late.pk).update(due_at=timezone.now() - timezone.timedelta(hours=1))
    wanted = {leader: "/workbench/hotline/figures/tickets/?what=open_overdue",
              centre: "/workbench/hotline/centre/?tab=overdue", handler: "/workbench/hotline/department/"}
    for user, target in wanted.items():
        client.force_login(user)
        board = client.get(reverse("insights:hotline")).content.decode()
        link = re.search(r'<a class="small" href="([^"]+)">查看超期工单</a>', board).group(1).replace("&amp;", "&")
        assert link == target, user
        page = client.get(link)
        assert page.status_code == 200, user
    client.force_login(leader)
    page = client.get(wanted[leader]).content.decode()
    assert _numbers(page) == [late.number] and on_time.number not in page
    assert 'id="chip-period"' in page and "截至" in page
