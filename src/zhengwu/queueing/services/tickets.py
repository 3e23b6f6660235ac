"""取号: tickets from the kiosk, the portal (远程取号), the clerk (帮办取号) and appointment check-in;
numbering per business type per day under a row lock; priority; the place in the queue.

Every write runs in one transaction with its :class:`TicketEvent` (the boards' stream) and its audit
event. Personal data (name, 身份证号) is stored encrypted and never written to the audit trail.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.errors import NotFound
from zhengwu.core.identifiers import check_id_number
from zhengwu.core.transitions import Lifecycle, Stale
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

from .. import hall_rules as hours
from .. import queue_rules as rules
from ..models import (
    Appointment,
    BusinessType,
    HallRules,
    Ticket,
    TicketCounter,
    TicketEvent,
    WindowSetup,
)

LIVE = (rules.WAITING, rules.CALLED, rules.SERVING)
SOURCES = {s.value for s in Ticket.Source}
MAX_KEY = 50


class StaleTicket(Stale):
    message = "该号已被他人处理，请刷新后重试"


class TicketNotFound(NotFound):
    message = "排队号不存在"


LIFECYCLE = Lifecycle(rules.MACHINE, Ticket, stale=StaleTicket, audit_prefix="queue", version_field="version",
                      state_field="status", missing=TicketNotFound)


def hall_rules(hall) -> HallRules:
    """The hall's rules, or the defaults (unsaved) when none were set."""
    return HallRules.objects.filter(hall=hall).first() or HallRules(hall=hall)


def event(ticket: Ticket | None, action: str, *, hall=None, window=None, actor=None, text: str = "") -> TicketEvent:
    return TicketEvent.objects.create(hall_id=hall.pk if hall is not None else ticket.hall_id, ticket=ticket,
                                      action=action, window=window, actor=actor if _is_user(actor) else None,
                                      text=text[:120], at=timezone.now())


def _is_user(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _audit_after(ticket: Ticket, **extra) -> dict:
    """What the audit trail keeps of a ticket: never the name or the ID number."""
    return {"display": ticket.display, "business_type": ticket.business_type_id, "status": ticket.status,
            "priority": ticket.priority, "source": ticket.source, **extra}


def next_number(business_type: BusinessType, day: dt.date) -> int:
    """The next number of ``business_type`` on ``day``: the counter row is locked until the caller's
    transaction ends, so two tickets never get the same number (the unique constraint backs it)."""
    TicketCounter.objects.get_or_create(business_type=business_type, day=day)
    counter = TicketCounter.objects.select_for_update().get(business_type=business_type, day=day)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _check_business_type(hall, business_type) -> None:
    if business_type is None or business_type.hall_id != hall.pk:
        raise ValidationError({"business_type_id": ["业务类型：该大厅没有此业务类型"]})
    if not business_type.is_active:
        raise ValidationError({"business_type_id": [f"业务类型：“{business_type.name}”已停用，请选择其他业务类型"]})


def _namespaced_key(key: str | None, *, hall, source: str, user) -> str | None:
    if not key:
        return None
    key = str(key).strip()
    if len(key) > MAX_KEY or not key.isprintable():
        raise ValidationError({"idempotency_key": [f"Idempotency-Key：最长 {MAX_KEY} 个可见字符"]})
    who = f"u{user.pk}" if _is_user(user) else f"h{hall.pk}"
    return f"t:{source[:1]}:{who}:{key}"


def remote_hours_refusal(hall, business_type=None, now: dt.datetime | None = None) -> str | None:
    """Why 远程取号 is refused now by the hall's 办公时间 (weekly periods on working days of the
    platform calendar, 延时办/周末办 sessions of the type), None while it is open. Only remote
    tickets are held to the clock: the kiosk stands in the hall, staff may serve late."""
    from .slots import day_kind, extras_of, weekly_of

    moment = timezone.localtime(now)
    return hours.remote_ticket_refusal(moment, day_kind(moment.date()), weekly_of(hall), extras_of(hall),
                                       business_type.pk if business_type is not None else None)


def issue_ticket(*, hall, business_type, source, user=None, person_name="", id_number="", item=None, clerk=None,
                 idempotency_key=None, appointment=None, priority: rules.Priority | None = None,
                 issued_at=None, transferred_from=None) -> Ticket:
    """取号. ``source``: kiosk (public), remote (the logged-in citizen ``user``, when the hall allows
    it and is open: :func:`remote_hours_refusal`), clerk (帮办取号 by ``clerk``, a 窗口人员);
    appointment/transfer come from :func:`check_in` and ``calling.transfer``. A repeated
    ``idempotency_key`` returns the ticket it made."""
    if source not in SOURCES:
        raise ValidationError({"source": ["取号方式：应为 kiosk、remote 或 clerk"]})
    _check_business_type(hall, business_type)
    rules_ = hall_rules(hall)
    if source == Ticket.Source.REMOTE:
        if not _is_user(user):
            raise PermissionDenied("远程取号请先登录")
        if not rules_.remote_ticket:
            raise ValidationError({"source": ["取号方式：本大厅未开通远程取号，请到大厅自助终端取号"]})
    if source == Ticket.Source.CLERK and not has_role(clerk, Role.WINDOW):
        raise PermissionDenied("只有窗口人员可以帮办取号")
    key = _namespaced_key(idempotency_key, hall=hall, source=source, user=user if source == "remote" else clerk)
    if key:
        existing = Ticket.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    if source == Ticket.Source.REMOTE and (closed := remote_hours_refusal(hall, business_type)) is not None:
        raise ValidationError({"source": [closed]})  # after the key: a retry still gets its ticket
    birth = None
    id_number = (id_number or "").strip().upper()
    if id_number:
        try:
            birth = check_id_number(id_number).birth_date
        except ValidationError as exc:
            raise ValidationError({"id_number": exc.messages}) from None
    person_name = (person_name or "").strip()
    if len(person_name) > 50:
        raise ValidationError({"person_name": ["姓名：最多 50 个字"]})
    now = timezone.now()
    today = timezone.localdate(now)
    if priority is None:
        priority = rules.priority(appointment=appointment is not None, birth_date=birth, today=today,
                                  appointment_priority=rules_.appointment_priority,
                                  priority_age=rules_.priority_age, group_priority=rules_.group_priority)
    try:
        with transaction.atomic():
            number = next_number(business_type, today)  # locks the type's day: the checks below are serial
            if business_type.daily_limit and number > business_type.daily_limit and source != "transfer":
                raise ValidationError({"business_type_id": [rules.daily_limit_message(business_type.name,
                                                                                      business_type.daily_limit)]})
            if source == Ticket.Source.REMOTE and Ticket.objects.filter(
                    user=user, business_type=business_type, day=today, status__in=LIVE).exists():
                raise ValidationError({"business_type_id": [
                    f"业务类型：您今天已取“{business_type.name}”的号且尚未办结，请勿重复取号"]})
            ticket = Ticket.objects.create(
                hall=hall, business_type=business_type, day=today, number=number,
                display=rules.display(business_type.prefix, number), source=source, priority=priority.level,
                priority_reason=priority.reason, user=user if _is_user(user) else None, person_name=person_name,
                id_number=id_number, appointment=appointment, item=item, issued_at=issued_at or now,
                transferred_from=transferred_from, idempotency_key=key)
            event(ticket, TicketEvent.Action.ISSUE, actor=clerk or user, text=f"{ticket.display} {business_type.name}")
            audit.record("queue.issue", actor=clerk if _is_user(clerk) else (user if _is_user(user) else None),
                         obj=ticket, after=_audit_after(ticket, reason=priority.reason))
    except IntegrityError:
        if key:  # the same request twice at once: the other one made it
            existing = Ticket.objects.filter(idempotency_key=key).first()
            if existing is not None:
                return existing
        raise
    return ticket


def check_in(*, appointment: Appointment, actor=None) -> Ticket:
    """预约签到: a BOOKED appointment of today, within [start − checkin_before, start + checkin_after],
    becomes a ticket with the appointment priority (at most once)."""
    with transaction.atomic():
        appt = Appointment.objects.select_for_update().select_related("slot", "slot__business_type").get(
            pk=appointment.pk)
        existing = Ticket.objects.filter(appointment=appt).first()
        if existing is not None and appt.status == Appointment.Status.CHECKED_IN:
            return existing  # a double tap on the kiosk
        if appt.status != Appointment.Status.BOOKED:
            raise ValidationError({"code": [f"预约号：该预约“{appt.get_status_display()}”，不能签到"]})
        slot = appt.slot
        rules_ = hall_rules(slot.hall)
        now = timezone.localtime()
        start = timezone.make_aware(dt.datetime.combine(slot.date, slot.start), now.tzinfo)
        earliest = start - dt.timedelta(minutes=rules_.checkin_before_minutes)
        latest = start + dt.timedelta(minutes=rules_.checkin_after_minutes)
        if slot.date != now.date() or now < earliest:
            when = f"{slot.date:%m月%d日} {earliest:%H:%M}–{latest:%H:%M}"
            raise ValidationError({"code": [f"预约号：签到时间为 {when}，请在此时间内签到"]})
        if now > latest:
            raise ValidationError({"code": [f"预约号：已超过签到时间（{latest:%H:%M}），请重新取号或改约"]})
        ticket = issue_ticket(hall=slot.hall, business_type=slot.business_type, source=Ticket.Source.APPOINTMENT,
                              user=appt.user, item=appt.item, appointment=appt, clerk=None)
        appt.status = Appointment.Status.CHECKED_IN
        appt.checked_in_at = timezone.now()
        appt.version += 1
        appt.save(update_fields=["status", "checked_in_at", "version"])
        audit.record("queue.check_in", actor=actor if _is_user(actor) else None, obj=appt,
                     after={"code": appt.code, "ticket": ticket.display})
    return ticket


def open_windows_serving(business_type) -> int:
    return WindowSetup.objects.filter(is_open=True, business_types=business_type).count()


def ahead_of(ticket: Ticket) -> int:
    """Waiting tickets of the same type and day that would be called before ``ticket``."""
    p, at = ticket.priority, ticket.issued_at
    return Ticket.objects.filter(business_type_id=ticket.business_type_id, day=ticket.day,
                                 status=rules.WAITING).filter(
        Q(priority__gt=p) | Q(priority=p, issued_at__lt=at) | Q(priority=p, issued_at=at, number__lt=ticket.number)
    ).exclude(pk=ticket.pk).count()


def position(ticket: Ticket) -> tuple[int, int]:
    """(people ahead, estimated wait in minutes); (0, 0) once the ticket is no longer waiting."""
    if ticket.status != rules.WAITING:
        return 0, 0
    ahead = ahead_of(ticket)
    bt = ticket.business_type
    return ahead, rules.estimate_minutes(ahead, bt.service_minutes, open_windows_serving(bt))


def waiting_counts(hall, day: dt.date | None = None) -> dict[int, int]:
    """Waiting tickets per business type id of ``hall`` today."""
    from django.db.models import Count

    day = day or timezone.localdate()
    rows = (Ticket.objects.filter(hall=hall, day=day, status=rules.WAITING).values("business_type")
            .annotate(n=Count("id")))
    return {r["business_type"]: r["n"] for r in rows}


def cancel(*, ticket: Ticket, user) -> Ticket:
    """取消: the holder of a remote/appointment ticket (or a 窗口人员) gives up a waiting ticket."""
    with transaction.atomic():
        t = LIFECYCLE.lock(ticket.pk, None)
        if not (_is_user(user) and (t.user_id == user.pk or has_role(user, Role.WINDOW))):
            raise PermissionDenied("只能取消自己的排队号")
        target = LIFECYCLE.check(t, "cancel")
        t.status, t.ended_at = target, timezone.now()
        t.version += 1
        t.save(update_fields=["status", "ended_at", "version"])
        event(t, TicketEvent.Action.CANCEL, actor=user, text=f"{t.display} 已取消")
        audit.record("queue.cancel", actor=user, obj=t, after=_audit_after(t))
    return t
