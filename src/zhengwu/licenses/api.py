"""电子证照 JSON API for other systems (/api/v1/licences…), with 应用密钥 scopes:

- ``GET /api/v1/licences/verify?id=<电子证照标识>`` (or ``number=<证照编号>``) — scope
  ``licences:verify`` (核验电子证照): the outcome and the non-sensitive face, holder masked.
  One indexed query; not audited (nothing personal is returned).
- ``GET /api/v1/licences?holder_id_number=…`` or ``?holder_uscc=…`` — scope ``licences:read``
  (查询持证主体的电子证照): the holder's licences with their face data. Every call is audited
  with the key's name; the holder's ID number is never written anywhere in the clear.
  ``POST /api/v1/licences/query`` takes the same in a JSON body: preferred, because proxies and
  access logs record URLs (the query string with the ID number) — the platform's own never log it.

Errors are JSON (the API root's handlers): 401 without a valid key, 403 with a key lacking the
scope, 400 for a malformed identifier, a wrong check character (校验位不正确) or a bad ID number.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Optional

from django.core.exceptions import ValidationError
from django.utils import timezone
from ninja import Field, Query, Router

from zhengwu.accounts.api_auth import ApiKeyAuth
from zhengwu.core import audit, pii
from zhengwu.core.identifiers import validate_id_number, validate_uscc
from zhengwu.core.schemas import ERRORS, Schema

from . import verification
from .models import Licence
from .models.licences import HolderKind

PREFIX = "/licences"
VERIFY_SCOPE = "licences:verify"
READ_SCOPE = "licences:read"

router = Router(tags=["电子证照"])


class LicencePublicOut(Schema):
    identifier: str = Field(..., description="电子证照标识（GB/T 36904）")
    number: str = Field(..., description="证照编号")
    type: str = Field(..., description="证照名称")
    issuer: str = Field(..., description="颁发部门")
    version: int
    holder_kind: str = Field(..., description="person 自然人 / legal 法人")
    holder: str = Field(..., description="持证主体（自然人姓名已脱敏）")
    holder_id: str = Field(..., description="自然人：脱敏身份证号；法人：统一社会信用代码")
    issued_on: dt.date
    valid_from: dt.date
    valid_until: Optional[dt.date] = Field(None, description="空为长期有效")
    status: str = Field(..., description="valid / superseded / cancelled / revoked / expired（按当日计算）")
    status_label: str
    newer_identifier: Optional[str] = Field(None, description="已变更时：新版本的电子证照标识")


class LicenceVerdictOut(Schema):
    result: str = Field(..., description="valid 有效 / cancelled 已注销 / revoked 已吊销 / superseded 已变更 / "
                                         "expired 已过期 / not_found 不存在")
    result_label: str
    message: str
    licence: Optional[LicencePublicOut] = None


class LicenceVerifyOut(LicenceVerdictOut):
    others: list[LicenceVerdictOut] = Field([], description="按证照编号核验且有多张证照时：其余各张（新者在前）")


class FaceItemOut(Schema):
    key: str
    value: str


class HolderLicenceOut(Schema):
    identifier: str
    number: str
    type: str
    type_code: str
    issuer: str
    version: int
    holder: str
    issued_on: dt.date
    valid_from: dt.date
    valid_until: Optional[dt.date] = None
    status: str
    status_label: str
    data: dict = Field(..., description="照面信息（证照类型定义的信息项）")


class HolderLicencesOut(Schema):
    count: int
    licences: list[HolderLicenceOut]


@router.get("/verify", auth=ApiKeyAuth(VERIFY_SCOPE), summary="核验电子证照",
            response={200: LicenceVerifyOut, **ERRORS},
            description="按电子证照标识（id）或证照编号（number）核验：返回核验结论与非敏感信息（持证人已脱敏）。"
                        "标识格式或校验位不正确时返回 400；未找到返回 result=not_found。")
def verify(request, id: str = Query("", description="电子证照标识"),
           number: str = Query("", description="证照编号（可能对应多张证照）")):
    if id:
        try:
            return verification.verify_identifier(id).as_json()
        except ValidationError as exc:
            raise ValidationError({"id": exc.messages}) from None
    if number:
        found = verification.verify_number(number)
        if not found:
            return verification.Verdict(verification.Outcome.NOT_FOUND, None, "未找到该证照编号的电子证照").as_json()
        return {**found[0].as_json(), "others": [v.as_json() for v in found[1:]]}
    raise ValidationError({"id": "请提供电子证照标识（id）或证照编号（number）"})


@router.get("", auth=ApiKeyAuth(READ_SCOPE), summary="查询持证主体的电子证照",
            response={200: HolderLicencesOut, **ERRORS},
            description="按自然人身份证号（holder_id_number）或法人统一社会信用代码（holder_uscc）查询其全部电子证照"
                        "（含照面信息）。每次调用记入审计（应用名称、脱敏的持证主体、返回数量）。")
def holder_licences(request, holder_id_number: str = Query("", description="自然人身份证号"),
                    holder_uscc: str = Query("", description="法人统一社会信用代码")):
    return _holder_licences(request.auth, holder_id_number, holder_uscc)


class HolderQueryIn(Schema):
    holder_id_number: str = Field("", description="自然人身份证号")
    holder_uscc: str = Field("", description="法人统一社会信用代码")


@router.post("/query", auth=ApiKeyAuth(READ_SCOPE), summary="查询持证主体的电子证照（请求体传参）",
             response={200: HolderLicencesOut, **ERRORS},
             description="同 GET /licences，身份证号放在请求体中，不出现在网址里（代理和访问日志记录网址）。推荐使用。")
def holder_licences_post(request, payload: HolderQueryIn):
    return _holder_licences(request.auth, payload.holder_id_number, payload.holder_uscc)


def _holder_licences(key, holder_id_number: str, holder_uscc: str) -> dict:
    if bool(holder_id_number) == bool(holder_uscc):
        raise ValidationError({"holder_id_number": "请提供且只提供一项：身份证号（holder_id_number）或统一社会信用代码（holder_uscc）"})
    qs = Licence.objects.select_related("type", "issuer").order_by("-issued_on", "-pk")
    if holder_id_number:
        number = validate_id_number(holder_id_number, "holder_id_number 身份证号")
        qs = qs.filter(holder_kind=HolderKind.PERSON, **Licence._meta.get_field("holder_id_number").lookup(number))
        who = pii.mask("id_number", number)
    else:
        uscc = validate_uscc(holder_uscc, "holder_uscc 统一社会信用代码")
        qs = qs.filter(holder_kind=HolderKind.LEGAL, holder_uscc=uscc)
        who = uscc
    rows = list(qs[:500])
    today = timezone.localdate()
    out = []
    for lic in rows:
        raw = lic.data.reveal_unaudited() if lic.data else ""
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        status = verification.effective_status(lic.status, lic.valid_until, today)
        out.append({"identifier": lic.identifier, "number": lic.number, "type": lic.type.name,
                    "type_code": lic.type.code, "issuer": lic.issuer.name, "version": lic.version,
                    "holder": lic.holder_name, "issued_on": lic.issued_on, "valid_from": lic.valid_from,
                    "valid_until": lic.valid_until, "status": status,
                    "status_label": verification.status_label(status) if status != "superseded" else "已变更",
                    "data": data if isinstance(data, dict) else {}})
    audit.record("licences.api.holder_query", object_type="licenses.licence", object_id="holder",
                 after={"api_key": str(key), "api_key_id": key.pk, "holder": who, "count": len(out),
                        "licences": [lic.pk for lic in rows[:50]]})
    return {"count": len(out), "licences": out}
