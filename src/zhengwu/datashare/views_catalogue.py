"""Workbench pages of the 政务信息资源目录 (register, edit, review, publish, Excel in/out) and the
public 开放数据 pages. Writes go through :mod:`.services.catalogue`; lists are scoped by the
user's grants (a department sees and edits its own resources, 数据管理员 their whole region)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from zhengwu.org.permissions import scope, staff_departments
from zhengwu.workbench.views import staff_required

from . import catalogue_io, catalogue_rules, open_data
from .models import DataResource, InfoSystem
from .models.catalogue import OpenType, ShareType
from .services import catalogue as services

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BLANK_FIELD_ROWS = 3


def visible_resources(user):
    return scope(DataResource.objects.all(), user, department_field="provider")


def _resource(request, pk: int) -> DataResource:
    r = visible_resources(request.user).select_related("provider", "source_system").filter(pk=pk).first()
    if r is None:
        raise Http404("信息资源不存在或不在您的管辖范围")
    return r


def _messages_of(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {("form" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"form": list(exc.messages)}


@staff_required
def resource_list(request):
    qs = visible_resources(request.user).select_related("provider").order_by("code")
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    status = request.GET.get("status") or ""
    if status in DataResource.Status.values:
        qs = qs.filter(status=status)
    if request.GET.get("format") == "xlsx":
        return HttpResponse(catalogue_io.export_resources(qs), content_type=XLSX,
                            headers={"Content-Disposition": 'attachment; filename="resources.xlsx"'})
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    can_create = staff_departments(request.user, services.EDITOR_ROLES).exists()
    return render(request, "datashare/catalogue/resource_list.html", {
        "page": page, "q": q, "status": status, "statuses": DataResource.Status.choices, "can_create": can_create})


def _posted_fields(post) -> list[dict]:
    rows = []
    keys, names = post.getlist("field_key"), post.getlist("field_name")
    types, lengths = post.getlist("field_type"), post.getlist("field_length")
    shares, personal = post.getlist("field_share"), set(post.getlist("field_personal"))
    for i, key in enumerate(keys):
        name = names[i] if i < len(names) else ""
        if not key.strip() and not name.strip():
            continue  # a blank row of the form
        rows.append({"key": key, "name": name, "data_type": types[i] if i < len(types) else "",
                     "length": lengths[i] if i < len(lengths) else "", "share_type": shares[i] if i < len(shares) else "",
                     "personal": str(i) in personal})
    return rows


def _form_context(request, resource, values, fields, errors):
    departments = staff_departments(request.user, services.EDITOR_ROLES).order_by("sort_order", "name")
    systems = InfoSystem.objects.filter(department__in=departments).order_by("name")
    return {"resource": resource, "v": values, "fields": list(fields) + [{}] * BLANK_FIELD_ROWS, "errors": errors,
            "departments": departments, "systems": systems, "share_types": ShareType.choices,
            "open_types": OpenType.choices, "data_types": catalogue_rules.DATA_TYPES,
            "registries": [("", "无"), ("person", "人口库"), ("legal", "法人库")]}


@staff_required
def resource_edit(request, pk: int | None = None):
    resource = _resource(request, pk) if pk else None
    if resource is not None and not services.can_edit(request.user, resource.provider):
        raise PermissionDenied(f"您无权编辑“{resource.provider.name}”的信息资源")
    if resource is None and not staff_departments(request.user, services.EDITOR_ROLES).exists():
        raise PermissionDenied("只有部门管理员或数据管理员可以登记信息资源")
    errors: dict = {}
    if request.method == "POST":
        values, fields = request.POST, _posted_fields(request.POST)
        try:
            if resource is None:
                resource = services.create_resource(request.user, values, fields)
                messages.success(request, f"已登记信息资源“{resource.name}”（草稿）")
            else:
                resource = services.update_resource(request.user, resource.pk, values.get("lock_version"),
                                                    values, fields)
                messages.success(request, f"已保存“{resource.name}”，提交审核后发布")
            return redirect("datashare:resource_detail", pk=resource.pk)
        except ValidationError as exc:
            errors = _messages_of(exc)
    elif resource is not None:
        values = {**{k: getattr(resource, k) for k in services.RESOURCE_FIELDS},
                  "provider": resource.provider_id, "source_system": resource.source_system_id or ""}
        fields = list(resource.fields.order_by("seq").values(*services.ITEM_FIELDS))
    else:
        values, fields = {"share_type": "unconditional", "open_type": "closed"}, []
    return render(request, "datashare/catalogue/resource_form.html",
                  _form_context(request, resource, values, fields, errors), status=400 if errors else 200)


@staff_required
def resource_detail(request, pk: int):
    r = _resource(request, pk)
    actions = []
    if services.can_edit(request.user, r.provider) and r.status in ("draft", "withdrawn"):
        actions.append("submit")
    if services.can_review(request.user, r.provider):
        actions += [a for a in ("approve", "reject", "withdraw")
                    if r.status in catalogue_rules.TRANSITIONS[a][0]]
    return render(request, "datashare/catalogue/resource_detail.html", {
        "r": r, "fields": r.fields.order_by("seq"), "snapshots": r.snapshots.order_by("-version")[:20],
        "can_edit": services.can_edit(request.user, r.provider) and r.status in catalogue_rules.EDITABLE,
        "actions": [(a, catalogue_rules.ACTION_LABELS[a]) for a in actions],
        "needs": r.needs.select_related("department")[:50]})


@staff_required
@require_POST
def resource_action(request, pk: int):
    r = _resource(request, pk)
    action = request.POST.get("action") or ""
    if action not in catalogue_rules.TRANSITIONS:
        raise Http404("未知操作")
    try:
        services.transition(request.user, r.pk, request.POST.get("lock_version"), action,
                            request.POST.get("note") or "")
        messages.success(request, f"已{catalogue_rules.ACTION_LABELS[action]}")
    except ValidationError as exc:
        for msgs in _messages_of(exc).values():
            for m in msgs:
                messages.error(request, m)
    return redirect("datashare:resource_detail", pk=r.pk)


@staff_required
def resource_import(request):
    if not staff_departments(request.user, services.EDITOR_ROLES).exists():
        raise PermissionDenied("只有部门管理员或数据管理员可以导入信息资源")
    errors: list[str] = []
    result = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            errors = ["请选择要导入的 Excel 文件"]
        else:
            try:
                result = catalogue_io.import_resources(request.user, upload.read(), upload.name)
                messages.success(request, f"导入完成：新增{result['created']}条，更新{result['updated']}条")
                return redirect("datashare:resource_list")
            except catalogue_io.ImportRowsError as exc:
                errors = exc.errors
    return render(request, "datashare/catalogue/import.html",
                  {"errors": errors[:200], "more": max(len(errors) - 200, 0), "title": "导入信息资源",
                   "hint": "工作表「资源」一行一个资源，工作表「信息项」一行一个信息项（按资源代码对应）。"
                           "全部行无误才会写入；可先导出现有目录作为模板。"}, status=400 if errors else 200)


# -- public 开放数据 pages ---------------------------------------------------------------------------
def open_list(request):
    q = (request.GET.get("q") or "").strip().lower()
    datasets = [(r, d) for r, d in open_data.open_datasets()
                if not q or q in d["name"].lower() or q in d["summary"].lower() or q in d["code"]]
    return render(request, "datashare/catalogue/open_list.html", {"datasets": datasets, "q": q})


def open_detail(request, pk: int):
    for r, d in open_data.open_datasets():
        if r.pk == pk:
            return render(request, "datashare/catalogue/open_detail.html", {"r": r, "d": d})
    raise Http404("该数据集未开放或不存在")
