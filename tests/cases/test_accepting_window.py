"""受理窗口: a case filed online and accepted by a window clerk was accepted at that clerk's window —
the 办件明细 (and the figures by window) name it; 未经窗口 only when no window took part."""

import pytest
from django.urls import reverse

from zhengwu.cases.models import Case
from zhengwu.cases.services import intake
from zhengwu.org.models import Hall, RoleGrant, Window

pytestmark = pytest.mark.django_db
DRILL = "/workbench/cases/figures/cases/"


@pytest.fixture
def hall(district):
    return Hall.objects.create(name="金水区政务服务中心", region=district, address="金水路1号")


@pytest.fixture
def a01(hall):
    return Window.objects.create(hall=hall, number="A01", name="综合受理窗口")


@pytest.fixture
def clerk_at_a01(make_staff, a01):
    user = make_staff("window")
    RoleGrant.objects.filter(user=user).update(window=a01)
    return user


def _drill_row(client, case):
    html = client.get(DRILL, {"what": "accepted"}).content.decode()
    start = html.index(reverse("cases:staff_case", args=[case.pk]))
    return html[start:html.index("</tr>", start)]


def test_an_online_case_accepted_at_a_window_names_that_window(submitted_case, clerk_at_a01, a01, make_staff,
                                                               login, district):
    assert submitted_case.window_id is None  # filed online by the citizen
    intake.accept(clerk_at_a01, submitted_case, submitted_case.lock_version)
    case = Case.objects.get(pk=submitted_case.pk)
    assert case.window_id == a01.pk
    row = _drill_row(login(make_staff("leader", region=district)), case)
    assert "A01 综合受理窗口" in row and "未经窗口" not in row
    # The staff case page does not say it was filed at the window: 网上申报, 受理窗口 A01.
    html = login(clerk_at_a01).get(reverse("cases:staff_case", args=[case.pk])).content.decode()
    assert "受理窗口" in html and "网上申报（A01" not in html


@pytest.mark.parametrize("how", ["accept_pending", "accept_commitment"])
def test_every_kind_of_acceptance_records_the_window(submitted_case, clerk_at_a01, a01, how):
    import datetime as dt

    if how == "accept_pending":
        intake.accept_pending(clerk_at_a01, submitted_case, submitted_case.lock_version,
                              [("健康证明", dt.date.today() + dt.timedelta(days=20))])
    else:
        intake.accept_commitment(clerk_at_a01, submitted_case, submitted_case.lock_version, "本人承诺符合条件", True)
    assert Case.objects.get(pk=submitted_case.pk).window_id == a01.pk


def test_a_case_filed_at_another_window_keeps_it(submitted_case, clerk_at_a01, hall):
    c02 = Window.objects.create(hall=hall, number="C02", name="公安户政专窗")
    Case.objects.filter(pk=submitted_case.pk).update(window=c02)
    case = Case.objects.get(pk=submitted_case.pk)
    intake.accept(clerk_at_a01, case, case.lock_version)
    assert Case.objects.get(pk=case.pk).window_id == c02.pk


def test_no_window_took_part_says_so(submitted_case, window_staff, make_staff, login, district):
    intake.accept(window_staff, submitted_case, submitted_case.lock_version)  # a clerk with no window
    case = Case.objects.get(pk=submitted_case.pk)
    assert case.window_id is None
    row = _drill_row(login(make_staff("leader", region=district)), case)
    assert "未经窗口" in row
