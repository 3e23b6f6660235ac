"""Workbench pages of case handling (办件): 受理队列 and intake, 待办 and approval, 特别程序,
conclusion and delivery. 窗口代录/帮代办 are in :mod:`.views_staff_filing`, the process-definition
editor (审批流程) in :mod:`.views_staff_processes`.

Pages only compose: every change goes through ``cases.services`` (which checks permissions,
the state table and the optimistic lock); every list and case lookup goes through
``cases.queries`` (scoped with ``org.permissions.scope``). Action forms post the case's
``lock_version``; a stale one is refused with the service's message.
"""

from __future__ import annotations

import functools
import hashlib

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from zhengwu.licenses import queries as licence_queries
from zhengwu.licenses import use as licence_use
from zhengwu.catalog.models import Material, ServiceItem
from zhengwu.catalog.models.materials import VERSION_MATERIALS
from zhengwu.catalog.models.items import ItemStatus
from zhengwu.catalog.overview import cached_overview
from zhengwu.core.services import reveal_pii
from zhengwu.org.models import Role
from zhengwu.org.permissions import grants, has_role, scope, staff_departments
from zhengwu.speedups import jinja_env
from zhengwu.workbench.views import roles_required

from . import forms_staff as f
from . import access, formrender, queries, rules, views_staff_documents, workflow
from . import views_staff_deadlines as deadlines
from .models import Case, CaseMaterial, CaseResult, CaseStep, Channel, InstantDecision
from .rules import State, TimeStatus
from .services import approval, intake, tongban

PAGE_SIZE = 30


def page_number(request) -> int:
    try:
        return max(1, int(request.GET.get("page", 1)))
    except ValueError:
        return 1


def query_without_page(request) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


def scoped_items(user, roles):
    # The filter selects show published items of the departments the user covers.
    return (scope(ServiceItem.objects.filter(status=ItemStatus.PUBLISHED), user, roles, department_field="department")
            .select_related("department").order_by("department__sort_order", "name"))


def _options(name: str, user, roles, selected: str, build) -> str:
    """A filter select's <option>s, rendered by ``build()`` (every value escaped there): hundreds
    of options through the template engine cost more than the rest of the page.

    The rendered list is cached per scope (the user's grants of these roles) under the catalogue's
    overview generation (ADR 0010): a publication or withdrawal shows at once, a renamed
    department within OVERVIEW_CACHE_SECONDS."""
    scope_key = hashlib.sha1(repr((  # noqa: S324 - a cache key
        bool(user.is_superuser), sorted(roles),
        sorted((g.role, g.region_prefix, sorted(g.covered_ids or g.department_ids or ()))
               for g in grants(user) if g.role in roles),
    )).encode()).hexdigest()
    html = cached_overview(name, build, scope_key)
    if selected.isdigit():
        html = html.replace(f'<option value="{int(selected)}">', f'<option value="{int(selected)}" selected>', 1)
    return mark_safe(html)  # noqa: S308 - every value escaped in build()


def _item_options(user, roles, selected: str) -> str:
    """The 事项 filter: published items of the departments covered (up to 500)."""
    def build() -> str:
        rows = (scoped_items(user, roles)
                .values_list("pk", "name", "department__short_name", "department__name")[:500])
        return "".join(f'<option value="{pk}">{escape(name)}（{escape(short or full)}）</option>'
                       for pk, name, short, full in rows)

    return _options("staff-item-options", user, roles, selected, build)


def _department_options(user, roles, selected: str) -> str:
    """The 部门 filter: the active departments covered, by their short names."""
    def build() -> str:
        rows = staff_departments(user, roles).filter(is_active=True).values_list("pk", "short_name", "name")
        return "".join(f'<option value="{pk}">{escape(short or full)}</option>' for pk, short, full in rows)

    return _options("staff-department-options", user, roles, selected, build)


# -- 受理队列 ----------------------------------------------------------------------------------------
# What a row of the queue shows (cases/staff/intake_queue.html): a list row and the department's
# short name; nothing else is loaded.
INTAKE_ROW_FIELDS = (*queries.CASE_ROW_FIELDS, "department__short_name")


@roles_required(Role.WINDOW, what="窗口人员")


def intake_queue(request):
    """受理: submitted and resubmitted cases, oldest first."""
    filters = {k: request.GET.get(k, "") for k in ("item", "department", "channel")}
    page = page_number(request)
    qs = queries.intake_queue(request.user, filters, upto=page * PAGE_SIZE + 1).only(*INTAKE_ROW_FIELDS)
    rows, has_next = queries.page_slice(qs, page, PAGE_SIZE)
    for c in rows:  # 受理期限 (行政许可法第三十二条): 预警 on its last day
        c.acceptance_left = queries.acceptance_time_left(c)
    return render(request, "cases/staff/intake_queue.html", {
        "rows": rows, "rows_html": jinja_env.render("cases/staff/intake_rows.html", {"rows": rows}),
        "filters": filters, "page": page, "has_next": has_next, "has_prev": page > 1,
        "query": query_without_page(request),
        "item_options": _item_options(request.user, [Role.WINDOW], filters["item"]),
        "department_options": _department_options(request.user, [Role.WINDOW], filters["department"]),
        "channels": Channel.choices,
    })


# -- 待办 -------------------------------------------------------------------------------------------
@roles_required(Role.APPROVER, Role.WINDOW, what="审批人员或窗口人员")
def inbox(request):
    """待办: active steps the user may act on, with 正常/预警/超期."""
    keys = ("item", "department", "time", "sort")
    filters = {k: request.GET.get(k, "") for k in keys}
    if filters["sort"] not in queries.INBOX_SORTS:
        filters["sort"] = "due"
    page = page_number(request)
    wanted = filters["time"] if filters["time"] in (TimeStatus.NORMAL, TimeStatus.WARNING) else None
    if wanted:
        # 正常/预警 depend on working days per row: read in chunks until the page is full.
        qs = queries.inbox(request.user, filters)
        rows, has_next, capped = queries.with_time_status(qs.iterator(chunk_size=200), wanted, PAGE_SIZE,
                                                          skip=(page - 1) * PAGE_SIZE)
    else:
        start = (page - 1) * PAGE_SIZE
        rows, has_next, capped = queries.with_time_status(
            queries.inbox_page(request.user, filters, start, PAGE_SIZE), None, PAGE_SIZE)
    return render(request, "cases/staff/inbox.html", {
        "rows": rows, "rows_html": jinja_env.render("cases/staff/inbox_rows.html", {"rows": rows}),
        "filters": filters, "page": page, "has_next": has_next, "has_prev": page > 1,
        "capped": capped, "query": query_without_page(request),
        "item_options": _item_options(request.user, [Role.APPROVER, Role.WINDOW], filters["item"]),
        "department_options": _department_options(request.user, [Role.APPROVER, Role.WINDOW], filters["department"]),
        "time_choices": [(TimeStatus.NORMAL, "正常"), (TimeStatus.WARNING, "预警"), (TimeStatus.OVERDUE, "超期"),
                         (TimeStatus.PAUSED, "挂起（特别程序）")],
        "sorts": [("due", "环节期限（最早在前）"), ("-due", "环节期限（最晚在前）"),
                  ("submitted", "提交时间（最早在前）"), ("-submitted", "提交时间（最新在前）")],
    })


# -- the case page -----------------------------------------------------------------------------------
def _form_rows(case: Case) -> list[tuple[str, object]]:
    """(field title, answer) in the form's order — the same rows as the applicant's 申请表 card."""
    return formrender.answers(case.item_version.form_schema, case.form_data)


def _material_names(case: Case, catalogue: list[Material], uploaded: list[CaseMaterial]) -> list[str]:
    names = [m.name for m in catalogue]
    names += [m.name for m in uploaded if m.name not in names and m.status != CaseMaterial.Status.REPLACED]
    return names


def _blocks(case: Case, steps: list[CaseStep]) -> list[dict]:
    """The process as blocks for display: parallel steps side by side, conditional ones marked,
    steps whose condition did not hold shown as skipped."""
    definition = case.process.steps if case.process_id else []
    by_id = {s.step_id: s for s in steps}
    out: list[dict] = []
    current = (case.progress or {}).get("current")
    for block in workflow._blocks(definition) if definition else []:
        cells = []
        for s in block:
            row = by_id.get(s["id"])
            cells.append({"definition": s, "row": row, "skipped": row is None, "condition": s.get("condition"),
                          "actions": "、".join(workflow.ACTIONS[a] for a in s.get("actions") or ["pass"])})
        block_no = next((c["row"].block for c in cells if c["row"] is not None), None)
        out.append({"cells": cells, "parallel": len(cells) > 1, "current": block_no is not None and block_no == current})
    return out


def _can_window(user, case) -> bool:
    return has_role(user, Role.WINDOW, department=case.department)


def _can_handle(user, case) -> bool:
    return has_role(user, Role.WINDOW, Role.APPROVER, department=case.department)


def case_parts(case: Case, *, focus_step: str = "", readonly: bool = False) -> dict:
    """What the case page shows of a case whoever reads it: ``shown`` (the context of the Jinja2
    cards) and the rows the actions need. ``readonly``: the cards leave out the links to files
    (the read-only page, :mod:`.views_staff_readonly`, hands out none)."""
    version = case.item_version
    # One query each: the guide's materials, uploads, history, steps (+department, actor), etc.;
    # none for a dependent table the case has no rows in (queries.with_child_flags).
    has = functools.partial(queries.has_child, case)
    # Each compiled once (queries.CASE_*); rows_of sets each row's case (the time status reads it).
    catalogue = VERSION_MATERIALS.all(version.pk)
    uploaded = queries.rows_of(queries.CASE_UPLOADS, case) if has("materials") else []
    events = queries.rows_of(queries.CASE_EVENTS, case)
    steps = queries.rows_of(queries.CASE_STEPS_STAFF, case) if has("steps") else []
    supplements = queries.rows_of(queries.CASE_SUPPLEMENTS, case) if has("supplements") else []
    pending = queries.rows_of(queries.CASE_PENDING, case) if has("pending") else []
    suspensions = queries.rows_of(queries.CASE_SUSPENSIONS, case) if has("suspensions") else []
    result = (getattr(case, "result", None)
              if case.state in (State.CONCLUDED, State.DELIVERED) and has("result") else None)
    # 免提交: the licences that stood in for materials (zhengwu.licenses.use).
    licence_uses = licence_use.uses_of_case(case.pk) if has("licence_uses") else []
    cross = tongban.cross_of(case) if has("cross_intake") else None  # 跨域通办: received elsewhere
    # 秒批: read only for a case whose history says it was checked.
    instant_decision = (InstantDecision.objects.filter(case_id=case.pk).first()
                        if any(e.action in ("instant_accept", "instant_manual") for e in events) else None)
    have = {m.name for m in uploaded if m.status != CaseMaterial.Status.REPLACED} | {u.material_name for u in licence_uses}
    material_names = _material_names(case, catalogue, uploaded)
    tolerable = rules.tolerable_materials([(m.name, m.necessity) for m in catalogue], have)
    for s in steps:
        s.time_left = queries.step_time_left(s)
    # The read-only cards are Jinja2 fragments (ADR 17); the applicant card and the actions have
    # forms and stay in the Django template.
    shown = {
        "case": case, "time_left": queries.case_time_left(case), "form_rows": _form_rows(case),
        "acceptance_left": queries.acceptance_time_left(case),
        "catalogue": [(m, m.name in have) for m in catalogue], "uploaded": uploaded, "events": events,
        # Only the current file of each material in the list; replaced ones folded away below it.
        "current_uploads": [m for m in uploaded if m.status != CaseMaterial.Status.REPLACED],
        "replaced_uploads": [m for m in uploaded if m.status == CaseMaterial.Status.REPLACED],
        "supplements": supplements, "pending": pending, "suspensions": suspensions,
        "tolerance_note": queries.tolerance_note(case, pending),  # 容缺受理: the 承诺时限 from 补齐之日
        "licence_uses": licence_uses, "validity_text": licence_use.validity_text,
        "blocks": _blocks(case, steps), "focus_step": focus_step,
        "cross": cross, "cross_scope": tongban.scope_label(cross) if cross else "", "instant": instant_decision,
        "readonly": readonly,
    }
    return {"shown": shown, "result": result, "cross": cross, "steps": steps, "supplements": supplements,
            "catalogue": catalogue, "material_names": material_names, "tolerable": tolerable,
            "info_html": jinja_env.render("cases/staff/case_info.html", shown),
            "records_html": jinja_env.render("cases/staff/case_records.html", shown)}


def _render_case(request, case: Case, *, bound: dict | None = None, focus_step: str = "", revealed=None, status=200):
    """The staff case page; ``bound`` holds forms re-shown with their errors after a failed post."""
    bound = bound or {}
    lock = {"lock_version": case.lock_version}
    version = case.item_version
    parts = case_parts(case, focus_step=focus_step)
    result, cross, steps, supplements = parts["result"], parts["cross"], parts["steps"], parts["supplements"]
    material_names, tolerable = parts["material_names"], parts["tolerable"]
    # The e-licences the decision issued, linked to the registry where the user's scope covers them.
    issued = licence_queries.issued_in_case(request.user, case.pk) if result and result.outcome == "approved" else []
    ctx = {
        "case": case, "applicant": case.applicant, "revealed": revealed or {}, "result": result, "issued": issued,
        "focus_step": focus_step, "info_html": parts["info_html"], "records_html": parts["records_html"],
    }
    # Intake actions: 窗口人员 of the case's department, while the case waits for 受理.
    if case.state in (State.SUBMITTED, State.SUPPLEMENT) and _can_window(request.user, case):
        ctx["intake"] = {
            "accept": bound.get("accept") or f.AcceptForm(initial=lock, auto_id="accept_%s"),
            "supplement": bound.get("supplement") or f.SupplementForm(initial=lock, materials=material_names,
                                                                       auto_id="supplement_%s"),
            "refuse": bound.get("refuse") or f.RefuseForm(initial=lock, auto_id="refuse_%s"),
            # A refused post is shown again with its message even where the item does not offer it.
            # 容缺: only the guide's 容缺可后补 materials not handed in (rules.tolerable_materials).
            "tolerate": bound.get("tolerate") or (
                f.TolerateForm(initial=lock, choices=tolerable, auto_id="tolerate_%s")
                if version.allows_tolerance and tolerable else None),
            "tolerate_none": version.allows_tolerance and not tolerable and "tolerate" not in bound,
            "commitment": bound.get("commitment") or (
                f.CommitmentForm(initial=lock, case=case, auto_id="commitment_%s") if version.allows_commitment else None),
            "can_accept": case.state == State.SUBMITTED,
            # 一次性告知: after a first notice a second one needs its reason (rules.supplement_refusal).
            "earlier_supplements": len(supplements),
        }
    # Step actions: the active steps this user may act on.
    definition = {s["id"]: s for s in (case.process.steps if case.process_id else [])}
    my_steps = []
    if case.state == State.IN_REVIEW:
        for s in steps:
            if s.status == CaseStep.Status.ACTIVE and has_role(request.user, s.role, department=s.department):
                actions = (definition.get(s.step_id) or {}).get("actions") or ["pass"]
                form = bound.get(f"step:{s.step_id}") or f.StepActionForm(
                    initial={**lock, "action": "pass"}, actions=actions, auto_id=f"step_{s.step_id}_%s")
                my_steps.append((s, form))
    ctx["my_steps"] = my_steps
    if _can_handle(request.user, case):
        if case.state == State.IN_REVIEW:
            ctx["suspend_form"] = bound.get("suspend") or f.SuspendForm(initial=lock, auto_id="suspend_%s")
        if case.state == State.SUSPENDED:
            ctx["resume_form"] = bound.get("resume") or f.ResumeForm(initial=lock, auto_id="resume_%s")
        if case.state == State.CONCLUDED and result is not None:
            ctx["deliver_form"] = bound.get("deliver") or f.DeliverForm(
                initial={**lock, **_delivery_initial(request.user, case)}, auto_id="deliver_%s")
    if (case.state == State.CONCLUDED and result is not None and "deliver_form" not in ctx and cross is not None
            and tongban.hands_over_here(request.user, case, "window")):
        # 代收窗口领取: the receiving window hands the result over.
        ctx["deliver_form"] = bound.get("deliver") or f.DeliverForm(initial={**lock, "method": "window"},
                                                                     auto_id="deliver_%s")
    ctx.update(deadlines.case_context(request.user, case, bound))
    ctx["documents"] = views_staff_documents.links(case)
    ctx["any_errors"] = bool(bound)
    return render(request, "cases/staff/case_detail.html", ctx, status=status)


def _delivery_initial(user, case: Case) -> dict:
    """登记送达 starts from the applicant's choice; the address they gave for 邮寄 is read for
    the label (an audited read of personal data). Without a choice: 窗口领取 at a window, 电子送达
    online."""
    method = case.delivery_method or ("window" if case.channel != Channel.ONLINE else "electronic")
    initial = {"method": method}
    if method == "mail" and case.delivery_address:
        initial["address"] = reveal_pii(user, case, "delivery_address", f"办件 {case.number} 邮寄送达")
    return initial


@roles_required(Role.WINDOW, Role.APPROVER, what="窗口人员或审批人员")
def step_detail(request, pk: int, step_id: str):
    """The approval page of one step: the case page focused on that step."""
    case = queries.staff_case(request.user, pk)
    if not case.steps.filter(step_id=step_id).exists():
        raise Http404("该办件没有这个环节")
    return _render_case(request, case, focus_step=step_id)


REVEAL_FIELDS = {"id_number": "身份证号", "legal_rep_id_number": "法定代表人身份证号", "phone": "联系电话"}


@require_POST
@roles_required(Role.WINDOW, Role.APPROVER, what="窗口人员或审批人员")
def case_reveal(request, pk: int):
    """查看完整信息: the clear ID/phone, for this response only, with an audit event."""
    case = queries.staff_case(request.user, pk)
    field = request.POST.get("field", "")
    if field not in REVEAL_FIELDS:
        raise Http404("没有这项个人信息")
    value = reveal_pii(request.user, case.applicant, field, f"办件 {case.number or case.pk} 审核")
    return _render_case(request, case, revealed={field: value})


def _service_call(request, form, call) -> bool:
    """Run a service call; on a refusal put its Chinese message(s) on the form."""
    try:
        call()
    except ValidationError as exc:
        f.apply_service_errors(form, exc)
        if getattr(exc, "code", None) == "stale":
            messages.error(request, exc.messages[0])
        return False
    return True


INTAKE_ACTIONS = {"accept", "supplement", "refuse", "tolerate", "commitment"}


@require_POST
@roles_required(Role.WINDOW, what="窗口人员")
def intake_action(request, pk: int, action: str):
    """受理 / 补正 / 不予受理 / 容缺受理 / 告知承诺 on one case."""
    if action not in INTAKE_ACTIONS:
        raise Http404("未知的受理操作")
    case = queries.staff_case(request.user, pk)
    user, post = request.user, request.POST
    uploaded = list(CaseMaterial.objects.filter(case=case).only("name", "status"))
    names = _material_names(case, list(Material.objects.filter(version_id=case.item_version_id).order_by("seq")), uploaded)
    if action == "accept":
        form = f.AcceptForm(post, auto_id="accept_%s")
        call = lambda d: intake.accept(user, case, d["lock_version"], d["opinion"])  # noqa: E731
        done = "已受理，审批时限开始计算"
    elif action == "supplement":
        form = f.SupplementForm(post, materials=names, auto_id="supplement_%s")
        call = lambda d: intake.request_supplement(user, case, d["lock_version"], d["items"], d["note"],  # noqa: E731
                                                   d["additional_reason"])
        done = "已发出一次性补正告知"
    elif action == "refuse":
        form = f.RefuseForm(post, auto_id="refuse_%s")
        call = lambda d: intake.refuse(user, case, d["lock_version"], d["reason"], d["legal_basis"])  # noqa: E731
        done = "已作出不予受理决定"
    elif action == "tolerate":
        form = f.TolerateForm(post, choices=intake.tolerable(case), auto_id="tolerate_%s")
        call = lambda d: intake.accept_pending(  # noqa: E731
            user, case, d["lock_version"], [(n, d["due_date"]) for n in d["materials"]], d["opinion"])
        done = "已容缺受理"
    else:
        form = f.CommitmentForm(post, case=case, auto_id="commitment_%s")
        call = lambda d: intake.accept_commitment(  # noqa: E731
            user, case, d["lock_version"], d["commitment_text"], d["signed"], d["opinion"])
        done = "已按告知承诺制受理"
    if form.is_valid() and _service_call(request, form, lambda: call(form.cleaned_data)):
        messages.success(request, f"办件 {case.number}：{done}")
        return redirect("cases:staff_case", pk=case.pk)
    return _render_case(request, Case.objects.select_related(*CASE_RELATED).get(pk=case.pk), bound={action: form})


CASE_RELATED = queries.STAFF_CASE_RELATED


@require_POST
@roles_required(Role.WINDOW, Role.APPROVER, what="审批人员或窗口人员")
def step_action(request, pk: int, step_id: str):
    """通过 / 退回 / 不予通过 on one active step."""
    case = queries.staff_case(request.user, pk)
    definition = {s["id"]: s for s in (case.process.steps if case.process_id else [])}
    if step_id not in definition:
        raise Http404("该办件没有这个环节")
    form = f.StepActionForm(request.POST, actions=definition[step_id].get("actions") or ["pass"],
                            auto_id=f"step_{step_id}_%s")
    if form.is_valid():
        d = form.cleaned_data
        if _service_call(request, form, lambda: approval.act_on_step(request.user, case, step_id, d["action"],
                                                                     d["lock_version"], d["opinion"])):
            case.refresh_from_db(fields=["state", "outcome"])
            label = workflow.ACTIONS[d["action"]]
            if case.state == State.CONCLUDED:
                messages.success(request, f"“{definition[step_id]['name']}”已{label}，办件已办结（"
                                          f"{'准予' if case.outcome == 'approved' else '不予'}），决定书已生成")
            else:
                messages.success(request, f"“{definition[step_id]['name']}”已{label}")
            return redirect("cases:staff_case", pk=case.pk)
    case = Case.objects.select_related(*CASE_RELATED).get(pk=case.pk)
    return _render_case(request, case, bound={f"step:{step_id}": form}, focus_step=step_id)


@require_POST
@roles_required(Role.WINDOW, Role.APPROVER, what="审批人员或窗口人员")
def suspend(request, pk: int):
    case = queries.staff_case(request.user, pk)
    form = f.SuspendForm(request.POST, auto_id="suspend_%s")
    if form.is_valid():
        d = form.cleaned_data
        if _service_call(request, form, lambda: approval.suspend(request.user, case, d["lock_version"], d["kind"],
                                                                 d["reason"], d["planned_days"], d["legal_basis"])):
            messages.success(request, "已启动特别程序，计时暂停；申请人可以看到原因")
            return redirect("cases:staff_case", pk=case.pk)
    return _render_case(request, Case.objects.select_related(*CASE_RELATED).get(pk=case.pk), bound={"suspend": form})


@require_POST
@roles_required(Role.WINDOW, Role.APPROVER, what="审批人员或窗口人员")
def resume(request, pk: int):
    case = queries.staff_case(request.user, pk)
    form = f.ResumeForm(request.POST, auto_id="resume_%s")
    if form.is_valid():
        d = form.cleaned_data
        due_before = case.due_date
        if _service_call(request, form, lambda: approval.resume(request.user, case, d["lock_version"], d["note"])):
            due_after = Case.objects.values_list("due_date", flat=True).get(pk=case.pk)
            if due_after and due_after != due_before:
                messages.success(request, f"特别程序已结束，恢复计时，承诺办结日期已顺延至{due_after:%Y年%m月%d日}")
            else:
                messages.success(request, "特别程序已结束，恢复计时，承诺办结日期不变")
            return redirect("cases:staff_case", pk=case.pk)
    return _render_case(request, Case.objects.select_related(*CASE_RELATED).get(pk=case.pk), bound={"resume": form})


@require_POST
@roles_required(Role.WINDOW, Role.APPROVER, what="窗口人员或审批人员")
def deliver(request, pk: int):
    case = queries.staff_case(request.user, pk)
    form = f.DeliverForm(request.POST, auto_id="deliver_%s")
    if form.is_valid():
        d = form.cleaned_data
        if _service_call(request, form, lambda: approval.deliver(
                request.user, case, d["lock_version"], d["method"], address=d["address"], carrier=d["carrier"],
                tracking_number=d["tracking_number"])):
            messages.success(request, "已登记送达")
            return redirect("cases:staff_case", pk=case.pk)
    return _render_case(request, Case.objects.select_related(*CASE_RELATED).get(pk=case.pk), bound={"deliver": form})


def _file_response(field, filename: str, content_type: str, download: bool):
    response = FileResponse(field.open("rb"), content_type=content_type, as_attachment=download, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox"  # an uploaded file never runs script in our origin
    return response


@roles_required(Role.WINDOW, Role.APPROVER, what="窗口人员或审批人员")
def decision_file(request, pk: int):
    """The decision document (决定书) for staff, shown inline; materials are served by the
    ``cases:case_file`` view. Both ask the case's own access rule (:mod:`zhengwu.cases.access`)
    and record the read."""
    case = access.viewable_case(request.user, pk)
    result = CaseResult.objects.filter(case=case).first() if queries.has_child(case, "result") else None
    if result is None or not result.decision_file:
        raise Http404("该办件尚未办结，没有决定书")
    try:
        response = _file_response(result.decision_file, f"{result.decision_number}.pdf", "application/pdf",
                                  request.GET.get("download") == "1")
    except FileNotFoundError:
        raise Http404("文件已不存在") from None
    access.record_file_read(request.user, case, "decision", name=result.decision_number)
    return response
