"""办件查询 (/api/v1/cases/search) over every kind of staff scope: the same rows, in the same order,
with the same cursors as the plain reference ordering — whichever way the query reads them
(PostgreSQL reads a scope of several departments department by department, ADR 21) — and dates
at the ends of the calendar answered, not a 500."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhengwu.cases import queries
from zhengwu.cases.models import Case
from zhengwu.org.models import Role, RoleGrant

STATES = ("submitted", "in_review", "concluded", "delivered", "refused")


@pytest.fixture
def city(district, other_district, make_department, publish_item, make_citizen):
    """Departments in two districts (one with a sub-department), an item each, and cases submitted
    at interleaved times — several at the same second, in different departments."""
    depts = {
        "market": make_department(name="市场监管局"),
        "tax": make_department(name="税务局"),
        "police": make_department(name="公安分局"),
        "other": make_department(name="中原区人社局", region=other_district),
    }
    depts["station"] = make_department(name="城东市场监管所", parent=depts["market"])
    items = {k: publish_item(d, f"{d.name}事项", region=d.region) for k, d in depts.items()}
    applicant = make_citizen(name="李四").applicant
    start = timezone.now().replace(microsecond=0) - dt.timedelta(days=24)
    cases, serial = [], itertools.count(1)
    for day in range(24):
        for k, key in enumerate(("market", "tax", "police", "other", "station")):
            if (day + k) % 3 == 0:
                continue
            item = items[key]
            # Every fourth day, the departments' cases share one second: ordered by id.
            at = start + dt.timedelta(days=day, minutes=0 if day % 4 == 0 else (k * 37 + day) % 50)
            cases.append(Case(number=f"T{next(serial):08d}", service_item=item, item_version=item.published_version,
                              department=item.department, region=item.region, applicant=applicant,
                              state=STATES[(day + k) % len(STATES)], submitted_at=at))
    cases.append(Case(service_item=items["market"], item_version=items["market"].published_version,
                      department=depts["market"], region=depts["market"].region, applicant=applicant))  # a draft
    Case.objects.bulk_create(cases)
    return depts, items, start


def _reference(departments, *, state=None, since=None, until=None):
    qs = Case.objects.filter(submitted_at__isnull=False)
    if departments is not None:
        qs = qs.filter(department__in=departments)
    if state:
        qs = qs.filter(state=state)
    rows = [(c.submitted_at, c.pk) for c in qs
            if (since is None or c.submitted_at >= since) and (until is None or c.submitted_at < until)]
    return [pk for _at, pk in sorted(rows, reverse=True)]


def _walk(client, limit, **params):
    """Every page of the search, following the cursors: (ids, number of pages)."""
    ids, cursor, pages = [], None, 0
    while True:
        r = client.get("search", limit=limit, **({"cursor": cursor} if cursor else {}), **params)
        assert r.status_code == 200, r.content
        body = r.json()
        ids += [i["id"] for i in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        if not cursor:
            return ids, pages
        assert len(body["items"]) == limit


def test_every_scope_lists_the_same_rows_in_the_same_order_with_the_same_cursors(city, api, make_staff, district):
    depts, items, start = city
    d = depts
    district_window = make_staff(Role.WINDOW)  # the district: its 4 departments (the other district's not)
    city_window = make_staff(Role.WINDOW, region=district.parent)  # the whole city: 5 departments
    market_approver = make_staff(Role.APPROVER, department=d["market"])  # the bureau and its 所
    two = make_staff(Role.APPROVER, department=d["tax"])
    RoleGrant.objects.create(user=two, role=Role.WINDOW, region=district, department=d["police"])
    admin = make_staff(Role.SYSADMIN)
    scopes = {
        "district window": (district_window, [d["market"], d["tax"], d["police"], d["station"]]),
        "city window": (city_window, None),
        "bureau and its 所": (market_approver, [d["market"], d["station"]]),
        "two grants": (two, [d["tax"], d["police"]]),
        "sysadmin": (admin, None),
    }
    since, until = start + dt.timedelta(days=5), start + dt.timedelta(days=18)
    local = timezone.localtime
    filters = [
        ({}, {}),
        ({"state": "delivered"}, {"state": "delivered"}),
        ({"date_from": local(since).date(), "date_to": local(until).date() - dt.timedelta(days=1)},
         {"since": timezone.make_aware(dt.datetime.combine(local(since).date(), dt.time.min)),
          "until": timezone.make_aware(dt.datetime.combine(local(until).date(), dt.time.min))}),
        ({"state": "in_review", "date_from": "1900-01-01", "date_to": "9999-12-31"}, {"state": "in_review"}),
    ]
    for name, (user, departments) in scopes.items():
        client = api(user)
        for params, ref in filters:
            expected = _reference(departments, **ref)
            assert expected, (name, params)
            for limit in (5, 100):
                ids, pages = _walk(client, limit, **params)
                assert ids == expected, (name, params, limit)
                assert pages == max(1, -(-len(expected) // limit)), (name, params, limit)
    # The cursors are those of the rows, whichever way the page was found.
    body = api(district_window).get("search", limit=3).json()
    last = Case.objects.get(pk=body["items"][-1]["id"])
    assert body["next_cursor"] == _cursor(last.submitted_at, last.pk)


def _cursor(at, pk):
    import base64
    import json

    return base64.urlsafe_b64encode(json.dumps([at.isoformat(), pk]).encode()).decode().rstrip("=")


def test_a_scope_of_several_departments_is_read_department_by_department_on_postgresql(city, make_staff):
    depts, _items, _start = city
    clerk = make_staff(Role.WINDOW)
    plain = list(queries.case_search(clerk).values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ran:
        first = list(queries.case_search(clerk, upto=5).values_list("pk", flat=True)[:5])
    assert first == plain[:5]
    assert any("LATERAL" in q["sql"] for q in ran.captured_queries) == (connection.vendor == "postgresql")
    at = Case.objects.get(pk=plain[4]).submitted_at
    later = list(queries.case_search(clerk, after=(at, plain[4]), upto=5).values_list("pk", flat=True)[:5])
    assert later == plain[5:10]
    # One department, an item or a number: that column's index; no per-department read.
    with CaptureQueriesContext(connection) as ran:
        list(queries.case_search(clerk, department=depts["tax"].pk, upto=5)[:5])
    assert not any("LATERAL" in q["sql"] for q in ran.captured_queries)


@pytest.mark.parametrize("params", [
    {"date_to": "9999-12-31"},
    {"date_from": "0001-01-01"},
    {"date_from": "0001-01-01", "date_to": "9999-12-31"},
    {"date_from": "9999-12-31", "date_to": "9999-12-31"},
    {"date_from": "0001-01-01", "date_to": "0001-01-01"},
])
def test_search_dates_at_the_ends_of_the_calendar_are_clamped(city, api, make_staff, params):
    clerk = make_staff(Role.WINDOW)
    r = api(clerk).get("search", limit=100, **params)
    assert r.status_code == 200, r.content
    everything = [i["id"] for i in api(clerk).get("search", limit=100).json()["items"]]
    ids = [i["id"] for i in r.json()["items"]]
    assert ids == (everything if params.get("date_to", "9999") > "2000" and params.get("date_from", "0") < "2000"
                   else [])


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "9999-12-01", "end": "9999-12-31"}, "start"),
    ({"start": "2026-01-01", "end": "9999-12-31"}, "end"),
    ({"start": "0001-01-01", "end": "0001-01-31"}, "start"),
])
def test_figures_period_at_the_ends_of_the_calendar_is_refused_with_the_field(city, api, make_staff, params, field):
    leader = make_staff(Role.LEADER)
    r = api(leader).get("figures", **params)
    assert r.status_code == 400, r.content
    body = r.json()
    assert list(body["errors"]) == [field]
    assert "1900-01-01" in body["errors"][field][0] and body["detail"] == body["errors"][field][0]
    assert api(leader).get("figures", start="1900-01-01", end="1900-01-31").status_code == 200
