"""Background jobs of the 检查对象名录库: 同步法人库 and big imports are started in the request
(permissions, scope, header, one sync per region at a time, one job per form token) and run by the
task (progress per chunk, once even when delivered twice); the job's page and API by role."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.helpers import ApiClient
from zhengwu.core.identifiers import make_uscc
from zhengwu.core.models import AuditEvent
from zhengwu.inspections.models import InspectedObject, RegisterJob
from zhengwu.inspections.services import registers_jobs as jobs
from zhengwu.inspections.services import registers_objects as osvc
from zhengwu.inspections.tasks_registers import run_register_job

from .test_registers_services import csv_file, xlsx


@pytest.fixture
def admin(make_staff, dept):
    return make_staff("dept_admin", department=dept)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _registry(n=5, region="410105", closed=()):
    from zhengwu.datashare.models import LegalEntityRecord

    codes = [make_uscc("9", "1", region, f"MJ{i:06d}") for i in range(n)]
    for i, code in enumerate(codes):
        LegalEntityRecord.objects.create(uscc=code, name=f"法人{i}", region_code=f"{region}000000",
                                         status="注销" if i in closed else "存续")
    return codes


def _objects_csv(n_good=3):
    lines = ["名称,统一社会信用代码,对象类别,行业,所在区划,地址,风险等级"]
    codes = [make_uscc("9", "1", "410105", f"MK{i:06d}") for i in range(n_good)]
    lines += [f"对象{i},{c},企业,餐饮,410105,金水路{i}号,C" for i, c in enumerate(codes)]
    bad = codes[0][:-1] + ("0" if codes[0][-1] != "0" else "1")
    lines += [f"坏代码,{bad},企业,餐饮,410105,,", f"重复,{codes[1]},企业,餐饮,410105,,", "外地,,企业,,420100,,",
              ",,企业,,410105,,"]
    return "\n".join(lines) + "\n"


# -- 同步法人库 -------------------------------------------------------------------------------------
def test_sync_is_enqueued_and_the_task_records_progress_per_chunk(admin, monkeypatch,
                                                                   django_capture_on_commit_callbacks):
    codes = _registry(5, closed={3})
    _registry(1, region="420100")  # outside the department admin's district: not read
    with django_capture_on_commit_callbacks(execute=True):
        job, created = jobs.start_sync(admin, "", "tok")
    assert created and job.status == "queued" and job.scopes == ["410105"]
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [job.pk] and task.task_path.endswith("tasks_registers.run_register_job")
    assert not InspectedObject.objects.exists()  # nothing done in the request

    monkeypatch.setattr(osvc, "SYNC_CHUNK", 2)
    seen = []
    advance = jobs._advance

    def spy(job, *counts):
        advance(job, *counts)
        seen.append(RegisterJob.objects.values_list("status", "progress", "added").get(pk=job.pk))

    monkeypatch.setattr(jobs, "_advance", spy)
    result = run_register_job.func(job.pk)
    assert [p for _s, p, _a in seen] == [2, 4, 5] and {s for s, _p, _a in seen} == {"running"}
    assert result == {"job": job.pk, "status": "done", "progress": 5, "added": 4, "updated": 0, "closed": 0,
                      "rejected": 0}
    job.refresh_from_db()
    assert job.total == 5 and job.started_at and job.finished_at and job.error == ""
    assert not InspectedObject.objects.filter(uscc=codes[3]).exists()
    assert InspectedObject.objects.filter(source="registry").count() == 4
    actions = list(AuditEvent.objects.filter(action__startswith="inspections.").values_list("action", flat=True))
    assert "inspections.register_job.start" in actions and "inspections.object_sync_registry" in actions


def test_a_task_delivered_again_does_nothing(admin):
    _registry(3)
    job, _ = jobs.start_sync(admin)
    assert run_register_job.func(job.pk)["added"] == 3
    from zhengwu.datashare.models import LegalEntityRecord

    LegalEntityRecord.objects.update(status="吊销")  # a second real run would close all three
    again = run_register_job.func(job.pk)
    assert again["status"] == "done" and (again["progress"], again["added"], again["closed"]) == (3, 3, 0)
    assert InspectedObject.objects.filter(is_active=True).count() == 3
    job2, _ = jobs.start_sync(admin)
    RegisterJob.objects.filter(pk=job2.pk).update(status="running")  # claimed by another worker
    assert run_register_job.func(job2.pk)["progress"] == 0
    assert InspectedObject.objects.filter(is_active=True).count() == 3
    assert run_register_job.func(999999) == {"job": 999999, "status": "missing"}


def test_a_second_sync_over_an_overlapping_region_is_refused(admin, make_staff, dept, district):
    from zhengwu.org.models import Region

    first, _ = jobs.start_sync(admin, "410105")
    colleague = make_staff("approver", department=dept)
    with pytest.raises(ValidationError) as e:
        jobs.start_sync(colleague, "")
    assert f"已有一个覆盖该区划的法人库同步任务（第{first.pk}号，区划410105，排队中）" in e.value.messages[0]
    elsewhere = Region.objects.create(code="420100000000", name="武汉市")
    other = make_staff("dept_admin", department=dept, region=elsewhere)
    assert jobs.start_sync(other)[1]  # 420100: no overlap
    r = _client(colleague).post(reverse("inspections:reg_object_sync"), {"region": "41010500", "token": "x"},
                                follow=True)
    assert "请等它完成后再同步" in r.content.decode() and RegisterJob.objects.count() == 2
    run_register_job.func(first.pk)
    assert jobs.start_sync(colleague)[1]  # the first one finished


def test_a_running_sync_without_progress_is_abandoned(admin):
    job, _ = jobs.start_sync(admin)
    RegisterJob.objects.filter(pk=job.pk).update(status="running")
    with pytest.raises(ValidationError):
        jobs.start_sync(admin)
    RegisterJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(minutes=16))
    assert jobs.start_sync(admin)[1]
    job.refresh_from_db()
    assert job.status == "failed" and "后台任务中断" in job.error


def test_region_out_of_scope_is_refused_in_the_request(admin):
    with pytest.raises(PermissionDenied):
        jobs.start_sync(admin, "4201")
    r = _client(admin).post(reverse("inspections:reg_object_sync"), {"region": "4201", "token": "a"}, follow=True)
    assert "该区划不在您的管理范围内" in r.content.decode()
    r = _client(admin).post(reverse("inspections:reg_object_sync"), {"region": "41x", "token": "b"}, follow=True)
    assert "该区划不在您的管理范围内" in r.content.decode()
    assert not RegisterJob.objects.exists() and not DBTaskResult.objects.exists()


def test_double_submission_shows_the_first_job(admin, django_capture_on_commit_callbacks):
    _registry(2)
    c = _client(admin)
    with django_capture_on_commit_callbacks(execute=True):
        first = c.post(reverse("inspections:reg_object_sync"), {"region": "", "token": "same"})
        second = c.post(reverse("inspections:reg_object_sync"), {"region": "", "token": "same"}, follow=True)
    job = RegisterJob.objects.get()
    assert job.status == "queued" and not InspectedObject.objects.exists()  # the page does not sync
    assert first.url == reverse("inspections:reg_object_job", args=[job.pk])
    assert second.redirect_chain[-1][0] == first.url and "该请求已提交过" in second.content.decode()
    assert DBTaskResult.objects.count() == 1


def test_sync_page_shows_progress_and_refreshes_while_running(admin):
    job, _ = jobs.start_sync(admin)
    RegisterJob.objects.filter(pk=job.pk).update(status="running", total=10, progress=4, added=3)
    page = _client(admin).get(reverse("inspections:reg_object_job", args=[job.pk])).content.decode()
    assert "已处理 4 / 10 条法人库记录" in page and 'data-zw-width="40"' in page
    assert '<meta http-equiv="refresh" content="3">' in page and "<script>" not in page
    RegisterJob.objects.filter(pk=job.pk).update(status="failed", error="后台任务中断")
    page = _client(admin).get(reverse("inspections:reg_object_job", args=[job.pk])).content.decode()
    assert "失败：</strong>后台任务中断" in page and 'http-equiv="refresh"' not in page


# -- big imports ----------------------------------------------------------------------------------
def test_big_import_runs_in_the_background_with_the_same_report(admin, monkeypatch,
                                                                 django_capture_on_commit_callbacks):
    monkeypatch.setattr(jobs, "SYNC_IMPORT_MAX_BYTES", 10)
    monkeypatch.setattr(jobs, "IMPORT_CHUNK", 2)
    text = _objects_csv()
    c = _client(admin)
    with django_capture_on_commit_callbacks(execute=True):
        r = c.post(reverse("inspections:reg_object_import"), {"file": csv_file(text), "token": "imp"})
    job = RegisterJob.objects.get()
    assert r.status_code == 302 and r.url == reverse("inspections:reg_object_job", args=[job.pk])
    assert job.kind == "import" and job.status == "queued" and not InspectedObject.objects.exists()
    assert DBTaskResult.objects.get().args_kwargs["args"] == [job.pk]
    stored = job.source.name
    assert default_storage.exists(stored)
    with open(default_storage.path(stored), "rb") as fh:
        assert "金水路".encode() not in fh.read()  # encrypted at rest
    assert "排队中" in c.get(r.url).content.decode()

    result = run_register_job.func(job.pk)
    job.refresh_from_db()
    assert result["status"] == "done" and (job.added, job.updated, job.rejected) == (3, 0, 4)
    assert job.total == 7 and job.progress == 7
    assert not default_storage.exists(stored) and not job.source  # the upload is deleted
    page = c.get(r.url).content.decode()
    assert "共7行：导入3行，更新0行，未导入4行。" in page and "第5行：统一社会信用代码" in page
    assert run_register_job.func(job.pk)["added"] == 3  # delivered twice: not imported again

    InspectedObject.objects.all().delete()
    assert osvc.import_objects(admin, csv_file(text)).as_dict() == job.report  # as a small file's report


def test_small_import_stays_synchronous(admin):
    r = _client(admin).post(reverse("inspections:reg_object_import"), {"file": csv_file(_objects_csv()),
                                                                         "token": "s"})
    assert r.status_code == 200 and "共7行：导入3行" in r.content.decode()
    assert not RegisterJob.objects.exists() and InspectedObject.objects.count() == 3


def test_big_import_header_problem_is_shown_at_once(admin, monkeypatch):
    monkeypatch.setattr(jobs, "SYNC_IMPORT_MAX_BYTES", 10)
    c = _client(admin)
    r = c.post(reverse("inspections:reg_object_import"), {"file": csv_file("名字,地址\n甲,乙\n")})
    assert r.status_code == 400 and "第1行（表头）缺少列：名称、所在区划" in r.content.decode()
    r = c.post(reverse("inspections:reg_object_import"), {"file": xlsx([["名称", "行业"], ["甲", "餐饮"]])})
    assert r.status_code == 400 and "缺少列：所在区划" in r.content.decode()
    r = c.post(reverse("inspections:reg_object_import"), {"file": csv_file("x" * 20, name="a.pdf")})
    assert r.status_code == 400 and "请上传 .xlsx 或 .csv 文件" in r.content.decode()
    r = c.post(reverse("inspections:reg_object_import"),
               {"file": csv_file("名称,所在区划\n甲,410105\n", encoding="utf-16")})
    assert r.status_code == 400 and "UTF-8或GBK" in r.content.decode()
    assert not RegisterJob.objects.exists()


def test_big_xlsx_import_and_a_file_over_the_row_limit(admin, monkeypatch):
    from zhengwu.inspections import registers_rules

    monkeypatch.setattr(jobs, "SYNC_IMPORT_MAX_BYTES", 10)
    good = make_uscc("9", "1", "410105", "MX000001")
    job, created = jobs.start_import(admin, xlsx([["名称", "统一社会信用代码", "所在区划"], ["甲", good, "410105"]]))
    assert created and run_register_job.func(job.pk)["added"] == 1
    monkeypatch.setattr(registers_rules, "MAX_IMPORT_ROWS", 2)
    job, _ = jobs.start_import(admin, csv_file(_objects_csv()))
    stored = job.source.name
    run_register_job.func(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "一次最多导入2行" and not default_storage.exists(stored)


def test_a_job_whose_upload_vanished_fails_with_a_message(admin, monkeypatch):
    monkeypatch.setattr(jobs, "SYNC_IMPORT_MAX_BYTES", 10)
    job, _ = jobs.start_import(admin, csv_file(_objects_csv()))
    default_storage.delete(job.source.name)
    run_register_job.func(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.error == "上传的文件已不存在，请重新上传"


def test_an_error_in_the_task_fails_the_job_not_the_worker(admin, monkeypatch):
    job, _ = jobs.start_sync(admin)

    def broken(*a, **kw):
        raise RuntimeError("boom")

    monkeypatch.setattr(osvc, "sync_scope", broken)
    assert run_register_job.func(job.pk)["status"] == "failed"
    job.refresh_from_db()
    assert "后台任务出错" in job.error and "boom" not in job.error


# -- who sees a job ------------------------------------------------------------------------------
def test_job_page_by_role(admin, make_staff, make_citizen, dept):
    from zhengwu.org.models import Region

    job, _ = jobs.start_sync(admin)
    url = reverse("inspections:reg_object_job", args=[job.pk])
    assert _client(admin).get(url).status_code == 200
    assert _client(make_staff("leader")).get(url).status_code == 200
    assert _client(make_staff("supervisor")).get(url).status_code == 200
    r = _client(make_staff("hotline")).get(url)
    assert r.status_code == 403 and "仅部门管理员、审批人员、督办人员、领导可以使用此功能" in r.content.decode()
    assert _client(make_citizen()).get(url).status_code == 403
    assert Client().get(url).status_code == 302  # to the login page
    elsewhere = Region.objects.create(code="420100000000", name="武汉市")
    assert _client(make_staff("dept_admin", department=dept, region=elsewhere)).get(url).status_code == 404
    listing = _client(admin).get(reverse("inspections:reg_objects")).content.decode()
    assert f'href="{url}"' in listing and "最近的同步和导入" in listing


def test_job_status_api(admin, make_staff):
    job, _ = jobs.start_sync(admin, "410105")
    api = ApiClient(admin, base="/api/v1/inspections/")
    r = api.get(f"object-jobs/{job.pk}")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "queued" and body["status_label"] == "排队中"
    assert body["kind_label"] == "法人库同步" and body["status_url"] == f"/api/v1/inspections/object-jobs/{job.pk}"
    assert body["page_url"] == reverse("inspections:reg_object_job", args=[job.pk])
    run_register_job.func(job.pk)
    assert api.get(f"object-jobs/{job.pk}").json()["status"] == "done"
    assert [j["id"] for j in api.get("object-jobs").json()] == [job.pk]
    r = api.get("object-jobs/999999")
    assert r.status_code == 404 and "没有该后台任务" in r.json()["detail"]
    r = ApiClient(make_staff("hotline"), base="/api/v1/inspections/").get(f"object-jobs/{job.pk}")
    assert r.status_code == 403 and "仅部门管理员" in r.json()["detail"]
    assert ApiClient(None, base="/api/v1/inspections/").get(f"object-jobs/{job.pk}").status_code == 401
