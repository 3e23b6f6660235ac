"""The 效能投诉 and 办不成事 ledgers: which tickets they hold, their filters and totals, recording the
核查结论 and 处理结果 (bad input, stale version, permission, audit), the pages, the API, the Excel."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from zhengwu.core.models import AuditEvent
from zhengwu.hotline import ledger, services
from zhengwu.hotline.models import LedgerOutcome, TicketEvent

from .ledger_helpers import make_ticket, now_is, when

pytestmark = pytest.mark.django_db
W = "/workbench/hotline/ledgers"
API = "/api/v1/hotline/ledgers"
NOV = {"start": "2026-11-01", "end": "2026-11-30"}
VERIFIED = {"finding": "verified", "rectification": "窗口实行AB岗，高峰增开窗口", "accountability": "talk",
            "accountability_note": "窗口工作人员王某"}


def _post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def bureau_handler(make_staff, bureau):
    return make_staff("dept_admin", department=bureau, username="xiaoneng_t")


@pytest.fixture
def book(centre, bureau_handler, bureau, handler, market, taxonomy, supervisor):
    """Three 效能投诉 (a closed and verified against 市场监管局, b replied and unfounded, c still
    handling, not checked), one 办不成事 and one 投诉 — all in November 2026."""
    eff = dict(ticket_type="efficiency")
    a = make_ticket(centre, bureau_handler, bureau, day=2, fate="closed", **eff)
    b = make_ticket(centre, bureau_handler, bureau, day=3, fate="replied", phone="13700000002", **eff)
    c = make_ticket(centre, bureau_handler, bureau, day=4, fate="handling", phone="13700000003", **eff)
    d = make_ticket(centre, bureau_handler, bureau, day=5, fate="closed", phone="13700000004", ticket_type="cannot_do",
                    content="个体户注销，税务和市场监管两边推诿，跑了三次办不成。")
    e = make_ticket(centre, handler, market, day=6, fate="registered", phone="13700000005", ticket_type="complaint",
                    content="经八路一家饭店后厨卫生脏乱差。", category=taxonomy["市场监管/食品安全/餐饮卫生"])
    with now_is(when(11, 20)):
        services.record_outcome(supervisor, a, 0, {**VERIFIED, "subject_department": market.pk,
                                                   "subject_item": "营业执照变更登记"})
        services.record_outcome(supervisor, b, 0, {"finding": "unfounded", "accountability": "none"})
    return {"a": a, "b": b, "c": c, "d": d, "e": e}


def numbers(user, ticket_type="efficiency", **kw):
    f = ledger.parse_filters({**NOV, **kw}, dt.date(2026, 12, 1))
    return {t.number for t in ledger.page(user, ticket_type, f)[0]}


def test_ledgers_hold_their_type_only(book, supervisor, leader):
    n = {k: t.number for k, t in book.items()}
    assert numbers(leader) == {n["a"], n["b"], n["c"]}
    assert numbers(leader, "cannot_do") == {n["d"]}  # the 投诉 is in neither


def test_filters(book, supervisor, market, bureau):
    n = {k: t.number for k, t in book.items()}
    assert numbers(supervisor, finding="verified") == {n["a"]}
    assert numbers(supervisor, finding="unfounded") == {n["b"]}
    assert numbers(supervisor, finding="none") == {n["c"]}  # 未核查
    assert numbers(supervisor, handled="yes") == {n["a"], n["b"]}
    assert numbers(supervisor, handled="no") == {n["c"]}
    assert numbers(supervisor, department=str(market.pk)) == {n["a"]}  # the 反映对象
    assert numbers(supervisor, department=str(bureau.pk)) == {n["a"], n["b"], n["c"]}  # the 承办单位
    assert numbers(supervisor, start="2026-11-03", end="2026-11-03") == {n["b"]}
    assert numbers(supervisor, start="2026-12-01", end="2026-12-31") == set()


def test_totals_and_rows(book, supervisor, market):
    f = ledger.parse_filters(NOV, dt.date(2026, 12, 1))
    with now_is(when(11, 30, 20)):
        t = ledger.totals(supervisor, "efficiency", f)
        rows = {r["number"]: r for r in ledger.rows_for(supervisor, "efficiency", ledger.page(supervisor, "efficiency", f)[0])}
    assert (t["total"], t["verified"], t["partly"], t["unfounded"], t["unchecked"], t["handled"]) == (3, 1, 0, 1, 1, 2)
    assert t["acc_talk"] == 1
    assert t["overdue"] == 1  # c: dispatched 4 Nov with 5 working days, still open on 30 Nov
    a = rows[book["a"].number]
    assert a["caller"] == "钱**"  # masked
    assert a["subject"] == f"{market.name}；事项：营业执照变更登记"
    assert (a["finding"], a["accountability"], a["overdue"], a["handled"]) == ("属实", "约谈：窗口工作人员王某", False, True)
    assert rows[book["c"].number]["overdue"] is True
    assert "已处理 2 件" in ledger.totals_text("efficiency", t) and "约谈 1 件" in ledger.totals_text("efficiency", t)


def test_parse_filters_strict_names_the_parameter():
    with pytest.raises(ValidationError) as e:
        ledger.parse_filters({"start": "2026-13-01", "finding": "maybe", "handled": "perhaps", "department": "x"},
                             dt.date(2026, 12, 1), strict=True)
    assert set(e.value.message_dict) == {"start", "finding", "handled", "department"}
    f = ledger.parse_filters({"start": "bad"}, dt.date(2026, 12, 1))  # a page ignores it: this year
    assert (f.start, f.end) == (dt.date(2026, 1, 1), dt.date(2026, 12, 1))


# -- recording ---------------------------------------------------------------------------------------
def test_record_bad_input_writes_nothing(book, supervisor):
    c = book["c"]
    with pytest.raises(ValidationError) as e:
        services.record_outcome(supervisor, c, 0, {"finding": "verified", "accountability": "referred",
                                                   "subject_department": "999999"})
    errors = e.value.message_dict
    assert errors["rectification"] == ["核查结论为“属实”时，请填写整改情况"]
    assert errors["accountability_note"] == ["问责情况为“移送纪检监察”时，请写明问责对象和文号"]
    assert errors["subject_department"] == ["反映对象（单位）不存在"]
    with pytest.raises(ValidationError) as e:
        services.record_outcome(supervisor, c, "", VERIFIED)
    assert "lock_version" in e.value.message_dict
    with pytest.raises(ValidationError) as e:
        services.record_outcome(supervisor, book["e"], 0, VERIFIED)  # a 投诉
    assert "只有效能投诉和办不成事反映工单进入台账" in e.value.message_dict["ticket"][0]
    with pytest.raises(ValidationError) as e:
        services.record_outcome(supervisor, book["d"], 0, {"finding": "verified", "rectification": "已整改",
                                                           "resolution": "explained"})
    assert e.value.message_dict["resolution_note"][0].startswith("办理结果为“依法不能办理，已解释”时")
    assert not LedgerOutcome.objects.filter(ticket__in=[c, book["d"], book["e"]]).exists()


def test_record_stale_version_and_repeat(book, supervisor, make_staff):
    c = book["c"]
    other = make_staff("supervisor", username="duban2_t")
    first = services.record_outcome(supervisor, c, 0, VERIFIED)
    assert first.lock_version == 1 and first.handled
    again = services.record_outcome(other, c, 0, VERIFIED)  # a double submission: the same record
    assert again.lock_version == 1 and LedgerOutcome.objects.count() == 3
    with pytest.raises(services.StaleOutcome) as e:  # another change on the version read before the first
        services.record_outcome(other, c, 0, {**VERIFIED, "accountability": "criticism"})
    assert e.value.messages == ["该工单的核查处理结果已被他人更新，请刷新页面后重试"]
    second = services.record_outcome(other, c, 1, {**VERIFIED, "accountability": "criticism"})
    assert (second.lock_version, second.accountability, second.recorded_by) == (2, "criticism", other)
    events = TicketEvent.objects.filter(ticket=c, action="ledger")
    assert events.count() == 2 and not any(ev.public for ev in events)
    audit = AuditEvent.objects.filter(action="hotline.ledger_outcome", object_id=str(c.pk)).order_by("seq")
    assert audit.count() == 2 and audit.last().before["accountability"] == "talk"


def test_record_permission(book, leader, handler, bureau_handler, centre):
    for who in (leader, handler, bureau_handler, centre):  # 领导 reads; departments and 坐席 do not record
        with pytest.raises(PermissionDenied) as e:
            services.record_outcome(who, book["c"], 0, VERIFIED)
        assert str(e.value) == "仅本区划的督办人员可以登记核查结论和处理结果"


# -- pages ---------------------------------------------------------------------------------------------
def test_page_for_leader_and_supervisor(client, book, leader, supervisor, handler):
    client.force_login(handler)
    assert client.get(f"{W}/efficiency/").status_code == 403
    client.force_login(leader)
    r = client.get(f"{W}/efficiency/?start=2026-11-01&end=2026-11-30&finding=verified")
    body = r.content.decode()
    assert r.status_code == 200 and book["a"].number in body and book["c"].number not in body
    assert "id=\"record-" not in body  # 领导 read only
    r = client.get(f"{W}/efficiency/{book['a'].pk}/")
    assert r.status_code == 200 and 'id="ledger-form"' not in r.content.decode() and "约谈" in r.content.decode()
    assert client.get(f"{W}/cannot-do/{book['a'].pk}/").status_code == 404  # not in that ledger
    assert client.get(f"{W}/complaint/{book['e'].pk}/").status_code == 404
    client.force_login(supervisor)
    body = client.get(f"{W}/efficiency/?start=2026-11-01&end=2026-11-30").content.decode()
    assert f'id="record-{book["c"].pk}"' in body


def test_form_records_refuses_and_reports_stale(client, book, supervisor):
    client.force_login(supervisor)
    url = f"{W}/cannot-do/{book['d'].pk}/"
    r = client.post(url, {"lock_version": "0", "finding": "verified", "resolution": "done"})
    assert r.status_code == 400 and "核查结论为“属实”时，请填写整改情况" in r.content.decode()
    r = client.post(url, {"lock_version": "0", "finding": "verified", "rectification": "建立注销联动机制",
                          "accountability": "none", "resolution": "done", "resolution_note": "当日办结注销",
                          "back": "start=2026-11-01&end=2026-11-30"})
    assert r.status_code == 302 and r["Location"] == f"{W}/cannot-do/?start=2026-11-01&end=2026-11-30"
    o = LedgerOutcome.objects.get(ticket=book["d"])
    assert (o.resolution, o.handled, o.lock_version) == ("done", True, 1)
    r = client.post(url, {"lock_version": "0", "finding": "partly", "rectification": "x", "accountability": "none",
                          "resolution": "done"})
    assert r.status_code == 409 and "已被他人更新" in r.content.decode()
    body = client.get(f"{W}/cannot-do/?start=2026-11-01&end=2026-11-30").content.decode()
    assert "已协调办成：当日办结注销" in body


def test_ledger_list_queries_bounded(client, book, supervisor, centre, bureau_handler, bureau,
                                     django_assert_max_num_queries):
    client.force_login(supervisor)
    url = f"{W}/efficiency/?start=2026-11-01&end=2026-11-30"
    client.get(url)
    with django_assert_max_num_queries(12) as first:
        assert client.get(url).status_code == 200
    for i in range(5):
        t = make_ticket(centre, bureau_handler, bureau, ticket_type="efficiency", day=10 + i, fate="closed",
                        phone=f"1370000010{i}")
        services.record_outcome(supervisor, t, 0, VERIFIED)
    with django_assert_max_num_queries(len(first.captured_queries)):  # more rows, same queries (no N+1)
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(len(first.captured_queries)):
        assert client.get(f"{API}/efficiency?start=2026-11-01&end=2026-11-30").status_code == 200


# -- API -----------------------------------------------------------------------------------------------
def test_api_list_and_record(client, book, supervisor, leader, market):
    client.force_login(leader)
    r = client.get(f"{API}/efficiency?start=2026-11-01&end=2026-11-30&handled=no")
    assert r.status_code == 200
    data = r.json()
    assert [x["number"] for x in data["items"]] == [book["c"].number]
    assert data["ledger"] == "效能投诉台账" and data["totals"]["total"] == 1
    c = book["c"]
    r = _post(client, f"{API}/efficiency/{c.pk}/outcome", {"lock_version": 0, **VERIFIED})
    assert r.status_code == 403 and r.json()["detail"] == "仅本区划的督办人员可以登记核查结论和处理结果"
    client.force_login(supervisor)
    r = _post(client, f"{API}/efficiency/{c.pk}/outcome", {"lock_version": 0, "finding": "属实"})
    assert r.status_code == 400 and r.json()["errors"]["rectification"] == ["核查结论为“属实”时，请填写整改情况"]
    r = _post(client, f"{API}/efficiency/{c.pk}/outcome",
              {"lock_version": 0, **VERIFIED, "subject_department": market.pk})
    assert r.status_code == 200 and r.json()["finding"] == "属实" and r.json()["version"] == 1
    r = _post(client, f"{API}/efficiency/{c.pk}/outcome", {"lock_version": 0, **VERIFIED, "accountability": "admonish"})
    assert r.status_code == 409 and "已被他人更新" in r.json()["detail"]
    assert _post(client, f"{API}/cannot-do/{c.pk}/outcome", {"lock_version": 1, **VERIFIED}).status_code == 404
    r = client.get(f"{API}/bribery")
    assert r.status_code == 404 and "没有这个台账" in r.json()["detail"]
    r = client.get(f"{API}/efficiency?start=2026-11-31")
    assert r.status_code == 400 and r.json()["errors"]["start"] == ["开始日期格式不正确：应为 YYYY-MM-DD"]


# -- Excel ---------------------------------------------------------------------------------------------
def test_excel_as_filed(client, book, leader, market):
    client.force_login(leader)
    r = client.get(f"{W}/efficiency/?start=2026-11-01&end=2026-11-30&export=xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment;")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert ws["A1"].value == "12345热线效能投诉台账"
    assert ws["A2"].value.startswith("统计期间：2026年11月01日 至 2026年11月30日")
    assert [ws.cell(row=3, column=c).value for c in (1, 2, 9, 10, 12, 13)] == [
        "序号", "工单编号", "核查结论", "处理结果", "办结时间", "是否超期"]
    assert [ws.cell(row=4, column=c).value for c in (10, 11)] == ["整改情况", "问责情况"]
    data = [[c.value for c in row] for row in ws.iter_rows(min_row=5, max_row=7)]
    assert [r[1] for r in data] == [book["a"].number, book["b"].number, book["c"].number]  # oldest first
    assert data[0][0] == 1 and data[0][3] == "钱**" and data[0][8] == "属实" and data[0][10] == "约谈：窗口工作人员王某"
    assert data[2][8] == "未核查" and data[2][11] == "未办结"
    assert ws.cell(row=8, column=1).value == "合计" and ws.cell(row=8, column=2).value.startswith("共 3 件")
    r = client.get(f"{W}/efficiency/?start=2026-11-01&end=2026-11-30&finding=verified&department={market.pk}"
                   "&export=xlsx")
    ws = load_workbook(io.BytesIO(r.content)).active
    assert "核查结论：属实" in ws["A2"].value and market.name in ws["A2"].value
    assert ws.cell(row=6, column=1).value == "合计"  # one row


def test_excel_cells_are_neutralised(client, book, supervisor, leader):
    services.record_outcome(supervisor, book["c"], 0, {**VERIFIED, "rectification": "=HYPERLINK(\"x\")"})
    client.force_login(leader)
    ws = load_workbook(io.BytesIO(client.get(f"{W}/efficiency/?start=2026-11-01&end=2026-11-30&export=xlsx")
                                  .content)).active
    assert not str(ws.cell(row=7, column=10).value).startswith("=")
