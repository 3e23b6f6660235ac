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


@transaction.atomic
def apply_year_notice(actor, year: int, holidays: dict[dt.date, str], workdays: dict[dt.date, str],
                      source: str) -> dict[str, int]:
    """Store a year's notice (国务院办公厅关于X年部分节假日安排的通知) as the year's overrides and mark
    the year verified, in one transaction: the year's earlier overrides that the notice does not
    list are removed, so confirming twice (or a corrected notice) leaves exactly the notice.
    Returns counts of what was written."""
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": "年份超出范围：应在2000至2100之间"})
    if not source.strip():
        raise ValidationError({"source": "依据不能为空：请填写发布通知的名称和文号"})
    if not holidays:
        raise ValidationError({"text": "没有读到任何放假日期"})
    both = set(holidays) & set(workdays)
    if both:
        raise ValidationError({"text": f"{min(both):%Y-%m-%d}既写为放假又写为上班"})
    first, last = dt.date(year - 1, 12, 1), dt.date(year, 12, 31)
    for d in (*holidays, *workdays):
        if not first <= d <= last:
            raise ValidationError({"text": f"{d:%Y-%m-%d}不在{year}年"})
    # Serialise two administrators confirming the same year at once.
    CalendarYear.objects.select_for_update().get_or_create(year=year, defaults={"verified": False})
    wanted = {**{d: CalendarOverride.Kind.HOLIDAY for d in holidays},
              **{d: CalendarOverride.Kind.WORKDAY for d in workdays}}
    stale = CalendarOverride.objects.filter(date__year=year).exclude(date__in=list(wanted))
    removed = [o.date.isoformat() for o in stale]
    stale.delete()
    for d, kind in sorted(wanted.items()):
        note = holidays.get(d) or workdays.get(d) or ""
        set_calendar_override(actor, d, kind, source, f"{year}年{note}"[:100] if note else "")
    mark_year_verified(actor, year, source.strip()[:200])
    audit.record("calendar.notice", actor=actor, obj=CalendarYear.objects.get(year=year),
                 after={"year": year, "holidays": len(holidays), "workdays": len(workdays), "removed": removed})
    return {"holidays": len(holidays), "workdays": len(workdays), "removed": len(removed)}
