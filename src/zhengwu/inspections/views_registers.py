"""Workbench pages of 监管事项目录 and 执法人员名录 (with the import and 注册率). Pages only compose:
every write goes through ``services.registers``."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.core.pii import mask
from zhengwu.workbench.views import roles_required

from . import forms_registers as forms
from . import registers_rules as rules
from .models import Inspector, SupervisionItem
from .services import registers as svc

VIEW_WHAT = "部门管理员、审批人员、督办人员、领导"
WRITE_WHAT = "部门管理员、审批人员"


def _department_filter(request):
    dep = request.GET.get("department", "")
    return int(dep) if rules.is_id(dep) else None


# -- 监管事项目录 ----------------------------------------------------------------------------------
@roles_required(*svc.VIEW_ROLES, what=VIEW_WHAT)
def item_list(request):
    qs = svc.items_for(request.user)
    dep = _department_filter(request)
    if dep:
        qs = qs.filter(department_id=dep)
    after = request.GET.get("after", "")
    if rules.is_id(after):
        qs = qs.filter(pk__gt=int(after))
    rows = list(qs.order_by("pk")[:101])
    query = request.GET.copy()
    query.pop("after", None)
    departments = list(svc.write_departments(request.user))
    # 编辑 only on the items the edit page admits the viewer to (_item_form: a department they write for).
    editable = {d.pk for d in departments}
    for item in rows:
        item.editable = item.department_id in editable
    return render(request, "inspections/registers/item_list.html", {
        "rows": rows[:100], "next": rows[99].pk if len(rows) > 100 else "", "query": query.urlencode(),
        "departments": departments, "department": dep,
        "filter_departments": svc.view_departments(request.user),
    })


def _item_form(request, item: SupervisionItem | None):
    departments = svc.write_departments(request.user)
    if request.method == "POST":
        data = forms.posted(request.POST, forms.ITEM_FIELDS)
        try:
            if item is None:
                item = svc.create_item(request.user, data)
                messages.success(request, f"已新增监管事项“{item.name}”")
            else:
                item = svc.update_item(request.user, item.pk, request.POST.get("version"), data)
                messages.success(request, f"已保存监管事项“{item.name}”")
            return redirect("inspections:reg_items")
        except ValidationError as exc:
            errors = forms.errors_of(exc)
        version = request.POST.get("version", "")
    else:
        if item is not None and not any(d.pk == item.department_id for d in departments):
            raise PermissionDenied("仅本部门的部门管理员、审批人员可以维护")
        data = forms.item_initial(item) if item else {"department": str(departments[0].pk) if departments else "",
                                                        "check_method": "现场检查", "is_active": True}
        errors, version = {}, (item.version if item else "")
    dep = next((d for d in departments if str(d.pk) == str(data.get("department"))), None)
    if item is not None:
        dep = item.department
    return render(request, "inspections/registers/item_form.html", {
        "item": item, "data": data, "errors": errors, "version": version, "departments": departments,
        "service_items": svc.linkable_service_items(dep) if dep else [],
    }, status=400 if errors else 200)


@roles_required(*svc.WRITE_ROLES, what=WRITE_WHAT)
def item_new(request):
    return _item_form(request, None)


@roles_required(*svc.WRITE_ROLES, what=WRITE_WHAT)
def item_edit(request, pk: int):
    return _item_form(request, get_object_or_404(SupervisionItem.objects.select_related("department"), pk=pk))


@require_POST
@roles_required(*svc.WRITE_ROLES, what=WRITE_WHAT)
def item_import_catalogue(request):
    dep = svc.write_departments(request.user).filter(pk=int(request.POST.get("department") or 0)).first() \
        if rules.is_id(request.POST.get("department")) else None
    if dep is None:
        messages.error(request, "请选择要导入行政检查事项的部门")
    else:
        n = svc.import_catalogue_items(request.user, dep)
        messages.success(request, f"已从实施清单导入{n}个行政检查事项" if n else "没有新的行政检查事项可导入")
    return redirect("inspections:reg_items")


# -- 执法人员名录 ----------------------------------------------------------------------------------
@roles_required(*svc.VIEW_ROLES, what=VIEW_WHAT)
def inspector_list(request):
    today = timezone.localdate()
    rows, nxt = svc.inspector_page(request.user, request.GET, today)
    for r in rows:
        r.name_shown = mask("name", r.name)
        r.valid_now = rules.certificate_valid(r.status, r.valid_until, today)
        r.expiring = r.valid_now and rules.expiry_notice_due(r.status, r.valid_until, None, today)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "inspections/registers/inspector_list.html", {
        "rows": rows, "next": nxt, "query": query.urlencode(), "filters": request.GET,
        "departments": svc.view_departments(request.user), "statuses": Inspector.Status.choices,
        "may_write": bool(svc.write_departments(request.user)),
    })


def _inspector_form(request, inspector: Inspector | None):
    departments = svc.write_departments(request.user)
    if request.method == "POST":
        data = forms.posted(request.POST, forms.INSPECTOR_FIELDS, active=False)
        try:
            if inspector is None:
                inspector = svc.create_inspector(request.user, data)
                messages.success(request, f"已新增执法人员（{inspector.cert_number}）")
            else:
                inspector = svc.update_inspector(request.user, inspector.pk, request.POST.get("version"), data)
                messages.success(request, f"已保存执法人员（{inspector.cert_number}）")
            return redirect("inspections:reg_inspector", inspector.pk)
        except ValidationError as exc:
            errors = forms.errors_of(exc)
        version = request.POST.get("version", "")
    else:
        data = forms.inspector_initial(inspector) if inspector else {
            "department": str(departments[0].pk) if departments else "", "status": Inspector.Status.ACTIVE}
        errors, version = {}, (inspector.version if inspector else "")
    return render(request, "inspections/registers/inspector_form.html", {
        "inspector": inspector, "data": data, "errors": errors, "version": version, "departments": departments,
        "statuses": Inspector.Status.choices,
        "conflicts": inspector.conflicts.select_related("inspected") if inspector else [],
        "may_declare": inspector is not None and svc.may_declare_for(request.user, inspector),
    }, status=400 if errors else 200)


@roles_required(*svc.WRITE_ROLES, what=WRITE_WHAT)
def inspector_new(request):
    return _inspector_form(request, None)


@roles_required(*svc.WRITE_ROLES, what=WRITE_WHAT)
def inspector_edit(request, pk: int):
    inspector = get_object_or_404(svc.inspectors_for(request.user).select_related("user"), pk=pk)
    if not svc.write_departments(request.user).filter(pk=inspector.department_id).exists():
        raise PermissionDenied("仅本部门的部门管理员、审批人员可以维护")
    return _inspector_form(request, inspector)


@roles_required(*svc.WRITE_ROLES, what=WRITE_WHAT)
def inspector_import(request):
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["请选择要导入的 .xlsx 或 .csv 文件"]
        else:
            try:
                n = svc.import_inspectors(request.user, upload)
                messages.success(request, f"已导入{n}名执法人员")
                return redirect("inspections:reg_inspectors")
            except ValidationError as exc:
                errors = [m for msgs in forms.errors_of(exc).values() for m in msgs]
    return render(request, "inspections/registers/inspector_import.html", {
        "errors": errors, "columns": rules.INSPECTOR_COLUMNS}, status=400 if errors else 200)


@roles_required(*svc.VIEW_ROLES, what=VIEW_WHAT)
def inspector_rates(request):
    rows = svc.registration_rates(request.user)
    total = rules.RegistrationRate(sum(r.total for _, r in rows), sum(r.valid for _, r in rows),
                                   sum(r.with_account for _, r in rows))
    return render(request, "inspections/registers/inspector_rates.html", {"rows": rows, "total": total})
