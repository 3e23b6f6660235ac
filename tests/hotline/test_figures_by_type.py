"""The figures by 诉求类型 (grouping and filter), worked by hand on a small set of tickets; the page,
its chart and Excel, and the API's ``types``."""

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from zhengwu.hotline import figures, services

from .ledger_helpers import make_ticket, now_is, when

pytestmark = pytest.mark.django_db
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
W = "/workbench/hotline"


@pytest.fixture
def bureau_handler(make_staff, bureau):
    return make_staff("dept_admin", department=bureau, username="xiaoneng_t")


@pytest.fixture
def tickets(centre, bureau_handler, bureau, handler, market, taxonomy, street):
    """November 2026 (every one registered on a working day, answered the next day — on time):

    ===========  ========  ========  ======  ================================
    type         received  dispatch  closed  satisfaction (closed, rated)
    ===========  ========  ========  ======  ================================
    效能投诉        2         2         1       4 (满意)
    办不成事反映     1         1         1       2 (不满意)
    投诉            2         1         1       5 (非常满意); one never dispatched
    ===========  ========  ========  ======  ================================
    """
    food = taxonomy["市场监管/食品安全/餐饮卫生"]
    make_ticket(centre, bureau_handler, bureau, ticket_type="efficiency", day=2, fate="closed", satisfaction=4)
    make_ticket(centre, bureau_handler, bureau, ticket_type="efficiency", day=3, fate="handling", phone="13700000002")
    make_ticket(centre, bureau_handler, bureau, ticket_type="cannot_do", day=4, fate="closed", satisfaction=2,
                phone="13700000003", content="个体户注销，税务和市场监管两边推诿，跑了三次办不成。")
    make_ticket(centre, handler, market, ticket_type="complaint", day=5, fate="closed", satisfaction=5,
                phone="13700000004", content="经八路一家饭店后厨卫生脏乱差，吃完后腹泻。", category=food)
    make_ticket(centre, handler, market, ticket_type="complaint", day=6, fate="registered", phone="13700000005",
                content="纬五路一家面馆卖变质食品。", category=food)
    with now_is(when(11, 30, 20)):
        services.report_calls(centre, day="2026-11-02", offered=100, answered=90)


def test_grouped_by_type_worked_example(tickets, supervisor):
    rows = {r["label"]: r for r in figures.table(supervisor, "type", *NOV)}
    assert set(rows) == {"效能投诉", "办不成事反映", "投诉"}
    eff, cannot, complaint = rows["效能投诉"], rows["办不成事反映"], rows["投诉"]
    assert (eff["received"], eff["dispatched"], eff["closed"]) == (2, 2, 1)
    assert eff["close_rate"] == 50.0  # 1 of the 2 dispatched is closed
    assert (eff["on_time_rate"], eff["satisfaction_rate"]) == (100.0, 100.0)
    assert (cannot["received"], cannot["close_rate"], cannot["satisfaction_rate"]) == (1, 100.0, 0.0)
    assert (complaint["received"], complaint["dispatched"], complaint["close_rate"]) == (2, 1, 100.0)
    assert all(r["answer_rate"] is None for r in rows.values())  # the calls are not a type's


def test_filtered_by_types(tickets, supervisor):
    rep = figures.report(supervisor, "department", *NOV, types=["efficiency", "办不成事反映"])
    assert rep["types"] == ["cannot_do", "efficiency"]  # codes, in the rules' order
    total = rep["total"]
    assert (total["received"], total["dispatched"], total["closed"]) == (3, 3, 2)
    assert total["close_rate"] == 66.7  # 2 ÷ 3
    assert total["satisfaction_rate"] == 50.0  # 满意 (4) of 4 and 2
    assert total["answer_rate"] is None  # with a type filter the line's calls are left out
    assert [r["label"] for r in rep["rows"]] == ["郑州市金水区政务服务和大数据管理局"]
    unfiltered = figures.report(supervisor, "department", *NOV)["total"]
    assert (unfiltered["received"], unfiltered["answer_rate"]) == (5, 90.0)
    assert figures.clean_types(["nonsense", "efficiency", "efficiency"]) == ["efficiency"]


def test_type_chart_in_the_rules_order(tickets, supervisor):
    chart = figures.type_chart(figures.table(supervisor, "type", *NOV))
    assert chart["x"] == ["投诉", "办不成事反映", "效能投诉"]
    assert chart["series"][0] == {"name": "受理量", "type": "bar", "data": [2, 1, 2]}
    assert chart["series"][2]["data"] == [100.0, 100.0, 50.0]


def test_page_filter_chart_and_excel(client, tickets, leader):
    client.force_login(leader)
    q = f"{W}/figures/?start=2026-11-01&end=2026-11-30&by=type&type=efficiency&type=cannot_do"
    r = client.get(q)
    body = r.content.decode()
    assert r.status_code == 200
    assert 'id="f-type-efficiency" checked' in body and 'id="f-type-complaint" checked' not in body
    assert 'id="type-chart-data"' in body and 'data-chart="type-chart-data"' in body
    assert "只统计诉求类型为 办不成事反映、效能投诉 的工单" in body
    table = body[body.index('id="figures-table"'):body.index('id="figures-total"')]
    assert "<td>效能投诉</td>" in table and "<td>投诉</td>" not in table
    r = client.get(q + "&export=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert "诉求类型：办不成事反映、效能投诉" in ws["A1"].value
    labels = [ws.cell(row=i, column=1).value for i in range(3, ws.max_row + 1)]
    assert labels == ["效能投诉", "办不成事反映", "合计"]
    assert [ws.cell(row=3, column=c).value for c in (2, 3, 4)] == [2, 2, 1]  # 受理量, 派单量, 办结量


def test_api_types(client, tickets, leader):
    client.force_login(leader)
    r = client.get("/api/v1/hotline/figures?by=type&start=2026-11-01&end=2026-11-30&types=efficiency,cannot_do")
    assert r.status_code == 200
    data = r.json()
    assert sorted(data["types"]) == ["cannot_do", "efficiency"]
    assert {row["label"]: row["received"] for row in data["rows"]} == {"效能投诉": 2, "办不成事反映": 1}
    r = client.get("/api/v1/hotline/figures?types=efficiency,bribery")
    assert r.status_code == 400 and r["Content-Type"].startswith("application/json")
    assert json.loads(r.content)["errors"]["types"][0].startswith("诉求类型不正确")


def test_figures_queries_bounded_with_type_filter(client, tickets, supervisor, django_assert_max_num_queries):
    client.force_login(supervisor)
    url = f"{W}/figures/?start=2026-11-01&end=2026-11-30&by=department&type=efficiency"
    client.get(url)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
