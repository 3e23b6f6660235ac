"""预约: book, cancel and rebook a slot; reminders the day before; no-shows and booking blocks.

Every write runs in one transaction with its audit event. The slot's ``booked`` count changes only
with the slot row locked (``SELECT … FOR UPDATE``) and by a conditional UPDATE (``booked <
capacity``), so two people booking the last place never both get it, on PostgreSQL and SQLite alike.
A person holds at most one live booking per business type and day (``hall_rules.same_day_refusal``);
their own row is locked first, so two of their requests at once cannot both pass that check.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.core.errors import NotFound

from .. import hall_rules as rules
from ..models import Appointment, BookingBlock, Slot
from .slots import day_kind, hall_rules_of

BOOKER_KINDS = ("person", "legal")


class AppointmentNotFound(NotFound):
    message = "预约不存在或不是您的预约"


def _tz():
    return timezone.get_current_timezone()


def slot_start_at(slot: Slot) -> dt.datetime:
    return rules.slot_start(slot.date, slot.start, _tz())


def active_block(user, hall, today: dt.date | None = None) -> BookingBlock | None:
    today = today or timezone.localdate()
    return (BookingBlock.objects.filter(user=user, hall=hall, lifted_at__isnull=True, until__gte=today)
            .order_by("-until").first())


def _closed_day_refusal(slot: Slot) -> str | None:
    kind = day_kind(slot.date)
    if kind.holiday:
        return f"{slot.date:%Y年%m月%d日}为法定节假日，大厅不办公，请选择其他日期"
    if not kind.workday and slot.session != rules.WEEKEND:
        return f"{slot.date:%Y年%m月%d日}为休息日，大厅不办公，请选择其他日期"
    return None


def _check_bookable(*, user, slot: Slot, item) -> None:
    if not user.is_authenticated:
        raise PermissionDenied("请先登录后预约")
    if user.kind not in BOOKER_KINDS:
        raise PermissionDenied("仅群众和企业账号可以网上预约")
    if (closed := _closed_day_refusal(slot)) is not None:
        raise ValidationError({"slot_id": [closed]})
    if Appointment.objects.filter(slot=slot, user=user, status__in=rules.LIVE).exists():
        raise ValidationError({"slot_id": ["您已预约该时段，请勿重复预约"]})
    block = active_block(user, slot.hall_id)
    refusal = rules.booking_refusal(now=timezone.now(), slot_start_at=slot_start_at(slot), capacity=slot.capacity,
                                    booked=slot.booked, blocked_until=block.until if block else None,
                                    block_reason=block.reason if block else "")
    if refusal is not None:
        raise ValidationError({"slot_id": [refusal]})
    if (held := live_same_day(user, slot.business_type_id, slot.date)) is not None:
        raise ValidationError({"slot_id": [rules.same_day_refusal(held.slot.date, held.slot.start,
                                                                  held.slot.business_type.name)]})
    bt = slot.business_type
    if not bt.bookable or not bt.is_active:
        raise ValidationError({"slot_id": [f"业务类型“{bt.name}”暂不开放预约"]})
    if item is not None and bt.items.exists() and not bt.items.filter(pk=item.pk).exists():
        raise ValidationError({"item_id": [f"事项“{item.name}”不属于业务类型“{bt.name}”，请重新选择"]})


def live_same_day(user, business_type_id: int, day: dt.date) -> Appointment | None:
    """The person's live (booked or checked-in) appointment of the type on ``day``, if any."""
    return (Appointment.objects.filter(user=user, slot__business_type_id=business_type_id, slot__date=day,
                                       status__in=rules.LIVE)
            .select_related("slot", "slot__business_type").order_by("slot__start").first())


def _lock_person(user) -> None:
    """The person's row is the mutex of their bookings: two requests of one person for two slots of
    the same type and day (two tabs, a second tap on another slot) run one after the other, so the
    second sees the first. Taken before any slot row, in :func:`book` and :func:`rebook` alike.
    (SQLite's IMMEDIATE transactions are serial anyway.)"""
    if getattr(user, "is_authenticated", False):
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def _take_place(slot: Slot) -> None:
    if not Slot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1):
        raise ValidationError({"slot_id": ["该时段已约满，请选择其他时段"]})
    slot.booked += 1


def _free_place(slot_id: int) -> None:
    Slot.objects.filter(pk=slot_id, booked__gt=0).update(booked=F("booked") - 1)


def _new_appointment(*, user, slot, item, channel, key, rebooked_from=None) -> Appointment:
    for _attempt in range(5):
        code = rules.new_code(slot.date)
        if not Appointment.objects.filter(code=code).exists():
            break
    return Appointment.objects.create(code=code, slot=slot, user=user, item=item, channel=channel,
                                      idempotency_key=key, rebooked_from=rebooked_from)


def _norm_key(key) -> str | None:
    return (str(key).strip()[:64] or None) if key else None


def book(*, user, slot, item=None, channel: str = "portal", idempotency_key=None) -> Appointment:
    """Book a place in ``slot``. The same ``idempotency_key`` returns the first booking."""
    key = _norm_key(idempotency_key)
    if key and (found := Appointment.objects.filter(idempotency_key=key, user=user).first()) is not None:
        return found
    try:
        with transaction.atomic():
            _lock_person(user)
            if key and (found := Appointment.objects.filter(idempotency_key=key, user=user).first()) is not None:
                return found  # the same submission twice at once: the other one booked
            slot = Slot.objects.select_for_update().select_related("business_type", "hall").get(pk=slot.pk)
            _check_bookable(user=user, slot=slot, item=item)
            appt = _new_appointment(user=user, slot=slot, item=item, channel=channel, key=key)
            _take_place(slot)
            audit.record("queueing.appointment.book", actor=user, obj=appt,
                         after={"code": appt.code, "slot": slot.pk, "date": slot.date, "start": slot.start})
            return appt
    except IntegrityError:
        if key and (found := Appointment.objects.filter(idempotency_key=key, user=user).first()) is not None:
            return found
        if Appointment.objects.filter(slot=slot, user=user, status__in=rules.LIVE).exists():
            raise ValidationError({"slot_id": ["您已预约该时段，请勿重复预约"]}) from None
        raise ValidationError({"slot_id": ["该时段已约满，请选择其他时段"]}) from None


def _lock_mine(appointment, user) -> Appointment:
    appt = (Appointment.objects.select_for_update().select_related("slot", "slot__business_type", "slot__hall")
            .filter(pk=appointment.pk).first())
    if appt is None or (appt.user_id != user.pk and not _is_hall_staff(user)):
        raise AppointmentNotFound()
    return appt


def _is_hall_staff(user) -> bool:
    from zhengwu.org.permissions import is_sysadmin, roles_of

    return bool(getattr(user, "is_authenticated", False)) and (is_sysadmin(user) or "supervisor" in roles_of(user))


def _refuse(appt: Appointment, action: str) -> None:
    if (why := rules.refusal(appt.status, action)) is not None:
        raise ValidationError(why, code="transition")


def cancel(*, appointment, user) -> Appointment:
    with transaction.atomic():
        appt = _lock_mine(appointment, user)
        _refuse(appt, "cancel")
        if slot_start_at(appt.slot) <= timezone.now():
            raise ValidationError("预约时段已开始，不能取消", code="transition")
        Slot.objects.select_for_update().filter(pk=appt.slot_id).first()
        appt.status, appt.cancelled_at, appt.version = rules.CANCELLED, timezone.now(), appt.version + 1
        appt.save(update_fields=["status", "cancelled_at", "version"])
        _free_place(appt.slot_id)
        audit.record("queueing.appointment.cancel", actor=user, obj=appt,
                     before={"status": rules.BOOKED}, after={"status": rules.CANCELLED, "code": appt.code})
        return appt


def rebook(*, appointment, user, slot) -> Appointment:
    """Move a booking to another slot in one transaction: the new booking exists exactly when the
    old one is cancelled. Returns the new appointment (``rebooked_from`` the old one)."""
    try:
        return _rebook(appointment=appointment, user=user, slot=slot)
    except IntegrityError:
        raise ValidationError({"slot_id": ["您已预约该时段，请勿重复预约"]}) from None


def _rebook(*, appointment, user, slot) -> Appointment:
    with transaction.atomic():
        appt = _lock_mine(appointment, user)
        _refuse(appt, "rebook")
        if appt.slot_id == slot.pk:
            raise ValidationError({"slot_id": ["新时段与原预约时段相同，请选择其他时段"]})
        _lock_person(appt.user)  # before the slots, as in book()
        # Both slots locked, lower id first: two rebookings crossing never deadlock.
        locked = {s.pk: s for s in Slot.objects.select_for_update().select_related("business_type", "hall")
                  .filter(pk__in=[appt.slot_id, slot.pk]).order_by("pk")}
        new_slot = locked.get(slot.pk)
        if new_slot is None:
            raise ValidationError({"slot_id": ["所选时段不存在"]})
        if new_slot.hall_id != appt.slot.hall_id:
            raise ValidationError({"slot_id": ["只能改约到同一大厅的时段"]})
        owner = appt.user
        appt.status, appt.cancelled_at, appt.version = rules.CANCELLED, timezone.now(), appt.version + 1
        appt.save(update_fields=["status", "cancelled_at", "version"])
        _check_bookable(user=owner, slot=new_slot, item=appt.item)
        new = _new_appointment(user=owner, slot=new_slot, item=appt.item, channel=appt.channel, key=None,
                               rebooked_from=appt)
        _take_place(new_slot)
        _free_place(appt.slot_id)
        audit.record("queueing.appointment.rebook", actor=user, obj=new,
                     before={"code": appt.code, "slot": appt.slot_id},
                     after={"code": new.code, "slot": new_slot.pk, "date": new_slot.date, "start": new_slot.start})
        return new


def my_appointments(user):
    return (Appointment.objects.filter(user=user).select_related("slot", "slot__business_type", "slot__hall", "item")
            .order_by("-slot__date", "-slot__start", "-created_at"))


def find_mine(user, code: str) -> Appointment:
    appt = Appointment.objects.filter(code=(code or "").strip().upper()).select_related(
        "slot", "slot__business_type", "slot__hall").first()
    if appt is None or (appt.user_id != user.pk and not _is_hall_staff(user)):
        raise AppointmentNotFound()
    return appt


# -- jobs ---------------------------------------------------------------------------------------
def _notify(user, title: str, body: str) -> None:
    from zhengwu.cases.models import Notification
    from zhengwu.cases.services.notify import queue_sms

    Notification.objects.create(recipient=user, title=title, body=body)
    if user.phone:
        queue_sms(user.phone.reveal_unaudited(), f"【{settings.ZHENGWU_PLATFORM_NAME}】{body}")


def send_reminders(now: dt.datetime | None = None) -> str:
    """The day before: an in-app message and an SMS (when the person has a phone) for each booking
    of tomorrow not yet reminded. Runs hourly (job ``queueing.reminders``); each booking once."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + dt.timedelta(days=1)
    sent = 0
    ids = list(Appointment.objects.filter(status=rules.BOOKED, reminded_at__isnull=True, slot__date=tomorrow)
               .values_list("pk", flat=True))
    for pk in ids:
        with transaction.atomic():
            appt = (Appointment.objects.select_for_update().select_related("slot", "slot__hall", "slot__business_type",
                                                                           "user")
                    .filter(pk=pk, status=rules.BOOKED, reminded_at__isnull=True).first())
            if appt is None:
                continue
            s = appt.slot
            _notify(appt.user, "预约提醒",
                    f"您预约了明天（{s.date:%m月%d日}）{s.start:%H:%M}-{s.end:%H:%M} 在{s.hall.name}办理“{s.business_type.name}”，"
                    f"预约号 {appt.code}，请提前到大厅自助终端签到取号。如不能前往，请及时取消预约。")
            appt.reminded_at = now
            appt.save(update_fields=["reminded_at"])
            sent += 1
    return f"预约提醒：{sent} 条"


def mark_noshows(now: dt.datetime | None = None) -> str:
    """BOOKED appointments whose slot start + 迟到可签到 has passed become NO_SHOW; a person with
    ``noshow_limit`` no-shows in ``noshow_days`` is blocked from booking in that hall for
    ``block_days`` (job ``queueing.noshows``)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    marked, blocked = 0, 0
    candidates = (Appointment.objects.filter(status=rules.BOOKED, slot__date__lte=today)
                  .select_related("slot", "slot__hall"))
    rules_by_hall: dict[int, object] = {}
    touched: set[tuple[int, int]] = set()
    for appt in candidates.iterator():
        hr = rules_by_hall.setdefault(appt.slot.hall_id, hall_rules_of(appt.slot.hall))
        if rules.noshow_deadline(slot_start_at(appt.slot), hr.checkin_after_minutes) > now:
            continue
        with transaction.atomic():
            if not Appointment.objects.filter(pk=appt.pk, status=rules.BOOKED).update(
                    status=rules.NO_SHOW, version=F("version") + 1):
                continue  # checked in or cancelled meanwhile
            audit.record("queueing.appointment.no_show", obj=appt, before={"status": rules.BOOKED},
                         after={"status": rules.NO_SHOW, "code": appt.code})
        marked += 1
        touched.add((appt.user_id, appt.slot.hall_id))
    for user_id, hall_id in touched:
        hr = rules_by_hall[hall_id]
        since = today - dt.timedelta(days=hr.noshow_days - 1)
        dates = list(Appointment.objects.filter(user_id=user_id, slot__hall_id=hall_id, status=rules.NO_SHOW,
                                                slot__date__gte=since).values_list("slot__date", flat=True))
        if not rules.should_block(dates, today, hr.noshow_limit, hr.noshow_days):
            continue
        with transaction.atomic():
            if BookingBlock.objects.filter(user_id=user_id, hall_id=hall_id, lifted_at__isnull=True,
                                           until__gte=today).exists():
                continue
            reason = rules.block_reason(len(dates), hr.noshow_days)
            block = BookingBlock.objects.create(user_id=user_id, hall_id=hall_id, reason=reason,
                                                until=rules.block_until(today, hr.block_days))
            from zhengwu.accounts.models import User

            _notify(User.objects.get(pk=user_id), "预约受限",
                    f"您{reason}，{block.until:%Y年%m月%d日}前不能在{block.hall.name}网上预约；如有疑问请咨询大厅工作人员。")
            audit.record("queueing.booking_block.add", obj=block, after={"until": block.until, "reason": reason})
        blocked += 1
    return f"爽约：标记 {marked} 个，限制预约 {blocked} 人"


def lift_block(*, block, user) -> BookingBlock:
    if not _is_hall_staff(user):
        raise PermissionDenied("仅督办人员或系统管理员可以解除预约限制")
    with transaction.atomic():
        block = BookingBlock.objects.select_for_update().get(pk=block.pk)
        if block.lifted_at is not None:
            raise ValidationError("该预约限制已解除", code="transition")
        block.lifted_at, block.lifted_by = timezone.now(), user
        block.save(update_fields=["lifted_at", "lifted_by"])
        audit.record("queueing.booking_block.lift", actor=user, obj=block, after={"lifted": True})
        return block


def blocks_of_hall(hall):
    today = timezone.localdate()
    return (BookingBlock.objects.filter(hall=hall, lifted_at__isnull=True, until__gte=today)
            .select_related("user").order_by("-created_at"))


def business_type_for_item(item_id: int, hall=None):
    """The bookable business type whose items include ``item_id`` (first by hall and order)."""
    from ..models import BusinessType

    qs = BusinessType.objects.filter(items__pk=item_id, bookable=True, is_active=True, hall__is_active=True)
    if hall is not None:
        qs = qs.filter(hall=hall)
    return qs.select_related("hall").order_by("hall_id", "order").first()


def is_bookable_item(item_id: int) -> bool:
    return business_type_for_item(item_id) is not None




BOOKABLE_ITEMS_KEY = "queueing:bookable_items"
BOOKABLE_ITEMS_SECONDS = 60


def bookable_item_ids() -> frozenset[int]:
    """Ids of the items some bookable business type serves: one query for every guide rendered in
    the next minute (the guide's body is itself cached; hall management clears this on a change)."""
    from django.core.cache import cache

    from ..models import BusinessType

    found = cache.get(BOOKABLE_ITEMS_KEY)
    if found is None:
        found = frozenset(BusinessType.items.through.objects.filter(
            businesstype__bookable=True, businesstype__is_active=True, businesstype__hall__is_active=True)
            .values_list("serviceitem_id", flat=True))
        cache.set(BOOKABLE_ITEMS_KEY, found, BOOKABLE_ITEMS_SECONDS)
    return found


def bookable_items_changed() -> None:
    from django.core.cache import cache

    cache.delete(BOOKABLE_ITEMS_KEY)


def booking_url_for_item(item_id: int) -> str:
    """The 预约 page of an item ("" when no bookable business type serves it): the guide's link."""
    from django.urls import reverse

    if item_id not in bookable_item_ids():
        return ""
    return f"{reverse('queueing:book_start')}?item={item_id}"
