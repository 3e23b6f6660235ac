"""办件 exchange API for departments' own systems (/api/v1/cases/exchange/): file and follow cases
with an 应用密钥 (``X-Api-Key``) bound to the department.

- ``cases:write``: ``POST /`` create a draft (the applicant in the body, the client's own
  ``external_ref`` unique per key: a retry answers 200 with the same case), ``PATCH /{id}/form``,
  ``POST /{id}/materials`` (multipart), ``POST /{id}/submit`` (a repeated submit returns the case);
- ``cases:read``: ``GET /{id}``, ``GET /ref/{external_ref}`` — state, timeline, materials, result;
  ``GET /?cursor=…&limit=…`` — the department's cases changed since the cursor (keyset over
  (updated_at, id), oldest change first, at most :data:`LIMIT_MAX` a page).

A key reaches its department's cases only: another department's case or item, a key bound to no
department, a missing scope → 403 with the reason; nothing is written. An expired or disabled
key is 401. Writes go through :mod:`.services.exchange` (over :mod:`.services.applying`: the one
write path) and are audited with the key as actor; personal data is masked in every answer as in
the staff API (:func:`zhengwu.cases.api._applicant_out`). See docs/case-exchange.md.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from ninja import Field, File, Form, Query, Router, Status
from ninja.files import UploadedFile

from zhengwu.accounts.apikeys import ApiKeyAuth, KeyPrincipal
from zhengwu.catalog.models import Material
from zhengwu.core.schemas import ERRORS, Schema

from . import api, api_delivery, queries
from .api_schemas import FormIn, SubmitIn
from .models import Case, CaseResult
from .services import applying, exchange

WRITE, READ = "cases:write", "cases:read"
LIMIT_MAX = 100

router = Router(tags=["办件交换（部门系统）"])


# -- schemas ---------------------------------------------------------------------------------------
class ExchangeApplicantIn(Schema):
    kind: str = Field(..., description="person 自然人 / legal 法人")
    name: str = Field(..., max_length=100, description="姓名或单位名称")
    id_number: str = Field("", max_length=18, description="自然人：身份证号")
    uscc: str = Field("", max_length=18, description="法人：统一社会信用代码")
    phone: str = Field("", max_length=20, description="联系电话（申请人首次在平台办件时必填）")
    legal_rep_name: str = Field("", max_length=50, description="法人首次办件时必填：法定代表人")
    legal_rep_id_number: str = Field("", max_length=18, description="法人首次办件时必填：法定代表人身份证号")


class ExchangeCreateIn(Schema):
    external_ref: str = Field(..., max_length=exchange.REF_MAX, description="外部办件编号：本系统的办件编号，同一密钥下唯一")
    item_id: int = Field(..., description="事项 ID（须为本部门实施的事项）")
    applicant: ExchangeApplicantIn
    form_data: dict[str, Any] = Field(default_factory=dict)
    channel: str = Field("online", description="online 网上申报 / window 窗口受理 / self_service 自助终端")
    delivery_method: str = Field("", description="结果领取方式：window / mail / electronic")
    delivery_address: str = Field("", max_length=400)


class ExchangeEventOut(Schema):
    action: str
    label: str
    from_state: str
    to_state: str
    actor_name: str
    opinion: str
    at: dt.datetime


class ExchangeMaterialOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    status: str
    uploaded_at: dt.datetime


class ExchangeCaseOut(Schema):
    id: int
    number: Optional[str]
    external_ref: Optional[str]
    item: dict
    department: dict
    applicant: Optional[dict]
    channel: str
    state: str
    state_label: str
    outcome: str
    lock_version: int
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: Optional[dt.datetime]
    accepted_on: Optional[dt.date]
    due_date: Optional[dt.date]
    concluded_at: Optional[dt.datetime]
    form_data: dict
    delivery_method: str
    delivery_address: str
    timeline: list[ExchangeEventOut] = []
    materials: list[ExchangeMaterialOut] = []
    result: Optional[dict]


class ExchangeRowOut(Schema):
    id: int
    number: Optional[str]
    external_ref: Optional[str]
    item_id: int
    state: str
    state_label: str
    lock_version: int
    updated_at: dt.datetime


class ExchangePage(Schema):
    items: list[ExchangeRowOut]
    next: Optional[str] = Field(None, description="下一页游标；为空表示已到最新")


# -- who ------------------------------------------------------------------------------------------
def _principal(request) -> KeyPrincipal:
    principal = KeyPrincipal(request.auth)
    if principal.api_key.department_id is None:
        raise PermissionDenied("应用密钥未绑定部门：办件接口只接受绑定了实施部门的应用密钥")
    return principal


def _case(request, case_id: int | None = None, *, external_ref: str | None = None) -> tuple[KeyPrincipal, Case]:
    """The case for the key: 404 when there is none (or it is someone's unsubmitted draft), 403
    when it belongs to another department."""
    principal = _principal(request)
    qs = Case.objects.select_related("service_item", "department", "applicant")
    if external_ref is not None:
        case = qs.filter(api_key_id=principal.api_key.pk, external_ref=external_ref).first()
    else:
        case = qs.filter(pk=case_id).first()
    if case is None or (case.state == "draft" and case.api_key_id != principal.api_key.pk
                        and case.department_id == principal.department_id):
        raise api.NotFound()
    applying.require_key_department(principal, case.department_id, "办件")
    return principal, case


def _out(case: Case) -> dict:
    has = lambda name: queries.has_child(case, name)  # noqa: E731
    result = CaseResult.objects.filter(case=case).first() if case.concluded_at and has("result") else None
    return {
        "id": case.pk, "number": case.number, "external_ref": case.external_ref,
        "item": {"id": case.service_item_id, "name": case.service_item.name,
                 "implementation_code": case.service_item.implementation_code},
        "department": {"id": case.department_id, "name": case.department.name},
        "applicant": api._applicant_out(case.applicant),  # masked
        "channel": case.channel, "state": case.state, "state_label": case.state_label, "outcome": case.outcome,
        "lock_version": case.lock_version, "created_at": case.created_at, "updated_at": case.updated_at,
        "submitted_at": case.submitted_at, "accepted_on": case.accepted_on, "due_date": case.due_date,
        "concluded_at": case.concluded_at, "form_data": case.form_data,
        "delivery_method": api_delivery.shown(case)["delivery_method"],
        "delivery_address": api_delivery.shown(case)["delivery_address"],
        "timeline": queries.rows_of(queries.CASE_EVENTS, case),
        "materials": queries.rows_of(queries.CASE_UPLOADS, case) if has("materials") else [],
        "result": api._result_out(case, result),
    }


def _fresh(case_id: int) -> dict:
    return _out(Case.objects.select_related("service_item", "department", "applicant").get(pk=case_id))


# -- write ----------------------------------------------------------------------------------------
@router.post("/", response={200: ExchangeCaseOut, 201: ExchangeCaseOut, **ERRORS}, auth=ApiKeyAuth(WRITE),
             summary="部门系统创建办件（草稿）",
             description="external_ref 为本系统办件编号，同一密钥下唯一：重复请求返回已创建的办件（200）。")
def create(request, payload: ExchangeCreateIn):
    principal = _principal(request)
    item = api._ITEM_TO_APPLY_FOR.get(payload.item_id)
    if item is None:
        raise api._invalid("item_id", "事项不存在")
    choice = api_delivery.requested(payload.delivery_method, payload.delivery_address)
    case, created = exchange.create(principal, item, exchange.ApplicantData(**payload.applicant.dict()),
                                    external_ref=payload.external_ref, form_data=payload.form_data,
                                    channel=payload.channel, delivery_choice=choice)
    return Status(201 if created else 200, _fresh(case.pk))


@router.patch("/{int:case_id}/form", response={200: ExchangeCaseOut, **ERRORS}, auth=ApiKeyAuth(WRITE),
              summary="保存申报表单")
def save_form(request, case_id: int, payload: FormIn):
    principal, case = _case(request, case_id)
    exchange.save_form(principal, case, payload.form_data, payload.lock_version)
    return _fresh(case_id)


@router.post("/{int:case_id}/materials", response={201: ExchangeMaterialOut, **ERRORS}, auth=ApiKeyAuth(WRITE),
             summary="上传申请材料", description="multipart/form-data：file，material_id 或 name。")
def upload(request, case_id: int, file: UploadedFile = File(...), material_id: Optional[int] = Form(None),  # noqa: B008
           name: str = Form("")):
    principal, case = _case(request, case_id)
    material = None
    if material_id:
        material = Material.objects.filter(pk=material_id).first()
        if material is None:
            raise api._invalid("material_id", "材料清单项不存在")
    return Status(201, exchange.upload(principal, case, file, material=material, name=name))


@router.post("/{int:case_id}/submit", response={200: ExchangeCaseOut, **ERRORS}, auth=ApiKeyAuth(WRITE),
             summary="提交申请", description="重复提交返回同一办件，不会重复生成。")
def submit(request, case_id: int, payload: SubmitIn):
    principal, case = _case(request, case_id)
    applying.submit(principal, case, payload.lock_version,
                    delivery=api_delivery.requested(payload.delivery_method, payload.delivery_address))
    return _fresh(case_id)


# -- read -----------------------------------------------------------------------------------------
@router.get("/", response={200: ExchangePage, **ERRORS}, auth=ApiKeyAuth(READ),
            summary="本部门办件变更列表（游标分页）",
            description="按最后更新时间从早到晚；保存 next 作为下次的 cursor，即可只取此后变更的办件。")
def changed(request, cursor: Optional[str] = None, limit: int = Query(50, ge=1, le=LIMIT_MAX)):
    principal = _principal(request)
    qs = (Case.objects.filter(department_id=principal.department_id)
          .filter(~Q(state="draft") | Q(api_key_id=principal.api_key.pk))
          .only("id", "number", "external_ref", "service_item_id", "state", "lock_version", "updated_at"))
    rows, nxt = api._page(qs, "updated_at", cursor, limit, descending=False, kind=dt.datetime)
    return {"items": [{"id": c.pk, "number": c.number, "external_ref": c.external_ref, "item_id": c.service_item_id,
                       "state": c.state, "state_label": c.state_label, "lock_version": c.lock_version,
                       "updated_at": c.updated_at} for c in rows], "next": nxt}


@router.get("/ref/{external_ref}", response={200: ExchangeCaseOut, **ERRORS}, auth=ApiKeyAuth(READ),
            summary="按外部办件编号查询办件")
def by_ref(request, external_ref: str):
    return _out(_case(request, external_ref=external_ref)[1])


@router.get("/{int:case_id}", response={200: ExchangeCaseOut, **ERRORS}, auth=ApiKeyAuth(READ),
            summary="办件详情：状态、办理过程、材料、结果")
def detail(request, case_id: int):
    return _out(_case(request, case_id)[1])

