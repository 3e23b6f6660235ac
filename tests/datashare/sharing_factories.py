"""Small factories for the 共享申请 and 交换监控 tests: resources and fields created directly (the
catalogue is another helper's part of the datashare app)."""

from __future__ import annotations

import datetime as dt
import itertools

from django.utils import timezone

_seq = itertools.count(1)


def resource(provider, *, name: str | None = None, share_type: str = "unconditional", status: str = "published",
             fields=(("name", "姓名", ""), ("id_number", "身份证号", ""), ("address", "户籍地址", "")), **kw):
    """A DataResource of ``provider`` with ``fields`` as (key, name, field share type)."""
    from zhengwu.datashare.models import DataResource, ResourceField

    n = next(_seq)
    res = DataResource.objects.create(code=kw.pop("code", f"TEST-{n:05d}"), name=name or f"测试资源{n}",
                                      provider=provider, share_type=share_type, status=status,
                                      published_at=timezone.now() if status == "published" else None,
                                      version=1 if status == "published" else 0, **kw)
    for seq, (key, fname, ftype) in enumerate(fields, start=1):
        ResourceField.objects.create(resource=res, seq=seq, key=key, name=fname, share_type=ftype)
    return res


def period(days: int = 365) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    return today, today + dt.timedelta(days=days)


def submit(user, consumer, res, *, fields=("name", "id_number"), **kw):
    from zhengwu.datashare.services import sharing

    start, end = period()
    args = {"purpose": "核验申请人身份", "legal_basis": "《政务信息资源共享管理暂行办法》第十条",
            "period_start": start, "period_end": end, "daily_quota": 1000, **kw}
    return sharing.submit(user, consumer=consumer, resource=res, fields=list(fields), **args)


def call(*, consumer=None, resource=None, at=None, status_code: int = 200, latency_ms: float = 10.0, n: int = 1):
    """``n`` QueryCall rows (``at`` overrides the auto_now_add time)."""
    from zhengwu.datashare.models import QueryCall

    rows = QueryCall.objects.bulk_create([
        QueryCall(kind="verify", consumer=consumer, resource=resource, registry="person", purpose="测试",
                  subject_index="x", result="match", status_code=status_code, latency_ms=latency_ms)
        for _ in range(n)])
    if at is not None:
        QueryCall.objects.filter(pk__in=[r.pk for r in rows]).update(at=at)
    return rows
