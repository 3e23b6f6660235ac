"""Giving a rating: 网上 一事一评 of a concluded case, 现场 一次一评 of a window visit, 12345
工单评价 (the contract with :mod:`zhengwu.hotline`) and 追评. One rating per event: the unique
constraint backs the check under concurrency."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.core import audit, calendar
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

from .. import rules
from ..models import ApplicantType, OutboxRecord, RateableEvent, Rating, Rectification, RectificationEvent, WindowVisit
from ..rules import Channel, Kind, RState
from .aggregate import _bump_rating, bump, bump_rated_event, contribution
from .base import CONCLUDED_STATES, AlreadyRated, _invalid, _rule
from .local_rules import get_rules
from .tokens import _consume, read_token


def _applicant_type(applicant) -> str:
    if applicant is None:
        return ApplicantType.ANONYMOUS
    return ApplicantType.LEGAL if applicant.kind == "legal" else ApplicantType.PERSON


def _create_rating(*, kind: str, event_key: str, source_ref: str, department, region, level, dims=None, tags=None,
                   comment: str = "", channel: str, applicant=None, phone: str = "", case=None, visit=None,
                   item=None, window=None, staff=None, rated_at=None, is_default: bool = False, actor=None,
                   nonce: str | None = None, implementation_code: str = "", rater_key: str | None = None,
                   event_day: dt.date | None = None, case_id: int | None = None) -> Rating:
    """One rating, its rectification when it is a 差评, the aggregate rows and the outbox record.
    ``event_day``: the day the rated event was counted as rateable (主动评价率 counts the rating there)."""
    cfg = get_rules()
    try:
        level = rules.check_level(level)
        dims = rules.check_dimensions(kind, dims)
        tags = rules.check_tags(tags, kind)
        comment = rules.check_comment(comment, level)
        if kind != Kind.HOTLINE:
            # A 12345 差评 is given on the phone callback: the ticket itself says what went wrong.
            rules.check_bad_reason(kind, level, tags, comment)
    except rules.RuleError as exc:
        raise _rule(exc) from None
    phone = (phone or "").strip()
    if phone:
        from zhengwu.core.identifiers import validate_phone

        try:
            phone = validate_phone(phone, "回访电话")
        except ValidationError as exc:
            raise _invalid("phone", "；".join(exc.messages)) from None
    if channel not in {c.value for c in Channel}:
        raise _invalid("channel", f"评价渠道不正确：应为{'、'.join(c.value for c in Channel)}之一")
    rated_at = rated_at or timezone.now()
    rater_key = rater_key or (f"a:{applicant.pk}" if applicant is not None else "anon")
    bad = rules.is_bad(level)
    with transaction.atomic():
        _consume(nonce)
        if Rating.objects.filter(event_key=event_key, rater_key=rater_key, followup_of__isnull=True).exists():
            raise AlreadyRated({"level": ["该服务已评价过：每次服务只能评价一次"]})
        r = Rating(kind=kind, event_key=event_key, rater_key=rater_key, source_ref=source_ref, case=case, visit=visit,
                   item=item, department=department, window=window, staff=staff, region=region,
                   region_code=region.code, channel=channel, level=level, dims=dims, tags=tags, comment=comment,
                   applicant=applicant, applicant_type=_applicant_type(applicant), phone=phone,
                   is_default=is_default, is_bad=bad, rated_at=rated_at, day=timezone.localdate(rated_at),
                   event_day=event_day, created_by=actor if getattr(actor, "is_authenticated", False) else None)
        if case is None and case_id is not None:  # a 默认好评 of a case known by its rateable event
            r.case_id = case_id
        try:
            with transaction.atomic():
                r.save()
        except IntegrityError:
            raise AlreadyRated({"level": ["该服务已评价过：每次服务只能评价一次"]}) from None
        rect = None
        if bad:
            rect = Rectification.objects.create(
                rating=r, department=department, region_code=region.code, real_name=r.real_name, opened_at=rated_at,
                due_date=calendar.add_workdays(timezone.localdate(rated_at), cfg.rectify_workdays))
            RectificationEvent.objects.create(rectification=rect, action="open", label="差评立案", to_state=rect.state,
                                              note=f"整改期限：{rect.due_date:%Y年%m月%d日}（{cfg.rectify_workdays}个工作日）")
        _bump_rating(r, **contribution(r, rect))
        bump_rated_event(r)
        OutboxRecord.objects.create(
            rating=r, implementation_code=implementation_code or (item.implementation_code if item else ""),
            case_number=source_ref, channel_code=rules.UPSTREAM_CHANNEL[Channel(channel)], level=level,
            rated_at=rated_at, applicant_type=r.applicant_type)
        audit.record("rating.create", actor=actor, obj=r, after={
            "event": event_key, "level": level, "channel": channel, "default": is_default, "bad": bad,
            "department": department.pk, "phone": r.phone.masked if r.phone else ""})
    return r


def rateable_case(case) -> str | None:
    """Why a case cannot be rated yet, or None."""
    if case.state not in CONCLUDED_STATES:
        return "办件办结后才能评价"
    return None


def _case_staff(case):
    from zhengwu.cases.queries import accepted_by_id

    return accepted_by_id(case) or case.filed_by_id


def rate_case(user, case, *, level, dims=None, tags=None, comment: str = "", channel: str = Channel.PC,
              token: str | None = None) -> Rating:
    """网上 一事一评: the case's applicant (logged in, or holding the receipt's QR token) rates a
    concluded case once."""
    nonce = None
    if token:
        t = read_token(token)
        if t.kind != "case" or t.ref != case.pk:
            raise _invalid("token", "评价二维码与该办件不符")
        nonce = t.nonce
        channel = Channel.QR
    else:
        from zhengwu.accounts.agents import applicant_of_user

        applicant = applicant_of_user(user) if getattr(user, "is_authenticated", False) else None
        if applicant is None or applicant.pk != case.applicant_id:
            raise PermissionDenied("只能评价本人的办件")
    why = rateable_case(case)
    if why:
        raise _invalid("level", why)
    return _create_rating(
        kind=Kind.CASE, event_key=f"case:{case.pk}", source_ref=case.number or "", department=case.department,
        region=case.region, level=level, dims=dims, tags=tags, comment=comment, channel=channel,
        applicant=case.applicant, case=case, item=case.service_item, window=case.window,
        staff=_user(_case_staff(case)), actor=user if getattr(user, "is_authenticated", False) else None,
        nonce=nonce, event_day=case_event_day(case))


def case_event_day(case) -> dt.date | None:
    """The day a concluded case counted as a rateable event (signals.case_saved: its 办结日)."""
    return timezone.localdate(case.concluded_at) if case.concluded_at else None


def _user(pk):
    if not pk:
        return None
    from zhengwu.accounts.models import User

    return User.objects.filter(pk=pk).first()


def case_rating(case) -> Rating | None:
    return Rating.objects.filter(event_key=f"case:{case.pk}", followup_of__isnull=True).first()


# -- window visits (现场 一次一评) ---------------------------------------------------------------
def window_departments(window):
    return list(window.departments.all().order_by("sort_order", "name"))


@transaction.atomic
def start_visit(actor, window, *, department=None, item=None, case=None, source: str = "tablet",
                served_at=None, nonce: str | None = None) -> WindowVisit:
    """A service at the window ended: record the rateable event (the tablet then shows the form).

    ``nonce`` (the form's one-time key) makes a double tap return the same visit."""
    if nonce:
        if len(nonce) != 32 or any(c not in "0123456789abcdef" for c in nonce):
            raise _invalid("nonce", "表单已失效，请刷新页面后重试")
        existing = WindowVisit.objects.filter(nonce=nonce).first()
        if existing is not None:
            if existing.window_id != window.pk:
                raise _invalid("nonce", "表单已失效，请刷新页面后重试")
            return existing
    if source != "qr":
        if not has_role(actor, Role.WINDOW, Role.SYSADMIN):
            raise PermissionDenied("只有窗口工作人员可以登记现场服务")
    if department is None:
        if item is not None:
            department = item.department
        else:
            deps = window_departments(window)
            if not deps:
                raise _invalid("department", "该窗口未设置服务部门，请选择本次服务的部门")
            department = deps[0]
    if item is not None and item.department_id != department.pk:
        raise _invalid("item", "所选事项不属于所选部门")
    served_at = served_at or timezone.now()
    try:
        with transaction.atomic():
            visit = WindowVisit.objects.create(
                window=window, department=department, region=department.region, region_code=department.region.code,
                staff=actor if source != "qr" and getattr(actor, "is_authenticated", False) else None, item=item,
                case=case, source=source, nonce=nonce or secrets.token_hex(16), served_at=served_at,
                day=timezone.localdate(served_at))
    except IntegrityError:  # the same form submitted twice at once
        existing = WindowVisit.objects.filter(nonce=nonce).first() if nonce else None
        if existing is None:
            raise
        return existing
    bump(day=visit.day, kind=Kind.WINDOW, department_id=visit.department_id, window_id=visit.window_id,
         staff_id=visit.staff_id, item_id=visit.item_id, region_id=visit.region_id, region_code=visit.region_code,
         events=1)
    audit.record("rating.visit", actor=actor, obj=visit, after={"window": window.number, "department": department.pk})
    return visit


def visit_rating(visit) -> Rating | None:
    return Rating.objects.filter(event_key=f"visit:{visit.pk}", followup_of__isnull=True).first()


def rate_visit(visit: WindowVisit, *, level, dims=None, tags=None, comment: str = "", channel: str = Channel.TABLET,
               phone: str = "", applicant=None, token: str | None = None, actor=None, rated_at=None) -> Rating:
    """现场 一次一评: the citizen at the window (tablet) or with the visit's QR code rates once."""
    nonce = None
    if token:
        t = read_token(token)
        if t.kind != "visit" or t.ref != visit.pk:
            raise _invalid("token", "评价二维码与本次服务不符")
        nonce = t.nonce
    return _create_rating(
        kind=Kind.WINDOW, event_key=f"visit:{visit.pk}", source_ref=f"XC{visit.pk:08d}", department=visit.department,
        region=visit.region, level=level, dims=dims, tags=tags, comment=comment, channel=channel,
        applicant=applicant, phone=phone, visit=visit, item=visit.item, window=visit.window, staff=visit.staff,
        case=visit.case, actor=actor, nonce=nonce, rater_key="visit", rated_at=rated_at, event_day=visit.day)


# -- 12345 (contract with zhengwu.hotline) ------------------------------------------------------
@transaction.atomic
def record_rateable_event(*, kind: str, ref: str, department, day: dt.date | None = None, region=None
                          ) -> RateableEvent:
    """A rateable event reported by another module (12345: a ticket closed, see signals.ticket_saved,
    or rated before it closed). Idempotent per (kind, ref): the first report counts, once, in
    主动评价率's denominator on its day; the event is returned."""
    region = region or department.region
    day = day or timezone.localdate()
    event, created = RateableEvent.objects.get_or_create(kind=kind, ref=str(ref)[:64], defaults=dict(
        department=department, region=region, day=day))
    if created:
        bump(day=day, kind=kind, department_id=department.pk, window_id=None, staff_id=None, item_id=None,
             region_id=region.pk, region_code=region.code, events=1)
    return event


def record_concluded_case(case, *, region_code: str) -> RateableEvent:
    """A case concluded (signals.case_saved, from the saved instance): one rateable event of 一事一评
    on its 办结日, once per case, with what a 默认好评 of it needs — ratings reads no cases table."""
    day = timezone.localdate(case.concluded_at)
    event, created = RateableEvent.objects.get_or_create(kind=Kind.CASE, ref=str(case.pk), defaults=dict(
        department_id=case.department_id, region_id=case.region_id, day=day, case_id=case.pk,
        item_id=case.service_item_id, window_id=case.window_id, applicant_id=case.applicant_id,
        source_ref=(case.number or "")[:64]))
    if created:
        bump(day=day, kind=Kind.CASE, department_id=case.department_id, window_id=case.window_id, staff_id=None,
             item_id=case.service_item_id, region_id=case.region_id, region_code=region_code, events=1)
    return event


def rate_hotline_ticket(*, ticket_number: str, department, level: int, comment: str = "", rated_at=None,
                        applicant=None, region=None, actor=None) -> Rating:
    """12345 工单评价 (called by the hotline app after the callback).

    Idempotent per ``ticket_number``: a second call returns the existing rating unchanged. Level
    1..5; ``applicant`` is the caller's Applicant (or a User with one) for a real-name rating; a
    level counted as 差评 opens a rectification with ``department``. The ticket counts as a
    rateable event once (when it closes, or here if rated first), and the rating is counted among
    the rated events of that event's day and department.
    """
    ticket_number = str(ticket_number or "").strip()
    if not ticket_number:
        raise _invalid("ticket_number", "工单编号不能为空")
    if len(ticket_number) > 50:
        raise _invalid("ticket_number", "工单编号不能超过 50 个字符")
    key = f"hotline:{ticket_number}"
    existing = Rating.objects.filter(event_key=key, followup_of__isnull=True).first()
    if existing is not None:
        return existing
    if applicant is not None and applicant.__class__.__name__ != "Applicant":
        applicant = getattr(applicant, "applicant", None)  # a User: its applicant record, if any
    region = region or department.region
    day = timezone.localdate(rated_at) if rated_at else None
    try:
        with transaction.atomic():
            event = record_rateable_event(kind=Kind.HOTLINE, ref=ticket_number, department=department, day=day,
                                          region=region)
            # Counted on the event's day (a ticket closed before it was rated has its closing day).
            return _create_rating(
                kind=Kind.HOTLINE, event_key=key, source_ref=ticket_number, department=department, region=region,
                level=level, comment=comment, channel=Channel.PHONE, applicant=applicant, rated_at=rated_at,
                actor=actor, rater_key="hotline", event_day=event.day)
    except AlreadyRated:
        existing = Rating.objects.filter(event_key=key, followup_of__isnull=True).first()
        if existing is None:
            raise
        return existing


# -- follow-up (追评) ----------------------------------------------------------------------------
def followup(user, rating: Rating, *, level, comment: str = "") -> Rating:
    """追评: the real-name rater adds one follow-up after the rectification is closed."""
    from zhengwu.accounts.agents import applicant_of_user

    applicant = applicant_of_user(user) if getattr(user, "is_authenticated", False) else None
    if applicant is None or rating.applicant_id != applicant.pk:
        raise PermissionDenied("只能追评本人的评价")
    if rating.followup_of_id:
        raise _invalid("level", "追评不能再追评")
    rect = Rectification.objects.filter(rating=rating).first() if rating.is_bad else None
    if rect is not None and rect.state != RState.CLOSED:
        raise _invalid("level", "差评整改办结后才能追评")
    try:
        level = rules.check_level(level)
        comment = rules.check_comment(comment, level)
    except rules.RuleError as exc:
        raise _rule(exc) from None
    with transaction.atomic():
        if Rating.objects.filter(followup_of=rating).exists():
            raise AlreadyRated({"level": ["已追评过：每条评价只能追评一次"]})
        now = timezone.now()
        f = Rating(kind=rating.kind, event_key=rating.event_key, rater_key=rating.rater_key,
                   source_ref=rating.source_ref, case=rating.case, visit=rating.visit, item=rating.item,
                   department=rating.department, window=rating.window, staff=rating.staff, region=rating.region,
                   region_code=rating.region_code, channel=rating.channel, level=level, comment=comment,
                   applicant=rating.applicant, applicant_type=rating.applicant_type, followup_of=rating,
                   is_bad=False, rated_at=now, day=timezone.localdate(now), created_by=user)
        try:
            with transaction.atomic():
                f.save()
        except IntegrityError:
            raise AlreadyRated({"level": ["已追评过：每条评价只能追评一次"]}) from None
        audit.record("rating.followup", actor=user, obj=f, after={"of": rating.pk, "level": level})
    return f

