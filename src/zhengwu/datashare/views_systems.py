"""Workbench pages of the 信息系统普查: the register, a system's form, Excel import/export and
the figures (接入率 by department, deployment, resources per system)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render

from zhengwu.org.permissions import scope, staff_departments
from zhengwu.workbench.views import staff_required

from . import catalogue_io
from .models import InfoSystem
from .services import catalogue as cat
from .services import systems as services
from .views_catalogue import XLSX, _messages_of


def visible_systems(user):
    return scope(InfoSystem.objects.all(), user)


@staff_required
def system_list(request):
    qs = visible_systems(request.user).select_related("department").order_by("department__name", "name")
    if request.GET.get("format") == "xlsx":
        return HttpResponse(catalogue_io.export_systems(qs), content_type=XLSX,
                            headers={"Content-Disposition": 'attachment; filename="info-systems.xlsx"'})
    systems = list(qs.select_related("department__region")[:500])
    for system in systems:  # 编辑 where system_edit admits the viewer (the same check)
        system.editable = cat.can_edit(request.user, system.department)
    return render(request, "datashare/catalogue/system_list.html", {
        "systems": systems, "figures": services.figures(visible_systems(request.user)),
        "can_create": staff_departments(request.user, cat.EDITOR_ROLES).exists()})


@staff_required
def system_edit(request, pk: int | None = None):
    system = None
    if pk is not None:
        system = visible_systems(request.user).select_related("department").filter(pk=pk).first()
        if system is None:
            raise Http404("信息系统不存在或不在您的管辖范围")
        if not cat.can_edit(request.user, system.department):
            raise PermissionDenied("您无权修改该信息系统")
    departments = staff_departments(request.user, cat.EDITOR_ROLES).order_by("sort_order", "name")
    if not departments.exists():
        raise PermissionDenied("只有部门管理员或数据管理员可以登记信息系统")
    errors: dict = {}
    values = {}
    if request.method == "POST":
        values = request.POST
        try:
            services.save_system(request.user, values, pk=system.pk if system else None,
                                 lock_version=values.get("lock_version"))
            messages.success(request, "已保存信息系统")
            return redirect("datashare:system_list")
        except ValidationError as exc:
            errors = _messages_of(exc)
    elif system is not None:
        values = {f.name: getattr(system, f.attname) for f in InfoSystem._meta.concrete_fields}
        values["department"] = system.department_id
        values["connected"] = "是" if system.connected else "否"
        values["in_use"] = "是" if system.in_use else "否"
    return render(request, "datashare/catalogue/system_form.html", {
        "system": system, "v": values, "errors": errors, "departments": departments,
        "deployments": InfoSystem.Deployment.choices}, status=400 if errors else 200)


@staff_required
def system_import(request):
    if not staff_departments(request.user, cat.EDITOR_ROLES).exists():
        raise PermissionDenied("只有部门管理员或数据管理员可以导入信息系统")
    errors: list[str] = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["请选择要导入的 Excel 文件"]
        else:
            try:
                result = catalogue_io.import_systems(request.user, upload.read(), upload.name)
                messages.success(request, f"导入完成：新增{result['created']}个，更新{result['updated']}个")
                return redirect("datashare:system_list")
            except catalogue_io.ImportRowsError as exc:
                errors = exc.errors
    return render(request, "datashare/catalogue/import.html", {
        "errors": errors[:200], "more": max(len(errors) - 200, 0), "title": "导入信息系统普查表",
        "hint": "工作表「信息系统」，列：" + "、".join(label for _k, label in catalogue_io.SYSTEM_COLUMNS)
                + "。全部行无误才会写入。"}, status=400 if errors else 200)
