"""双随机 figures with known answers: 抽查覆盖率, 任务完成率, 问题发现率 by department and quarter,
scoped by role, with the chart spec and the Excel export."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.inspections import results_factories as f
from zhengwu.inspections import results_rules as rules
from zhengwu.inspections.models import InspectionTask
from zhengwu.inspections.services import results as svc
from zhengwu.inspections.services import results_figures as figures

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def data(make_department, make_staff):
    """市场监管局: 4 active 企业 in the register (plus an inactive one and a 个体工商户 its filter
    leaves out); its plan's current draw has 3 tasks, 2 with results (1 problem); an old draw's
    task with a result does not count. 卫健委: 1 场所 of risk D, 1 task, no result."""
    market, health = make_department(name="市场监管局"), make_department(name="卫生健康委")
    admin = make_staff("dept_admin", department=market)
    today = timezone.localdate()
    start = rules.quarter_start(today)
    companies = [f.obj(category="企业") for _ in range(4)]
    f.obj(category="企业", is_active=False)
    f.obj(category="个体工商户")
    venue = f.obj(category="场所", risk_level="D")
    ins = [f.inspector(market), f.inspector(market)]
    plan = f.plan(market, start=start, object_filter={"categories": ["企业"]})
    old = f.draw(plan, 1, current=False)
    InspectionTask.objects.create(draw=old, plan=plan, inspected=companies[3], result="penalty", checked_on=today)
    cur = f.draw(plan, 2)
    tasks = [f.task(cur, o, ins) for o in companies[:3]]
    svc.record_result(tasks[0], admin, "rectify", "台账缺失", today)
    svc.record_result(tasks[1], admin, "ok", "", today, hold=True)
    hplan = f.plan(health, start=start, object_filter={"risk_levels": ["D"]})
    f.task(f.draw(hplan), venue, [f.inspector(health), f.inspector(health)])
    return {"market": market, "health": health, "admin": admin, "start": start}


def _period(data):
    return {"start": data["start"], "end": data["start"] + dt.timedelta(days=80)}


def test_known_answers_for_a_supervisor(data, make_staff):
    rows, total = figures.figures(make_staff("supervisor"), **_period(data))
    by = {r.department: r for r in rows}
    m, h = by["市场监管局"], by["卫生健康委"]
    assert (m.objects, m.checked_objects, m.tasks, m.done, m.problems) == (4, 2, 3, 2, 1)
    assert (m.coverage, m.completion, m.problem_rate) == (Decimal("50.0"), Decimal("66.7"), Decimal("50.0"))
    assert (h.objects, h.checked_objects, h.tasks, h.done) == (1, 0, 1, 0)
    assert (h.coverage, h.completion, h.problem_rate) == (Decimal("0.0"), Decimal("0.0"), None)
    assert (total.coverage, total.completion, total.problem_rate) == (Decimal("40.0"), Decimal("50.0"),
                                                                      Decimal("50.0"))
    assert m.period == rules.quarter_of(data["start"])


def test_a_department_admin_sees_their_department_only(data):
    rows, _ = figures.figures(data["admin"], **_period(data))
    assert [r.department for r in rows] == ["市场监管局"]


def test_plans_outside_the_period_are_left_out(data, make_staff):
    before = data["start"] - dt.timedelta(days=1)
    rows, total = figures.figures(make_staff("leader"), start=before - dt.timedelta(days=30), end=before)
    assert rows == [] and total.completion is None


def test_the_page_by_role_with_its_chart_and_the_export(data, make_staff):
    from openpyxl import load_workbook

    url = reverse("inspections:results_figures")
    q = {k: v.isoformat() for k, v in _period(data).items()}
    page = login(make_staff("supervisor")).get(url, q)
    body = page.content.decode()
    assert page.status_code == 200 and 'data-chart="figures-chart-data"' in body
    chart = page.context["chart"]
    completion = dict(zip(chart["x"], chart["series"][1]["data"]))
    assert completion[f"市场监管局 {rules.quarter_of(data['start'])}"] == 66.7
    assert completion[f"卫生健康委 {rules.quarter_of(data['start'])}"] == 0.0
    assert "66.7%" in body and 'id="figures-total"' in body
    assert login(make_staff("approver")).get(url).status_code == 403
    assert login(data["admin"]).get(url, {"start": "2026-05-01", "end": "2026-01-01"}).status_code == 400
    xlsx = login(data["admin"]).get(reverse("inspections:results_figures_export"), q)
    assert xlsx.status_code == 200
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(ws.iter_rows(values_only=True))  # a department admin: their department and the total
    assert rows[2][0] == "市场监管局" and rows[2][4] == 50.0 and rows[2][7] == 66.7 and rows[-1][0] == "合计"
    assert len(rows) == 4


def test_the_menu_offers_the_pages(make_staff):
    from zhengwu.workbench.menu import entries_for

    labels = {e["label"] for e in entries_for(make_staff("leader"))}
    assert "双随机指标" in labels and "检查任务" not in labels
    assert "检查任务" in {e["label"] for e in entries_for(make_staff("dept_admin"))}
