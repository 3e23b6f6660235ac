"""Ticket actions: registration, the dispatch centre's and the departments' actions, 自动督办,
the actions by name (staff pages and API) and the caller's personal data."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from zhengwu.core import audit, calendar
from zhengwu.core.services import reveal_pii
from zhengwu.core.transitions import actor_name

from .. import rules
from . import timeline
from ..models import Channel, KnowledgeArticle, Ticket, TicketEvent
from ..rules import Actor, State, TicketType
from .base import (
    MAX_CONTENT, _category, _check, _department, _departments, _int_or_none, _require_centre,
    _require_handler, _text, follow_up_errors, is_centre, is_handler, locked, main_ticket, record_event,
    ticket_input, transition,
)

logger = logging.getLogger(__name__)


# -- registration -------------------------------------------------------------------------------------
def _existing(key: str | None) -> Ticket | None:
    return Ticket.objects.filter(idempotency_key=key).first() if key else None


@transaction.atomic
def register(user, data: dict, *, channel: str = Channel.PHONE, idempotency_key: str | None = None,
             applicant=None, actor: Actor = Actor.CENTRE) -> Ticket:
    """受理登记: a new ticket (state 待派单). With ``dispatch_to`` in ``data`` it is dispatched at once;
    with ``knowledge`` + ``answer`` a 咨询 is concluded directly (直接办结); with ``merge_into`` it is
    merged into that open ticket (并单). A repeated ``idempotency_key`` returns the first ticket."""
    if idempotency_key is not None:
        idempotency_key = str(idempotency_key).strip()[:64] or None
    if (found := _existing(idempotency_key)) is not None:
        return found
    if actor == Actor.CENTRE and not is_centre(user):
        raise PermissionDenied("仅热线坐席可以受理登记工单")
    if channel not in Channel.values:
        raise ValidationError({"channel": "来源渠道不正确"})
    clean, errors = ticket_input(data, user, channel)
    if actor == Actor.CENTRE:  # the 派单 / 并单 / 直接办结 asked for with it: named in the same round
        for key, msgs in follow_up_errors(data, clean).items():
            errors.setdefault(key, msgs)
    if errors:
        raise ValidationError(errors)
    if actor == Actor.CENTRE and not is_centre(user, clean["region"].code):
        raise PermissionDenied("所选区划不在您的受理范围内")
    now = timezone.now()
    phone = clean["phone"]
    ticket = Ticket(
        number=f"TMP{uuid.uuid4().hex[:16]}", channel=channel, ticket_type=clean["ticket_type"],
        urgency=clean["urgency"], confidential=clean["confidential"], title=clean["title"], content=clean["content"],
        caller_name=clean["caller_name"], phone=phone, address=clean["address"], address_public=clean["address_public"],
        region=clean["region"],
        region_code=clean["region"].code, latitude=clean["latitude"], longitude=clean["longitude"],
        category=clean["category"], applicant=applicant, registered_by=user if actor == Actor.CENTRE else None,
        created_at=now, idempotency_key=idempotency_key,
    )
    try:
        from .. import classifier

        ticket.suggested = {"suggestions": [s.as_dict() for s in classifier.suggest(f"{ticket.title}。{ticket.content}")]}
    except Exception:  # a broken model file must not stop a call being registered
        logger.exception("dispatch suggestion failed")
    # 重复诉求: the same caller on the same matter (rules.same_matter, rules.counts_as_repeat).
    ticket.is_repeat = timeline.is_repeat(ticket, phone, now)
    try:
        with transaction.atomic():
            ticket.save()
    except IntegrityError:
        if (found := _existing(idempotency_key)) is not None:
            return found
        raise
    ticket.number = rules.ticket_number(timezone.localdate(now), ticket.pk)
    ticket.save(update_fields=["number"])
    record_event(ticket, "register" if actor == Actor.CENTRE else "submit", user, to_state=State.REGISTERED,
                 data={"channel": channel, "type": ticket.ticket_type, "urgency": ticket.urgency})
    audit.record("hotline.register", actor=user, obj=ticket,
                 after={"number": ticket.number, "channel": channel, "type": ticket.ticket_type,
                        "phone": str(ticket.phone) if ticket.phone else "", "region": ticket.region_code})
    from .. import feed

    feed.enqueue(ticket, "created")  # 上报省级平台 (the shared outbox, in this transaction)
    if actor == Actor.CENTRE:
        if data.get("merge_into"):
            main = main_ticket(data.get("merge_into"))
            return merge(user, ticket, ticket.lock_version, main, opinion=str(data.get("opinion") or ""))
        if data.get("knowledge") and data.get("answer") is not None:
            return direct_close(user, ticket, ticket.lock_version, data.get("knowledge"), str(data.get("answer") or ""))
        if data.get("dispatch_to"):
            return dispatch(user, ticket, ticket.lock_version, data.get("dispatch_to"),
                            co_departments=data.get("co_departments") or [], category=data.get("category"),
                            opinion=str(data.get("opinion") or ""))
    return ticket


# -- dispatch centre actions --------------------------------------------------------------------------
def _apply_deadlines(ticket: Ticket, start: dt.datetime, kind: str) -> list[str]:
    """The deadlines of a 派单 / 改派 / 重办 (``kind``) at ``start``, noted in the ticket's 时限记录."""
    cal = calendar.get_calendar()
    days = ticket.category.days if ticket.category_id else None
    d = rules.deadlines(cal, timezone.localtime(start), ticket.ticket_type, ticket.urgency, days)
    counted_before = timeline.counted_due(ticket)
    ticket.dispatched_at, ticket.claim_due_at, ticket.due_at = start, d.claim_due, d.handle_due
    ticket.time_limit = d.label
    ticket.claimed_at = ticket.claimed_on_time = None
    return ["dispatched_at", "claim_due_at", "due_at", "time_limit", "claimed_at", "claimed_on_time",
            *timeline.note_deadline(ticket, kind, start, d.handle_due, counted_before=counted_before)]


@transaction.atomic
def dispatch(user, ticket: Ticket, expected_lock: int, department, *, co_departments=(), category=None,
             opinion: str = "") -> Ticket:
    """派单 to a lead department (and co-departments), with the deadlines of type, urgency and category."""
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    _check(ticket, "dispatch", Actor.CENTRE)
    lead = _department(department)
    cos = _departments(co_departments, lead)
    fields = ["lead_department"]
    if category not in (None, ""):
        cat = _category(category)
        if cat is not None and cat.pk != ticket.category_id:
            ticket.category = cat
            fields.append("category")
    if ticket.category_id is None and TicketType(ticket.ticket_type) not in rules.TYPE_ROUTES:
        raise ValidationError({"category": "派单前请选择诉求分类（三级分类）"})
    ticket.lead_department = lead
    fields += _apply_deadlines(ticket, timezone.now(), "dispatch")
    ticket = transition(ticket, "dispatch", Actor.CENTRE, user, fields=fields, opinion=opinion, department=lead,
                        data={"department": lead.name, "co_departments": [d.name for d in cos],
                              "due_at": timezone.localtime(ticket.due_at).isoformat(), "time_limit": ticket.time_limit})
    ticket.co_departments.set(cos)
    return ticket


@transaction.atomic
def direct_close(user, ticket: Ticket, expected_lock: int, article, answer: str) -> Ticket:
    """直接办结: a 咨询 answered on the phone from the knowledge base."""
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    _check(ticket, "direct_close", Actor.CENTRE)
    if ticket.ticket_type != TicketType.CONSULT:
        raise ValidationError({"ticket_type": "只有“咨询”类工单可以依据知识库直接办结"})
    pk = _int_or_none(getattr(article, "pk", article), "knowledge", "知识库条目")
    kb = KnowledgeArticle.objects.select_for_update().filter(pk=pk, is_active=True).first() if pk else None
    if kb is None:
        raise ValidationError({"knowledge": "请选择答复所依据的知识库条目"})
    answer = (answer or "").strip() or kb.answer
    now = timezone.now()
    ticket.knowledge, ticket.reply, ticket.replied_at = kb, answer[:MAX_CONTENT], now
    # Not dispatched, so not timed: 直接办结 is its own figure (figure_rules), never "on time, 0 h".
    ticket.closed_at, ticket.closed_directly = now, True
    kb.used_count += 1
    kb.save(update_fields=["used_count"])
    return transition(ticket, "direct_close", Actor.CENTRE, user,
                      fields=["knowledge", "reply", "replied_at", "closed_at", "closed_directly"],
                      opinion=answer, data={"knowledge": kb.pk, "title": kb.title})


@transaction.atomic
def merge(user, ticket: Ticket, expected_lock: int, main: Ticket, opinion: str = "") -> Ticket:
    """并单: this ticket duplicates ``main``; it stops, ``main`` carries on (its history notes it)."""
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    _check(ticket, "merge", Actor.CENTRE)
    main = Ticket.objects.select_for_update().get(pk=main.pk)
    if main.pk == ticket.pk:
        raise ValidationError({"merge_into": "不能并入工单自身"})
    if main.state not in rules.OPEN_STATES:
        raise ValidationError({"merge_into": f"主工单 {main.number} 为“{main.state_label}”，只能并入未办结的工单"})
    ticket.merged_into, ticket.is_repeat = main, True
    ticket.closed_at = timezone.now()
    ticket = transition(ticket, "merge", Actor.CENTRE, user, fields=["merged_into", "is_repeat", "closed_at"],
                        opinion=opinion, data={"main": main.number})
    record_event(main, "note", user, opinion=f"工单 {ticket.number} 作为重复诉求并入本工单", data={"merged": ticket.number})
    return ticket


@transaction.atomic
def cancel(user, ticket: Ticket, expected_lock: int, reason: str) -> Ticket:
    reason = _text(reason, "reason", "撤销原因", max_len=500)
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    return transition(ticket, "cancel", Actor.CENTRE, user, opinion=reason)


@transaction.atomic
def redispatch(user, ticket: Ticket, expected_lock: int, department, *, co_departments=(), category=None,
               opinion: str = "") -> Ticket:
    """退单审核通过并改派: the return was right; the ticket goes to another department, clock restarts."""
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    _check(ticket, "redispatch", Actor.CENTRE)
    lead = _department(department)
    fields = ["lead_department", "return_pending"]
    if category not in (None, ""):
        cat = _category(category)
        if cat and cat.pk != ticket.category_id:
            ticket.category = cat
            fields.append("category")
    previous = ticket.lead_department.name if ticket.lead_department_id else ""
    ticket.lead_department, ticket.return_pending = lead, None
    fields += _apply_deadlines(ticket, timezone.now(), "redispatch")
    cos = _departments(co_departments, lead)
    ticket = transition(ticket, "redispatch", Actor.CENTRE, user, fields=fields, opinion=opinion, department=lead,
                        data={"from": previous, "department": lead.name})
    ticket.co_departments.set(cos)
    return ticket


@transaction.atomic
def reject_return(user, ticket: Ticket, expected_lock: int, opinion: str) -> Ticket:
    """退单审核不通过: back to the same department to claim again (the original deadline stands)."""
    opinion = _text(opinion, "opinion", "审核意见", max_len=1000)
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    ticket.return_pending = None
    ticket.claimed_at = None
    ticket.claim_due_at = timezone.now() + dt.timedelta(hours=2)
    return transition(ticket, "reject_return", Actor.CENTRE, user, fields=["return_pending", "claimed_at", "claim_due_at"],
                      opinion=opinion, department=ticket.lead_department)


@transaction.atomic
def decide_extension(user, ticket: Ticket, expected_lock: int, approve: bool, opinion: str = "") -> Ticket:
    """延期审批: approve (the deadline moves by the requested working days) or refuse."""
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    action = "approve_extension" if approve else "reject_extension"
    _check(ticket, action, Actor.CENTRE)
    pending = ticket.extension_pending
    if not pending:
        raise ValidationError("该工单没有待审批的延期申请")
    if not approve and not (opinion or "").strip():
        raise ValidationError({"opinion": "驳回延期须填写理由"})
    fields = ["extension_pending"]
    data = {"days": pending["days"]}
    if approve:
        cal, counted_before = calendar.get_calendar(), timeline.counted_due(ticket)
        ticket.due_at = rules.extended_due(cal, timezone.localtime(ticket.due_at), pending["days"])
        ticket.extension_days += pending["days"]
        fields += ["due_at", "extension_days"]
        # The counted deadline moves by the same approved days (rules.counted_deadline).
        counted = rules.extended_due(cal, timezone.localtime(counted_before), pending["days"]) if counted_before else None
        fields += timeline.note_deadline(ticket, "extension", timezone.now(), ticket.due_at,
                                         counted_before=counted_before, counted=counted)
        data["due_at"] = timezone.localtime(ticket.due_at).isoformat()
    ticket.extension_pending = None
    return transition(ticket, action, Actor.CENTRE, user, fields=fields, opinion=opinion.strip(), data=data,
                      department=ticket.lead_department)


@transaction.atomic
def urge(user, ticket: Ticket, expected_lock: int, opinion: str) -> Ticket:
    """督办: a written reminder to the department (counted; shown on the department's list)."""
    opinion = _text(opinion, "opinion", "督办意见", max_len=1000)
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    ticket.urge_count += 1
    return transition(ticket, "urge", Actor.CENTRE, user, fields=["urge_count"], opinion=opinion,
                      department=ticket.lead_department, public=False)


@transaction.atomic
def callback(user, ticket: Ticket, expected_lock: int, *, reached: bool, resolved: bool | None = None,
             satisfaction: int | None = None, note: str = "", reopen: bool = False) -> Ticket:
    """回访: reached or not; resolved or not; satisfaction 1–5. Not reached: the attempt is counted
    and the ticket waits. Unsatisfied with ``reopen``: 重办 — back to the department."""
    note = _text(note, "note", "回访记录", required=False, max_len=1000)
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    if not reached:
        ticket.callback_attempts += 1
        ticket.callback_reached = False
        return transition(ticket, "callback_failed", Actor.CENTRE, user, fields=["callback_attempts", "callback_reached"],
                          opinion=note or "回访未接通", data={"attempt": ticket.callback_attempts}, public=False)
    if satisfaction in (None, ""):
        raise ValidationError({"satisfaction": "回访接通后须选择满意度（非常满意～非常不满意）"})
    try:
        level = int(satisfaction)
    except (TypeError, ValueError):
        raise ValidationError({"satisfaction": "满意度应为 1～5"}) from None
    if level not in rules.SATISFACTION_LABELS:
        raise ValidationError({"satisfaction": "满意度应为 1～5（5 非常满意 … 1 非常不满意）"})
    if resolved is None:
        raise ValidationError({"resolved": "请选择问题是否解决"})
    ticket.callback_attempts += 1
    ticket.callback_reached, ticket.resolved = True, bool(resolved)
    # The citizen's own rating on the web, when given first, stays the ticket's satisfaction (one
    # rating per ticket); the callback's level is kept in its history entry.
    rated_by_citizen = ticket.satisfaction_source == "citizen"
    if not rated_by_citizen:
        ticket.satisfaction, ticket.satisfaction_source = level, "callback"
    ticket = transition(ticket, "callback", Actor.CENTRE, user,
                        fields=["callback_attempts", "callback_reached", "resolved", "satisfaction",
                                "satisfaction_source"], opinion=note,
                        data={"resolved": bool(resolved), "satisfaction": level,
                              "satisfaction_label": rules.SATISFACTION_LABELS[level]})
    from .. import integrations

    if not rated_by_citizen:
        integrations.rate_ticket(ticket, user, note)
    if reopen:
        if rules.is_satisfied(level) and resolved:
            raise ValidationError({"reopen": "诉求人满意且问题已解决，不需要重办"})
        ticket = _reopen(user, ticket, note or "回访不满意，重办")
    return ticket


def _reopen(user, ticket: Ticket, opinion: str) -> Ticket:
    _check(ticket, "reopen", Actor.CENTRE)
    ticket.reopen_count += 1
    ticket.replied_at = None
    fields = ["reopen_count", "replied_at", *_apply_deadlines(ticket, timezone.now(), "reopen")]
    return transition(ticket, "reopen", Actor.CENTRE, user, fields=fields, opinion=opinion,
                      department=ticket.lead_department)


@transaction.atomic
def reopen(user, ticket: Ticket, expected_lock: int, opinion: str) -> Ticket:
    """重办: the caller is not satisfied — the lead department handles it again with a new deadline."""
    opinion = _text(opinion, "opinion", "重办意见", max_len=1000)
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    return _reopen(user, ticket, opinion)


@transaction.atomic
def close(user, ticket: Ticket, expected_lock: int, opinion: str = "") -> Ticket:
    """办结: after the callback (or after repeated unanswered callback calls)."""
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    _check(ticket, "close", Actor.CENTRE)
    if ticket.state == State.REPLIED and ticket.callback_attempts < rules.CALLBACK_ATTEMPTS_BEFORE_CLOSE:
        raise ValidationError(f"请先回访：回访接通后，或回访{rules.CALLBACK_ATTEMPTS_BEFORE_CLOSE}次未接通后，才能办结")
    now = timezone.now()
    ticket.closed_at = now
    # Every answer against the deadline counted at its time, the first one against the first
    # deadline (rules.answered_on_time): a 改派 or 重办 never makes a late answer on time.
    ticket.closed_on_time = timeline.on_time(ticket)
    return transition(ticket, "close", Actor.CENTRE, user, fields=["closed_at", "closed_on_time"], opinion=opinion,
                      data={"on_time": ticket.closed_on_time})


@transaction.atomic
def archive(user, ticket: Ticket, expected_lock: int) -> Ticket:
    ticket = locked(ticket.pk, expected_lock)
    _require_centre(user, ticket)
    ticket.archived_at = timezone.now()
    return transition(ticket, "archive", Actor.CENTRE, user, fields=["archived_at"], public=False)


def escalate_overdue(now: dt.datetime | None = None, limit: int = 1000) -> int:
    """自动督办: urge every ticket past its claim or handling deadline that was not urged in the
    last 24 hours (``zhengwu hotline escalate``, run by the scheduler). Returns how many."""
    now = now or timezone.now()
    since = now - dt.timedelta(hours=24)
    dept_states = [s.value for s in rules.DEPARTMENT_STATES]
    overdue = list(Ticket.objects.filter(state__in=dept_states, due_at__lt=now).order_by("due_at")
                   .values_list("pk", flat=True)[:limit])
    unclaimed = list(Ticket.objects.filter(state=State.DISPATCHED, claim_due_at__lt=now).order_by("-id")
                     .values_list("pk", flat=True)[:limit])
    recently = set(TicketEvent.objects.filter(ticket_id__in=set(overdue) | set(unclaimed), action="urge", at__gte=since)
                   .values_list("ticket_id", flat=True))
    done = 0
    for pk in dict.fromkeys(overdue + unclaimed):
        if pk in recently:
            continue
        with transaction.atomic():
            t = locked(pk, None)
            if t.state not in dept_states:
                continue
            late = t.due_at and t.due_at < now
            t.urge_count += 1
            transition(t, "urge", Actor.SYSTEM, None, fields=["urge_count"], department=t.lead_department, public=False,
                       opinion="系统自动督办：已超过办结时限，请立即办理并答复" if late else "系统自动督办：已超过签收时限，请立即签收",
                       data={"automatic": True, "reason": "overdue" if late else "unclaimed"})
            done += 1
    return done


@transaction.atomic
def co_opinion(user, ticket: Ticket, text: str) -> Ticket:
    """协办意见: a co-department adds its part of the answer (no state change)."""
    text = _text(text, "opinion", "协办意见", max_len=2000)
    ticket = locked(ticket.pk, None)
    dept = next((d for d in ticket.co_departments.select_related("region") if is_handler(user, d)), None)
    if dept is None:
        raise PermissionDenied("仅协办单位的工作人员可以填写协办意见")
    if ticket.state not in (State.DISPATCHED, State.HANDLING):
        raise ValidationError(f"工单当前为“{ticket.state_label}”，不能填写协办意见")
    record_event(ticket, "co_reply", user, opinion=text, department=dept)
    audit.record("hotline.co_reply", actor=user, obj=ticket, after={"number": ticket.number, "department": dept.name})
    return ticket


# -- department actions -------------------------------------------------------------------------------
@transaction.atomic
def claim(user, ticket: Ticket, expected_lock: int) -> Ticket:
    """签收: the department takes the ticket; on time when before the claim deadline."""
    ticket = locked(ticket.pk, expected_lock)
    _require_handler(user, ticket)
    now = timezone.now()
    ticket.claimed_at = now
    ticket.claimed_on_time = ticket.claim_due_at is None or now <= ticket.claim_due_at
    return transition(ticket, "claim", Actor.DEPARTMENT, user, fields=["claimed_at", "claimed_on_time"],
                      department=ticket.lead_department)


@transaction.atomic
def return_ticket(user, ticket: Ticket, expected_lock: int, reason: str, suggested_department=None) -> Ticket:
    """退单: not this department's matter — with the reason (and a suggested department) for review."""
    reason = _text(reason, "reason", "退单理由", max_len=1000)
    if len(reason) < 5:
        raise ValidationError({"reason": "退单理由太简单：请写明不属于本单位职责的依据（至少5个字）"})
    ticket = locked(ticket.pk, expected_lock)
    _require_handler(user, ticket)
    _check(ticket, "return", Actor.DEPARTMENT)
    suggestion = None
    if suggested_department not in (None, ""):
        suggestion = _department(suggested_department, "suggested_department", "建议承办单位")
    ticket.return_count += 1
    ticket.return_pending = {"reason": reason, "department": ticket.lead_department.name,
                             "suggested": suggestion.pk if suggestion else None,
                             "suggested_name": suggestion.name if suggestion else "",
                             "at": timezone.now().isoformat()}
    return transition(ticket, "return", Actor.DEPARTMENT, user, fields=["return_count", "return_pending"],
                      opinion=reason, department=ticket.lead_department, data={"suggested": ticket.return_pending["suggested_name"]})


@transaction.atomic
def request_extension(user, ticket: Ticket, expected_lock: int, days, reason: str) -> Ticket:
    """延期申请: working days and a reason; the centre approves or refuses."""
    reason = _text(reason, "reason", "延期理由", max_len=1000)
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise ValidationError({"days": "延期天数应为整数（工作日）"}) from None
    ticket = locked(ticket.pk, expected_lock)
    _require_handler(user, ticket)
    _check(ticket, "request_extension", Actor.DEPARTMENT)
    if ticket.extension_pending:
        raise ValidationError("已有一项延期申请待审批，请等待派单中心处理")
    if (why := rules.check_extension(days, ticket.extension_days)) is not None:
        raise ValidationError({"days": why})
    ticket.extension_pending = {"days": days, "reason": reason, "at": timezone.now().isoformat(),
                                "by": actor_name(user)}
    return transition(ticket, "request_extension", Actor.DEPARTMENT, user, fields=["extension_pending"],
                      opinion=reason, data={"days": days}, department=ticket.lead_department)


@transaction.atomic
def reply(user, ticket: Ticket, expected_lock: int, text: str) -> Ticket:
    """答复: the department's result, told to the caller (and checked at the callback)."""
    text = _text(text, "reply", "答复内容", max_len=MAX_CONTENT)
    if len(text) < 10:
        raise ValidationError({"reply": "答复内容太简单：请写明办理过程和结果（至少10个字）"})
    ticket = locked(ticket.pk, expected_lock)
    _require_handler(user, ticket)
    now = timezone.now()
    ticket.reply, ticket.replied_at = text, now
    if ticket.dispatched_at:
        ticket.handle_hours = round((now - ticket.dispatched_at).total_seconds() / 3600, 2)
    history = timeline.note_reply(ticket, now)
    return transition(ticket, "reply", Actor.DEPARTMENT, user, fields=["reply", "replied_at", "handle_hours", *history],
                      opinion=text, department=ticket.lead_department)


# -- the actions by name (the staff pages and the API call these) -----------------------------------
# One entry per action of the state table a person takes by name; ``p`` holds the form's or the
# request body's fields (see ``hotline.api.ActionIn``). 回访未接通 (callback_failed) is recorded by
# callback with reached=False.
TICKET_ACTIONS = {
    "dispatch": lambda u, t, lock, p: dispatch(u, t, lock, p["department"], co_departments=p["co_departments"],
                                               category=p["category"], opinion=p["opinion"]),
    "direct_close": lambda u, t, lock, p: direct_close(u, t, lock, p["knowledge"], p["answer"]),
    "merge": lambda u, t, lock, p: merge(u, t, lock, main_ticket(p["merge_into"] or "-"), p["opinion"]),
    "cancel": lambda u, t, lock, p: cancel(u, t, lock, p["reason"]),
    "claim": lambda u, t, lock, p: claim(u, t, lock),
    "return": lambda u, t, lock, p: return_ticket(u, t, lock, p["reason"], p["suggested_department"]),
    "redispatch": lambda u, t, lock, p: redispatch(u, t, lock, p["department"], co_departments=p["co_departments"],
                                                   category=p["category"], opinion=p["opinion"]),
    "reject_return": lambda u, t, lock, p: reject_return(u, t, lock, p["opinion"]),
    "request_extension": lambda u, t, lock, p: request_extension(u, t, lock, p["days"], p["reason"]),
    "approve_extension": lambda u, t, lock, p: decide_extension(u, t, lock, True, p["opinion"]),
    "reject_extension": lambda u, t, lock, p: decide_extension(u, t, lock, False, p["opinion"]),
    "urge": lambda u, t, lock, p: urge(u, t, lock, p["opinion"]),
    "reply": lambda u, t, lock, p: reply(u, t, lock, p["reply"]),
    "callback": lambda u, t, lock, p: callback(u, t, lock, reached=p["reached"], resolved=p["resolved"],
                                               satisfaction=p["satisfaction"], note=p["note"], reopen=p["reopen"]),
    "reopen": lambda u, t, lock, p: reopen(u, t, lock, p["opinion"]),
    "close": lambda u, t, lock, p: close(u, t, lock, p["opinion"]),
    "archive": lambda u, t, lock, p: archive(u, t, lock),
}
RECORDED_BY = {"callback_failed": "callback"}  # actions of the table recorded by another action
# Every key is an action of the state table (tests/core/test_state_machine.py checks the converse).
assert TICKET_ACTIONS.keys() <= rules.STATE_TABLE.keys(), TICKET_ACTIONS.keys() - rules.STATE_TABLE.keys()


def perform(user, ticket: Ticket, action: str, expected_lock, params) -> Ticket:
    """The ticket action named ``action`` (a key of :data:`TICKET_ACTIONS`) with ``params``."""
    return TICKET_ACTIONS[action](user, ticket, expected_lock, params)


# -- personal data --------------------------------------------------------------------------------------
def may_see_caller(user, ticket: Ticket) -> bool:
    """The centre sees the caller; a department only when the ticket is not confidential."""
    if is_centre(user, ticket.region_code):
        return True
    if ticket.confidential:
        return False
    return is_handler(user, ticket.lead_department)


def reveal_phone(user, ticket: Ticket, purpose: str = "联系诉求人") -> str:
    if not may_see_caller(user, ticket):
        raise PermissionDenied("保密工单：承办单位不能查看诉求人联系方式" if ticket.confidential else "无权查看诉求人联系方式")
    if not ticket.phone:
        return ""
    return reveal_pii(user, ticket, "phone", purpose)
