"""The 事项导入导出 workbench page: who may use it, the report it shows, background jobs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.catalog.import_fixtures import DEPT, read_xlsx, row, write_csv, write_xlsx
from zhengwu.catalog.models import ImportJob, ServiceItem
from zhengwu.catalog.services import imports
from zhengwu.org.models import Role

pytestmark = pytest.mark.django_db
PASSWORD = "Test@2026pw"


@pytest.fixture
def market(make_department):
    return make_department(name=DEPT)


@pytest.fixture
def admin_client(client, make_staff, district):
    user = make_staff(Role.ITEM_ADMIN)
    client.force_login(user)
    client.user = user
    return client


def upload(client, path, token="t1", region="410105000000", **extra):
    with open(path, "rb") as f:
        return client.post(reverse("catalog:wb_import"), {"file": f, "region": region, "token": token, **extra})


def test_only_item_admins_may_use_the_page(client, make_staff, district):
    assert client.get(reverse("catalog:wb_import")).status_code == 302  # to the login page
    client.force_login(make_staff(Role.APPROVER))
    assert client.get(reverse("catalog:wb_import")).status_code == 403
    assert client.get(reverse("catalog:wb_export") + "?region=410105000000").status_code == 403


def test_the_page_warns_that_a_blank_cell_clears_the_field(admin_client):
    page = admin_client.get(reverse("catalog:wb_import")).content.decode()
    assert "空单元格会清空该项" in page and "请删去不改的列再导入" in page


def test_upload_shows_counts_new_departments_and_bad_rows(tmp_path, admin_client, market):
    path = write_xlsx(tmp_path / "清单.xlsx", [
        row(), row(事项名称="人防审批", 实施主体="郑州市金水区人民防空办公室", 基本编码=""),
        row(事项名称="时限倒挂", 基本编码="", 法定时限=5, 承诺时限=9),
    ])
    page = admin_client.get(reverse("catalog:wb_import"))
    assert page.status_code == 200 and "开始导入" in page.content.decode()
    response = upload(admin_client, path)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("catalog:wb_import_job", args=[job.pk])
    html = admin_client.get(response.url).content.decode()
    assert 'id="count-created">1<' in html and 'id="count-failed">2<' in html
    assert "机构库中没有“郑州市金水区人民防空办公室”，请先在机构管理中添加，或检查名称" in html
    assert 'id="created-departments"' not in html
    assert "承诺时限（9个工作日）不能超过法定时限（5个工作日）" in html
    assert (job.status, job.requested_by, job.file) == ("done", admin_client.user, "")
    errors = admin_client.get(reverse("catalog:wb_import_job_errors", args=[job.pk]))
    assert "时限倒挂" not in errors.content.decode("utf-8-sig") and "承诺时限" in errors.content.decode("utf-8-sig")


def test_new_departments_only_when_the_box_is_ticked(tmp_path, admin_client, market):
    from zhengwu.org.models import Department

    page = admin_client.get(reverse("catalog:wb_import")).content.decode()
    assert 'name="create_departments"' in page and "checked" not in page.split('name="create_departments"')[1][:80]
    path = write_xlsx(tmp_path / "清单.xlsx", [row(事项名称="人防审批", 实施主体="郑州市金水区人民防空办公室", 基本编码="")])
    html = admin_client.get(upload(admin_client, path, token="a").url).content.decode()
    assert 'id="count-failed">1<' in html and not Department.objects.filter(name="郑州市金水区人民防空办公室").exists()
    html = admin_client.get(upload(admin_client, path, token="b", create_departments="on").url).content.decode()
    assert 'id="count-created">1<' in html and 'id="created-departments"' in html
    assert Department.objects.filter(name="郑州市金水区人民防空办公室").exists()


def test_the_report_lists_every_problem_of_a_bad_row(tmp_path, admin_client, market):
    path = write_xlsx(tmp_path / "bad.xlsx", [row(事项名称="两处错", 基本编码="", 办件类型="马上办", 法定时限=5, 承诺时限=9)])
    job_url = upload(admin_client, path).url
    html = admin_client.get(job_url).content.decode()
    assert 'id="count-failed">1<' in html and "1 行，2 处问题" in html
    assert "办件类型应为“即办件”或“承诺件”" in html and "承诺时限（9个工作日）不能超过法定时限（5个工作日）" in html
    job = ImportJob.objects.get()
    listed = admin_client.get(reverse("catalog:wb_import_job_errors", args=[job.pk])).content.decode("utf-8-sig")
    assert listed.count("\n2,") == 2 and "办件类型" in listed and "承诺时限" in listed
    assert not ServiceItem.objects.exists()


def test_double_submission_does_not_import_twice(tmp_path, admin_client, market):
    path = write_csv(tmp_path / "a.csv", [row()])
    first = upload(admin_client, path, token="same")
    second = upload(admin_client, path, token="same")
    assert first.url == second.url
    assert ImportJob.objects.count() == 1 and ServiceItem.objects.count() == 1
    # A new form (new token) with the same file: a second job that finds nothing to change.
    upload(admin_client, path, token="other")
    assert ImportJob.objects.count() == 2 and ServiceItem.objects.count() == 1
    assert ImportJob.objects.order_by("-pk").first().result["unchanged"] == 1


def test_bad_file_is_refused_with_a_message(tmp_path, admin_client, district):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    html = upload(admin_client, path).content.decode()
    assert "只能导入 .xlsx 或 .csv 文件" in html
    bad = tmp_path / "bad.csv"
    bad.write_text("部门简称,名称\n甲,乙\n", encoding="utf-8")
    response = upload(admin_client, bad)
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert "缺少必需的列：实施主体、事项名称" in admin_client.get(response.url).content.decode()


def test_large_files_run_as_a_background_job(tmp_path, admin_client, market, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    from zhengwu.catalog.tasks import run_import_job

    monkeypatch.setattr(imports, "SYNC_ROW_LIMIT", 2)
    path = write_xlsx(tmp_path / "big.xlsx", [row(事项名称=f"事项{i}", 基本编码="") for i in range(5)])
    response = upload(admin_client, path)
    job = ImportJob.objects.get()
    assert job.status == "queued" and job.file and job.task_id
    assert DBTaskResult.objects.filter(id=job.task_id).exists()
    html = admin_client.get(response.url).content.decode()
    assert 'http-equiv="refresh"' in html and "排队" in html
    # What `zhengwu worker` does with the task:
    assert run_import_job.call(job.pk)["created"] == 5
    job.refresh_from_db()
    assert job.status == "done" and not job.file and job.progress == 5
    html = admin_client.get(response.url).content.decode()
    assert 'id="count-created">5<' in html and 'http-equiv="refresh"' not in html
    assert run_import_job.call(job.pk)["created"] == 5  # delivered twice: runs once
    assert ServiceItem.objects.count() == 5


def test_export_and_template_downloads(tmp_path, admin_client, market, settings):
    settings.ZHENGWU_CATALOG_FOUR_EYES = False  # the direct-publish import (ADR 0060)
    imports.import_items(write_xlsx(tmp_path / "a.xlsx", [row()]).read_bytes(), "a.xlsx", market.region)
    response = admin_client.get(reverse("catalog:wb_export") + "?region=410105000000")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    out = tmp_path / "download.xlsx"
    out.write_bytes(b"".join(response.streaming_content))
    assert read_xlsx(out)[1][1] == "食品经营许可（新办）"
    csv_response = admin_client.get(reverse("catalog:wb_export") + "?region=410105000000&format=csv")
    assert b"".join(csv_response.streaming_content).decode("utf-8-sig").startswith("实施主体,事项名称")
    template = admin_client.get(reverse("catalog:wb_import_template"))
    out.write_bytes(b"".join(template.streaming_content))
    assert read_xlsx(out)[0][0] == "实施主体"


def test_another_users_job_in_another_region_is_hidden(tmp_path, client, make_staff, other_district, market):
    data = write_csv(tmp_path / "a.csv", [row()]).read_bytes()
    job, _ = imports.submit_job(region=other_district, data=data, file_name="a.csv")
    client.force_login(make_staff(Role.ITEM_ADMIN))  # granted for 金水区 only
    assert client.get(reverse("catalog:wb_import_job", args=[job.pk])).status_code == 403
