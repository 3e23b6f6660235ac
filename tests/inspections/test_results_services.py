"""Recording results and 公示: who may, the refusals (an object not drawn, an old draw, bad dates),
the version check, holding and the publish job, attachments."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.inspections import results_factories as f
from zhengwu.core import calendar
from zhengwu.core.models import AuditEvent
from zhengwu.inspections.models import InspectionTask, TaskAttachment
from zhengwu.inspections.services import results as svc

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(dept, make_staff):
    inspector_user = make_staff(None)
    a = f.inspector(dept, user=inspector_user)
    b = f.inspector(dept)
    plan = f.plan(dept)
    d = f.draw(plan)
    drawn, spare = f.obj(), f.obj()
    task = f.task(d, drawn, [a, b])
    return {"dept": dept, "plan": plan, "draw": d, "task": task, "drawn": drawn, "spare": spare,
            "inspector_user": inspector_user, "admin": make_staff("dept_admin", department=dept)}


def test_an_inspector_records_and_it_is_published_with_its_due_date(world):
    t = world["task"]
    day = timezone.localdate()
    out = svc.record_result(t, world["inspector_user"], "rectify", "灭火器过期", day, expected_version=1)
    out.refresh_from_db()
    assert out.result == "rectify" and out.checked_on == day and out.lock_version == 2
    assert out.publish_due == calendar.add_workdays(day, 20)
    assert out.published_at is not None and out.recorded_by == world["inspector_user"]
    assert AuditEvent.objects.filter(action="inspections.result.record", object_id=str(t.pk)).exists()


def test_an_object_the_current_draw_did_not_select_is_refused(world):
    with pytest.raises(ValidationError) as e:
        svc.task_for(world["plan"], world["spare"].pk)
    assert "未被本抽查计划抽中" in str(e.value)
    assert svc.task_for(world["plan"], world["drawn"].pk) == world["task"]


def test_a_task_of_a_superseded_draw_is_refused(world):
    plan, old = world["plan"], world["draw"]
    old.is_current = False
    old.save()
    new = f.draw(plan, seq=2)
    f.task(new, world["spare"], [f.inspector(world["dept"])])
    with pytest.raises(ValidationError) as e:
        svc.record_result(world["task"], world["admin"], "ok", "", timezone.localdate())
    assert "已作废的第1次抽取" in str(e.value)
    with pytest.raises(ValidationError) as e:
        svc.task_for(plan, world["drawn"].pk)
    assert "只在已作废的抽取中被选中" in str(e.value)
    assert InspectionTask.objects.get(pk=world["task"].pk).result == ""


@pytest.mark.parametrize("day,words", [
    (lambda p: timezone.localdate() + dt.timedelta(days=1), "不能晚于今天"),
    (lambda p: p.period_start - dt.timedelta(days=1), "不能早于抽查计划的检查开始日期"),
])
def test_dates_in_the_future_or_before_the_plan_are_refused(world, day, words):
    with pytest.raises(ValidationError) as e:
        svc.record_result(world["task"], world["admin"], "ok", "", day(world["plan"]))
    assert words in e.value.message_dict["checked_on"][0]
    assert InspectionTask.objects.get(pk=world["task"].pk).lock_version == 1


def test_people_outside_the_task_or_department_are_refused(world, make_staff, make_department):
    other = make_staff("dept_admin", department=make_department(name="卫生健康委"))
    with pytest.raises(PermissionDenied):
        svc.record_result(world["task"], other, "ok", "", timezone.localdate())
    with pytest.raises(PermissionDenied):  # an inspector may not hold a result back
        svc.record_result(world["task"], world["inspector_user"], "ok", "", timezone.localdate(), hold=True)


def test_a_stale_version_is_refused_but_a_double_submission_is_harmless(world):
    t, day = world["task"], timezone.localdate()
    first = svc.record_result(t, world["admin"], "ok", "", day, expected_version=1, hold=True)
    again = svc.record_result(t, world["admin"], "ok", "", day, expected_version=1, hold=True)  # double click
    assert again.lock_version == first.lock_version == 2
    with pytest.raises(svc.StaleTask):
        svc.record_result(t, world["admin"], "rectify", "另一人的更正", day, expected_version=1)
    assert InspectionTask.objects.get(pk=t.pk).result == "ok"


def test_held_results_wait_for_release_or_the_job_at_their_due_date(world):
    t, day = world["task"], timezone.localdate()
    svc.record_result(t, world["admin"], "ok", "", day, hold=True)
    t.refresh_from_db()
    assert t.published_at is None
    assert svc.publish_held(today=t.publish_due - dt.timedelta(days=1)) == "公示检查结果0条"
    assert svc.publish_held(today=t.publish_due) == "公示检查结果1条"
    t.refresh_from_db()
    assert t.published_at is not None
    with pytest.raises(ValidationError):  # published: no more corrections
        svc.record_result(t, world["admin"], "rectify", "x", day)


def test_department_staff_release_a_held_result_and_pending_ones_cannot_be(world):
    t = world["task"]
    with pytest.raises(ValidationError):
        svc.publish(t, world["admin"])
    svc.record_result(t, world["admin"], "ok", "", timezone.localdate(), hold=True)
    with pytest.raises(PermissionDenied):
        svc.publish(t, world["inspector_user"])
    assert svc.publish(t, world["admin"]).published_at is not None


def test_the_publish_job_is_registered():
    from zhengwu.core.schedule import job

    assert job("inspections.publish").target == "zhengwu.inspections.services.results.publish_held"


def test_attachments_are_checked_stored_once_and_read_audited(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    t = world["task"]
    with pytest.raises(ValidationError) as e:
        svc.record_result(t, world["admin"], "ok", "", timezone.localdate(),
                          files=[SimpleUploadedFile("a.exe", b"MZ\x90\x00" * 10)])
    assert "格式不支持" in str(e.value) and InspectionTask.objects.get(pk=t.pk).lock_version == 1
    pdf = SimpleUploadedFile("检查记录.pdf", PDF)
    svc.record_result(t, world["admin"], "ok", "", timezone.localdate(), files=[pdf], hold=True)
    svc.record_result(t, world["admin"], "ok", "", timezone.localdate(), files=[SimpleUploadedFile("副本.pdf", PDF)],
                      hold=True)
    assert TaskAttachment.objects.filter(task=t).count() == 1
    a = TaskAttachment.objects.get(task=t)
    handle, ctype, name = svc.open_attachment(world["inspector_user"], t, a.pk)
    assert handle.read() == PDF and ctype == "application/pdf" and name == "检查记录.pdf"
    assert AuditEvent.objects.filter(action="inspections.attachment.read").count() == 1
