"""Where the numbers of the figures without a staff record list lead (the most specific page with
the filters it supports): 12345 (the 指标 page by dimension and type), 大厅 (the hall's 效能监察
figures by window), 电子证照 (the months), 监管 (the period)."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from zhengwu.insights import registry

pytestmark = pytest.mark.django_db
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


def parts(url):
    s = urlsplit(url)
    return s.path, {k: v[0] for k, v in parse_qs(s.query).items()}


def test_hotline_by_type_and_department():
    f = registry.get("hotline.on_time_rate")
    assert parts(f.drill_url(*NOV, "complaint", by="ticket_type")) == (
        "/workbench/hotline/figures/tickets/", {"what": "closed", "start": "2026-11-01", "end": "2026-11-30",
                                                "type": "complaint"})
    assert parts(f.drill_url(*NOV)) == ("/workbench/hotline/figures/tickets/",
                                        {"what": "closed", "start": "2026-11-01", "end": "2026-11-30"})
    assert parts(registry.get("hotline.received").drill_url(*NOV, 7, by="department"))[1]["department"] == "7"
    # 满意率 has no list of its own: the 12345 指标 page by the number's dimension
    sat = registry.get("hotline.satisfaction_rate")
    assert parts(sat.drill_url(*NOV, "complaint", by="ticket_type")) == (
        "/workbench/hotline/figures/", {"by": "type", "start": "2026-11-01", "end": "2026-11-30", "type": "complaint"})


def test_queueing_window_leads_to_its_hall(district):
    from zhengwu.org.models import Hall, Window

    hall = Hall.objects.create(name="金水区政务服务中心", region=district, address="金水路1号")
    w = Window.objects.create(hall=hall, number="A01", name="综合受理")
    f = registry.get("queueing.avg_wait")
    assert parts(f.drill_url(*NOV, w.pk, by="window")) == (
        f"/workbench/queueing/supervision/{hall.pk}/figures/",
        {"by": "window", "start": "2026-11-01", "end": "2026-11-30"})
    assert parts(f.drill_url(*NOV)) == ("/workbench/queueing/supervision/", {})


def test_licences_and_inspections_by_period():
    assert parts(registry.get("licenses.uses").drill_url(*NOV))[1] == {"start": "2026-11", "end": "2026-11"}
    assert parts(registry.get("inspections.coverage").drill_url(*NOV))[1] == {"start": "2026-11-01",
                                                                              "end": "2026-11-30"}
