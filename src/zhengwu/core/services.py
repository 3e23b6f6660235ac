"""Write path of the core app: calendar overrides and audited reads of personal data."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models, transaction

from . import audit
from .models import CalendarOverride, CalendarYear
from .pii import PII


def reveal_pii(actor, obj: models.Model, field: str, purpose: str) -> str:
    """The clear value of a personal-data field, with an audit event (谁、何时、为何查看)."""
    value = getattr(obj, field)
    if not isinstance(value, PII):
        raise TypeError(f"{field} is not a personal-data field")
    audit.record(
        "pii.reveal",
        actor=actor,
        obj=obj,
        after={"field": field, "purpose": purpose, "masked": value.masked},
    )
    return value.reveal_unaudited()


def parse_date(value: str, field: str = "日期") -> dt.date:
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(f"{field}格式不正确：应为 YYYY-MM-DD，例如 2027-02-10") from None


@transaction.atomic
def set_calendar_override(actor, date: dt.date, kind: str, source: str, note: str = "") -> CalendarOverride:
    if kind not in CalendarOverride.Kind.values:
        raise ValidationError({"kind": "类型不正确：应为 holiday（放假）或 workday（上班）"})
    if not source.strip():
        raise ValidationError({"source": "依据不能为空：请填写发布通知的名称"})
    existing = CalendarOverride.objects.select_for_update().filter(date=date).first()
    before = {"kind": existing.kind, "note": existing.note} if existing else None
    obj = existing or CalendarOverride(date=date)
    obj.kind, obj.source, obj.note = kind, source.strip(), note.strip()
    obj.full_clean()
    obj.save()
    audit.record("calendar.override", actor=actor, obj=obj, before=before,
                 after={"date": date.isoformat(), "kind": kind, "note": obj.note})
    return obj


@transaction.atomic
def mark_year_verified(actor, year: int, source: str = "", verified: bool = True) -> CalendarYear:
    obj, _ = CalendarYear.objects.select_for_update().get_or_create(year=year, defaults={"verified": verified})
    obj.verified, obj.source = verified, source
    obj.full_clean()
    obj.save()
    audit.record("calendar.year", actor=actor, obj=obj, after={"year": year, "verified": verified})
    return obj
