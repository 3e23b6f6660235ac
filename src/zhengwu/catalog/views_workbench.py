"""Workbench pages of the catalogue (事项管理员, 部门管理员): items, versions, bundles, reports.

Pages only compose: every write goes through ``catalog.services``; every list and every object
lookup is scoped with :func:`zhengwu.org.permissions.scope` (see :func:`_items_in_scope`).
State-changing buttons post the ``lock_version`` the page was rendered with.
"""

from __future__ import annotations


from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, F, OuterRef, Q
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from zhengwu.cases.rules import promised_limit  # the one wording of 承诺时限 (pure rules)
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role, scope, staff_departments
from zhengwu.workbench.views import roles_required

from . import review_rules, rules
from .forms import (
    ActionForm,
    BundleForm,
    GuideForm,
    MaterialFormSet,
    MaterialsMetaForm,
    ReviewForm,
    apply_service_errors,
    material_initial,
)
from .models import Bundle, ItemType, ItemVersion, ServiceItem
from .models.items import ItemStatus, VersionState
from .services import bundles as bundle_svc
from .services import items as svc
from .services import reports

ITEM_ROLES = (Role.ITEM_ADMIN, Role.DEPT_ADMIN)
REPORT_ROLES = (Role.ITEM_ADMIN, Role.DEPT_ADMIN, Role.LEADER)
BUNDLE_ROLES = (Role.ITEM_ADMIN,)
PAGE_SIZE = 30


def _items_in_scope(user, roles=ITEM_ROLES):
    # region__code: ServiceItem carries its own region, one join fewer than department__region.
    return scope(ServiceItem.objects.all(), user, roles, region_code_field="region__code")


def _get_item(request, pk: int) -> ServiceItem:
    # select_related: every item page shows department, region, base code and the live version.
    qs = _items_in_scope(request.user).select_related("department__region", "region", "base_item", "published_version")
    return get_object_or_404(qs, pk=pk)


def _stale(request, exc: ValidationError) -> bool:
    if getattr(exc, "code", None) == "stale" or svc.STALE_MESSAGE in exc.messages:
        messages.error(request, svc.STALE_MESSAGE)
        return True
    return False


def _page_number(request) -> int:
    try:
        return max(int(request.GET.get("page", 1)), 1)
    except ValueError:
        return 1


def _query_without_page(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


# -- items ---------------------------------------------------------------------------------------
STAGES = {"pending_review": "待审核（含新版本）", "open_draft": "有未发布草稿"}


@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_list(request):
    """事项列表: filter by department/status/type/stage, search by name or 实施编码.

    Pagination fetches one row more than a page instead of counting (no COUNT over 100,000).
    """
    qs = _items_in_scope(request.user)
    f = request.GET
    departments = staff_departments(request.user, ITEM_ROLES).filter(is_active=True).order_by("sort_order", "name")
    if f.get("department", "").isdigit():
        qs = qs.filter(department_id=int(f["department"]))
    if f.get("status") in ItemStatus.values:
        qs = qs.filter(status=f["status"])
    if f.get("item_type") in ItemType.values:
        qs = qs.filter(item_type=f["item_type"])
    stage = f.get("stage")
    if stage == "pending_review":
        qs = qs.filter(Exists(ItemVersion.objects.filter(service_item=OuterRef("pk"), state=VersionState.PENDING)))
    elif stage == "open_draft":
        qs = qs.filter(Exists(ItemVersion.objects.filter(service_item=OuterRef("pk"), state__in=rules.OPEN_STATES)))
    q = (f.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(popular_name__contains=q) | Q(implementation_code=q.upper()))
    page = _page_number(request)
    # select_related: each row shows the department name and the live version number.
    # Ordered by the (department, name, handling_name) unique index, so no sort over all rows.
    rows = list(qs.select_related("department", "published_version")
                .order_by("department_id", "name", "handling_name")[(page - 1) * PAGE_SIZE: page * PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    # The review queue says who submitted each pending version, and to its submitter (or last
    # editor) that another 事项管理员 must approve it (双人复核, ADR 0059).
    open_versions = {v["service_item_id"]: v for v in ItemVersion.objects.filter(
        service_item_id__in=[r.pk for r in rows], state__in=rules.OPEN_STATES).values(
        "service_item_id", "number", "state", "submitted_by_id", "edited_by_id", "submitted_by__display_name",
        "submitted_by__username")}
    state_labels = dict(VersionState.choices)
    for r in rows:
        r.promised_text = promised_limit(r.promised_days)  # 即办件, never "0个工作日"
        ov = open_versions.get(r.pk)
        r.open_label = f"第{ov['number']}版{state_labels[ov['state']]}" if ov else ""
        r.open_state = ov["state"] if ov else ""
        r.submitter = ""
        r.own_note = ""
        if ov and ov["state"] == VersionState.PENDING:
            r.submitter = ov["submitted_by__display_name"] or ov["submitted_by__username"] or ""
            refusal = review_rules.self_review_refusal(
                request.user.pk, submitted_by=ov["submitted_by_id"], edited_by=ov["edited_by_id"],
                four_eyes=settings.ZHENGWU_CATALOG_FOUR_EYES)
            r.own_note = review_rules.SHORT_NOTES.get(refusal, "")
    return render(request, "catalog/workbench/item_list.html", {
        "batches": _import_batches(request.user) if stage == "pending_review" else [],
        "rows": rows, "page": page, "has_next": has_next, "has_prev": page > 1,
        "departments": departments, "statuses": ItemStatus.choices, "types": ItemType.choices, "stages": STAGES,
        "filters": f, "query": _query_without_page(request),
    })


def _import_batches(user) -> list:
    """导入并提交审核 batches with versions still 待审核 in the user's items (ADR 0060): the review
    queue links each to its page, where the whole batch is approved at once."""
    if not has_role(user, Role.ITEM_ADMIN):
        return []
    from django.db.models import Count

    from .models import ImportJob

    # As services.import_review.batch_versions: a version submitted again after the import is not the batch's.
    pending = ItemVersion.objects.filter(state=VersionState.PENDING, import_job__isnull=False,
                                         submitted_at__lte=F("import_job__finished_at"),
                                         service_item__in=_items_in_scope(user))
    counts = dict(pending.values_list("import_job").annotate(n=Count("pk")).values_list("import_job", "n"))
    jobs = ImportJob.objects.filter(pk__in=list(counts)).select_related("requested_by").order_by("-created_at")[:10]
    for job in jobs:  # select_related: each row names the importer
        job.pending = counts[job.pk]
    return list(jobs)


@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_new(request):
    departments = staff_departments(request.user, ITEM_ROLES).filter(is_active=True).order_by("sort_order", "name")
    form = GuideForm(request.POST or None, instance=ItemVersion(), departments=departments,
                     initial={"case_type": "committed", "service_object": "person", "item_type": "20",
                              "channels": ["window"], "visits": 1})
    if request.method == "POST" and form.is_valid():
        try:
            item = svc.create_item(request.user, department=form.cleaned_data["department"], data=form.service_data())
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"事项“{item.name}”已创建为草稿（第1版）。请继续填写申请材料，然后提交审核。")
            return redirect("catalog:wb_item_materials", pk=item.pk)
    return render(request, "catalog/workbench/item_form.html", {"form": form, "item": None, "version": None})


@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_detail(request, pk: int):
    item = _get_item(request, pk)
    draft = svc.open_version(item)
    live = item.published_version
    check = svc.publication_check(item, draft) if draft is not None and draft.is_editable else None
    can_review = svc.can_review(request.user, item)
    pending = draft is not None and draft.state == VersionState.PENDING
    return render(request, "catalog/workbench/item_detail.html", {
        "item": item, "draft": draft, "live": live, "check": check,
        "draft_materials": list(draft.materials.all()) if draft else [],
        "live_materials": list(live.materials.all()) if live else [],
        "can_edit": svc.can_edit(request.user, item), "can_review": can_review,
        "approve_refused": svc.review_refusal(request.user, draft) if can_review and pending else None,
    })


@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_edit(request, pk: int):
    item = _get_item(request, pk)
    if not svc.can_edit(request.user, item):
        raise PermissionDenied("您没有修改本事项的权限")
    draft = svc.open_version(item)
    if draft is None or not draft.is_editable:
        messages.warning(request, "该事项当前没有可修改的草稿" + ("（正在审核中，可先撤回）" if draft else "，请先新建草稿"))
        return redirect("catalog:wb_item_detail", pk=item.pk)
    form = GuideForm(request.POST or None, instance=draft, codes=svc.codes_of(item),
                     initial={"lock_version": item.lock_version})
    if request.method == "POST" and form.is_valid():
        try:
            svc.edit_draft(request.user, item, lock_version=request.POST.get("lock_version"), data=form.service_data())
        except ValidationError as exc:
            if not _stale(request, exc):
                apply_service_errors(form, exc)
        else:
            messages.success(request, f"第{draft.number}版草稿已保存。")
            return redirect("catalog:wb_item_detail", pk=item.pk)
    return render(request, "catalog/workbench/item_form.html", {"form": form, "item": item, "version": draft})


@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_materials(request, pk: int):
    item = _get_item(request, pk)
    if not svc.can_edit(request.user, item):
        raise PermissionDenied("您没有修改本事项的权限")
    draft = svc.open_version(item)
    if draft is None or not draft.is_editable:
        messages.warning(request, "该事项当前没有可修改的草稿")
        return redirect("catalog:wb_item_detail", pk=item.pk)
    initial = [material_initial(m) for m in draft.materials.all()]
    formset = MaterialFormSet(request.POST or None, initial=initial, prefix="m")
    meta = MaterialsMetaForm(request.POST or None, initial={"no_materials": draft.no_materials,
                                                            "lock_version": item.lock_version})
    if request.method == "POST" and formset.is_valid() and meta.is_valid():
        rows = formset.rows()
        try:
            svc.replace_materials(request.user, item, lock_version=meta.cleaned_data["lock_version"], materials=rows,
                                  no_materials=meta.cleaned_data["no_materials"])
        except ValidationError as exc:
            if not _stale(request, exc):
                apply_service_errors(meta, exc, aliases={"materials": "no_materials"})
        else:
            messages.success(request, f"申请材料已保存（共{len(rows)}项）。")
            return redirect("catalog:wb_item_detail", pk=item.pk)
    return render(request, "catalog/workbench/item_materials.html",
                  {"item": item, "version": draft, "formset": formset, "meta": meta,
                   "saved_materials": list(draft.materials.order_by("seq")), "file_types": svc.MATERIAL_FILE_TYPES})


@require_POST
@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_material_file(request, pk: int, mid: int):
    """Upload or remove a material's 空白表格 / 示例样表 on the open draft."""
    item = _get_item(request, pk)
    kind = request.POST.get("kind", "")
    upload = request.FILES.get("file")
    remove = request.POST.get("remove") == "1"
    if upload is None and not remove:
        messages.error(request, "请选择要上传的文件")
        return redirect("catalog:wb_item_materials", pk=item.pk)
    try:
        m = svc.attach_material_file(request.user, item, lock_version=request.POST.get("lock_version"),
                                     material_id=mid, kind=kind, upload=None if remove else upload)
    except ValidationError as exc:
        if not _stale(request, exc):
            for message in exc.messages:
                messages.error(request, message)
    else:
        label = svc.MATERIAL_FILE_KINDS[kind]
        messages.success(request, f"“{m.name}”的{label}已{'删除' if remove else '上传'}。")
    return redirect("catalog:wb_item_materials", pk=item.pk)


def _action(request, pk: int, call, success: str, success_url: str | None = None):
    """Run one state-changing service call from a POSTed button; report the outcome."""
    item = _get_item(request, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, svc.STALE_MESSAGE)
        return redirect("catalog:wb_item_detail", pk=item.pk)
    try:
        call(item, form.cleaned_data["lock_version"], form.cleaned_data.get("note") or "")
    except ValidationError as exc:
        if not _stale(request, exc):
            for message in exc.messages:
                messages.error(request, message)
    else:
        messages.success(request, success)
        if success_url:
            return redirect(success_url)
    return redirect("catalog:wb_item_detail", pk=item.pk)


@require_POST
@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_submit(request, pk: int):
    return _action(request, pk, lambda item, lock, note: svc.submit_for_review(request.user, item, lock_version=lock,
                                                                                note=note),
                   "已提交审核，等待事项管理员审核发布。")


@require_POST
@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_withdraw(request, pk: int):
    # 撤回审核并补充 (the review page): straight on to the editor, at the field that is missing.
    return _action(request, pk, lambda item, lock, note: svc.withdraw(request.user, item, lock_version=lock),
                   "已撤回审核，可以继续修改。", success_url=missing_field_url(pk, request.POST.get("field")))


def missing_field_url(pk: int, field: str | None) -> str | None:
    """Where the editor fills in ``field`` (a guide field, or the materials), or None."""
    from django.urls import reverse

    if field == "materials":
        return reverse("catalog:wb_item_materials", args=[pk])
    if field in svc.GUIDE_FIELDS:
        return f"{reverse('catalog:wb_item_edit', args=[pk])}#id_{field}"
    return None


@require_POST
@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_new_draft(request, pk: int):
    return _action(request, pk, lambda item, lock, note: svc.start_new_draft(request.user, item, lock_version=lock,
                                                                              change_note=note),
                   "已根据现行版本新建草稿，修改后提交审核；发布前网上仍显示现行版本。")


@require_POST
@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_discard(request, pk: int):
    return _action(request, pk, lambda item, lock, note: svc.discard_draft(request.user, item, lock_version=lock),
                   "草稿已放弃。")


@require_POST
@roles_required(Role.ITEM_ADMIN, what="事项管理员")
def item_status(request, pk: int):
    if request.POST.get("action") == "enable":
        return _action(request, pk, lambda item, lock, note: svc.enable(request.user, item, lock_version=lock),
                       "事项已启用。")
    return _action(request, pk, lambda item, lock, note: svc.disable(request.user, item, lock_version=lock, reason=note),
                   "事项已停用，网上办事大厅不再显示。")


@roles_required(Role.ITEM_ADMIN, what="事项管理员")
def item_review(request, pk: int):
    """审核: the pending version beside the live one, then approve (publish) or reject."""
    item = _get_item(request, pk)
    if not svc.can_review(request.user, item):
        raise PermissionDenied("您没有审核本事项的权限")
    draft = svc.open_version(item)
    if draft is None or draft.state != VersionState.PENDING:
        messages.warning(request, "该事项当前没有待审核的版本。")
        return redirect("catalog:wb_item_detail", pk=item.pk)
    approve_refused = svc.review_refusal(request.user, draft)
    form = ReviewForm(request.POST or None, initial={"lock_version": item.lock_version}, approve_refused=approve_refused)
    if request.method == "POST" and form.is_valid():
        lock, note = form.cleaned_data["lock_version"], form.cleaned_data["note"]
        try:
            if form.cleaned_data["decision"] == "approve":
                version = svc.approve_and_publish(request.user, item, lock_version=lock, note=note)
                messages.success(request, f"第{version.number}版已发布，网上办事大厅即时生效。")
            else:
                svc.reject(request.user, item, lock_version=lock, note=note)
                messages.success(request, "已退回修改，编辑人员可在事项页看到审核意见。")
        except ValidationError as exc:
            if _stale(request, exc):
                return redirect("catalog:wb_item_review", pk=item.pk)
            apply_service_errors(form, exc)
        else:
            return redirect("catalog:wb_item_detail", pk=item.pk)
    check = svc.publication_check(item, draft)
    return render(request, "catalog/workbench/item_review.html", {
        "item": item, "version": draft, "live": item.published_version, "form": form,
        "diff": svc.version_diff(item.published_version, draft), "materials": list(draft.materials.all()),
        "check": check, "missing": [(f, m) for f, ms in check.errors.items() for m in ms],
        "approve_refused": approve_refused, "can_edit": svc.can_edit(request.user, item),
        "four_eyes": settings.ZHENGWU_CATALOG_FOUR_EYES,
    })


@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_history(request, pk: int):
    item = _get_item(request, pk)
    versions, events = svc.history(item)
    return render(request, "catalog/workbench/item_history.html", {"item": item, "versions": versions, "events": events})


@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_version(request, pk: int, number: int):
    item = _get_item(request, pk)
    version = get_object_or_404(item.versions.select_related("created_by", "edited_by", "submitted_by", "reviewed_by"),
                                number=number)
    return render(request, "catalog/workbench/item_version.html",
                  {"item": item, "version": version, "materials": list(version.materials.all())})


@roles_required(*ITEM_ROLES, what="事项管理员、部门管理员")
def item_lookup(request):
    """查找事项 (JSON) for the bundle editor: at most 20 items in the user's scope."""
    q = (request.GET.get("q") or "").strip()
    if len(q) < 1:
        return JsonResponse({"results": []})
    qs = _items_in_scope(request.user).exclude(status=ItemStatus.DISABLED)
    qs = qs.filter(Q(name__contains=q) | Q(popular_name__contains=q) | Q(implementation_code=q.upper()))
    # select_related: each result names its department.
    results = [{"id": i.pk, "name": i.name, "department": i.department.name, "status": i.get_status_display()}
               for i in qs.select_related("department").order_by("name")[:20]]
    return JsonResponse({"results": results})


# -- bundles -------------------------------------------------------------------------------------
def _bundles_in_scope(user):
    return scope(Bundle.objects.all(), user, BUNDLE_ROLES, department_field=None, region_code_field="region__code")


def _get_bundle(request, pk: int) -> Bundle:
    # select_related: bundle pages show region and lead department names.
    return get_object_or_404(_bundles_in_scope(request.user).select_related("region", "lead_department"), pk=pk)


def _bundle_region(user):
    """The region a new bundle belongs to: the widest region of the user's 事项管理员 grants."""
    from zhengwu.org.models import RoleGrant

    grant = (RoleGrant.objects.filter(user=user, role=Role.ITEM_ADMIN).select_related("region")
             .order_by("region__level").first())
    if grant is not None:
        return grant.region
    if has_role(user, Role.ITEM_ADMIN):  # system administrators: the district of the deployment
        from zhengwu.org.models import Region

        return Region.objects.filter(departments__isnull=False).order_by("level", "code").first() or \
            Region.objects.order_by("level", "code").first()
    raise PermissionDenied("仅事项管理员可以新建一件事")


def _item_lookup_for(user):
    base = _items_in_scope(user, BUNDLE_ROLES)

    def lookup(text: str):
        text = text.strip()
        if text.isdigit() and len(text) < 12:
            return base.filter(pk=int(text)).first()
        by_code = base.filter(implementation_code=text.upper()).first()
        if by_code is not None:
            return by_code
        return base.filter(name=text).exclude(status=ItemStatus.DISABLED).order_by("pk").first()

    return lookup


@roles_required(*BUNDLE_ROLES, what="事项管理员")
def bundle_list(request):
    # select_related: the list shows region and lead department.
    bundles = list(_bundles_in_scope(request.user).select_related("region", "lead_department").order_by("name")[:500])
    return render(request, "catalog/workbench/bundle_list.html", {"bundles": bundles})


def _bundle_initial_rows(bundle: Bundle) -> list[dict]:
    return [{"item": str(bi.service_item_id), "optional": bi.optional} for bi in bundle.bundle_items.order_by("seq")]


@roles_required(*BUNDLE_ROLES, what="事项管理员")
def bundle_new(request):
    region = _bundle_region(request.user)
    departments = staff_departments(request.user, BUNDLE_ROLES).filter(is_active=True).order_by("sort_order", "name")
    form = BundleForm(request.POST or None, instance=Bundle(region=region), departments=departments,
                      item_lookup=_item_lookup_for(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            bundle = bundle_svc.create_bundle(request.user, region=region, data=form.service_data(),
                                              items=form.cleaned_data["items"])
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, f"一件事“{bundle.name}”已保存为草稿。")
            return redirect("catalog:wb_bundle_detail", pk=bundle.pk)
    return render(request, "catalog/workbench/bundle_form.html", {"form": form, "bundle": None, "region": region})


@roles_required(*BUNDLE_ROLES, what="事项管理员")
def bundle_detail(request, pk: int):
    bundle = _get_bundle(request, pk)
    overview = bundle_svc.bundle_overview(bundle)
    for e in overview.entries:
        e.promised_text = promised_limit(e.service_item.promised_days)  # 即办件, never "0个工作日"
    # 情形引导 (edited on its own page, views_workbench_questions): each option with the items it selects and skips.
    questions = bundle.questions.order_by("seq", "pk").prefetch_related(
        "options__select_items", "options__skip_items")
    return render(request, "catalog/workbench/bundle_detail.html", {"bundle": bundle, "o": overview,
                                                                    "questions": questions})


@roles_required(*BUNDLE_ROLES, what="事项管理员")
def bundle_edit(request, pk: int):
    bundle = _get_bundle(request, pk)
    departments = staff_departments(request.user, BUNDLE_ROLES).filter(is_active=True).order_by("sort_order", "name")
    form = BundleForm(request.POST or None, instance=bundle, departments=departments,
                      item_lookup=_item_lookup_for(request.user),
                      initial={"items": _bundle_initial_rows(bundle), "lock_version": bundle.lock_version})
    if request.method == "POST" and form.is_valid():
        try:
            bundle_svc.edit_bundle(request.user, bundle.pk, lock_version=form.cleaned_data.get("lock_version"),
                                   data=form.service_data(), items=form.cleaned_data["items"])
        except ValidationError as exc:
            if not _stale(request, exc):
                apply_service_errors(form, exc)
        else:
            messages.success(request, "一件事已保存。")
            return redirect("catalog:wb_bundle_detail", pk=bundle.pk)
    return render(request, "catalog/workbench/bundle_form.html", {"form": form, "bundle": bundle, "region": bundle.region})


@require_POST
@roles_required(*BUNDLE_ROLES, what="事项管理员")
def bundle_status(request, pk: int):
    bundle = _get_bundle(request, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, svc.STALE_MESSAGE)
        return redirect("catalog:wb_bundle_detail", pk=bundle.pk)
    lock = form.cleaned_data["lock_version"]
    try:
        if request.POST.get("action") == "disable":
            bundle_svc.disable_bundle(request.user, bundle.pk, lock_version=lock, reason=form.cleaned_data["note"])
            messages.success(request, "一件事已停用。")
        else:
            bundle_svc.publish_bundle(request.user, bundle.pk, lock_version=lock)
            messages.success(request, "一件事已发布。")
    except ValidationError as exc:
        if not _stale(request, exc):
            for message in exc.messages:
                messages.error(request, message)
    return redirect("catalog:wb_bundle_detail", pk=bundle.pk)


# -- reports -------------------------------------------------------------------------------------
@roles_required(*REPORT_ROLES, what="事项管理员、部门管理员、领导")
def report_view(request):
    """四级四同 比对 and 目录指标, over the items the viewer's grants cover."""
    group_by = request.GET.get("group_by") if request.GET.get("group_by") in reports.GROUPS else "department"
    items = _items_in_scope(request.user, REPORT_ROLES)
    figures = reports.catalogue_figures(group_by, items=items)
    four_same = reports.four_same_report(items=items, limit=100)
    return render(request, "catalog/workbench/reports.html", {
        "figures": figures, "four_same": four_same, "group_by": group_by,
    })

