"""效能监察 against a small fixture with known answers: figures (live and from rollups), the
rollup job, the 超时等待 alert job's idempotency, live figures, the Excel export, access by role."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.utils import timezone

from tests.helpers import ApiClient
from zhengwu.org.models import Hall, Role, Window
from zhengwu.queueing import figures
from zhengwu.queueing.models import (
    BusinessType,
    DailyRollup,
    HallRules,
    OverdueAlert,
    RollupCell,
    Ticket,
    TicketEvent,
    WindowSetup,
)
from zhengwu.queueing.services import supervision

D1, D2 = dt.date(2026, 11, 2), dt.date(2026, 11, 3)
_n = itertools.count(1)


def at(day: dt.date, hh: int, mm: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


@pytest.fixture
def hall(district):
    h = Hall.objects.create(name="金水区政务服务中心", region=district, address="郑州市金水区")
    HallRules.objects.create(hall=h, overdue_wait_minutes=30)
    return h


@pytest.fixture
def setup(hall):
    a = BusinessType.objects.create(hall=hall, prefix="A", name="综合受理", order=1)
    b = BusinessType.objects.create(hall=hall, prefix="B", name="企业开办", order=2)
    w1 = Window.objects.create(hall=hall, number="1", name="综合窗口")
    w2 = Window.objects.create(hall=hall, number="2", name="企业窗口")
    for w in (w1, w2):
        WindowSetup.objects.create(window=w)
    return {"A": a, "B": b, "w1": w1, "w2": w2}


def ticket(bt, day, issued, called=None, started=None, ended=None, status="done", window=None) -> Ticket:
    n = next(_n)
    return Ticket.objects.create(hall=bt.hall, business_type=bt, day=day, number=n, display=f"{bt.prefix}{n:03d}",
                                 source="kiosk", status=status, window=window, issued_at=issued, called_at=called,
                                 started_at=started, ended_at=ended)


@pytest.fixture
def known(setup):
    """Five tickets over two days: waits 10, 40 (over 30), 6 and 20 minutes, one never called;
    services 10, 20 and 30 minutes; one no-show."""
    A, B, w1, w2 = setup["A"], setup["B"], setup["w1"], setup["w2"]
    ticket(A, D1, at(D1, 9, 0), at(D1, 9, 10), at(D1, 9, 11), at(D1, 9, 21), window=w1)
    ticket(A, D1, at(D1, 9, 5), at(D1, 9, 45), at(D1, 9, 46), at(D1, 10, 6), window=w1)
    ticket(B, D1, at(D1, 10, 0), at(D1, 10, 6), status="no_show", window=w2)
    ticket(B, D1, at(D1, 10, 30), status="cancelled")
    ticket(A, D2, at(D2, 14, 0), at(D2, 14, 20), at(D2, 14, 20), at(D2, 14, 50), window=w2)
    return setup


def _by(rep):
    return {r["label"]: r for r in rep.rows}


def check_known(hall):
    rep = figures.report(hall, start=D1, end=D2, by="business_type")
    t = rep.total
    assert (t["tickets"], t["served"], t["no_shows"], t["waited"]) == (5, 3, 1, 4)
    assert (t["avg_wait"], t["p90_wait"], t["avg_service"], t["overtime_rate"]) == (19.0, 40, 20.0, 0.25)
    rows = _by(rep)
    assert (rows["A 综合受理"]["tickets"], rows["A 综合受理"]["avg_wait"], rows["A 综合受理"]["p90_wait"]) == (3, 23.3, 40)
    assert (rows["B 企业开办"]["tickets"], rows["B 企业开办"]["no_shows"], rows["B 企业开办"]["avg_wait"]) == (2, 1, 6.0)
    win = _by(figures.report(hall, start=D1, end=D2, by="window"))
    assert {k: v["tickets"] for k, v in win.items()} == {"1 综合窗口": 2, "2 企业窗口": 2, "未叫号（无窗口）": 1}
    assert win["1 综合窗口"]["avg_service"] == 15.0
    hours = figures.report(hall, start=D1, end=D2, by="hour")
    assert [(r["key"], r["tickets"]) for r in hours.rows] == [(9, 2), (10, 2), (14, 1)]
    assert [(r["label"], r["tickets"]) for r in hours.by_day] == [("2026-11-02", 4), ("2026-11-03", 1)]
    days = _by(figures.report(hall, start=D1, end=D2, by="day"))
    assert days["2026-11-02"]["overtime_rate"] == round(1 / 3, 4)
    return rep


def test_figures_from_live_tickets(hall, known):
    rep = check_known(hall)
    assert (rep.rolled_days, rep.live_days) == (0, 2)


def test_figures_from_rollups_match(hall, known):
    assert supervision.rollup_range(hall, D1, D2) == 2
    assert supervision.rollup_range(hall, D1, D2) == 0  # already rolled
    assert DailyRollup.objects.get(hall=hall, day=D1).tickets == 4
    # The rollups are read, not the tickets: with the tickets gone the figures stay.
    Ticket.objects.filter(hall=hall).delete()
    rep = check_known(hall)
    assert (rep.rolled_days, rep.live_days) == (2, 0)


def test_rollup_again_replaces_cells(hall, known):
    supervision.rollup_day(hall, D1)
    cells = RollupCell.objects.filter(hall=hall, day=D1).count()
    supervision.rollup_day(hall, D1)
    assert RollupCell.objects.filter(hall=hall, day=D1).count() == cells


def test_rollup_job_rolls_finished_days_only(hall, setup):
    today = timezone.localdate()
    ticket(setup["A"], today - dt.timedelta(days=1), at(today - dt.timedelta(days=1), 9, 0))
    ticket(setup["A"], today, at(today, 9, 0), status="waiting")
    supervision.rollup()
    assert list(DailyRollup.objects.filter(hall=hall).values_list("day", flat=True)) == [today - dt.timedelta(days=1)]


# -- live ---------------------------------------------------------------------------------------
@pytest.fixture
def now():
    return at(timezone.localdate(), 15, 0)


def test_live_numbers(hall, setup, now):
    A, B, w1 = setup["A"], setup["B"], setup["w1"]
    today = timezone.localdate()
    ticket(A, today, now - dt.timedelta(minutes=45), status="waiting")
    ticket(A, today, now - dt.timedelta(minutes=10), status="waiting")
    ticket(B, today, now - dt.timedelta(minutes=31), status="waiting")
    ticket(A, today, now - dt.timedelta(minutes=50), now - dt.timedelta(minutes=40), now - dt.timedelta(minutes=30),
           now - dt.timedelta(minutes=15), window=w1)
    from zhengwu.queueing import queue_rules

    TicketEvent.objects.create(hall=hall, action="window", window=w1, text=queue_rules.window_event_text(w1.number, True),
                               at=now - dt.timedelta(minutes=60))
    WindowSetup.objects.filter(window=w1).update(is_open=True, opened_at=now - dt.timedelta(minutes=60))
    d = supervision.live(hall, now=now)
    assert d["waiting_total"] == 3
    assert d["at"].endswith("+08:00") and d["at"][11:16] == "15:00"  # shown as Beijing time
    assert [(w["prefix"], w["count"]) for w in d["waiting"]] == [("A", 2), ("B", 1)]
    assert [(o["minutes"]) for o in d["overdue"]] == [45, 31]
    assert d["avg_wait_minutes"] == 10.0 and d["avg_service_minutes"] == 15.0
    assert (d["windows_open"], d["windows_closed"]) == (1, 1)
    w = {x["number"]: x for x in d["windows"]}
    assert w["1"]["saturation"] == 0.25 and w["2"]["saturation"] is None


# -- alerts -------------------------------------------------------------------------------------
def test_watch_alerts_once_per_ticket(hall, setup, now, make_staff, other_district):
    from zhengwu.cases.models import Notification

    sup = make_staff(role=Role.SUPERVISOR)
    elsewhere = make_staff(role=Role.SUPERVISOR, region=other_district)
    today = timezone.localdate()
    late = ticket(setup["A"], today, now - dt.timedelta(minutes=40), status="waiting")
    ticket(setup["A"], today, now - dt.timedelta(minutes=5), status="waiting")
    assert supervision.watch(now=now) == "超时等待提醒 1 条"
    assert supervision.watch(now=now + dt.timedelta(minutes=1)) == "超时等待提醒 0 条"
    alert = OverdueAlert.objects.get()
    assert (alert.ticket_id, alert.wait_minutes, alert.notified) == (late.pk, 40, 1)
    notes = Notification.objects.filter(recipient=sup)
    assert notes.count() == 1 and late.display in notes.get().title
    assert not Notification.objects.filter(recipient=elsewhere).exists()
    assert supervision.live(hall, now=now)["alerts"][0]["ticket"] == late.display


# -- pages, API, Excel --------------------------------------------------------------------------
def test_access_by_role(hall, setup, make_staff, other_district, make_citizen, client):
    live_api = f"/api/v1/queueing/halls/{hall.pk}/supervision/live"
    for role, page, api in [(Role.SUPERVISOR, 200, 200), (Role.LEADER, 200, 200), (Role.SYSADMIN, 200, 200),
                            (Role.WINDOW, 403, 403)]:
        user = make_staff(role=role)
        client.force_login(user)
        assert client.get(f"/workbench/queueing/supervision/{hall.pk}/").status_code == page, role
        assert client.get(f"/workbench/queueing/supervision/{hall.pk}/figures/").status_code == page, role
        assert ApiClient(user).get(live_api).status_code == api, role
    far = make_staff(role=Role.SUPERVISOR, region=other_district)
    client.force_login(far)
    assert client.get(f"/workbench/queueing/supervision/{hall.pk}/").status_code == 404
    r = ApiClient(far).get(live_api)
    assert r.status_code == 404 and "管辖范围" in r.json()["detail"]
    client.force_login(make_citizen())
    assert client.get(f"/workbench/queueing/supervision/{hall.pk}/").status_code == 403
    assert ApiClient().get(live_api).status_code == 401


def test_index_redirects_to_the_only_hall(hall, make_staff, client):
    client.force_login(make_staff(role=Role.SUPERVISOR))
    r = client.get("/workbench/queueing/supervision/")
    assert r.status_code == 302 and r.url.endswith(f"/supervision/{hall.pk}/")


def test_figures_page_and_api(hall, known, make_staff, client):
    user = make_staff(role=Role.LEADER)
    client.force_login(user)
    r = client.get(f"/workbench/queueing/supervision/{hall.pk}/figures/", {"start": "2026-11-01", "end": "2026-11-30"})
    body = r.content.decode()
    assert r.status_code == 200 and "A 综合受理" in body and "25.0%" in body and "echarts.min.js" in body
    r = client.get(f"/workbench/queueing/supervision/{hall.pk}/figures/", {"start": "2025-01-01", "end": "2026-11-30"})
    assert r.status_code == 400 and "一年" in r.content.decode()
    api = ApiClient(user)
    r = api.get(f"/api/v1/queueing/halls/{hall.pk}/supervision/figures", start="2026-11-01", end="2026-11-30", by="hour")
    assert r.status_code == 200 and r.json()["total"]["tickets"] == 5
    r = api.get(f"/api/v1/queueing/halls/{hall.pk}/supervision/figures", start="2026-11-01", end="2026-10-01")
    assert r.status_code == 400 and "早于" in r.json()["errors"]["end"][0]
    r = api.get(f"/api/v1/queueing/halls/{hall.pk}/supervision/figures", by="staff")
    assert r.status_code == 400 and "统计维度" in r.json()["errors"]["by"][0]


def test_excel_export(hall, known, make_staff, client):
    from openpyxl import load_workbook

    client.force_login(make_staff(role=Role.SUPERVISOR))
    r = client.get(f"/workbench/queueing/supervision/{hall.pk}/figures.xlsx",
                   {"start": "2026-11-01", "end": "2026-11-30", "by": "business_type"})
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert wb.sheetnames == ["按业务类型", "按时段", "按日期", "指标口径"]
    rows = list(wb["按业务类型"].iter_rows(values_only=True))
    assert rows[1] == ("业务类型", "取号数", "办结数", "过号数", "平均等待（分钟）", "90% 等待（分钟）", "平均办理（分钟）", "超时率")
    assert rows[2] == ("A 综合受理", 3, 3, 0, 23.3, 40, 20.0, pytest.approx(1 / 3, abs=1e-4))
    assert rows[-1] == ("合计", 5, 3, 1, 19.0, 40, 20.0, 0.25)
    hours = list(wb["按时段"].iter_rows(min_row=3, values_only=True))
    assert [(h[0], h[1]) for h in hours] == [("09时", 2), ("10时", 2), ("14时", 1)]


def test_menu_entry_and_jobs_are_registered(hall, make_staff, client):
    from zhengwu.core import schedule

    assert schedule.job("queueing.watch").every == dt.timedelta(minutes=1)
    assert schedule.job("queueing.rollup") is not None
    client.force_login(make_staff(role=Role.SUPERVISOR))
    assert "/workbench/queueing/supervision/" in client.get("/workbench/").content.decode()
    client.force_login(make_staff(role=Role.WINDOW))
    assert "/workbench/queueing/supervision/" not in client.get("/workbench/").content.decode()
