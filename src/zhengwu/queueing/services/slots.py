"""预约时段: generating a hall's slots from its hours, the calendar and the windows' capacity, and
reading the free places. The daily job ``queueing.slots`` runs :func:`generate_all`."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.calendar import get_calendar

from .. import hall_rules as rules
from ..models import BusinessType, ExtraSession, HallRules, OpeningPeriod, Slot


def hall_rules_of(hall) -> HallRules:
    found = HallRules.objects.filter(hall=hall).first()
    return found if found is not None else HallRules(hall=hall)


def day_kind(day: dt.date, cal=None) -> rules.DayKind:
    cal = cal or get_calendar()
    return rules.DayKind(workday=cal.is_workday(day), holiday=day in cal.holidays)


def weekly_of(hall) -> dict[int, list[tuple[dt.time, dt.time]]]:
    weekly: dict[int, list[tuple[dt.time, dt.time]]] = defaultdict(list)
    for p in OpeningPeriod.objects.filter(hall=hall):
        weekly[p.weekday].append((p.start, p.end))
    return dict(weekly)


def extras_of(hall) -> list[rules.Extra]:
    out = []
    for x in ExtraSession.objects.filter(hall=hall).prefetch_related("business_types"):
        out.append(rules.Extra(kind=x.kind, start=x.start, end=x.end, date=x.date, weekday=x.weekday,
                               business_type_ids=frozenset(b.pk for b in x.business_types.all())))
    return out


def windows_serving(business_types) -> dict[int, int]:
    """How many active windows serve each business type."""
    rows = (BusinessType.objects.filter(pk__in=[b.pk for b in business_types])
            .annotate(n=Count("windows", filter=Q(windows__window__is_active=True))).values_list("pk", "n"))
    return dict(rows)


def plan(hall, today: dt.date | None = None) -> dict[int, list[rules.SlotPlan]]:
    """The slots each bookable business type of ``hall`` should have over the booking period."""
    today = today or timezone.localdate()
    hr = hall_rules_of(hall)
    cal = get_calendar()
    weekly, extras = weekly_of(hall), extras_of(hall)
    types = list(BusinessType.objects.filter(hall=hall, bookable=True, is_active=True))
    counts = windows_serving(types)
    out: dict[int, list[rules.SlotPlan]] = {}
    for bt in types:
        slots = []
        for day in rules.booking_dates(today, hr.booking_days):
            slots += rules.day_slots(day, day_kind(day, cal), weekly, extras, business_type_id=bt.pk,
                                     slot_minutes=hr.slot_minutes, service_minutes=bt.service_minutes,
                                     windows=counts.get(bt.pk, 0), share_percent=bt.appointment_share)
        out[bt.pk] = slots
    return out


def generate(hall, *, today: dt.date | None = None, actor=None) -> dict[str, int]:
    """Create, update and remove the hall's future slots so that they match the plan. Idempotent.
    A slot keeps at least its booked count; a slot no longer planned is removed when nobody booked
    it, else closed to new bookings (capacity = booked)."""
    today = today or timezone.localdate()
    wanted = plan(hall, today)
    created = updated = removed = 0
    with transaction.atomic():
        # One generation of a hall at a time (the daily job and the hall page's button): the hall row
        # is the mutex, so two runs never insert the same slot.
        type(hall).objects.select_for_update().filter(pk=hall.pk).first()
        existing = {(s.business_type_id, s.date, s.start): s for s in
                    Slot.objects.select_for_update().filter(hall=hall, date__gte=today)}
        new = []
        for bt_id, slots in wanted.items():
            for p in slots:
                s = existing.pop((bt_id, p.date, p.start), None)
                if s is None:
                    new.append(Slot(hall=hall, business_type_id=bt_id, date=p.date, start=p.start, end=p.end,
                                    capacity=p.capacity, session=p.session))
                    continue
                cap = rules.regenerated_capacity(p.capacity, s.booked)
                if (s.end, s.capacity, s.session) != (p.end, cap, p.session):
                    s.end, s.capacity, s.session = p.end, cap, p.session
                    s.save(update_fields=["end", "capacity", "session"])
                    updated += 1
        Slot.objects.bulk_create(new, ignore_conflicts=True)
        created = len(new)
        for s in existing.values():  # no longer planned (hours changed, a type no longer bookable)
            if s.booked == 0 and not s.appointments.exists():
                s.delete()
                removed += 1
            elif s.capacity != s.booked:
                s.capacity = s.booked
                s.save(update_fields=["capacity"])
                updated += 1
        if created or updated or removed:
            audit.record("queueing.slots.generate", actor=actor, obj=hall,
                         after={"created": created, "updated": updated, "removed": removed})
    return {"created": created, "updated": updated, "removed": removed}


def generate_all() -> str:
    """The daily job: every active hall with a bookable business type."""
    from zhengwu.org.models import Hall

    totals = defaultdict(int)
    halls = Hall.objects.filter(is_active=True, business_types__bookable=True).distinct()
    for hall in halls:
        for k, v in generate(hall).items():
            totals[k] += v
    return f"预约时段：新增 {totals['created']}，更新 {totals['updated']}，移除 {totals['removed']}"


def open_dates(hall, business_type, today: dt.date | None = None) -> list[dict]:
    """The bookable dates of a type with their free places (for the date picker)."""
    today = today or timezone.localdate()
    now = timezone.localtime()
    rows = (Slot.objects.filter(business_type=business_type, date__gte=today)
            .exclude(date=today, start__lte=now.time())
            .values("date").annotate(cap=Sum("capacity"), booked=Sum("booked")).order_by("date"))
    return [{"date": r["date"], "free": r["cap"] - r["booked"]} for r in rows]


def slots_of(business_type, day: dt.date) -> list[Slot]:
    """The slots of a type on a date, with ``free`` and ``past`` set, by start."""
    now = timezone.localtime()
    out = list(Slot.objects.filter(business_type=business_type, date=day).annotate(free=F("capacity") - F("booked")))
    for s in out:
        s.past = rules.slot_start(s.date, s.start, timezone.get_current_timezone()) <= now
    return out
