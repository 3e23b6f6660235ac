"""Workbench pages of the process-definition editor (审批流程, 事项管理员): the steps of an item's
process and its application form schema (through ``cases.services``)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from zhengwu.catalog.models import ServiceItem
from zhengwu.org.models import Department, Role
from zhengwu.org.permissions import scope
from zhengwu.workbench.views import roles_required

from . import forms_staff as f
from . import queries, workflow
from .models import ProcessDefinition
from .services import approval
from .views_staff import PAGE_SIZE, page_number, query_without_page


# -- 审批流程 (事项管理员) -------------------------------------------------------------------------------
def _admin_items(user):
    return scope(ServiceItem.objects.all(), user, [Role.ITEM_ADMIN], region_code_field="region__code")


def _admin_item(request, pk: int) -> ServiceItem:
    # select_related: the editor shows department and region and reads the live guide's form.
    qs = _admin_items(request.user).select_related("department__region", "region", "published_version")
    return get_object_or_404(qs, pk=pk)


@roles_required(Role.ITEM_ADMIN, what="事项管理员")


def process_list(request):
    q = (request.GET.get("q") or "").strip()
    qs = _admin_items(request.user)
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(implementation_code=q.upper()))
    current = ProcessDefinition.objects.filter(service_item=OuterRef("pk"), is_current=True)
    # select_related: each row shows the department; the current process version comes from a
    # subquery on the (service_item, is_current) unique index, not one query per row.
    qs = (qs.select_related("department").annotate(process_version=Subquery(current.values("version")[:1]))
          .order_by("department__sort_order", "name", "pk"))
    page = page_number(request)
    rows, has_next = queries.page_slice(qs, page, PAGE_SIZE)
    return render(request, "cases/staff/process_list.html", {
        "rows": rows, "q": q, "page": page, "has_next": has_next, "has_prev": page > 1,
        "query": query_without_page(request),
    })


def _department_choices(item: ServiceItem) -> list[tuple[int, str]]:
    # Steps may be handled by any active department of the item's region (并联审批 across
    # departments); the item's own department is always offered.
    qs = Department.objects.filter(Q(region__code__startswith=item.region.prefix) | Q(pk=item.department_id),
                                   is_active=True).order_by("sort_order", "name")
    return [(d.pk, d.short_name or d.name) for d in qs]


@roles_required(Role.ITEM_ADMIN, what="事项管理员")
def process_edit(request, pk: int):
    """Edit an item's process as rows; saving makes a new version (cases keep theirs)."""
    item = _admin_item(request, pk)
    versions = list(ProcessDefinition.objects.filter(service_item=item).select_related("created_by").order_by("-version"))
    current = next((v for v in versions if v.is_current), None)
    schema = item.published_version.form_schema if item.published_version_id else {}
    departments = _department_choices(item)
    base_version = current.version if current else 0
    errors: list[str] = []
    if request.method == "POST":
        formset = f.StepFormSet(request.POST, departments=departments, schema=schema, prefix="steps")
        steps = formset.steps() if formset.is_valid() else []
        expected = request.POST.get("base_version", "")
        if formset.is_valid() and not any(form.errors for form in formset.forms):
            if not steps:
                errors.append("流程至少要有一个环节")
            elif not expected.isdigit():
                errors.append("缺少流程版本号，请刷新页面后重试")
            else:
                try:
                    definition = approval.save_process_definition(
                        request.user, item, steps, expected_version=int(expected),
                        separate_duties=request.POST.get("separate_duties") == "on")
                except ValidationError as exc:
                    errors += [m for ms in exc.message_dict.values() for m in ms] if hasattr(exc, "error_dict") \
                        else exc.messages
                except IntegrityError:  # a concurrent first save won the version number
                    errors.append("审批流程已被他人修改，请刷新页面后重试")
                else:
                    messages.success(request, f"已保存为第{definition.version}版审批流程；已受理的办件仍按原版本办理")
                    return redirect("cases:staff_process_edit", pk=item.pk)
        base_version = int(expected) if expected.isdigit() else base_version
    else:
        steps = current.steps if current else workflow.default_definition(item.department_id)
        formset = f.StepFormSet(initial=f.step_initial(steps), departments=departments, schema=schema, prefix="steps")
    dept_names = dict(departments)
    for v in versions:
        v.summary = [{"name": s.get("name"), "department": dept_names.get(s.get("department"), "事项实施部门"),
                      "parallel": s.get("parallel", ""), "condition": s.get("condition")} for s in v.steps]
    return render(request, "cases/staff/process_edit.html", {
        "item": item, "formset": formset, "versions": versions, "current": current, "errors": errors,
        "base_version": base_version, "has_schema": bool((schema or {}).get("properties")),
        "separate_duties": (request.POST.get("separate_duties") == "on") if request.method == "POST"
        else bool(current and current.separate_duties),
    })


@roles_required(Role.ITEM_ADMIN, what="事项管理员")
def form_schema(request, pk: int):
    """申报表单: the published form read-only, and the open guide draft's form editable through
    the catalogue's write path (catalog.services.items.edit_draft)."""
    import json

    from zhengwu.catalog.services import items as item_svc

    item = _admin_item(request, pk)
    draft = item_svc.open_version(item)
    published = item.published_version
    form = None
    if request.method == "POST":
        op = request.POST.get("op")
        lock = request.POST.get("lock_version", "")
        try:
            if op == "new_draft":
                item_svc.start_new_draft(request.user, item, lock_version=lock, change_note="修改申报表单")
                messages.success(request, "已新建草稿，可以修改申报表单")
                return redirect("cases:staff_form_schema", pk=item.pk)
            form = f.FormSchemaForm(request.POST)
            if form.is_valid():
                item_svc.edit_draft(request.user, item, lock_version=form.cleaned_data["lock_version"],
                                    data={"form_schema": form.cleaned_data["schema"]})
                messages.success(request, "申报表单已保存到草稿；提交审核并发布后对新申请生效")
                return redirect("cases:staff_form_schema", pk=item.pk)
        except ValidationError as exc:
            if form is None:
                messages.error(request, "；".join(exc.messages))
                return redirect("cases:staff_form_schema", pk=item.pk)
            f.apply_service_errors(form, exc)
    if draft is not None and form is None:
        form = f.FormSchemaForm(initial={"lock_version": item.lock_version,
                                         "schema": json.dumps(draft.form_schema or {}, ensure_ascii=False, indent=2)})

    def fields_of(schema):
        required = set((schema or {}).get("required") or [])
        return [{"key": k, "title": p.get("title", ""), "type": p.get("type", ""), "required": k in required,
                 "rule": "、".join(f"{r}={p[r]}" for r in ("minLength", "maxLength", "minimum", "maximum", "pattern",
                                                           "format", "enum", "x-prefill") if r in p)}
                for k, p in ((schema or {}).get("properties") or {}).items()]

    return render(request, "cases/staff/form_schema.html", {
        "item": item, "draft": draft, "published": published, "form": form,
        "published_fields": fields_of(published.form_schema if published else {}),
        "draft_fields": fields_of(draft.form_schema) if draft else [],
        "published_json": json.dumps(published.form_schema if published else {}, ensure_ascii=False, indent=2),
        "catalog_url": _catalog_item_url(item),
    })


def _catalog_item_url(item) -> str:
    try:
        return reverse("catalog:wb_item_detail", args=[item.pk])
    except Exception:  # the catalogue workbench may not be installed
        return ""
