"""Workbench pages of the 电子证照 registry: 证照类型 maintenance, the licences of one's
departments, a licence's page (events, PDF, 注销/吊销), the audited reveal of the holder's data.

Pages only compose: every write goes through ``licenses.services``; every licence lookup goes
through :mod:`zhengwu.licenses.queries` (scoped to the issuing departments the grants cover).
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from zhengwu.core import audit
from zhengwu.core.pii import mask
from zhengwu.core.services import reveal_pii
from zhengwu.org.permissions import has_role, staff_departments
from zhengwu.workbench.views import roles_required

from . import forms, queries, rules
from .models import Licence, LicenceType
from .models.licences import HolderKind
from .services import issuing
from .services import status as status_svc
from .services import types as type_svc

TYPE_WHAT = "事项管理员、数据管理员"
LIST_WHAT = "审批、窗口人员及部门管理员、数据管理员、督办人员、领导"


# -- 证照类型 -------------------------------------------------------------------------------------
@roles_required(*type_svc.TYPE_ROLES, what=TYPE_WHAT)
def type_list(request):
    return render(request, "licenses/staff/type_list.html", {"types": queries.types_list()})


def _type_form(request, t: LicenceType | None):
    if request.method == "POST":
        data = forms.type_data(request.POST)
        try:
            if t is None:
                t = type_svc.create_type(request.user, data)
                messages.success(request, f"已新增证照类型“{t.name}”")
            else:
                t = type_svc.update_type(request.user, t.pk, int(request.POST.get("lock_version") or -1), data)
                messages.success(request, f"已保存证照类型“{t.name}”")
            return redirect("licenses:staff_types")
        except ValidationError as exc:
            errors = forms.errors_of(exc)
            if getattr(exc, "code", None) == "stale":
                errors = {"__all__": exc.messages}
        lock = request.POST.get("lock_version", "")
    else:
        data = forms.type_initial(t) if t is not None else {"holder_kind": HolderKind.PERSON, "is_active": True}
        errors, lock = {}, (t.lock_version if t is not None else "")
    departments = staff_departments(request.user, type_svc.TYPE_ROLES).filter(is_active=True).order_by("sort_order", "name")
    return render(request, "licenses/staff/type_form.html", {
        "type": t, "data": data, "rows": forms.display_rows(data), "errors": errors, "lock_version": lock,
        "departments": departments, "holder_kinds": HolderKind.choices, "field_types": rules.FIELD_TYPES.items(),
        "field_order_text": ",".join(data.get("field_order") or []),
        "chosen": {str(d) for d in data.get("departments") or []},
        # 版式变体: shown read-only as stored (the editor does not change them; a save keeps them)
        "variants": rules.variants_shown(t.template or {}, t.fields_schema or []) if t is not None else None,
    }, status=400 if errors else 200)


@roles_required(*type_svc.TYPE_ROLES, what=TYPE_WHAT)
def type_new(request):
    return _type_form(request, None)


@roles_required(*type_svc.TYPE_ROLES, what=TYPE_WHAT)
def type_edit(request, pk: int):
    return _type_form(request, get_object_or_404(LicenceType, pk=pk))


# -- licences ------------------------------------------------------------------------------------
def _holder_masked(licence: Licence) -> tuple[str, str]:
    if licence.holder_kind == HolderKind.LEGAL:
        return licence.holder_name, licence.holder_uscc
    return mask("name", licence.holder_name), licence.holder_id_number.masked if licence.holder_id_number else ""


@roles_required(*queries.LIST_ROLES, what=LIST_WHAT)
def licence_list(request):
    rows, nxt = queries.licence_page(request.user, request.GET)
    today = timezone.localdate()
    for r in rows:
        r.holder_shown, r.holder_code_shown = _holder_masked(r)
        r.seen_status, r.seen_label = rules.seen_status(r.status, r.valid_until, today)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "licenses/staff/licence_list.html", {
        "rows": rows, "next": nxt, "query": query.urlencode(), "filters": request.GET,
        "types": queries.types_list(), "statuses": Licence.Status.choices,
    })


def _render_detail(request, licence: Licence, *, revealed: dict | None = None, errors: dict | None = None,
                   status: int = 200):
    today = timezone.localdate()
    seen, seen_label = rules.seen_status(licence.status, licence.valid_until, today)
    holder, holder_code = _holder_masked(licence)
    data_rows = []
    if revealed is not None:
        data = revealed["data"]
        data_rows = [(f["label"], data.get(f["key"], "")) for f in
                     rules.printed_fields(licence.type.template or {}, licence.type.fields_schema or [], data)]
    return render(request, "licenses/staff/licence_detail.html", {
        "licence": licence, "seen": seen, "seen_label": seen_label, "holder": holder, "holder_code": holder_code,
        "events": licence.events.select_related("case").order_by("at", "pk"),
        "next_version": Licence.objects.filter(previous=licence).only("pk", "version").first(),
        "may_act": licence.status == Licence.Status.VALID and status_svc.may_act(request.user, licence),
        "may_reveal": has_role(request.user, *queries.REVEAL_ROLES, department=licence.issuer),
        "revealed": revealed, "data_rows": data_rows, "errors": errors or {},
        "change_fields": licence.type.fields_schema or [],
    }, status=status)


@roles_required(*queries.LIST_ROLES, what=LIST_WHAT)
def licence_detail(request, pk: int):
    return _render_detail(request, queries.staff_licence(request.user, pk))


@require_POST
@roles_required(*queries.LIST_ROLES, what=LIST_WHAT)
def licence_reveal(request, pk: int):
    """查看完整信息: the holder's ID number and the face data, for this response only, audited."""
    licence = queries.staff_licence(request.user, pk)
    if not has_role(request.user, *queries.REVEAL_ROLES, department=licence.issuer):
        raise PermissionDenied("仅颁发部门的审批、窗口人员或部门管理员可以查看完整证照信息")
    purpose = f"证照 {licence.number} 核查"
    id_number = (reveal_pii(request.user, licence, "holder_id_number", purpose)
                 if licence.holder_kind == HolderKind.PERSON and licence.holder_id_number else licence.holder_uscc)
    data = json.loads(reveal_pii(request.user, licence, "data", purpose) or "{}")
    return _render_detail(request, licence, revealed={"id_number": id_number, "data": data,
                                                      "name": licence.holder_name})


@roles_required(*queries.LIST_ROLES, what=LIST_WHAT)
def licence_pdf(request, pk: int):
    """The sealed licence PDF (holds the holder's data): served privately, the read audited."""
    licence = queries.staff_licence(request.user, pk)
    if not has_role(request.user, *queries.REVEAL_ROLES, department=licence.issuer):
        raise PermissionDenied("仅颁发部门的审批、窗口人员或部门管理员可以下载证照文件")
    if not licence.pdf_file:
        raise Http404("该证照没有版式文件")
    try:
        handle = licence.pdf_file.open("rb")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    audit.record("licenses.pdf_read", actor=request.user, obj=licence, after={"number": licence.number})
    response = FileResponse(handle, content_type="application/pdf", as_attachment=request.GET.get("download") == "1",
                            filename=f"{licence.type.name}-{licence.number}-{licence.version:03d}.pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@roles_required(*queries.LIST_ROLES, what=LIST_WHAT)
def licence_change(request, pk: int):
    """变更: the fields staff fill in replace the old values (blank: unchanged); version + 1."""
    licence = queries.staff_licence(request.user, pk)
    try:
        lock = int(request.POST.get("lock_version", ""))
    except ValueError:
        lock = -1
    data = {f["key"]: request.POST.get(f"data-{f['key']}", "").strip() for f in licence.type.fields_schema or []}
    try:
        new = issuing.change(request.user, licence.pk, lock, data, request.POST.get("reason", ""))
    except ValidationError as exc:
        return _render_detail(request, queries.staff_licence(request.user, pk), errors=forms.errors_of(exc),
                              status=400)
    messages.success(request, f"已变更，换发第{new.version}版")
    return redirect("licenses:staff_licence", pk=new.pk)


@require_POST
@roles_required(*queries.LIST_ROLES, what=LIST_WHAT)
def licence_action(request, pk: int, action: str):
    """注销 / 吊销 with a reason and the version the page was rendered with."""
    licence = queries.staff_licence(request.user, pk)
    if action not in status_svc.KINDS:
        raise Http404("没有这项操作")
    try:
        lock = int(request.POST.get("lock_version", ""))
    except ValueError:
        lock = -1
    try:
        status_svc.end_by_staff(request.user, licence.pk, lock, action, request.POST.get("reason", ""))
    except ValidationError as exc:
        errors = forms.errors_of(exc)
        return _render_detail(request, queries.staff_licence(request.user, pk), errors=errors, status=400)
    messages.success(request, f"证照已{rules.MACHINE.label(action)}")
    return redirect("licenses:staff_licence", pk=licence.pk)

