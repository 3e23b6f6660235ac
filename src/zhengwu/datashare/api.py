"""查询核验 API for other departments' systems (/api/v1/data/…), with an 应用密钥 holding the
scope and an active 共享授权 (ShareGrant) of that key for the registry's resource:

- ``POST /data/verify/person`` {id_number, name, purpose, resource?} → {"result": "一致"|"不一致"}
- ``POST /data/verify/legal`` {uscc, name, purpose, resource?} → likewise
- ``POST /data/verify/person/batch`` {items: [{id_number, name}] (≤ 1000), purpose} → results in order
- ``POST /data/query/person`` {id_number, fields, purpose, resource?} → the granted fields only

Refusals are JSON in the house shape: 401 without a valid key, 403 (scope, no/expired/revoked
grant, fields not granted — named in ``errors.fields``), 400 (用途 missing, unknown fields, a bad
身份证号), 429 past the per-minute rate or the daily quota, with ``Retry-After``. Every call,
refused or not, is one :class:`~zhengwu.datashare.models.QueryCall` row (per subject in a batch).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router
from ninja.errors import HttpError

from zhengwu.accounts.apikeys import ApiKeyAuth
from zhengwu.core.schemas import ErrorOut, Schema

from . import verify_rules as rules
from .services import verify as service

PREFIX = "/data/"
router = Router(tags=["数据共享：查询核验"])

ANSWERS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut}


class DataKeyAuth(ApiKeyAuth):
    """A valid key, any scope: the scope is checked by the service, so that a call with the
    wrong one is recorded like every other refusal."""

    def authenticate(self, request: HttpRequest, key):
        if not key:
            raise HttpError(401, "缺少应用密钥：请在请求头 X-Api-Key 中提供")
        return super().authenticate(request, key)


AUTH = DataKeyAuth()


def _refused(refusal: rules.Refusal) -> JsonResponse:
    resp = JsonResponse({"detail": refusal.detail, "errors": {k: [str(x) for x in v] for k, v in refusal.errors.items()}},
                        status=refusal.status, json_dumps_params={"ensure_ascii": False})
    if refusal.retry_after:
        resp["Retry-After"] = str(refusal.retry_after)
    return resp


class DataVerifyPersonIn(Schema):
    id_number: str = Field(..., description="身份证号")
    name: str = Field(..., description="姓名")
    purpose: str = Field("", description="用途（必填，如“公积金提取：核验申请人身份”）")
    resource: str = Field("", description="资源代码；不填则用该密钥已获授权的人口库资源")


class DataVerifyLegalIn(Schema):
    uscc: str = Field(..., description="统一社会信用代码")
    name: str = Field(..., description="单位名称")
    purpose: str = Field("", description="用途（必填）")
    resource: str = Field("", description="资源代码；不填则用该密钥已获授权的法人库资源")


class DataVerifyOut(Schema):
    result: str = Field(..., description="一致 / 不一致（未查到记录也为不一致）")


class DataBatchItemIn(Schema):
    id_number: str = Field("", description="身份证号")
    name: str = Field("", description="姓名")


class DataVerifyBatchIn(Schema):
    items: list[DataBatchItemIn] = Field(..., description=f"最多{rules.BATCH_MAX}条")
    purpose: str = Field("", description="用途（必填）")
    resource: str = Field("", description="资源代码（选填）")


class DataVerifyBatchOut(Schema):
    results: list[str] = Field(..., description="与 items 顺序一致的核验结果：一致 / 不一致")


class DataQueryPersonIn(Schema):
    id_number: str = Field(..., description="身份证号")
    fields: list[str] = Field(..., description="信息项：" + "、".join(f"{k} {v}" for k, v in rules.PERSON_FIELDS.items()))
    purpose: str = Field("", description="用途（必填）")
    resource: str = Field("", description="资源代码（选填）")


class DataQueryOut(Schema):
    found: bool = Field(..., description="人口库中是否有该人")
    data: dict = Field(..., description="获授权的信息项 → 值")


@router.post("/verify/person", auth=AUTH, summary="人口信息核验", response={200: DataVerifyOut, **ANSWERS},
             description="核验身份证号与姓名是否一致。只返回“一致”或“不一致”，不提示哪一项不符。需要授权范围 data:verify。")
def verify_person(request, payload: DataVerifyPersonIn):
    try:
        return {"result": service.verify_person(request.auth, id_number=payload.id_number, name=payload.name,
                                                purpose=payload.purpose, resource=payload.resource)}
    except rules.Refusal as refusal:
        return _refused(refusal)


@router.post("/verify/legal", auth=AUTH, summary="法人信息核验", response={200: DataVerifyOut, **ANSWERS},
             description="核验统一社会信用代码与单位名称是否一致。需要授权范围 data:verify。")
def verify_legal(request, payload: DataVerifyLegalIn):
    try:
        return {"result": service.verify_legal(request.auth, uscc=payload.uscc, name=payload.name,
                                               purpose=payload.purpose, resource=payload.resource)}
    except rules.Refusal as refusal:
        return _refused(refusal)


@router.post("/verify/person/batch", auth=AUTH, summary="人口信息批量核验",
             response={200: DataVerifyBatchOut, **ANSWERS},
             description=f"一次最多{rules.BATCH_MAX}条，结果与请求顺序一致；每条计入每日调用上限。需要授权范围 data:verify。")
def verify_person_batch(request, payload: DataVerifyBatchIn):
    try:
        return {"results": service.verify_person_batch(
            request.auth, items=[i.dict() for i in payload.items], purpose=payload.purpose,
            resource=payload.resource)}
    except rules.Refusal as refusal:
        return _refused(refusal)


@router.post("/query/person", auth=AUTH, summary="人口信息查询", response={200: DataQueryOut, **ANSWERS},
             description="按身份证号查询获授权的信息项；未授权的信息项返回 403 并列出，未知信息项返回 400。"
                         "需要授权范围 data:query。")
def query_person(request, payload: DataQueryPersonIn):
    try:
        return service.query_person(request.auth, id_number=payload.id_number, fields=payload.fields,
                                    purpose=payload.purpose, resource=payload.resource)
    except rules.Refusal as refusal:
        return _refused(refusal)
