"""Workbench pages of 检查对象名录库 (search, edit, import with its quality report, 同步法人库, an
object's past checks) and 回避 declarations. Writes go through the services.

同步法人库 and imports bigger than ``registers_jobs.SYNC_IMPORT_MAX_BYTES`` run as background jobs
(``zhengwu worker``); their page refreshes itself until the job ends. The forms carry a one-time
token: a double submission shows the first job.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhengwu.core.pii import mask
from zhengwu.workbench.views import roles_required, staff_required

from . import forms_registers as forms
from . import registers_rules as rules
from .models import InspectedObject, Inspector
from .services import registers as svc
from .services import registers_jobs as jobs_svc
from .services import registers_objects as objects_svc

VIEW_WHAT = "部门管理员、审批人员、督办人员、领导"
WRITE_WHAT = "部门管理员、审批人员"


@roles_required(*svc.VIEW_ROLES, what=VIEW_WHAT)
def object_list(request):
    rows, nxt = objects_svc.search(request.user, request.GET)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "inspections/registers/object_list.html", {
        "rows": rows, "next": nxt, "query": query.urlencode(), "filters": request.GET,
        "risks": InspectedObject.Risk.choices, "may_write": objects_svc.write_prefixes(request.user) != (),
        "token": uuid.uuid4().hex, "jobs": jobs_svc.latest_jobs(request.user, 5),
    })


def _object_form(request, obj: InspectedObject | None):
    if request.method == "POST":
        data = forms.posted(request.POST, forms.OBJECT_FIELDS)
        try:
            if obj is None:
                obj = objects_svc.create_object(request.user, data)
                messages.success(request, f"已新增检查对象“{obj.name}”")
            else:
                obj = objects_svc.update_object(request.user, obj.pk, request.POST.get("updated_at"), data)
                messages.success(request, f"已保存检查对象“{obj.name}”")
            return redirect("inspections:reg_object", obj.pk)
        except ValidationError as exc:
            errors = forms.errors_of(exc)
        stamp = request.POST.get("updated_at", "")
    else:
        data = forms.object_initial(obj) if obj else {"category": "企业", "risk_level": "B", "is_active": True}
        errors, stamp = {}, (obj.updated_at.isoformat() if obj else "")
    return render(request, "inspections/registers/object_form.html", {
        "obj": obj, "data": data, "errors": errors, "updated_at": stamp, "risks": InspectedObject.Risk.choices,
    }, status=400 if errors else 200)


@roles_required(*svc.WRITE_ROLES, what=WRITE_WHAT)
def object_new(request):
    return _object_form(request, None)


@roles_required(*svc.WRITE_ROLES, what=WRITE_WHAT)
def object_edit(request, pk: int):
    return _object_form(request, get_object_or_404(objects_svc.objects_for(request.user), pk=pk))


@staff_required
def object_detail(request, pk: int):
    """An object's page: its data, its past checks, and 回避 (for an inspector with an account)."""
    mine = Inspector.objects.filter(user=request.user).first()
    qs = objects_svc.objects_for(request.user) if not mine else InspectedObject.objects.all()
    if not mine and not (set(svc.VIEW_ROLES) & _roles(request.user)):
        raise PermissionDenied(f"仅{VIEW_WHAT}及执法人员可以查看检查对象")
    obj = get_object_or_404(qs, pk=pk)
    tasks = list(objects_svc.history(obj))
    for t in tasks:
        t.inspector_names = "、".join(i.name for i in t.inspectors.all())
    return render(request, "inspections/registers/object_detail.html", {
        "obj": obj, "tasks": tasks, "me": mine,
        "declared": mine is not None and mine.conflicts.filter(inspected=obj).exists(),
        "may_edit": objects_svc.in_prefixes(objects_svc.write_prefixes(request.user), obj.region_code),
    })


def _roles(user) -> set[str]:
    from zhengwu.org.permissions import roles_of

    return roles_of(user)


@roles_required(*svc.WRITE_ROLES, what=WRITE_WHAT)
def object_import(request):
    """Small files import while the page waits and the report shows below the form; bigger ones
    are stored and imported in the background (their job's page shows the same report)."""
    errors: list[str] = []
    report = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["请选择要导入的 .xlsx 或 .csv 文件"]
        else:
            try:
                if upload.size <= jobs_svc.SYNC_IMPORT_MAX_BYTES:
                    report = objects_svc.import_objects(request.user, upload).as_dict()
                else:
                    job, created = jobs_svc.start_import(request.user, upload, request.POST.get("token", ""))
                    _started(request, job, created, "文件较大，已转入后台导入。本页面会自动刷新显示进度和质量报告。")
                    return redirect("inspections:reg_object_job", job.pk)
            except ValidationError as exc:
                errors = [m for msgs in forms.errors_of(exc).values() for m in msgs]
    return render(request, "inspections/registers/object_import.html", {
        "errors": errors, "report": report, "columns": rules.OBJECT_COLUMNS, "token": uuid.uuid4().hex,
        "max_kb": jobs_svc.SYNC_IMPORT_MAX_BYTES // 1024}, status=400 if errors else 200)


def _started(request, job, created: bool, message: str) -> None:
    if created:
        messages.success(request, message)
    else:
        messages.info(request, "该请求已提交过，下面是那次的任务（没有重复执行）。")


@require_POST
@roles_required(*svc.WRITE_ROLES, what=WRITE_WHAT)
def object_sync(request):
    prefix = (request.POST.get("region") or "").strip()
    try:
        job, created = jobs_svc.start_sync(request.user, prefix, request.POST.get("token", ""))
    except (PermissionDenied, ValidationError) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
        return redirect("inspections:reg_objects")
    _started(request, job, created, "已转入后台同步法人库。本页面会自动刷新显示进度和结果。")
    return redirect("inspections:reg_object_job", job.pk)


@roles_required(*svc.VIEW_ROLES, what=VIEW_WHAT)
def object_job(request, pk: int):
    """A background job's page: status, progress, counts, the import's quality report."""
    job = jobs_svc.job_for(request.user, pk)
    return render(request, "inspections/registers/object_job.html", {
        "job": job, "waiting": job.active, "report": job.report or None,
        "percent": min(100, job.progress * 100 // job.total) if job.total else None,
    })


# -- 回避 ----------------------------------------------------------------------------------------
def _find_object(value: str) -> InspectedObject | None:
    value = (value or "").strip().upper()
    if not value:
        return None
    if len(value) == 18:
        return InspectedObject.objects.filter(uscc=value).first()
    return InspectedObject.objects.filter(pk=int(value)).first() if rules.is_id(value) else None


@require_POST
@staff_required
def conflict_declare(request, pk: int):
    """回避申报 for inspector ``pk`` (themself, or a 部门管理员 for them); the object by its
    信用代码 or id (``inspected``), the reason required. Back to where it was posted from."""
    inspector = get_object_or_404(Inspector.objects.select_related("department"), pk=pk)
    obj = _find_object(request.POST.get("inspected", ""))
    back = request.POST.get("back") or ""
    try:
        if obj is None:
            raise ValidationError({"inspected": ["检查对象：请填写名录库中对象的统一社会信用代码"]})
        svc.declare_conflict(request.user, inspector, obj, request.POST.get("reason", ""))
        messages.success(request, f"已申报回避：{mask('name', inspector.name)} 回避 {obj.name}")
    except ValidationError as exc:
        for msgs in forms.errors_of(exc).values():
            for m in msgs:
                messages.error(request, m)
    if back == "object" and obj is not None:
        return redirect("inspections:reg_object", obj.pk)
    if back == "mine":
        return redirect("inspections:reg_my_conflicts")
    return redirect("inspections:reg_inspector", inspector.pk)


@staff_required
def my_conflicts(request):
    """我的回避申报: the inspector linked to this account, their declarations and a form."""
    mine = Inspector.objects.filter(user=request.user).select_related("department").first()
    return render(request, "inspections/registers/my_conflicts.html", {
        "me": mine, "conflicts": mine.conflicts.select_related("inspected") if mine else []})
