"""基础库 workbench pages: who may use them, upload → report, audited download and reveal,
double submissions, the background task."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
import pytest

from zhengwu.core.identifiers import make_id_number
from zhengwu.core.models import AuditEvent
from zhengwu.datashare.models import ImportBatch, PersonRecord
from zhengwu.org.models import Role

pytestmark = pytest.mark.django_db
ID1 = make_id_number("41010519900517123")
CSV = ("身份证号,姓名,性别,出生日期,民族,户籍地址,户籍区划,联系电话\n"
       f"{ID1},张三,男,1990-05-17,汉族,郑州市花园路1号,410105000000,13800001234\n"
       f"{ID1[:-1]}{'0' if ID1[-1] != '0' else '1'},李四,男,,,,,\n").encode("gbk")


@pytest.fixture
def data_admin(client, make_staff):
    user = make_staff(Role.DATA_ADMIN)
    client.force_login(user)
    client.user = user
    return client


def upload(client, data=CSV, name="人口.csv", token="t1", kind="person"):
    return client.post(reverse("datashare:registry_import"),
                       {"kind": kind, "token": token, "file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize("url", ["datashare:registry_import", "datashare:registry_browse"])
def test_only_data_admins(client, make_staff, url):
    assert client.get(reverse(url)).status_code == 302
    client.force_login(make_staff(Role.APPROVER))
    assert client.get(reverse(url)).status_code == 403


def test_upload_shows_quality_report_and_download_is_audited(data_admin):
    response = upload(data_admin)
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("datashare:registry_batch", args=[batch.pk])
    page = data_admin.get(response.url).content.decode()
    assert "身份证号不正确：校验位（第18位）不正确" in page and "未导入" in page
    assert ID1 not in page
    assert PersonRecord.objects.count() == 1
    report = data_admin.get(reverse("datashare:registry_report", args=[batch.pk]))
    body = b"".join(report.streaming_content).decode("utf-8-sig")
    assert "行号" in body and "3,身份证号" in body and ID1[:-1] not in body
    assert AuditEvent.objects.filter(action="datashare.registry_report.download", object_id=str(batch.pk)).exists()


def test_double_submission_imports_once(data_admin):
    upload(data_admin, token="same")
    second = upload(data_admin, token="same")
    assert ImportBatch.objects.count() == 1
    assert second.url == reverse("datashare:registry_batch", args=[ImportBatch.objects.get().pk])


def test_wrong_header_shows_chinese_message_and_loads_nothing(data_admin):
    response = upload(data_admin, "姓名,电话\n张三,1\n".encode(), token="h")
    page = data_admin.get(response.url).content.decode()
    assert "缺少必填列“身份证号”" in page and "库中数据未改变" in page
    assert PersonRecord.objects.count() == 0


def test_wrong_file_type_is_refused_on_the_form(data_admin):
    response = upload(data_admin, b"%PDF", name="a.pdf")
    assert response.status_code == 200 and "只能是 .csv 或 .xlsx" in response.content.decode()
    assert ImportBatch.objects.count() == 0


def test_big_upload_runs_as_background_task(data_admin, monkeypatch, django_capture_on_commit_callbacks):
    from zhengwu.datashare import views_registries
    from zhengwu.datashare.tasks_registries import run_registry_import

    monkeypatch.setattr(views_registries, "SYNC_MAX_BYTES", 10)
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        response = upload(data_admin, token="bg")
    batch = ImportBatch.objects.get()
    task = DBTaskResult.objects.get()
    assert task.args_kwargs["args"] == [batch.pk] and batch.status == ImportBatch.Status.RUNNING
    assert "本页每3秒自动刷新" in data_admin.get(response.url).content.decode()
    result = run_registry_import.func(batch.pk)
    assert result["status"] == "done" and result["loaded"] == 1 and result["bad"] == 1
    from django.core.files.storage import default_storage

    assert not default_storage.exists(batch.summary["source"])  # the upload is deleted after the import
    assert run_registry_import.func(batch.pk)["loaded"] == 1  # delivered twice: not imported again


def test_browse_finds_masked_and_reveal_is_audited(data_admin):
    upload(data_admin)
    page = data_admin.post(reverse("datashare:registry_browse"), {"kind": "person", "q": ID1}).content.decode()
    assert ID1[:4] + "*" * 10 + ID1[-4:] in page and ID1 not in page and "张*" in page
    assert "410105000000" in page  # counts by region
    assert AuditEvent.objects.filter(action="datashare.registry.lookup").count() == 1
    page = data_admin.post(reverse("datashare:registry_browse"),
                           {"kind": "person", "pk": PersonRecord.objects.get().pk, "reveal": "id_number"}).content.decode()
    assert ID1 in page and "已记录查看" in page
    assert AuditEvent.objects.filter(action="pii.reveal").count() == 1
    page = data_admin.post(reverse("datashare:registry_browse"), {"kind": "person", "q": "123"}).content.decode()
    assert "身份证号不正确：位数不对" in page
    missing = make_id_number("41010219851201002")
    page = data_admin.post(reverse("datashare:registry_browse"), {"kind": "person", "q": missing}).content.decode()
    assert "人口库中没有这条记录" in page
