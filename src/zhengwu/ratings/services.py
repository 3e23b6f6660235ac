"""The one write path of 好差评: ratings, QR tokens, window visits, rectifications, appeals,
督办, default ratings, local rules and the outbox.

Every function checks its input and the actor's rights, writes the rows, the append-only history,
the daily aggregate (:class:`~zhengwu.ratings.models.RatingDaily`) and the audit event in one
transaction. Bad input raises ``ValidationError`` with the field and a Chinese message; a stale
rectification version raises :class:`Stale`; a second rating of the same event raises
:class:`AlreadyRated` (the unique constraint backs the check under concurrency).
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from zhengwu.core import audit, calendar
from zhengwu.core.errors import Conflict
from zhengwu.core.services import reveal_pii
from zhengwu.core.transitions import Lifecycle, actor_name
from zhengwu.core.transitions import Stale as _Stale
from zhengwu.org.models import Role
from zhengwu.org.permissions import has_role

from . import queries, rules
from .models import (Appeal, ApplicantType, OutboxRecord, RateableEvent, Rating, RatingDaily, RatingRules,
                     RatingToken, Rectification, RectificationEvent, WindowVisit)
from .rules import Channel, Kind, RState

TOKEN_SALT = "zhengwu.ratings.qr"
TOKEN_MAX_AGE = 90 * 24 * 3600  # a receipt's code may be scanned within 90 days
CONCLUDED_STATES = ("concluded", "delivered")
RECTIFY_ROLES = (Role.DEPT_ADMIN, Role.APPROVER)
SUPERVISE_ROLES = (Role.SUPERVISOR,)


class Stale(_Stale):  # 409 in the API
    message = "该差评整改已被他人更新，请刷新页面后重试"


class AlreadyRated(Conflict):  # 409 in the API
    pass


def _invalid(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


def _rule(exc: rules.RuleError) -> ValidationError:
    return _invalid(exc.field, exc.message)


# -- local rules ------------------------------------------------------------------------------
def get_rules() -> RatingRules:
    obj = RatingRules.objects.filter(pk=1).first()
    if obj is None:
        obj, _ = RatingRules.objects.get_or_create(pk=1)
    return obj


RULE_FIELDS = ("default_enabled", "default_after_days", "rectify_workdays", "bad_levels", "red_count", "black_count",
               "min_ratings", "weight_satisfaction", "weight_active", "weight_rectify", "bad_penalty")


@transaction.atomic
def update_rules(actor, **values) -> RatingRules:
    if not has_role(actor, Role.SYSADMIN):
        raise PermissionDenied("只有系统管理员可以修改本地评价规则")
    obj = RatingRules.objects.select_for_update().get(pk=get_rules().pk)
    before = {f: getattr(obj, f) for f in RULE_FIELDS}
    for name, value in values.items():
        if name not in RULE_FIELDS:
            raise _invalid(name, f"未知的规则项：{name}")
        setattr(obj, name, value)
    try:
        obj.bad_levels = ",".join(str(x) for x in sorted(rules.parse_bad_levels(obj.bad_levels)))
    except rules.RuleError as exc:
        raise _rule(exc) from None
    if not 1 <= int(obj.rectify_workdays) <= 60:
        raise _invalid("rectify_workdays", "差评整改时限应为 1 至 60 个工作日")
    if not 1 <= int(obj.default_after_days) <= 365:
        raise _invalid("default_after_days", "默认好评期限应为 1 至 365 天")
    if min(obj.weight_satisfaction, obj.weight_active, obj.weight_rectify, obj.bad_penalty) < 0:
        raise _invalid("weight_satisfaction", "权重和扣分不能为负数")
    if obj.weight_satisfaction + obj.weight_active + obj.weight_rectify <= 0:
        raise _invalid("weight_satisfaction", "三项权重之和必须大于 0")
    obj.updated_by = actor
    obj.save()
    audit.record("ratings.rules.update", actor=actor, obj=obj, before=before,
                 after={f: getattr(obj, f) for f in RULE_FIELDS})
    return obj


# -- QR tokens --------------------------------------------------------------------------------
def issue_token(kind: str, ref: int) -> str:
    """A signed token for a QR code: names the event (kind, ref) and a nonce recorded here."""
    nonce = secrets.token_hex(16)
    RatingToken.objects.create(nonce=nonce, kind=kind, ref=ref)
    return signing.dumps({"k": kind, "r": ref, "n": nonce}, salt=TOKEN_SALT, compress=True)


@dataclass
class Token:
    kind: str
    ref: int
    nonce: str


def read_token(token: str) -> Token:
    """The token's event, or a ValidationError in plain Chinese (forged, expired, already used)."""
    try:
        data = signing.loads(token, salt=TOKEN_SALT, max_age=TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise _invalid("token", "该评价二维码已过期（有效期 90 天），请通过“我的办件”进行评价") from None
    except signing.BadSignature:
        raise _invalid("token", "评价二维码无效：请扫描回执或窗口上的原始二维码") from None
    t = Token(str(data.get("k")), int(data.get("r", 0)), str(data.get("n", "")))
    row = RatingToken.objects.filter(nonce=t.nonce).first()
    if row is None or row.kind != t.kind or row.ref != t.ref:
        raise _invalid("token", "评价二维码无效：请扫描回执或窗口上的原始二维码")
    if row.used_at is not None and t.kind != "window":
        raise _invalid("token", "该二维码已使用过：每次服务只能评价一次，请勿重复扫码")
    return t


def _consume(nonce: str | None) -> None:
    if not nonce:
        return
    row = RatingToken.objects.select_for_update().filter(nonce=nonce).first()
    if row is None:
        raise _invalid("token", "评价二维码无效：请扫描回执或窗口上的原始二维码")
    if row.used_at is not None:
        raise AlreadyRated({"token": ["该二维码已使用过：每次服务只能评价一次，请勿重复扫码"]})
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])


# -- the daily aggregate ----------------------------------------------------------------------
def _daily_key(day, kind, department_id, window_id, staff_id, item_id, region_id) -> str:
    return f"{day:%Y%m%d}|{department_id}|{window_id or ''}|{staff_id or ''}|{item_id or ''}|{region_id}|{kind}"


def bump(*, day, kind, department_id, window_id, staff_id, item_id, region_id, region_code, **deltas) -> None:
    deltas = {k: v for k, v in deltas.items() if v}
    if not deltas:
        return
    key = _daily_key(day, kind, department_id, window_id, staff_id, item_id, region_id)
    row, _ = RatingDaily.objects.get_or_create(key=key, defaults=dict(
        day=day, kind=kind, department_id=department_id, window_id=window_id, staff_id=staff_id, item_id=item_id,
        region_id=region_id, region_code=region_code))
    RatingDaily.objects.filter(pk=row.pk).update(**{k: F(k) + v for k, v in deltas.items()})
    transaction.on_commit(queries.figures_changed)  # cached figures are recomputed


def _bump_rating(r: Rating, sign: int = 1, **deltas) -> None:
    bump(day=r.day, kind=r.kind, department_id=r.department_id, window_id=r.window_id, staff_id=r.staff_id,
         item_id=r.item_id, region_id=r.region_id, region_code=r.region_code,
         **{k: sign * v for k, v in deltas.items()})


def contribution(r: Rating, rect: Rectification | None) -> dict[str, int]:
    """What one valid rating adds to its aggregate row (subtracted again when excluded)."""
    d = {"ratings": 1, f"l{r.level}": 1, "defaults": int(r.is_default), "bad": int(r.is_bad),
         "bad_real": int(r.is_bad and r.real_name)}
    if r.dims:
        d["dim_n"] = 1
        for name, score in r.dims.items():
            d[f"dim_{name}"] = int(score)
    if rect is not None:
        d["bad_closed"] = int(rect.state == RState.CLOSED)
        d["bad_real_called"] = int(rect.real_name and rect.called_back)
    return d


# -- ratings ----------------------------------------------------------------------------------
def _applicant_type(applicant) -> str:
    if applicant is None:
        return ApplicantType.ANONYMOUS
    return ApplicantType.LEGAL if applicant.kind == "legal" else ApplicantType.PERSON


def _create_rating(*, kind: str, event_key: str, source_ref: str, department, region, level, dims=None, tags=None,
                   comment: str = "", channel: str, applicant=None, phone: str = "", case=None, visit=None,
                   item=None, window=None, staff=None, rated_at=None, is_default: bool = False, actor=None,
                   nonce: str | None = None, implementation_code: str = "", rater_key: str | None = None) -> Rating:
    cfg = get_rules()
    try:
        level = rules.check_level(level)
        dims = rules.check_dimensions(kind, dims)
        tags = rules.check_tags(tags)
        comment = rules.check_comment(comment, level)
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
    bad = rules.is_bad(level, cfg.bad_level_set)
    with transaction.atomic():
        _consume(nonce)
        if Rating.objects.filter(event_key=event_key, rater_key=rater_key, followup_of__isnull=True).exists():
            raise AlreadyRated({"level": ["该服务已评价过：每次服务只能评价一次"]})
        r = Rating(kind=kind, event_key=event_key, rater_key=rater_key, source_ref=source_ref, case=case, visit=visit,
                   item=item, department=department, window=window, staff=staff, region=region,
                   region_code=region.code, channel=channel, level=level, dims=dims, tags=tags, comment=comment,
                   applicant=applicant, applicant_type=_applicant_type(applicant), phone=phone,
                   is_default=is_default, is_bad=bad, rated_at=rated_at, day=timezone.localdate(rated_at),
                   created_by=actor if getattr(actor, "is_authenticated", False) else None)
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
        applicant = getattr(user, "applicant", None) if getattr(user, "is_authenticated", False) else None
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
        nonce=nonce)


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
        case=visit.case, actor=actor, nonce=nonce, rater_key="visit", rated_at=rated_at)


# -- 12345 (contract with zhengwu.hotline) ------------------------------------------------------
@transaction.atomic
def record_rateable_event(*, kind: str, ref: str, department, day: dt.date | None = None, region=None) -> bool:
    """A rateable event reported by another module (12345: callback completed). Idempotent per
    (kind, ref); True when newly recorded. Counts in 主动评价率's denominator."""
    region = region or department.region
    day = day or timezone.localdate()
    _, created = RateableEvent.objects.get_or_create(kind=kind, ref=str(ref)[:64], defaults=dict(
        department=department, region=region, day=day))
    if created:
        bump(day=day, kind=kind, department_id=department.pk, window_id=None, staff_id=None, item_id=None,
             region_id=region.pk, region_code=region.code, events=1)
    return created


def rate_hotline_ticket(*, ticket_number: str, department, level: int, comment: str = "", rated_at=None,
                        applicant=None, region=None, actor=None) -> Rating:
    """12345 工单评价 (called by the hotline app after the callback).

    Idempotent per ``ticket_number``: a second call returns the existing rating unchanged. Level
    1..5; ``applicant`` is the caller's Applicant (or a User with one) for a real-name rating; a level counted as 差评 opens a rectification with ``department``. The ticket also counts
    as a rateable event (once).
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
            record_rateable_event(kind=Kind.HOTLINE, ref=ticket_number, department=department, day=day, region=region)
            return _create_rating(
                kind=Kind.HOTLINE, event_key=key, source_ref=ticket_number, department=department, region=region,
                level=level, comment=comment, channel=Channel.PHONE, applicant=applicant, rated_at=rated_at,
                actor=actor, rater_key="hotline")
    except AlreadyRated:
        existing = Rating.objects.filter(event_key=key, followup_of__isnull=True).first()
        if existing is None:
            raise
        return existing


# -- follow-up (追评) ----------------------------------------------------------------------------
def followup(user, rating: Rating, *, level, comment: str = "") -> Rating:
    """追评: the real-name rater adds one follow-up after the rectification is closed."""
    applicant = getattr(user, "applicant", None) if getattr(user, "is_authenticated", False) else None
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


# -- rectifications -----------------------------------------------------------------------------
def may_rectify(user, rect: Rectification) -> bool:
    return has_role(user, *RECTIFY_ROLES, department=rect.department)


def may_supervise(user, department=None, region_code: str | None = None) -> bool:
    return has_role(user, *SUPERVISE_ROLES, department=department, region_code=region_code)


# The rectification state table (rules.MACHINE) bound to its model (zhengwu.core.transitions).
LIFECYCLE = Lifecycle(rules.MACHINE, Rectification, stale=Stale, audit_prefix="rectification",
                      version_field="version")


def _locked(rect_id: int, version: int | None) -> Rectification:
    return LIFECYCLE.lock(rect_id, version,
                          Rectification.objects.select_related("rating", "department__region"))


def _move(rect: Rectification, user, action: str, label: str, target: str, note: str = "", fields=()) -> None:
    """Move ``rect`` to ``target`` (decided by the rules' after_* check): history, the daily
    aggregate and audit in the caller's transaction."""
    if target == RState.CLOSED and not rect.closed_at:
        rect.closed_at = timezone.now()

    def bump(before, target):
        if not rect.rating.excluded and target == RState.CLOSED and before != RState.CLOSED:
            _bump_rating(rect.rating, bad_closed=1)

    LIFECYCLE.move(rect, action, None, user, target=target, fields=("closed_at", *fields),
                   history=lambda before, target: RectificationEvent.objects.create(
                       rectification=rect, action=action, label=label, from_state=before, to_state=target,
                       actor=user, actor_name=actor_name(user), note=note),
                   then=bump, audit_after={"note": note[:200]})


def _require_rectifier(user, rect: Rectification) -> None:
    if not may_rectify(user, rect):
        raise PermissionDenied("只有责任部门的部门管理员或审批人员可以办理该差评整改")


@transaction.atomic
def verify(user, rect: Rectification, version: int, *, valid: bool, reason: str = "") -> Rectification:
    rect = _locked(rect.pk, version)
    _require_rectifier(user, rect)
    try:
        target = rules.after_verify(rect.state, bool(valid), reason, rect.real_name)
    except rules.RuleError as exc:
        raise _rule(exc) from None
    rect.verified_valid = bool(valid)
    rect.verify_reason = (reason or "").strip()
    _move(rect, user, "verify", "核实属实" if valid else "核实不属实", target, rect.verify_reason,
          fields=["verified_valid", "verify_reason"])
    return rect


@transaction.atomic
def rectify(user, rect: Rectification, version: int, *, measures: str) -> Rectification:
    rect = _locked(rect.pk, version)
    _require_rectifier(user, rect)
    try:
        target = rules.after_rectify(rect.state, measures, rect.real_name)
    except rules.RuleError as exc:
        raise _rule(exc) from None
    rect.measures = measures.strip() if not rect.measures else f"{rect.measures}\n——\n{measures.strip()}"
    _move(rect, user, "rectify", "登记整改", target, measures.strip(), fields=["measures"])
    return rect


@transaction.atomic
def callback(user, rect: Rectification, version: int, *, reached: bool, satisfied: bool | None = None,
             note: str = "") -> Rectification:
    rect = _locked(rect.pk, version)
    _require_rectifier(user, rect)
    try:
        target = rules.after_callback(rect.state, bool(reached), satisfied if reached else None,
                                      rect.callback_attempts, rect.verified_valid)
    except rules.RuleError as exc:
        raise _rule(exc) from None
    rect.callback_attempts += 1
    rect.callback_reached = bool(reached)
    rect.callback_satisfied = satisfied if reached else None
    rect.callback_note = (note or "").strip()
    fields = ["callback_attempts", "callback_reached", "callback_satisfied", "callback_note"]
    if reached and not rect.called_back:
        rect.called_back = True
        fields.append("called_back")
        if rect.real_name and not rect.rating.excluded:
            _bump_rating(rect.rating, bad_real_called=1)
    if target == RState.REOPENED:
        rect.reopen_count += 1
        fields.append("reopen_count")
    if reached:
        label = "回访满意" if satisfied else "回访不满意，重新整改"
    else:
        label = "回访未联系上" + ("（多次联系未果，办结）" if target == RState.CLOSED else "")
    _move(rect, user, "callback", label, target, rect.callback_note, fields=fields)
    return rect


@transaction.atomic
def urge(user, rect: Rectification, *, note: str = "") -> Rectification:
    """督办: a supervisor presses the department on an open (usually overdue) rectification."""
    rect = _locked(rect.pk, None)
    if not may_supervise(user, department=rect.department):
        raise PermissionDenied("只有督办人员可以督办")
    if not rect.is_open:
        raise _invalid("note", "该差评整改已办结，无需督办")
    note = (note or "").strip() or "请尽快办理"
    if len(note) > 500:
        raise _invalid("note", "督办意见不能超过 500 字")
    rect.urge_count += 1
    rect.last_urged_at = timezone.now()
    rect.save(update_fields=["urge_count", "last_urged_at", "updated_at"])
    RectificationEvent.objects.create(rectification=rect, action="urge", label="督办", from_state=rect.state,
                                      to_state=rect.state, actor=user, actor_name=actor_name(user), note=note)
    audit.record("rectification.urge", actor=user, obj=rect, after={"note": note[:200], "count": rect.urge_count})
    return rect


def reveal_phone(user, rating: Rating, purpose: str = "差评回访") -> str:
    """The rater's phone for a callback: only the responsible department, audited."""
    rect = getattr(rating, "rectification", None)
    if rect is None or not may_rectify(user, rect):
        raise PermissionDenied("只有责任部门办理差评回访时可以查看评价人电话")
    if rating.phone:
        return reveal_pii(user, rating, "phone", purpose)
    if rating.applicant_id:
        return reveal_pii(user, rating.applicant, "phone", purpose)
    return ""


# -- appeals (申诉) ------------------------------------------------------------------------------
@transaction.atomic
def file_appeal(user, rating: Rating, *, reason: str) -> Appeal:
    if not has_role(user, Role.DEPT_ADMIN, department=rating.department):
        raise PermissionDenied("只有被评价部门的部门管理员可以提出申诉")
    reason = (reason or "").strip()
    if len(reason) < 10:
        raise _invalid("reason", "申诉理由至少 10 个字，请写明恶意差评的事实和依据")
    if rating.excluded:
        raise _invalid("reason", "该评价已因申诉成立被剔除")
    if not rating.is_bad:
        raise _invalid("reason", "只能对差评提出申诉")
    Rating.objects.select_for_update().filter(pk=rating.pk).first()
    if Appeal.objects.filter(rating=rating, state=Appeal.State.PENDING).exists():
        raise _invalid("reason", "该评价已有待审核的申诉")
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(rating=rating, department=rating.department,
                                           region_code=rating.region_code, reason=reason, filed_by=user)
    except IntegrityError:
        raise _invalid("reason", "该评价已有待审核的申诉") from None
    rect = getattr(rating, "rectification", None)
    if rect is not None:
        RectificationEvent.objects.create(rectification=rect, action="appeal", label="提出申诉", from_state=rect.state,
                                          to_state=rect.state, actor=user, actor_name=actor_name(user), note=reason)
    audit.record("rating.appeal", actor=user, obj=appeal, after={"rating": rating.pk})
    return appeal


@transaction.atomic
def decide_appeal(user, appeal: Appeal, *, upheld: bool, note: str = "") -> Appeal:
    appeal = Appeal.objects.select_for_update().select_related("rating", "department__region").get(pk=appeal.pk)
    if not may_supervise(user, department=appeal.department):
        raise PermissionDenied("只有督办人员可以审核申诉")
    if appeal.state != Appeal.State.PENDING:
        raise _invalid("upheld", f"该申诉已审核（{appeal.get_state_display()}）")
    note = (note or "").strip()
    if not note:
        raise _invalid("note", "请填写审核意见")
    appeal.state = Appeal.State.UPHELD if upheld else Appeal.State.REJECTED
    appeal.decided_by = user
    appeal.decided_at = timezone.now()
    appeal.decision_note = note
    appeal.save()
    rating = Rating.objects.select_for_update().get(pk=appeal.rating_id)
    rect = Rectification.objects.filter(rating=rating).first()
    if upheld and not rating.excluded:
        _bump_rating(rating, sign=-1, **contribution(rating, rect))
        _bump_rating(rating, excluded=1)
        rating.excluded = True
        rating.excluded_at = timezone.now()
        rating.save(update_fields=["excluded", "excluded_at"])
        OutboxRecord.objects.get_or_create(rating=rating, kind="exclude", defaults=dict(
            implementation_code=rating.item.implementation_code if rating.item_id else "",
            case_number=rating.source_ref, channel_code=rules.UPSTREAM_CHANNEL[Channel(rating.channel)],
            level=rating.level, rated_at=rating.rated_at, applicant_type=rating.applicant_type))
    if rect is not None:
        RectificationEvent.objects.create(rectification=rect, action="appeal_decided",
                                          label="申诉成立，评价剔除" if upheld else "申诉不成立",
                                          from_state=rect.state, to_state=rect.state, actor=user,
                                          actor_name=actor_name(user), note=note)
        if upheld and rect.is_open:
            _move(rect, user, "close_excluded", "申诉成立，整改办结", RState.CLOSED, note)
    audit.record("rating.appeal_decide", actor=user, obj=appeal,
                 after={"state": appeal.state, "rating": rating.pk, "note": note[:200]})
    return appeal


# -- 默认好评 -------------------------------------------------------------------------------------
def apply_default_ratings(today: dt.date | None = None, *, limit: int = 5000, lookback_days: int = 30) -> int:
    """Record 默认好评 (满意) for events unrated after the configured number of days.

    Off unless the local rules enable it. Looks at events whose default day fell within the last
    ``lookback_days`` (so enabling the rule does not rewrite history). Idempotent: the
    one-rating constraint makes a second run a no-op.
    """
    from zhengwu.cases.models import Case

    cfg = get_rules()
    if not cfg.default_enabled:
        return 0
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    cutoff = dt.datetime.combine(today - dt.timedelta(days=cfg.default_after_days), dt.time.min, tzinfo=tz)
    since = cutoff - dt.timedelta(days=lookback_days)
    done = 0
    rated = Rating.objects.filter(case=OuterRef("pk"), followup_of__isnull=True)
    cases = (Case.objects.filter(state__in=CONCLUDED_STATES, concluded_at__gte=since, concluded_at__lt=cutoff)
             .exclude(Exists(rated)).select_related("department", "region", "service_item", "applicant")
             .order_by("pk")[:limit])
    for case in cases:
        try:
            _create_rating(kind=Kind.CASE, event_key=f"case:{case.pk}", source_ref=case.number or "",
                           department=case.department, region=case.region, level=rules.DEFAULT_LEVEL,
                           channel=Channel.SYSTEM, applicant=case.applicant, case=case, item=case.service_item,
                           window=case.window, is_default=True)
            done += 1
        except AlreadyRated:
            continue
    visit_rated = Rating.objects.filter(visit=OuterRef("pk"), followup_of__isnull=True)
    visits = (WindowVisit.objects.filter(served_at__gte=since, served_at__lt=cutoff).exclude(Exists(visit_rated))
              .select_related("department", "region", "item", "window", "staff").order_by("pk")[:limit])
    for visit in visits:
        try:
            _create_rating(kind=Kind.WINDOW, event_key=f"visit:{visit.pk}", source_ref=f"XC{visit.pk:08d}",
                           department=visit.department, region=visit.region, level=rules.DEFAULT_LEVEL,
                           channel=Channel.SYSTEM, visit=visit, item=visit.item, window=visit.window,
                           staff=visit.staff, is_default=True, rater_key="visit")
            done += 1
        except AlreadyRated:
            continue
    return done


# -- outbox -------------------------------------------------------------------------------------
def outbox_payload(o: OutboxRecord) -> dict:
    return {"id": o.pk, "type": o.kind, "实施编码": o.implementation_code, "办件编号": o.case_number,
            "评价渠道": o.channel_code, "评价等级": o.level,
            "评价时间": timezone.localtime(o.rated_at).strftime("%Y-%m-%d %H:%M:%S"), "申请人类型": o.applicant_type}


@transaction.atomic
def mark_sent(actor, ids: list[int], receipt: str = "") -> int:
    """Mark outbox records as accepted by the upper-level system (after it confirmed them).

    ``actor``: a data administrator, or the upper-level system's 应用密钥 (scope ratings:feed).
    """
    from zhengwu.accounts.models import ApiKey

    key = actor if isinstance(actor, ApiKey) else None
    if key is None and not has_role(actor, Role.DATA_ADMIN, Role.SYSADMIN):
        raise PermissionDenied("只有数据管理员可以确认上报结果")
    ids = [int(i) for i in ids][:1000]
    if not ids:
        raise _invalid("ids", "请给出已被上级系统接收的记录编号")
    n = OutboxRecord.objects.filter(pk__in=ids, sent_at__isnull=True).update(
        sent_at=timezone.now(), receipt=(receipt or "")[:100], attempts=F("attempts") + 1)
    audit.record("ratings.outbox.sent", actor=None if key else actor, object_type="ratings.outboxrecord",
                 object_id="batch", after={"ids": ids[:50], "count": n, "receipt": receipt[:100],
                                           **({"api_key": str(key)} if key else {})})
    return n


@transaction.atomic
def mark_failed(ids: list[int], error: str) -> int:
    return OutboxRecord.objects.filter(pk__in=ids, sent_at__isnull=True).update(
        attempts=F("attempts") + 1, last_error=error[:300])


# -- links for QR codes -------------------------------------------------------------------------
def public_base_url() -> str:
    """The site's public address for QR codes printed outside a request (receipt PDFs):
    ``settings.ZHENGWU_PUBLIC_URL`` or the environment variable of that name."""
    import os

    from django.conf import settings

    base = getattr(settings, "ZHENGWU_PUBLIC_URL", "") or os.environ.get("ZHENGWU_PUBLIC_URL", "")
    if not base:
        host = (settings.ALLOWED_HOSTS or ["127.0.0.1"])[0]
        base = f"http://{host if host not in ('*', '') else '127.0.0.1'}:8000"
    return base.rstrip("/")


def case_rating_link(case) -> str:
    from django.urls import reverse

    return public_base_url() + reverse("ratings:qr_rate", args=[issue_token("case", case.pk)])


def receipt_qr_png(case) -> bytes:
    from . import qr

    return qr.png(case_rating_link(case), scale=4)
