"""The cases JSON API (/api/v1/cases/): apply, upload, submit, intake and approval actions,
case search and detail, staff inbox, figures.

Same rules as the pages:

- who sees a case is decided once, in :func:`_visible_case`: applicants (and their agents) see
  their own cases — a person acting for an enterprise as its 经办人 (以企业身份办事 in the
  browser) sees and files the enterprise's instead, within the grant's scope, as on the pages
  (:func:`_acting`); staff the cases of their departments/region (and the cases in which one of
  their departments has an approval step). Anything else is 404 — the API does not confirm that
  a case exists;
- who may *do* something is decided by the services (the one write path); their
  ``PermissionDenied`` is 403, ``ValidationError`` 400 with field errors, a stale
  ``lock_version`` 409 (the API root's exception handlers, ``zhengwu/api.py``);
- staff lists are scoped with :func:`zhengwu.org.permissions.scope` (:mod:`.api_staff_lists`)
  and paginated by keyset cursors over indexed columns — no OFFSET, no COUNT(*).

Authentication is the Django session (:class:`SessionAuth`, the cookie ``sessionid``). As with
``ninja.security.django_auth``, unsafe methods (POST/PATCH) are CSRF-checked like a browser form:
send the ``csrftoken`` cookie's value in the ``X-CSRFToken`` header. Without a session the
answer is 401, whatever the method.
"""

import base64
import contextlib
import datetime as dt
import functools
import json
from typing import Optional

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, HttpResponse
from django.urls import reverse
from ninja import File, Form, Header, Query, Router, Status
from ninja.files import UploadedFile

from zhengwu.accounts.agents import acting_applicant, idempotency_namespace
from zhengwu.accounts.api_auth import SessionAuth
from zhengwu.accounts.models import Applicant, EnterpriseAgent
from zhengwu.catalog.models import Material, ServiceItem
from zhengwu.core import calendar, errors
from zhengwu.core.pii import blind_index, mask
from zhengwu.core.schemas import ERRORS
from zhengwu.licenses import use as licence_use
from zhengwu.org import permissions
from zhengwu.org.models import Role, Window
from zhengwu.speedups.prepared import ByPk

from . import access, api_delivery, documents, queries, rules
from .api_schemas import (
    CaseCreateIn,
    CaseDetailOut,
    CaseMaterialOut,
    CasePage,
    FormIn,
    ResubmitIn,
    SubmitIn,
    WithdrawIn,
)
from .models import Case, CaseMaterial, CaseResult, CaseStep, PendingMaterial
from .rules import Actor, State
from .services import applying, commitment, delivery

PREFIX = "/cases/"
NOT_FOUND = "办件不存在或无权查看"
# Roles that handle cases and so may read the cases of their scope (as on the staff pages);
# leaders see figures only.
CASE_ROLES = queries.STAFF_CASE_ROLES
MAX_KEY = 50  # Idempotency-Key length (stored namespaced by user in a 64-char column)
SUMMARY_FIELDS = queries.CASE_ROW_FIELDS  # what _summary reads


router = Router(auth=SessionAuth(), tags=["办件"])
PDF_RESPONSE = {"responses": {200: {"description": "PDF 文件", "content": {
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}}


class NotFound(errors.NotFound):
    message = NOT_FOUND


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


# -- visibility ----------------------------------------------------------------------------
def _acting(request, scope: str = EnterpriseAgent.Scope.VIEW) -> Applicant | None:
    """The applicant this session acts for: the enterprise when the person switched to
    以企业身份办事 (its grant must hold ``scope``: 办件申请 for writes, 查看办件 for reads), else
    their own — :func:`zhengwu.accounts.agents.acting_applicant`, as the pages ask it. The user
    (``request.auth``) carries it for the services. A revoked grant is 403 “经办授权已撤销”."""
    return acting_applicant(request, scope)


def _visible_case(request, case_id: int, scope: str = EnterpriseAgent.Scope.VIEW) -> Case:
    """The case if the user may see it, else :class:`NotFound` (404, never 403: no probing).

    The rule is :func:`zhengwu.cases.access.may_view`, the same as the pages' and as every file
    download's: applicants and their agents see their own cases; staff what the staff pages show
    them (their departments' cases, and cases in which one of their departments has an approval
    step — 并联审批), never an applicant's unsubmitted draft. A 经办人 acting for an enterprise
    sees the enterprise's cases (``scope``: what the caller is about to do, see :func:`_acting`).
    """
    user = request.auth
    _acting(request, scope)
    # select_related: the detail and every action read the item, department and applicant; the
    # rarely set agent and window (and the guide version the receipt reads) come lazily, only
    # when used: each further joined table costs PostgreSQL more planning time than a
    # primary-key query (as for queries.STAFF_CASE_RELATED). The child-table flags let the
    # detail skip the queries that would come back empty.
    case = _CASE_FOR_DETAIL.get(case_id)
    if case is None or not access.may_view(user, case):  # the one rule of a case and its files
        raise NotFound()
    return case


_CASE_FOR_DETAIL = ByPk(lambda: queries.with_child_flags(
    Case.objects.select_related("service_item", "department__region", "applicant")))


# -- serialisation -------------------------------------------------------------------------
def _applicant_out(a: Applicant | None) -> dict | None:
    if a is None:
        return None
    return {"name": a.name, "kind": a.kind, "kind_label": a.get_kind_display(),
            "id_number": str(a.id_number) if a.id_number else "", "uscc": a.uscc or ""}


def _summary(case: Case) -> dict:
    return {
        "id": case.pk, "number": case.number,
        "item": {"id": case.service_item_id, "name": case.service_item.name},
        "department": {"id": case.department_id, "name": case.department.name},
        "applicant_name": case.applicant.name,
        "channel": case.channel, "channel_label": case.get_channel_display(),
        "state": case.state, "state_label": case.state_label,
        "created_at": case.created_at, "submitted_at": case.submitted_at, "acceptance_due": case.acceptance_due,
        "accepted_on": case.accepted_on,
        "due_date": case.due_date, "concluded_at": case.concluded_at, "lock_version": case.lock_version,
    }


def _time_out(left: queries.TimeLeft | None) -> dict | None:
    """正常 / 预警 / 超期 / 挂起 as computed for the staff pages (:mod:`zhengwu.cases.queries`)."""
    if left is None:
        return None
    return {"status": left.status.value, "label": left.label, "days_left": left.days, "may_move": left.may_move}


def _viewer_actor(user, case: Case) -> Actor | None:
    if access.is_party(user, case):
        return Actor.APPLICANT
    if permissions.has_role(user, Role.APPROVER, department=case.department):
        return Actor.APPROVER
    if permissions.has_role(user, Role.WINDOW, department=case.department):
        return Actor.WINDOW
    return None


def _detail(request, case: Case) -> dict:
    """The whole case in one response: a constant number of queries, whatever its history."""
    user = request.auth
    party = access.is_party(user, case)
    has = functools.partial(queries.has_child, case)  # False: the case has no such rows (no query)
    # A new draft's one event is known to the service that made it (create_draft).
    events = getattr(case, "known_events", None)
    # The dependent rows by lookups compiled once (queries.CASE_*).
    if events is None:
        visible_only = party and not permissions.is_staff_member(user)
        events = queries.rows_of(queries.CASE_EVENTS_VISIBLE if visible_only else queries.CASE_EVENTS, case)
    # Each step shows its department; has_role needs the department's region.
    steps = queries.rows_of(queries.CASE_STEPS_STAFF, case) if has("steps") else []
    materials = queries.rows_of(queries.CASE_UPLOADS, case) if has("materials") else []
    result = CaseResult.objects.filter(case=case).first() if has("result") else None
    cal = calendar.get_calendar()
    actor = _viewer_actor(user, case)
    role_labels = dict(Role.choices)
    out = _summary(case)
    out.update({
        "applicant": _applicant_out(case.applicant), "agent": _applicant_out(case.agent), "agent_note": case.agent_note,
        "window": str(case.window) if case.window_id else "",
        "form_data": case.form_data,
        "intake_mode": case.intake_mode, "intake_mode_label": case.get_intake_mode_display(),
        "outcome": case.outcome, "outcome_label": case.get_outcome_display() if case.outcome else "",
        "promised_days": case.promised_days, "suspended_workdays": case.suspended_workdays, "visits": case.visits,
        "extension_workdays": case.extension_workdays, "received_on": case.received_on,
        "deemed_accepted": case.deemed_accepted,
        "concluded_on_time": case.concluded_on_time, "refusal_reason": case.refusal_reason,
        "commitment_chosen": bool(case.commitment_text), "commitment_text": case.commitment_text,
        "commitment_signed_at": case.commitment_signed_at,
        "time": _time_out(queries.case_time_left(case, cal=cal)),
        "actions": rules.allowed_actions(case.state, actor) if actor else [],
        "timeline": [{"action": e.action, "label": e.label, "from_state": e.from_state, "to_state": e.to_state,
                      "step_id": e.step_id, "actor_name": e.actor_name, "opinion": e.opinion, "data": e.data,
                      "at": e.at} for e in events],
        "steps": [{
            "id": s.pk, "step_id": s.step_id, "name": s.name,
            "role": s.role, "role_label": role_labels.get(s.role, s.role),
            "department": {"id": s.department_id, "name": s.department.name}, "block": s.block,
            "status": s.status, "status_label": s.get_status_display(), "due_date": s.due_date,
            "activated_at": s.activated_at, "acted_by_name": str(s.acted_by) if s.acted_by_id else "",
            "acted_at": s.acted_at, "opinion": s.opinion,
            "can_act": s.status == CaseStep.Status.ACTIVE and case.state == State.IN_REVIEW
            and permissions.has_role(user, s.role, department=s.department),
        } for s in steps],
        "materials": [_material_out(m) for m in materials],
        "licence_uses": [{"material_name": u.material_name, "licence_type": u.licence.type.name,
                          "licence_number": u.licence.number, "licence_identifier": u.licence.identifier,
                          "valid_until": u.licence.valid_until, "channel": u.channel,
                          "channel_label": u.get_channel_display(), "at": u.at}
                         for u in (licence_use.uses_of_case(case.pk) if has("licence_uses") else [])],
        "pending_materials": [{"id": p.pk, "name": p.name, "due_date": p.due_date, "supplied_at": p.supplied_at}
                              for p in (PendingMaterial.objects.filter(case=case).order_by("pk")
                                        if has("pending") else [])],
        "supplement_notices": [{"id": n.pk, "items": n.items, "note": n.note, "issued_at": n.issued_at,
                                "resolved_at": n.resolved_at, "additional_reason": n.additional_reason}
                               for n in (queries.rows_of(queries.CASE_SUPPLEMENTS, case)
                                         if has("supplements") else [])],
        "suspensions": [{"kind": s.kind, "kind_label": s.get_kind_display(), "reason": s.reason,
                         "started_on": s.started_on, "planned_workdays": s.planned_workdays, "ended_on": s.ended_on,
                         "workdays": s.workdays, "legal_basis": s.legal_basis, "stops_clock": s.stops_clock}
                        for s in (queries.rows_of(queries.CASE_SUSPENSIONS, case)
                                  if has("suspensions") else [])],
        "extensions": [{"status": e.status, "status_label": e.get_status_display(), "reason": e.reason,
                        "workdays": e.workdays, "requested_at": e.requested_at, "decided_at": e.decided_at,
                        "decision_note": e.decision_note, "due_before": e.due_before, "due_after": e.due_after}
                       for e in (queries.rows_of(queries.CASE_EXTENSIONS, case) if case.accepted_on else [])
                       if not party or e.status == "approved"],
        "result": _result_out(case, result),
        "receipt_url": reverse("api:case_receipt", args=[case.pk]) if case.number else "",
        **api_delivery.shown(case),
    })
    return out


def _material_out(m: CaseMaterial) -> dict:
    return {"id": m.pk, "name": m.name, "material_id": m.material_id, "original_name": m.original_name,
            "content_type": m.content_type, "size": m.size, "sha256": m.sha256, "status": m.status,
            "status_label": m.get_status_display(), "uploaded_at": m.uploaded_at}


def _result_out(case: Case, r: CaseResult | None) -> dict | None:
    if r is None:
        return None
    return {"outcome": r.outcome, "outcome_label": r.get_outcome_display(), "decision_number": r.decision_number,
            "reason": r.reason, "delivery_method": r.delivery_method,
            "delivery_label": r.get_delivery_method_display() if r.delivery_method else "",
            "address": mask("address", r.address) if r.address else "", "carrier": r.carrier,
            "tracking_number": r.tracking_number, "delivered_at": r.delivered_at,
            "decision_url": reverse("api:case_decision", args=[case.pk])}


def _fresh_detail(request, case_id: int, scope: str = EnterpriseAgent.Scope.VIEW) -> dict:
    return _detail(request, _visible_case(request, case_id, scope))


def _detail_after_change(request, before: Case, after: Case | None = None) -> dict:
    """The detail after the user's own change to a case they may see (create, submit, resubmit,
    withdraw): the case row read again with its child flags, its item, department and applicant
    taken from ``before`` — those changes never move a case to another item, department or
    applicant, nor change who is a party to it.

    ``after``: the case as the service left it, when the service read it (locked) with its child
    flags and the change added no dependent rows but history: it is what the database now
    holds, so it is not read again."""
    if after is not None and after.pk == before.pk and hasattr(after, "has_steps"):
        for name in ("service_item", "department", "applicant", "agent", "window"):
            field = Case._meta.get_field(name)
            if not field.is_cached(after) and field.is_cached(before) \
                    and getattr(after, f"{name}_id") == getattr(before, f"{name}_id"):
                setattr(after, name, getattr(before, name))
        return _detail(request, after)
    related = {"service_item": "service_item", "department": "department__region", "applicant": "applicant"}
    known = [name for name in related if Case._meta.get_field(name).is_cached(before)]
    qs = Case.objects.filter(pk=before.pk).select_related(*(related[n] for n in related if n not in known))
    case = queries.with_child_flags(qs).first()
    if case is None:
        raise NotFound()
    for name in known:
        if getattr(case, f"{name}_id") == getattr(before, f"{name}_id"):
            setattr(case, name, getattr(before, name))
    return _detail(request, case)


# -- keyset cursors ------------------------------------------------------------------------
def _encode_cursor(value, pk: int) -> str:
    raw = json.dumps([value.isoformat() if value is not None else None, pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str, kind: type) -> tuple:
    try:
        value, pk = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return kind.fromisoformat(value), int(pk)
    except (ValueError, TypeError, json.JSONDecodeError) as exc:
        raise _invalid("cursor", "分页游标无效：请从第一页重新开始") from exc


def _page(qs, field: str, cursor: str | None, limit: int, *, descending: bool, kind: type) -> tuple[list, str | None]:
    """One page of ``qs`` ordered by (field, pk), after ``cursor``; reads ``limit + 1`` rows to
    know whether there is a next page (no COUNT)."""
    if cursor:
        value, pk = _decode_cursor(cursor, kind)
        op = "lt" if descending else "gt"
        # The bound on ``field`` alone is implied by the OR; it is what an index range can start at
        # (without it, a list walking an index in this order reads every row before the cursor).
        qs = qs.filter(Q(**{f"{field}__{op}e": value}),
                       Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"pk__{op}": pk}))
    order = [f"-{field}", "-pk"] if descending else [field, "pk"]
    rows = list(qs.order_by(*order)[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        next_cursor = _encode_cursor(getattr(last, field), last.pk)
    return rows, next_cursor


# == applicant ===============================================================================
@router.post("/", response={200: CaseDetailOut, 201: CaseDetailOut, **ERRORS}, summary="创建申请（草稿）",
             description="同一 Idempotency-Key 只会创建一个办件：重复请求返回已创建的办件（200）。"
                         "窗口人员代录时填写申请人身份证号。")
def create_case(request, payload: CaseCreateIn,
                idempotency_key: Optional[str] = Header(None, alias="Idempotency-Key")):
    user = request.auth
    _acting(request, EnterpriseAgent.Scope.APPLY)  # the enterprise applies when a 经办人 acts for it
    key = None
    if idempotency_key:
        if len(idempotency_key) > MAX_KEY:
            raise _invalid("Idempotency-Key", f"幂等键不能超过{MAX_KEY}个字符")
        key = idempotency_namespace(user, idempotency_key)  # per person, and per enterprise acted for
        existing = Case.objects.filter(idempotency_key=key).values_list("pk", flat=True).first()
        if existing:
            return Status(200, _fresh_detail(request, existing, EnterpriseAgent.Scope.APPLY))
    item = _ITEM_TO_APPLY_FOR.get(payload.item_id)
    if item is None:
        raise _invalid("item_id", "事项不存在")
    applicant = agent = window = None
    if payload.applicant_id_number:
        applicant = _applicant_by_id_number(payload.applicant_id_number, "applicant_id_number", "申请人")
    if payload.agent_id_number:
        agent = _applicant_by_id_number(payload.agent_id_number, "agent_id_number", "代办人")
    if payload.window_id:
        window = Window.objects.filter(pk=payload.window_id).first()
        if window is None:
            raise _invalid("window_id", "窗口不存在")
    choice = api_delivery.requested(payload.delivery_method, payload.delivery_address)  # before anything is written
    if payload.commitment and item.published_version_id:  # 告知承诺: refused before anything is written
        commitment.refuse_if_not_allowed(item.published_version)
    with transaction.atomic() if choice is not None or payload.commitment else contextlib.nullcontext():
        case = applying.create_draft(user, item, applicant=applicant, channel=payload.channel, agent=agent,
                                     agent_note=payload.agent_note, form_data=payload.form_data, window=window,
                                     idempotency_key=key, key_checked=key is not None)
        if choice is not None:
            chosen = delivery.choose(user, case, *choice, case.lock_version)
            case.delivery_method, case.delivery_address, case.lock_version = (
                chosen.delivery_method, chosen.delivery_address, chosen.lock_version)
            case.known_events = None  # the choice added one: read them
        if payload.commitment:
            chosen = commitment.choose(user, case, case.lock_version, True)
            case.commitment_text, case.lock_version = chosen.commitment_text, chosen.lock_version
    if case.department_id == item.department_id:
        case.department = item.department
    return Status(201, _detail_after_change(request, case, case))


# Every application reads the item with its published version and department: compiled once.
_ITEM_TO_APPLY_FOR = ByPk(lambda: ServiceItem.objects.select_related("published_version", "department"))


def _applicant_by_id_number(value: str, field: str, who: str) -> Applicant:
    lookup = {"id_number_index": blind_index("id_number", value)}
    applicant = Applicant.objects.filter(**lookup).first()
    if applicant is None:
        raise _invalid(field, f"未找到该身份证号的{who}：请先为其注册账号")
    return applicant


@router.get("/mine", response={200: CasePage, **ERRORS}, summary="我的办件")
def my_cases(request, state: Optional[str] = None, cursor: Optional[str] = None,
             limit: int = Query(20, ge=1, le=100)):
    _acting(request)
    from .views_applicant import my_cases as scoped_cases  # 我的办件's one scoped query (applicant or 代办人)

    # select_related: each row shows the item, the department and the applicant's name.
    qs = (scoped_cases(applying.applicant_of(request.auth))
          .select_related("service_item", "department", "applicant").only(*SUMMARY_FIELDS))
    if state:
        qs = qs.filter(state=state)
    rows, next_cursor = _page(qs, "created_at", cursor, limit, descending=True, kind=dt.datetime)
    return {"items": [_summary(c) for c in rows], "next_cursor": next_cursor}


# == one case ==================================================================================
@router.get("/{int:case_id}", response={200: CaseDetailOut, **ERRORS}, summary="办件详情",
            description="办理过程、审批环节、材料、容缺材料、补正告知、特别程序、办理结果。")
def case_detail(request, case_id: int):
    return _detail(request, _visible_case(request, case_id))


@router.patch("/{int:case_id}/form", response={200: CaseDetailOut, **ERRORS}, summary="保存申报表单")
def save_form(request, case_id: int, payload: FormIn):
    case = _visible_case(request, case_id, EnterpriseAgent.Scope.APPLY)
    applying.save_form(request.auth, case, payload.form_data, payload.lock_version)
    return _fresh_detail(request, case_id, EnterpriseAgent.Scope.APPLY)


@router.post("/{int:case_id}/materials", response={201: CaseMaterialOut, **ERRORS}, summary="上传申请材料",
             description="multipart/form-data：file 文件（PDF、JPG、PNG、OFD，按内容识别类型），"
                         "material_id 材料清单项 ID 或 name 材料名称。")
def upload_material(request, case_id: int, file: UploadedFile = File(...), material_id: Optional[int] = Form(None),
                    name: str = Form("")):
    case = _visible_case(request, case_id, EnterpriseAgent.Scope.APPLY)
    material = None
    if material_id:
        material = Material.objects.filter(pk=material_id).first()
        if material is None:
            raise _invalid("material_id", "材料清单项不存在")
    cm = applying.upload_material(request.auth, case, file, material=material, name=name)
    return Status(201, _material_out(cm))


@router.post("/{int:case_id}/submit", response={200: CaseDetailOut, **ERRORS}, summary="提交申请",
             description="重复提交（双击、超时重试）返回同一办件，不会重复生成。")
def submit(request, case_id: int, payload: SubmitIn):
    # The service reads the case once, locked, and refuses anyone who may not act on it; only
    # then is visibility asked, so that a case the user may not even see answers 404, as
    # everywhere else, and one they may see but not submit 403.
    _acting(request, EnterpriseAgent.Scope.APPLY)
    try:
        with transaction.atomic() if payload.commitment is not None else contextlib.nullcontext():
            lock = payload.lock_version
            # 告知承诺 chosen (or not) with the submission; a retry of a submitted case skips it.
            if payload.commitment is not None and Case.objects.filter(pk=case_id, state=State.DRAFT).exists():
                lock = commitment.choose(request.auth, Case(pk=case_id), lock, payload.commitment).lock_version
            submitted = applying.submit(request.auth, Case(pk=case_id), lock, commitment_agreed=payload.commitment_agreed,
                                        delivery=api_delivery.requested(payload.delivery_method, payload.delivery_address))
    except Case.DoesNotExist:
        raise NotFound() from None
    except PermissionDenied:
        _visible_case(request, case_id, EnterpriseAgent.Scope.APPLY)
        raise
    return _detail_after_change(request, submitted, submitted)


@router.post("/{int:case_id}/resubmit", response={200: CaseDetailOut, **ERRORS}, summary="补正后重新提交",
             description="补正告知列明的每项材料须先上传新文件（POST materials，同名替换），否则 400："
                         "“请重新上传：…”逐项列明。")
def resubmit(request, case_id: int, payload: ResubmitIn):
    case = _visible_case(request, case_id, EnterpriseAgent.Scope.APPLY)
    applying.resubmit(request.auth, case, payload.lock_version, payload.note)
    return _detail_after_change(request, case)


@router.post("/{int:case_id}/withdraw", response={200: CaseDetailOut, **ERRORS}, summary="撤回申请")
def withdraw(request, case_id: int, payload: WithdrawIn):
    case = _visible_case(request, case_id, EnterpriseAgent.Scope.APPLY)
    applying.withdraw(request.auth, case, payload.lock_version, payload.reason)
    return _detail_after_change(request, case)


@router.get("/{int:case_id}/receipt.pdf", response={200: None, **ERRORS}, summary="申请回执（PDF）",
            url_name="case_receipt", openapi_extra=PDF_RESPONSE)
def receipt(request, case_id: int):
    case = _visible_case(request, case_id)
    if not case.number:
        raise NotFound("草稿尚未提交，没有回执")
    pdf = documents.receipt_pdf(case)
    access.record_file_read(request.auth, case, "receipt", name=case.number)
    response = HttpResponse(pdf.content.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="receipt-{case.number}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@router.get("/{int:case_id}/decision.pdf", response={200: None, **ERRORS}, summary="决定书（PDF）",
            url_name="case_decision", openapi_extra=PDF_RESPONSE)
def decision(request, case_id: int):
    case = _visible_case(request, case_id)
    result = CaseResult.objects.filter(case=case).first()
    if result is None or not result.decision_file:
        raise NotFound("办件尚未办结，没有决定书")
    try:
        handle = result.decision_file.open("rb")
    except FileNotFoundError:
        raise NotFound("决定书文件已不存在") from None
    access.record_file_read(request.auth, case, "decision", name=result.decision_number)
    response = FileResponse(handle, content_type="application/pdf", filename=f"decision-{case.number}.pdf",
                            as_attachment=False)
    response["Cache-Control"] = "private, no-store"
    return response


from . import api_actions, api_deadlines, api_staff_lists  # noqa: E402,F401 (staff endpoints on this router)
from .api_exchange import router as _exchange_router  # noqa: E402 (departments' systems, with an 应用密钥)

router.add_router("/exchange/", _exchange_router)
