"""The 统计报告 page, its downloads and /api/v1/insights/reports: who may use them, their answers."""

import datetime as dt
import json

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db
PAGE = "/workbench/insights/reports/"
API = "/api/v1/insights/reports"


def future_month() -> str:
    return f"{timezone.localdate().replace(day=1) + dt.timedelta(days=40):%Y-%m}"


@pytest.fixture
def done_run():
    from zhengwu.insights.reports import build_month

    run = build_month("2026-11")
    assert run.status == "done", run.error
    return run


@pytest.mark.parametrize("role", ["leader", "supervisor", "data_admin"])
def test_the_page_lists_runs_with_downloads(client, make_staff, role, done_run):
    client.force_login(make_staff(role))
    resp = client.get(PAGE)
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "2026年11月政务服务月报" in html and "已生成" in html and "命令行" in html
    assert f'href="/workbench/insights/reports/{done_run.pk}/xlsx"' in html
    assert f'href="/workbench/insights/reports/{done_run.pk}/pdf"' in html


@pytest.mark.parametrize("role", ["window", "dept_admin", "hotline"])
def test_other_roles_are_refused_page_and_files(client, make_staff, role, done_run):
    client.force_login(make_staff(role))
    assert client.get(PAGE).status_code == 403
    assert client.get(f"{PAGE}{done_run.pk}/xlsx").status_code == 403
    resp = client.get(f"{API}/{done_run.pk}/pdf")
    assert resp.status_code == 403 and "统计报告" in resp.json()["detail"]


def test_the_menu_shows_the_entry_to_a_leader(client, make_staff):
    client.force_login(make_staff("leader"))
    assert PAGE in client.get("/workbench/").content.decode()


def test_requesting_on_the_page(client, make_staff):
    from zhengwu.insights.models import ReportRun

    client.force_login(make_staff("leader"))
    resp = client.post(PAGE, {"kind": "month", "period": "2026-11"})
    assert resp.status_code == 302
    assert client.post(PAGE, {"kind": "month", "period": "2026-11"}).status_code == 302
    assert ReportRun.objects.filter(kind="month", period="2026-11", status="queued").count() == 1
    html = client.get(PAGE).content.decode()
    assert "已在排队中，无需重复申请" in html and 'http-equiv="refresh"' in html

    resp = client.post(PAGE, {"kind": "month", "period": future_month()})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "统计期不能是未来的月份" in html and 'id="period-error"' in html and "is-invalid" in html
    resp = client.post(PAGE, {"kind": "year", "period": "2026-11"})
    assert resp.status_code == 400 and "年份格式不正确" in resp.content.decode()


def test_downloads(client, make_staff, done_run):
    from openpyxl import load_workbook

    from zhengwu.insights.models import ReportRun

    client.force_login(make_staff("data_admin"))
    resp = client.get(f"{PAGE}{done_run.pk}/xlsx")
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in resp["Content-Disposition"] and resp["Cache-Control"] == "private, no-store"
    import io

    body = b"".join(resp.streaming_content)
    assert len(body) == done_run.xlsx_size
    assert "总体情况" in load_workbook(io.BytesIO(body), read_only=True).sheetnames
    pdf = client.get(f"{PAGE}{done_run.pk}/pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF-")
    queued = ReportRun.objects.create(kind="year", period="2026")
    assert client.get(f"{PAGE}{queued.pk}/pdf").status_code == 404
    assert client.get(f"{PAGE}{done_run.pk}/doc").status_code == 404
    assert client.get(f"{PAGE}999999/pdf").status_code == 404


# -- API --------------------------------------------------------------------------------------
def post(client, body):
    return client.post(API, json.dumps(body), content_type="application/json")


def test_api_request_list_and_files(client, make_staff, done_run):
    client.force_login(make_staff("supervisor"))
    first = post(client, {"kind": "year", "period": "2026"})
    assert first.status_code == 201
    again = post(client, {"kind": "year", "period": "2026"})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert first.json()["status"] == "queued" and first.json()["xlsx_url"] is None

    listed = client.get(API).json()
    assert listed["count"] == 2
    done = next(r for r in listed["items"] if r["id"] == done_run.pk)
    assert done["title"] == "2026年11月政务服务月报" and done["status_label"] == "已生成"
    assert done["xlsx_url"] == f"{API}/{done_run.pk}/xlsx" and done["pdf_sha256"] == done_run.pdf_sha256
    assert client.get(API, {"kind": "year"}).json()["count"] == 1
    assert client.get(f"{API}/{done_run.pk}").json()["period"] == "2026-11"
    resp = client.get(done["pdf_url"])
    assert resp.status_code == 200 and resp["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"kind": "month", "period": "FUTURE"}, "period", "统计期不能是未来的月份"),
    ({"kind": "week", "period": "2026-11"}, "kind", "报告类型不正确"),
    ({"kind": "month", "period": "2026/11"}, "period", "月份格式不正确"),
    ({"kind": "year", "period": "2026-11"}, "period", "年份格式不正确"),
    ({"kind": "month"}, "period", "必填"),
])
def test_api_errors_are_json_naming_the_field(client, make_staff, body, field, words):
    client.force_login(make_staff("leader"))
    if body.get("period") == "FUTURE":
        body["period"] = future_month()
    resp = post(client, body)
    assert resp.status_code == 400 and resp["Content-Type"].startswith("application/json")
    assert any(words in m for m in resp.json()["errors"][field]), resp.json()


def test_api_refusals_are_json(client, make_staff):
    from zhengwu.insights.models import ReportRun

    assert client.get(API).status_code == 401
    client.force_login(make_staff("window"))
    resp = client.get(API)
    assert resp.status_code == 403 and resp.json()["detail"] == "仅领导、督办人员和数据管理员可以使用统计报告"
    client.force_login(make_staff("leader"))
    resp = client.get(f"{API}/999999")
    assert resp.status_code == 404 and resp.json()["detail"] == "报告不存在"
    queued = ReportRun.objects.create(kind="month", period="2026-10")
    resp = client.get(f"{API}/{queued.pk}/xlsx")
    assert resp.status_code == 404 and "尚未生成" in resp.json()["detail"]
    resp = client.get(f"{API}/{queued.pk}/doc")
    assert resp.status_code == 400 and resp.json()["errors"]
    assert client.get(API, {"limit": 0}).status_code == 400
    resp = client.get(API, {"kind": "year", "offset": 2**63})
    assert resp.status_code == 400 and "offset" in json.dumps(resp.json()["errors"])
