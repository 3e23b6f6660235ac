"""Rows for the 查询核验 tests, made directly: resources, requests and grants, keys, people."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

from zhengwu.accounts import apikeys
from zhengwu.datashare.models import DataResource, LegalEntityRecord, PersonRecord, ShareGrant, ShareRequest

_seq = itertools.count(1)
PERSON_FIELDS = ["name", "gender", "birth_date", "nation", "household_address", "region_code", "phone", "alive"]


def resource(provider, registry="person", *, status=DataResource.Status.PUBLISHED, code=None) -> DataResource:
    n = next(_seq)
    return DataResource.objects.create(code=code or f"RES{registry.upper()}{n:04d}",
                                       name=f"{'人口' if registry == 'person' else '法人'}基础信息{n}",
                                       provider=provider, registry=registry, status=status, version=1,
                                       published_at=timezone.now())


def key(name="公积金中心核验系统", scopes=("data:verify", "data:query"), department=None):
    """(ApiKey row, clear secret)."""
    issued = apikeys.issue(name, list(scopes), department=department)
    return issued.key, issued.secret


def grant(api_key, res, consumer, *, fields=("name", "gender", "birth_date"), daily_quota=10000, per_minute=600,
          expires_in=dt.timedelta(days=365), revoked=False) -> ShareGrant:
    n = next(_seq)
    today = timezone.localdate()
    req = ShareRequest.objects.create(number=f"GX{n:08d}", consumer=consumer, resource=res,
                                      fields_requested=list(fields), fields_approved=list(fields),
                                      purpose="办理住房公积金提取", legal_basis="《住房公积金管理条例》",
                                      period_start=today, period_end=today + dt.timedelta(days=365),
                                      state=ShareRequest.State.APPROVED)
    return ShareGrant.objects.create(request=req, api_key=api_key, consumer=consumer, resource=res, fields=list(fields),
                                     daily_quota=daily_quota, per_minute=per_minute,
                                     expires_at=timezone.now() + expires_in,
                                     revoked_at=timezone.now() if revoked else None)


def person(id_number, name="张三", **kw) -> PersonRecord:
    kw = {"gender": "男", "birth_date": dt.date(1990, 3, 7), "nation": "汉族",
          "household_address": "河南省郑州市金水区花园路1号", "region_code": "410105", "phone": "13800001111", **kw}
    return PersonRecord.objects.create(id_number=id_number, name=name, **kw)


def legal(uscc, name="郑州市示例科技有限公司", **kw) -> LegalEntityRecord:
    kw = {"legal_rep": "李四", "kind": "有限责任公司", "address": "郑州市金水区经三路1号", "status": "存续",
          "established_on": dt.date(2015, 6, 1), "registered_capital": "100万元人民币", **kw}
    return LegalEntityRecord.objects.create(uscc=uscc, name=name, **kw)
