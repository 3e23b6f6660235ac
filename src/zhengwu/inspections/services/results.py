"""检查结果 and 公示 — the one write path of the results part.

- :func:`record_result` records a task's result (only a task of its plan's current draw; the
  caller's version; the inspectors of the task or the department's staff), with attachments, and
  fixes 公示期限 = 检查日期 + 20 工作日. A result is published at once unless the department's
  staff hold it for review (暂缓公示); :func:`publish_held` (the job ``inspections.publish``)
  publishes held results when their 公示期限 comes, and :func:`publish` releases one earlier.
- Attachments are checked before anything is written (:func:`check_attachments`), stored
  encrypted and named by their SHA-256, and read through :func:`open_attachment` (audited).
"""

from __future__ import annotations

import hashlib

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhengwu.core import audit, files
from zhengwu.core import calendar as workdays
from zhengwu.core.errors import NotFound
from zhengwu.core.transitions import Stale
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

from .. import results_rules as rules
from ..models import InspectionPlan, InspectionTask, TaskAttachment

STAFF_ROLES = (Role.DEPT_ADMIN, Role.APPROVER)  # department staff who record for inspectors
MAX_FILES = 5
MAX_FILE_BYTES = 10 * 1024 * 1024
FILE_TYPES = ("pdf", "jpg", "png", "ofd", "doc", "docx", "xls", "xlsx")  # sniffed, never by name


class StaleTask(Stale):  # 409 in the API
    message = "该检查任务已被他人更新，请刷新页面后重试"


class TaskMissing(NotFound):
    message = "检查任务不存在或无权查看"


# -- who may do what -----------------------------------------------------------------------------
def plan_departments(plan: InspectionPlan) -> list:
    return [plan.department, *plan.joint_departments.select_related("region")]


def is_department_staff(user, plan: InspectionPlan, roles=STAFF_ROLES) -> bool:
    return any(has_role(user, *roles, department=d) for d in plan_departments(plan))


def is_task_inspector(user, task: InspectionTask) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return task.assignments.filter(inspector__user=user).exists()


def may_record(user, task: InspectionTask) -> bool:
    return is_task_inspector(user, task) or is_department_staff(user, task.plan)


def may_view(user, task: InspectionTask) -> bool:
    return may_record(user, task) or has_role(user, Role.SUPERVISOR, Role.LEADER,
                                              department=task.plan.department)


# -- attachments -----------------------------------------------------------------------------------
def check_attachments(uploads) -> list[dict]:
    """The checked uploads (at most :data:`MAX_FILES`, each a PDF, image, OFD or Office file by
    its content, at most 10 MB), or ``ValidationError`` naming the file and the rule."""
    uploads = [u for u in uploads or [] if u is not None and getattr(u, "name", "")]
    if len(uploads) > MAX_FILES:
        raise ValidationError({"files": f"附件最多{MAX_FILES}个（现在{len(uploads)}个）"})
    out = []
    for u in uploads:
        name = str(u.name)[:255]
        if not u.size:
            raise ValidationError({"files": f"附件“{name}”是空文件，请重新选择"})
        if u.size > MAX_FILE_BYTES:
            raise ValidationError({"files": f"附件“{name}”超过大小限制：每个不能超过{MAX_FILE_BYTES // 1024 // 1024}MB"})
        digest, head = hashlib.sha256(), b""
        for chunk in u.chunks():
            if len(head) < 4096:
                head += chunk[: 4096 - len(head)]
            digest.update(chunk)
        ext = files.sniff(head)
        if ext not in FILE_TYPES:
            raise ValidationError({"files": f"附件“{name}”的格式不支持：只接受 PDF、OFD、JPG、PNG、Word 或 Excel 文件"})
        out.append({"upload": u, "name": name, "content_type": files.FILE_TYPES[ext], "size": u.size,
                    "sha256": digest.hexdigest()})
    return out


def _store(task: InspectionTask, user, checked: list[dict]) -> list[TaskAttachment]:
    have = set(TaskAttachment.objects.filter(task=task).values_list("sha256", flat=True))
    stored = []
    for f in checked:
        if f["sha256"] in have:  # a resent form stores nothing twice
            continue
        a = TaskAttachment(task=task, original_name=f["name"], content_type=f["content_type"], size=f["size"],
                           sha256=f["sha256"], uploaded_by=user)
        f["upload"].seek(0)
        a.file.save(f["sha256"], f["upload"], save=False)  # streamed through the storage's cipher
        a.save()
        have.add(f["sha256"])
        stored.append(a)
    return stored


def open_attachment(user, task: InspectionTask, attachment_id: int):
    """(an open file, content type, name) of one attachment, for a user who may see the task; audited."""
    if not may_view(user, task):
        raise PermissionDenied("无权查看该检查任务的附件")
    a = TaskAttachment.objects.filter(task=task, pk=attachment_id).first()
    if a is None:
        raise TaskMissing("附件不存在或无权查看")
    handle = a.file.open("rb")
    with transaction.atomic():
        audit.record("inspections.attachment.read", actor=user, obj=task,
                     after={"attachment": a.pk, "sha256": a.sha256})
    return handle, a.content_type, a.original_name


# -- recording -------------------------------------------------------------------------------------
def task_for(plan: InspectionPlan, inspected_id: int) -> InspectionTask:
    """The task of ``plan``'s current draw for one object, or a clear refusal (an object the
    current draw did not select, or one only an earlier, superseded draw selected)."""
    task = (InspectionTask.objects.filter(plan=plan, inspected_id=inspected_id, draw__is_current=True)
            .select_related("draw", "plan").first())
    if task is not None:
        return task
    if InspectionTask.objects.filter(plan=plan, inspected_id=inspected_id).exists():
        raise ValidationError({"inspected": "该检查对象只在已作废的抽取中被选中，本计划当前抽取未选中该对象，不能录入结果"})
    raise ValidationError({"inspected": "该检查对象未被本抽查计划抽中，不能录入检查结果"})


def _refusal(task: InspectionTask) -> str | None:
    if not task.draw.is_current:
        return (f"该检查任务属于已作废的第{task.draw.seq}次抽取（计划已重新抽取），"
                "不能录入结果，请在当前抽取的任务中录入")
    if task.plan.state == InspectionPlan.State.CANCELLED:
        return "抽查计划已撤销，不能录入检查结果"
    if task.plan.state not in (InspectionPlan.State.DRAWN, InspectionPlan.State.DONE):
        return "抽查计划尚未抽取，不能录入检查结果"
    if task.published_at is not None:
        return "该检查结果已公示，不能再修改"
    return None


def _same(task: InspectionTask, result: str, note: str, checked_on) -> bool:
    return task.result == result and task.result_note == note and task.checked_on == checked_on


def record_result(task: InspectionTask, user, result: str, note: str, checked_on, files=(),
                  expected_version: int | None = None, *, hold: bool = False) -> InspectionTask:
    """Record (or, before 公示, correct) the result of ``task``. ``hold`` (暂缓公示, department staff
    only): keep it unpublished for review until its 公示期限; otherwise it is published at once."""
    note = (note or "").strip()
    if not may_record(user, task):
        raise PermissionDenied("仅该任务的执法人员或本部门管理员、审批人员可以录入检查结果")
    if hold and not is_department_staff(user, task.plan):
        raise PermissionDenied("仅部门管理员或审批人员可以暂缓公示")
    refusal = _refusal(task)  # the plain refusals first (an old draw, a cancelled plan)
    if refusal:
        raise ValidationError(refusal, code="transition")
    today = timezone.localdate()
    errors = rules.check_result(result, note, checked_on, today=today, period_start=task.plan.period_start)
    if errors:
        raise ValidationError(errors)
    checked = check_attachments(files)  # before anything is written
    with transaction.atomic():
        locked = (InspectionTask.objects.select_for_update().select_related("draw", "plan", "inspected")
                  .filter(pk=task.pk).first())
        if locked is None:
            raise TaskMissing()
        if expected_version is not None and locked.lock_version != int(expected_version):
            # A double submission of the same form: the first one did it already.
            if locked.lock_version == int(expected_version) + 1 and _same(locked, result, note, checked_on) \
                    and locked.recorded_by_id == getattr(user, "pk", None):
                return locked
            raise StaleTask(StaleTask.message, code="stale")
        refusal = _refusal(locked)
        if refusal:
            raise ValidationError(refusal, code="transition")
        before = {"result": locked.result, "checked_on": locked.checked_on}
        locked.result, locked.result_note, locked.checked_on = result, note, checked_on
        locked.recorded_by = user
        locked.publish_due = rules.publish_due(checked_on, workdays.add_workdays)
        locked.lock_version += 1
        if not hold:
            locked.published_at = timezone.now()
        locked.save(update_fields=["result", "result_note", "checked_on", "recorded_by", "publish_due",
                                   "published_at", "lock_version"])
        stored = _store(locked, user, checked)
        audit.record("inspections.result.record", actor=user, obj=locked, before=before,
                     after={"plan": locked.plan.number, "object": locked.inspected_id, "result": result,
                            "checked_on": checked_on, "publish_due": locked.publish_due, "held": hold,
                            "published": locked.published_at is not None,
                            "attachments": [a.sha256 for a in stored]})
    return locked


def _publish_locked(task: InspectionTask, user, now, reason: str) -> None:
    task.published_at = now
    task.lock_version += 1
    task.save(update_fields=["published_at", "lock_version"])
    audit.record("inspections.result.publish", actor=user, obj=task,
                 after={"plan_id": task.plan_id, "object": task.inspected_id, "reason": reason})


def publish(task: InspectionTask, user=None, expected_version: int | None = None) -> InspectionTask:
    """Publish one recorded, held result now (department staff; ``user`` None: the job)."""
    if user is not None and not is_department_staff(user, task.plan):
        raise PermissionDenied("仅部门管理员或审批人员可以发布检查结果")
    with transaction.atomic():
        locked = InspectionTask.objects.select_for_update().filter(pk=task.pk).first()
        if locked is None:
            raise TaskMissing()
        if expected_version is not None and locked.lock_version != int(expected_version):
            if locked.published_at is not None:
                return locked  # the same click twice
            raise StaleTask(StaleTask.message, code="stale")
        if not locked.result:
            raise ValidationError("该检查任务尚未录入结果，不能公示", code="transition")
        if locked.published_at is None:
            _publish_locked(locked, user, timezone.now(), "manual" if user is not None else "job")
    return locked


def publish_held(today=None) -> str:
    """The job ``inspections.publish``: publish every held result whose 公示期限 has come (a
    result of a superseded draw is never recorded, so none is published here)."""
    today = today or timezone.localdate()
    now = timezone.now()
    done = 0
    due = (InspectionTask.objects.filter(published_at__isnull=True, publish_due__lte=today)
           .exclude(result="").order_by("publish_due", "pk").values_list("pk", flat=True))
    for pk in list(due[:5000]):
        with transaction.atomic():
            t = InspectionTask.objects.select_for_update().filter(pk=pk, published_at__isnull=True).first()
            if t is not None and t.result:
                _publish_locked(t, None, now, "due")
                done += 1
    return f"公示检查结果{done}条"
