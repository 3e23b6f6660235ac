"""事项导入 under 双人复核 (ADR 0060): an import does not publish directly; 导入并提交审核 leaves
versions 待审核 submitted by the importer, another 事项管理员 approves the batch, items failing the
publication check stay 待审核 with their reasons; with 双人复核 off the direct publish remains."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.catalog.import_fixtures import DEPT, impl_code, row, write_xlsx
from zhengwu.catalog.models import ImportJob, ItemVersion, ServiceItem
from zhengwu.catalog.review_rules import OWN_EDIT_MESSAGE, OWN_SUBMISSION_MESSAGE
from zhengwu.catalog.services import import_review, imports
from zhengwu.catalog.services import items as svc
from zhengwu.core.models import AuditEvent
from zhengwu.org.models import Role

pytestmark = pytest.mark.django_db

NEW_NAME = "个体工商户登记"


@pytest.fixture
def market(make_department):
    return make_department(name=DEPT)


@pytest.fixture
def importer(make_staff):
    return make_staff(Role.ITEM_ADMIN)


@pytest.fixture
def other_admin(make_staff):
    return make_staff(Role.ITEM_ADMIN)


@pytest.fixture
def food(make_item, market):
    """A published item with a complete guide (咨询电话, 办理地点 …): the file changes its 承诺时限."""
    return make_item(name="食品经营许可（新办）", dept=market)


@pytest.fixture
def batch_file(tmp_path):
    # Row 2 changes the published item (the guide keeps its 咨询电话 and 办理地点); row 3 is a new
    # item whose guide has neither (the file has no such columns): it cannot be published yet.
    return write_xlsx(tmp_path / "清单.xlsx", [row(承诺时限=3), row(事项名称=NEW_NAME, 基本编码="", 事项类型="公共服务")])


def submit_import(path, region, user):
    data = path.read_bytes()
    job, _ = imports.submit_job(region=region, data=data, file_name=path.name, submit=True, user=user)
    report = imports.run_job(job, data)
    job.refresh_from_db()
    return job, report


def test_import_cannot_publish_directly_with_four_eyes_on(batch_file, district, market, food):
    report = imports.import_items(batch_file.read_bytes(), batch_file.name, district)
    assert report.fatal == imports.PUBLISH_REFUSED and "导入并提交审核" in report.fatal
    assert not ServiceItem.objects.filter(name=NEW_NAME).exists()
    assert food.versions.count() == 1
    # The same through a job: it fails with the message and writes nothing.
    job, _ = imports.submit_job(region=district, data=batch_file.read_bytes(), file_name="a.xlsx")
    report = imports.run_job(job, batch_file.read_bytes())
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "双人复核" in job.error
    assert not ServiceItem.objects.filter(name=NEW_NAME).exists()


def test_import_and_submit_leaves_versions_pending_submitted_by_the_importer(batch_file, district, importer, food):
    job, report = submit_import(batch_file, district, importer)
    assert (report.created, report.updated, report.failed, report.submit) == (1, 1, 0, True)
    assert "导入并提交审核" in "\n".join(report.lines())

    food.refresh_from_db()
    v2 = food.versions.get(number=2)
    assert (v2.state, v2.submitted_by, v2.edited_by, v2.import_job) == ("pending", importer, importer, job)
    assert v2.submitted_at is not None and v2.promised_days == 3
    assert (food.status, food.published_version.number, food.promised_days) == ("published", 1, 5)  # public: v1

    new = ServiceItem.objects.get(name=NEW_NAME)
    (v1,) = new.versions.all()
    assert (new.status, new.published_version, v1.state, v1.submitted_by) == ("pending", None, "pending", importer)
    assert set(import_review.batch_versions(job)) == {v1, v2}
    (event,) = AuditEvent.objects.filter(action="catalog.items.import")
    assert event.after["submit"] is True


def test_the_importer_cannot_approve_the_batch(batch_file, district, importer, food):
    job, _ = submit_import(batch_file, district, importer)
    result = import_review.approve_batch(importer, job)
    assert not result.published and len(result.refused) == 2
    assert all(OWN_SUBMISSION_MESSAGE in reasons for _, _, reasons in result.refused)
    with pytest.raises(ValidationError) as exc:
        svc.approve_and_publish(importer, food.pk, lock_version=ServiceItem.objects.get(pk=food.pk).lock_version)
    assert exc.value.code == "self_review"
    assert ItemVersion.objects.filter(import_job=job, state="pending").count() == 2


def test_another_admin_approves_the_batch_and_failing_items_stay_pending(batch_file, district, importer,
                                                                         other_admin, food):
    job, _ = submit_import(batch_file, district, importer)
    result = import_review.approve_batch(other_admin, job)

    assert [(pk, number) for pk, _, number in result.published] == [(food.pk, 2)]
    food.refresh_from_db()
    assert (food.published_version.number, food.promised_days, food.published_version.reviewed_by) == \
        (2, 3, other_admin)
    assert food.versions.get(number=1).state == "superseded"

    new = ServiceItem.objects.get(name=NEW_NAME)
    ((pk, name, reasons),) = result.refused
    assert (pk, name) == (new.pk, NEW_NAME)
    assert "发布前须填写咨询电话" in reasons
    assert "发布前须填写办理地点，或在办理形式中选择“网上办理”" in reasons
    # Not half published: the version, the item and its headline are as before.
    new.refresh_from_db()
    assert (new.status, new.published_version) == ("pending", None)
    assert new.versions.get().state == "pending" and new.versions.get().reviewed_by is None
    assert list(import_review.batch_versions(job)) == [new.versions.get()]

    (event,) = AuditEvent.objects.filter(action=import_review.AUDIT_ACTION)
    assert (event.after["published"], event.after["refused"]) == (1, 1)
    publish = AuditEvent.objects.get(action="catalog.item.publish", object_id=str(food.pk), actor_id=other_admin.pk)
    assert "self_review" not in publish.after


def test_only_the_ticked_items_of_the_batch_are_approved(batch_file, district, importer, other_admin, food):
    job, _ = submit_import(batch_file, district, importer)
    result = import_review.approve_batch(other_admin, job, item_ids=[food.pk, 999999])
    assert [pk for pk, _, _ in result.published] == [food.pk] and not result.refused
    assert ServiceItem.objects.get(name=NEW_NAME).versions.get().state == "pending"


def test_a_reviewer_who_completes_an_item_needs_a_third_person_or_the_importer(
        batch_file, district, importer, other_admin, food):
    """The reviewer fills in what is missing: withdraw, edit, submit again. Now the reviewer is
    submitter and last editor, so the importer (or a third admin) approves; the version has left
    the batch (it was changed after the import)."""
    job, _ = submit_import(batch_file, district, importer)
    new = ServiceItem.objects.get(name=NEW_NAME)
    svc.withdraw(other_admin, new, lock_version=new.lock_version)
    new.refresh_from_db()
    svc.edit_draft(other_admin, new, lock_version=new.lock_version,
                   data={"consult_phone": "0371-65500004", "locations": "金水区政务服务中心B区", "channels": ["window"]})
    new.refresh_from_db()
    svc.submit_for_review(other_admin, new, lock_version=new.lock_version)
    new.refresh_from_db()
    assert not import_review.batch_versions(job).filter(service_item=new).exists()
    with pytest.raises(ValidationError) as exc:
        svc.approve_and_publish(other_admin, new, lock_version=new.lock_version)
    assert exc.value.messages == [OWN_SUBMISSION_MESSAGE]
    version = svc.approve_and_publish(importer, new, lock_version=new.lock_version)
    assert version.state == "published" and version.reviewed_by == importer
    assert OWN_EDIT_MESSAGE  # the rule's other half: the last editor may not approve either


def test_with_four_eyes_off_the_import_still_publishes_directly(settings, batch_file, district, importer, food):
    settings.ZHENGWU_CATALOG_FOUR_EYES = False
    report = imports.import_items(batch_file.read_bytes(), batch_file.name, district, actor=importer)
    assert not report.fatal and (report.created, report.updated) == (1, 1)
    food.refresh_from_db()
    assert (food.published_version.number, food.published_version.reviewed_by, food.promised_days) == (2, importer, 3)
    new = ServiceItem.objects.get(name=NEW_NAME)
    assert (new.status, new.published_version.state) == ("published", "published")
    (event,) = AuditEvent.objects.filter(action="catalog.items.import")
    assert (event.actor_id, event.after["as_draft"], event.after["submit"]) == (importer.pk, False, False)


# -- the command ----------------------------------------------------------------------------------
def test_command_imports_as_draft_by_default_and_refuses_publish(batch_file, district, importer, food, capsys):
    with pytest.raises(CommandError) as exc:
        call_command("import_items", str(batch_file), "--region", "410105", "--publish")
    assert "不能直接发布" in str(exc.value) and "--submit" in str(exc.value) and "--as-draft" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call_command("import_items", str(batch_file), "--region", "410105", "--submit")
    assert "--user" in str(exc.value)
    with pytest.raises(CommandError) as exc:
        call_command("import_items", str(batch_file), "--region", "410105", "--submit", "--as-draft")
    assert "只能选一个" in str(exc.value)
    assert not ServiceItem.objects.filter(name=NEW_NAME).exists()

    call_command("import_items", str(batch_file), "--region", "410105")
    assert "本次导入为草稿" in capsys.readouterr().err
    assert ServiceItem.objects.get(name=NEW_NAME).versions.get().state == "draft"
    assert food.versions.get(number=2).state == "draft"


def test_command_submit_records_the_importer(batch_file, district, importer, food, capsys):
    call_command("import_items", str(batch_file), "--region", "410105", "--submit", "--user", importer.username)
    assert "导入并提交审核" in capsys.readouterr().out
    job = ImportJob.objects.get()
    assert (job.submit, job.source, job.requested_by) == (True, "cli", importer)
    assert {(v.state, v.submitted_by_id) for v in import_review.batch_versions(job)} == {("pending", importer.pk)}


def test_command_without_flags_publishes_when_four_eyes_is_off(settings, batch_file, district, food):
    settings.ZHENGWU_CATALOG_FOUR_EYES = False
    call_command("import_items", str(batch_file), "--region", "410105")
    assert ServiceItem.objects.get(name=NEW_NAME).status == "published"


# -- the pages ------------------------------------------------------------------------------------
def url(name, *args):
    from django.urls import reverse

    return reverse(f"catalog:{name}", args=args)


def upload(client, path, **extra):
    with open(path, "rb") as f:
        return client.post(url("wb_import"), {"file": f, "region": "410105000000", "token": "t1", **extra})


def test_import_page_offers_draft_or_submit_and_refuses_publish(client, batch_file, district, importer, food):
    client.force_login(importer)
    html = client.get(url("wb_import")).content.decode()
    assert 'id="id_mode_draft"' in html and 'id="id_mode_submit"' in html and "id_mode_publish" not in html
    assert "导入并提交审核" in html and 'id="import-four-eyes"' in html

    response = upload(client, batch_file, mode="publish")
    assert response.status_code == 200 and "导入不能直接发布" in response.content.decode()
    assert not ImportJob.objects.exists()

    response = upload(client, batch_file, mode="submit")
    job = ImportJob.objects.get()
    assert response.url == url("wb_import_job", job.pk) and job.submit and job.requested_by == importer
    html = client.get(response.url).content.decode()
    assert 'id="batch-pending"' in html and "本批次待审核 2 项" in html and "您是提交人" in html


def test_import_page_still_publishes_when_four_eyes_is_off(settings, client, batch_file, district, importer, food):
    settings.ZHENGWU_CATALOG_FOUR_EYES = False
    client.force_login(importer)
    assert 'id="id_mode_publish"' in client.get(url("wb_import")).content.decode()
    upload(client, batch_file, mode="publish")
    assert ServiceItem.objects.get(name=NEW_NAME).status == "published"


def test_batch_page_shows_what_is_missing_and_approves_the_batch(client, batch_file, district, importer,
                                                                 other_admin, food):
    job, _ = submit_import(batch_file, district, importer)
    new = ServiceItem.objects.get(name=NEW_NAME)

    client.force_login(importer)
    html = client.get(url("wb_import_batch", job.pk)).content.decode()
    assert 'id="batch-own"' in html and 'id="batch-approve-all" disabled' in html

    client.force_login(other_admin)
    queue = client.get(url("wb_items") + "?stage=pending_review").content.decode()
    assert 'id="import-batches"' in queue and url("wb_import_batch", job.pk) in queue and "待审核 2 项" in queue
    html = client.get(url("wb_import_batch", job.pk)).content.decode()
    assert 'id="batch-total">2<' in html and "发布前须填写咨询电话" in html
    assert f'value="{food.pk}" id="batch-item-{food.pk}" aria-label="选择 食品经营许可（新办）" checked' in html

    html = client.post(url("wb_import_batch", job.pk), {"scope": "all"}, follow=True).content.decode()
    assert "已通过并发布 1 项" in html and "1 项未发布，仍为待审核" in html
    assert 'id="batch-refused"' in html and f"{NEW_NAME}</a>：" in html and "发布前须填写咨询电话" in html
    assert ServiceItem.objects.get(pk=food.pk).published_version.number == 2
    assert new.versions.get().state == "pending"


def test_review_page_lists_missing_fields_and_leads_to_the_editor(client, batch_file, district, importer,
                                                                  other_admin, food):
    submit_import(batch_file, district, importer)
    new = ServiceItem.objects.get(name=NEW_NAME)
    client.force_login(other_admin)
    html = client.get(url("wb_item_review", new.pk)).content.decode()
    assert 'id="review-missing"' in html and "发布前须填写咨询电话" in html and 'id="review-fix-consult_phone"' in html
    assert "须由另一位事项管理员（例如导入人）审核通过" in html
    response = client.post(url("wb_item_withdraw", new.pk), {"lock_version": new.lock_version, "field": "consult_phone"})
    assert response.url == url("wb_item_edit", new.pk) + "#id_consult_phone"
    assert new.versions.get().state == "draft"


# -- a file that fills every column passes the review ------------------------------------------------
def full_row(name: str) -> dict:
    """One row with every column of the import format filled (what the 模板 offers)."""
    base = "000105001000"
    return row(事项名称=name, 实施编码=impl_code(base), 主项名称="食品经营许可", 业务办理项名称="首次申请",
               业务办理项编码=impl_code(base) + "01", 收费="工本费：20元/证（依据：豫发改收费〔2017〕1号）",
               办理形式="窗口办理、网上办理", 办理地点="金水区政务服务中心B区3号窗口", 办理时间="周一至周五 9:00-17:30",
               咨询电话="0371-65500004", 监督投诉电话="12345")


def test_a_row_with_every_column_filled_passes_the_batch_review(tmp_path, district, market, importer, other_admin):
    header = [c.title for c in imports.importer.COLUMNS]
    values = full_row(NEW_NAME)
    assert set(header) <= set(values) and all(values[h] not in ("", None) for h in header)
    path = write_xlsx(tmp_path / "全列.xlsx", [values], header=header)

    job, report = submit_import(path, district, importer)
    assert (report.created, report.failed) == (1, 0), report.errors
    result = import_review.approve_batch(other_admin, job)
    assert not result.refused, result.refused
    new = ServiceItem.objects.get(name=NEW_NAME)
    assert [pk for pk, _, _ in result.published] == [new.pk]
    v = new.published_version
    assert (new.status, v.state, v.reviewed_by) == ("published", "published", other_admin)
    assert v.channels == ["window", "online"] and v.locations == "金水区政务服务中心B区3号窗口"
    assert (v.consult_phone, v.complaint_phone, v.office_hours) == ("0371-65500004", "12345", "周一至周五 9:00-17:30")


def test_job_page_counts_say_what_waits_for_review(client, batch_file, district, importer, food):
    """导入并提交审核: the counts name what was submitted, consistent with 本批次待审核."""
    client.force_login(importer)
    response = upload(client, batch_file, mode="submit")
    html = client.get(response.url).content.decode()
    assert "新增事项（待审核）" in html and "修改事项（待审核）" in html
    assert 'id="count-created">1<' in html and 'id="count-updated">1<' in html
    assert "已提交审核 2 项（新增事项 1 项、修改事项 1 项）" in html and "本批次待审核 2 项" in html
    assert "生成新版本" not in html


def test_job_page_counts_for_a_draft_import(client, batch_file, district, importer, food):
    client.force_login(importer)
    response = upload(client, batch_file, mode="draft")
    html = client.get(response.url).content.decode()
    assert "新增事项（草稿）" in html and "修改事项（草稿）" in html
    assert "已生成草稿 2 项（新增事项 1 项、修改事项 1 项）" in html and "生成新版本" not in html


def _job_list_result(client) -> str:
    """The 结果 cell of the newest job in 最近的导入 on the import page."""
    import re

    html = client.get(url("wb_import")).content.decode()
    table = html[html.index('id="job-table"'):]
    return re.search(r'<td class="small"[^>]*>(.*?)</td>', table, re.S).group(1).strip()


@pytest.mark.parametrize("mode,state", [("submit", "（待审核）"), ("draft", "（草稿）")])
def test_the_job_list_counts_as_the_job_page_does(client, batch_file, district, importer, food, mode, state):
    """最近的导入 said 新增 1 · 更新 1 for a job whose page says 新增事项（待审核） 1: the list now
    labels the counts as the page does."""
    client.force_login(importer)
    upload(client, batch_file, mode=mode)
    cell = _job_list_result(client)
    assert cell == f"新增事项{state} 1 · 修改事项{state} 1 · 无变化 0 · 失败 0", cell


def test_the_job_list_of_a_publishing_import_keeps_new_and_updated(client, batch_file, district, importer, food,
                                                                      settings):
    settings.ZHENGWU_CATALOG_FOUR_EYES = False  # the direct-publish import (ADR 0060)
    client.force_login(importer)
    upload(client, batch_file, mode="publish")
    assert _job_list_result(client) == "新增 1 · 更新 1 · 无变化 0 · 失败 0"


def test_command_report_counts_what_was_submitted(batch_file, district, importer, food, capsys):
    call_command("import_items", str(batch_file), "--region", "410105", "--submit", "--user", importer.username)
    out = capsys.readouterr().out
    assert "已提交审核 2 项（新增事项 1 项、修改事项 1 项）" in out and "新版本" not in out


def test_import_page_says_how_a_missing_element_is_completed(client, district, importer):
    """The promise matches the review page: a pending version cannot be edited; the reviewer
    sends it back (退回修改) or withdraws it to complete it (撤回审核并补充)."""
    client.force_login(importer)
    html = client.get(url("wb_import")).content.decode()
    assert "审核人在审核页可看到缺少哪些并补充" not in html
    assert "退回修改" in html and "撤回审核并补充" in html and "办理形式" in html


def test_the_templates_example_row_passes_the_batch_review(client, tmp_path, district, market, importer, other_admin):
    """The downloadable 模板 has the publication columns, and its example row, imported for review,
    is published by another 事项管理员 as it is."""
    client.force_login(importer)
    response = client.get(url("wb_import_template"))
    path = tmp_path / "模板.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    from tests.catalog.import_fixtures import read_xlsx

    header, example = read_xlsx(path)[:2]
    filled = {h: v for h, v in zip(header, example) if v not in (None, "")}
    assert {"办理形式", "办理地点", "咨询电话"} <= set(filled), filled
    job, report = submit_import(path, district, importer)
    assert (report.created, report.failed) == (1, 0), report.errors
    result = import_review.approve_batch(other_admin, job)
    assert not result.refused and len(result.published) == 1


def test_an_item_without_materials_says_so_in_the_materials_cell(tmp_path, district, market, importer, other_admin):
    """发布 needs a material or 无需提交申请材料: the 申请材料 cell can say the latter."""
    header = [c.title for c in imports.importer.COLUMNS]
    path = write_xlsx(tmp_path / "零材料.xlsx", [full_row(NEW_NAME) | {"申请材料": "无需提交申请材料"}], header=header)
    job, report = submit_import(path, district, importer)
    assert (report.created, report.failed) == (1, 0), report.errors
    result = import_review.approve_batch(other_admin, job)
    assert not result.refused, result.refused
    version = ServiceItem.objects.get(name=NEW_NAME).published_version
    assert version.no_materials is True and not version.materials.exists()

    out = tmp_path / "export.xlsx"
    imports.export_items(district, out)
    from tests.catalog.import_fixtures import read_xlsx

    rows = read_xlsx(out)
    assert dict(zip(rows[0], rows[1]))["申请材料"] == "无需提交申请材料"
    job2, report = submit_import(out, district, importer)
    assert (report.unchanged, report.created, report.updated) == (1, 0, 0)
