"""The pages by role: the public 公示 list (no login, only published, filters, keyset pages), a
plan's page, 我的检查任务, the department's tasks, recording through the form, and the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.helpers import ApiClient
from tests.inspections import results_factories as f
from zhengwu.inspections.models import InspectionTask
from zhengwu.inspections.services import results as svc

pytestmark = pytest.mark.django_db


def login(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def world(dept, make_staff):
    iu = make_staff(None)
    a, b = f.inspector(dept, user=iu, name="李执法"), f.inspector(dept, name="王执法")
    plan = f.plan(dept)
    d = f.draw(plan)
    admin = make_staff("dept_admin", department=dept)
    published = f.task(d, f.obj("公开结果有限公司"), [a, b])
    held = f.task(d, f.obj("暂缓结果有限公司"), [a, b])
    pending = f.task(d, f.obj("尚未检查有限公司"), [a, b])
    day = timezone.localdate()
    svc.record_result(published, admin, "rectify", "消防通道堵塞", day)
    svc.record_result(held, admin, "ok", "", day, hold=True)
    return {"plan": plan, "draw": d, "admin": admin, "inspector_user": iu, "published": published, "held": held,
            "pending": pending, "a": a}


def test_the_public_page_shows_only_published_results_without_login(world):
    page = Client().get(reverse("inspections:results_public"))
    body = page.content.decode()
    assert page.status_code == 200
    assert "公开结果有限公司" in body and "发现问题，责令整改" in body
    assert "李执法" in body and world["a"].cert_number in body  # public under 双随机一公开
    assert "暂缓结果有限公司" not in body and "尚未检查有限公司" not in body
    plan_page = Client().get(reverse("inspections:results_plan", args=[world["plan"].pk]))
    assert plan_page.status_code == 200 and "公开结果有限公司" in plan_page.content.decode()
    assert "暂缓结果有限公司" not in plan_page.content.decode()


def test_public_filters_and_bad_input(world, make_department):
    url = reverse("inspections:results_public")
    assert "公开结果有限公司" not in Client().get(url, {"result": "ok"}).content.decode()
    other = make_department(name="卫生健康委")
    assert "公开结果有限公司" not in Client().get(url, {"department": other.pk}).content.decode()
    later = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    assert "公开结果有限公司" not in Client().get(url, {"start": later}).content.decode()
    bad = Client().get(url, {"start": "2026-02-30", "result": "x"})
    assert bad.status_code == 400 and "开始日期格式不正确" in bad.content.decode()
    assert "检查结果必须从列表中选择" in bad.content.decode()
    bad = Client().get(url, {"department": "abc"})  # a hand-edited address: the page says what is wrong
    assert bad.status_code == 400 and "实施部门：应为整数" in bad.content.decode()
    bad = Client().get(url, {"after": "x" * 65})
    assert bad.status_code == 400 and "翻页链接不正确" in bad.content.decode()


def test_keyset_pages_cover_every_row_once(dept, make_staff):
    admin = make_staff("dept_admin", department=dept)
    plan = f.plan(dept)
    d = f.draw(plan)
    ins = [f.inspector(dept), f.inspector(dept)]
    for i in range(45):
        t = f.task(d, f.obj(f"分页对象{i:02d}"), ins)
        svc.record_result(t, admin, "ok", "", plan.period_start + dt.timedelta(days=i % 7))
    seen, url, pages = [], reverse("inspections:results_public"), 0
    query = {}
    while True:
        body = Client().get(url, query).content.decode()
        seen += [n for n in (f"分页对象{i:02d}" for i in range(45)) if n in body]
        pages += 1
        if 'id="results-next"' not in body:
            break
        href = body.split('id="results-next"')[0].rsplit('href="', 1)[1].split('"')[0]
        query = {"after": href.split("after=")[1]}
    assert pages == 3 and sorted(seen) == sorted(set(seen)) and len(seen) == 45


def test_my_tasks_for_an_inspector_and_refusals(world, make_staff, make_citizen):
    page = login(world["inspector_user"]).get(reverse("inspections:results_my_tasks"))
    assert page.status_code == 200 and "尚未检查有限公司" in page.content.decode()
    assert login(make_staff("window")).get(reverse("inspections:results_my_tasks")).status_code == 403
    assert Client().get(reverse("inspections:results_my_tasks")).status_code == 302


def test_department_tasks_page_by_role(world, make_staff):
    url = reverse("inspections:results_tasks")
    page = login(world["admin"]).get(url, {"state": "held"})
    body = page.content.decode()
    assert page.status_code == 200 and "暂缓结果有限公司" in body and "尚未检查有限公司" not in body
    assert login(make_staff("window")).get(url).status_code == 403


def test_an_inspector_records_through_the_form(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    t, c = world["pending"], login(world["inspector_user"])
    url = reverse("inspections:results_record", args=[t.pk])
    assert c.get(url).status_code == 200
    bad = c.post(url, {"result": "rectify", "checked_on": timezone.localdate().isoformat(), "version": 1})
    assert bad.status_code == 400 and "结果说明必须填写" in bad.content.decode()
    ok = c.post(url, {"result": "rectify", "note": "未公示年报", "checked_on": timezone.localdate().isoformat(),
                      "version": 1, "hold": "1",  # ignored: an inspector cannot hold
                      "files": [SimpleUploadedFile("照片.pdf", b"%PDF-1.4\n%%EOF\n")]})
    assert ok.status_code == 302
    t.refresh_from_db()
    assert t.result == "rectify" and t.published_at is not None and t.attachments.count() == 1
    stale = c.post(url, {"result": "ok", "checked_on": timezone.localdate().isoformat(), "version": 1})
    assert stale.status_code == 400 and "已公示" in stale.content.decode()


def test_staff_release_a_held_result(world):
    c = login(world["admin"])
    t = world["held"]
    r = c.post(reverse("inspections:results_publish", args=[t.pk]), {"version": t.lock_version + 1})
    assert r.status_code == 302
    t.refresh_from_db()
    assert t.published_at is not None


def test_the_api_public_list_and_recording_by_object(world):
    anon = ApiClient()
    r = anon.get("inspections/results")
    assert r.status_code == 200
    names = [x["object_name"] for x in r.json()["results"]]
    assert names == ["公开结果有限公司"] and r.json()["results"][0]["inspectors"][0].startswith("李执法")
    assert anon.get("inspections/results", result="bogus").status_code == 400
    api = ApiClient(world["admin"])
    plan = world["plan"]
    spare = f.obj("未抽中有限公司")
    r = api.post(f"inspections/plans/{plan.pk}/objects/{spare.pk}/result",
                 {"result": "ok", "checked_on": timezone.localdate().isoformat()})
    assert r.status_code == 400 and "未被本抽查计划抽中" in r.json()["detail"]
    p = world["pending"]
    r = api.post(f"inspections/plans/{plan.pk}/objects/{p.inspected_id}/result",
                 {"result": "ok", "checked_on": timezone.localdate().isoformat(), "expected_version": 1})
    assert r.status_code == 200 and r.json()["lock_version"] == 2
    r = api.post(f"inspections/tasks/{p.pk}/result", {"result": "closed", "note": "已注销",
                                                      "checked_on": timezone.localdate().isoformat(),
                                                      "expected_version": 1})
    assert r.status_code in (400, 409)
    assert InspectionTask.objects.get(pk=p.pk).result == "ok"
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    r = api.post(f"inspections/tasks/{world['held'].pk}/result", {"result": "ok", "checked_on": future})
    assert r.status_code == 400 and "检查日期不能晚于今天" in r.json()["errors"]["checked_on"][0]


def test_the_first_addresses_of_the_staff_pages_redirect_to_the_workbench(client):
    r = client.get("/inspections/figures/?start=2026-01-01&end=2026-12-31")
    assert r.status_code == 301 and r["Location"] == "/workbench/inspections/figures/?start=2026-01-01&end=2026-12-31"
    assert client.get("/inspections/tasks/12/result/")["Location"] == "/workbench/inspections/tasks/12/result/"
    assert client.get("/inspections/my-tasks/")["Location"] == "/workbench/inspections/my-tasks/"
    assert client.get("/inspections/results/").status_code == 200  # the public pages stay where they are


def test_the_portal_footer_links_the_public_pages(client):
    body = client.get("/").content.decode()
    for href in ("/inspections/plans/", "/inspections/results/", "/open-data/"):
        assert f'href="{href}"' in body
