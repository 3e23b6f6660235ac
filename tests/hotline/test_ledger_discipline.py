"""The 纪检监察 role: reads and exports the 效能投诉 and 办不成事 ledgers, records nothing, and sees
the ledgers (and nothing of the hotline's handling) in the workbench menu."""

import io
import json

import pytest
from openpyxl import load_workbook

from zhengwu.hotline.models import LedgerOutcome
from zhengwu.org.models import Role
from zhengwu.workbench.menu import entries_for

from .test_ledger import API, NOV, VERIFIED, W, book, bureau_handler  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
LEDGER_URLS = {"hotline:ledger_efficiency", "hotline:ledger_cannot_do"}


@pytest.fixture
def jijian(make_staff):
    return make_staff(Role.DISCIPLINE, username="jijian_t")


def _url_names(user):
    return {e["entry"].url_name for e in entries_for(user)}


def test_role_is_a_choice():
    assert Role.DISCIPLINE.label == "纪检监察"


def test_discipline_reads_and_exports_both_ledgers(client, book, jijian):  # noqa: F811
    client.force_login(jijian)
    r = client.get(f"{W}/efficiency/?start=2026-11-01&end=2026-11-30")
    body = r.content.decode()
    assert r.status_code == 200 and book["a"].number in body and book["c"].number in body
    assert 'id="record-' not in body  # read only
    assert book["d"].number in client.get(f"{W}/cannot-do/?start=2026-11-01&end=2026-11-30").content.decode()
    r = client.get(f"{W}/efficiency/{book['a'].pk}/")
    assert r.status_code == 200 and 'id="ledger-form"' not in r.content.decode()
    r = client.get(f"{W}/efficiency/?start=2026-11-01&end=2026-11-30&export=xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment;")
    assert load_workbook(io.BytesIO(r.content)).active["A1"].value == "12345热线效能投诉台账"
    r = client.get(f"{API}/efficiency?start=2026-11-01&end=2026-11-30")
    assert r.status_code == 200 and r.json()["totals"]["total"] == 3


def test_discipline_records_nothing(client, book, jijian):  # noqa: F811
    client.force_login(jijian)
    c = book["c"]
    r = client.post(f"{API}/efficiency/{c.pk}/outcome", json.dumps({"lock_version": 0, **VERIFIED}),
                    content_type="application/json")
    assert r.status_code == 403 and r.json()["detail"] == "仅本区划的督办人员可以登记核查结论和处理结果"
    r = client.post(f"{W}/efficiency/{c.pk}/", {"lock_version": 0, **VERIFIED})
    assert r.status_code == 403
    assert not LedgerOutcome.objects.filter(ticket=c).exists()


def test_others_are_refused(client, book, make_staff):  # noqa: F811
    client.force_login(make_staff("hotline"))
    assert client.get(f"{W}/efficiency/?start={NOV['start']}").status_code == 403
    r = client.get(f"{API}/efficiency")
    assert r.status_code == 403 and r.json()["detail"] == "仅督办人员、领导或纪检监察人员可以查看台账"


def test_menu_shows_the_ledgers_to_their_readers_only(make_staff, jijian, market):
    assert _url_names(jijian) & LEDGER_URLS == LEDGER_URLS
    assert not {"hotline:centre", "hotline:console", "hotline:figures"} & _url_names(jijian)
    for role in ("supervisor", "leader"):
        assert _url_names(make_staff(role)) & LEDGER_URLS == LEDGER_URLS
    for role in ("hotline", "window", "data_admin"):
        assert not _url_names(make_staff(role)) & LEDGER_URLS
    assert not _url_names(make_staff("dept_admin", department=market)) & LEDGER_URLS
