"""叫号: windows opening and closing, calling the next ticket, recall, 过号, start, end, transfer.

``call_next`` never gives one ticket to two clerks: on PostgreSQL the candidate row is taken with
``SELECT … FOR UPDATE SKIP LOCKED`` (a second clerk skips it and takes the next); elsewhere (SQLite)
a conditional ``UPDATE … WHERE status='waiting'`` claims it and a lost race retries (ADR 0041).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from zhengwu.core import audit
from zhengwu.org.models import Role
from zhengwu.org.permissions import grants, has_role, is_sysadmin

from .. import queue_rules as rules
from ..models import BusinessType, Ticket, TicketEvent, WindowSetup
from .tickets import LIFECYCLE, _audit_after, event, issue_ticket

CLAIM_RETRIES = 20


def may_use_window(user, window) -> bool:
    """A 窗口人员 whose grant covers the window's hall region (系统管理员 always)."""
    if is_sysadmin(user):
        return True
    code = window.hall.region.code
    return any(g.role == Role.WINDOW and code.startswith(g.region_prefix) for g in grants(user))


def _require_clerk(user, window=None) -> None:
    if not has_role(user, Role.WINDOW):
        raise PermissionDenied("只有窗口人员可以叫号")
    if window is not None and not may_use_window(user, window):
        raise PermissionDenied(f"您不是 {window.number} 号窗口所在大厅的窗口人员")


def _setup(window, *, lock: bool = False) -> WindowSetup:
    qs = WindowSetup.objects.select_related("window")
    if lock:
        qs = qs.select_for_update()
    setup = qs.filter(window=window).first()
    if setup is None:
        raise ValidationError({"window": [f"窗口：{window.number} 号窗口尚未设置办理的业务类型，请联系大厅管理员"]})
    return setup


def _window_event(window, user, text: str) -> None:
    event(None, TicketEvent.Action.WINDOW, hall=window.hall, window=window, actor=user, text=text)


def current(window) -> Ticket | None:
    """The ticket called to or served at ``window`` now."""
    return (Ticket.objects.select_related("business_type").filter(window=window, status__in=[rules.CALLED, rules.SERVING])
            .order_by("-called_at").first())


def open_window(*, window, user) -> WindowSetup:
    _require_clerk(user, window)
    with transaction.atomic():
        setup = _setup(window, lock=True)
        if setup.is_open and setup.opened_by_id == user.pk:
            return setup
        if setup.is_open and setup.opened_by_id and not is_sysadmin(user):
            raise ValidationError({"window": [f"窗口：{window.number} 号窗口已由其他工作人员开窗"]})
        setup.is_open, setup.opened_by, setup.opened_at = True, user, timezone.now()
        setup.version += 1
        setup.save(update_fields=["is_open", "opened_by", "opened_at", "version"])
        _window_event(window, user, rules.window_event_text(window.number, opened=True))
        audit.record("queue.window_open", actor=user, obj=window, after={"window": window.number})
    return setup


def _requeue(ticket: Ticket, user, window) -> None:
    rules.MACHINE.check(ticket.status, "requeue")
    ticket.status, ticket.window, ticket.staff, ticket.called_at = rules.WAITING, None, None, None
    ticket.version += 1
    ticket.save(update_fields=["status", "window", "staff", "called_at", "version"])
    event(ticket, TicketEvent.Action.REQUEUE, window=window, actor=user, text=f"{ticket.display} 退回队列")
    audit.record("queue.requeue", actor=user, obj=ticket, after=_audit_after(ticket))


def close_window(*, window, user) -> list[Ticket]:
    """关窗/暂停: the window's called tickets go back to the queue (in their old place: their
    priority and issue time are kept). A ticket being served must be ended or transferred first."""
    _require_clerk(user, window)
    with transaction.atomic():
        setup = _setup(window, lock=True)
        tickets = list(Ticket.objects.select_for_update().filter(window=window, status__in=[rules.CALLED,
                                                                                             rules.SERVING]))
        serving = [t for t in tickets if t.status == rules.SERVING]
        if serving:
            raise ValidationError({"window": [f"窗口：{serving[0].display} 正在办理中，请先办结或转移后再关窗"]})
        for t in tickets:
            _requeue(t, user, window)
        Ticket.objects.filter(window=window, status=rules.WAITING).update(window=None)
        if setup.is_open:
            setup.is_open, setup.opened_by, setup.opened_at = False, None, None
            setup.version += 1
            setup.save(update_fields=["is_open", "opened_by", "opened_at", "version"])
            _window_event(window, user, rules.window_event_text(window.number, opened=False))
            audit.record("queue.window_close", actor=user, obj=window,
                         after={"window": window.number, "requeued": [t.display for t in tickets]})
    return tickets


def _claim_postgres(type_ids, day):
    return (Ticket.objects.select_for_update(skip_locked=True)
            .filter(business_type_id__in=type_ids, day=day, status=rules.WAITING)
            .order_by("-priority", "issued_at", "number").first())


def _claim_conditional(type_ids, day):
    """SQLite (and any database without SKIP LOCKED): claim the best candidate with a conditional
    UPDATE; another clerk took it first → the next candidate."""
    for _ in range(CLAIM_RETRIES):
        pk = (Ticket.objects.filter(business_type_id__in=type_ids, day=day, status=rules.WAITING)
              .order_by("-priority", "issued_at", "number").values_list("pk", flat=True).first())
        if pk is None:
            return None
        if Ticket.objects.filter(pk=pk, status=rules.WAITING).update(status=rules.CALLED) == 1:
            ticket = Ticket.objects.get(pk=pk)
            ticket.status = rules.WAITING  # the transition below sets it (and checks it) once more
            return ticket
    raise ValidationError({"window": ["叫号繁忙，请稍后重试"]})


def call_next(*, window, user) -> Ticket | None:
    """叫下一位: the best waiting ticket of the window's business types (priority, then issue order),
    or None when nobody waits."""
    _require_clerk(user, window)
    with transaction.atomic():
        # The window's row locked: a double click (two calls from one window at once) waits here and
        # then finds the first call's ticket, instead of claiming a second one.
        setup = _setup(window, lock=True)
        if not setup.is_open:
            raise ValidationError({"window": [f"窗口：{window.number} 号窗口尚未开窗，请先开窗"]})
        busy = current(window)
        if busy is not None:
            label = rules.STATE_LABELS[busy.status]
            raise ValidationError({"window": [f"窗口：{busy.display}（{label}）尚未处理完，请先办结、过号或转移"]})
        type_ids = list(setup.business_types.values_list("pk", flat=True))
        if not type_ids:
            raise ValidationError({"window": [f"窗口：{window.number} 号窗口未设置办理的业务类型"]})
        day = timezone.localdate()
        if connection.features.has_select_for_update_skip_locked:
            ticket = _claim_postgres(type_ids, day)
        else:
            ticket = _claim_conditional(type_ids, day)
        if ticket is None:
            return None
        LIFECYCLE.check(ticket, "call")
        text = rules.announcement(ticket.display, window.number)
        ticket.status, ticket.window, ticket.staff = rules.CALLED, window, user
        ticket.called_at, ticket.call_count = timezone.now(), ticket.call_count + 1
        ticket.version += 1
        ticket.save(update_fields=["status", "window", "staff", "called_at", "call_count", "version"])
        event(ticket, TicketEvent.Action.CALL, window=window, actor=user, text=text)
        audit.record("queue.call", actor=user, obj=ticket, after=_audit_after(ticket, window=window.number))
    return ticket


def _act(ticket, user, action: str, *, expected_version=None):
    """Lock the ticket, check the clerk and the state table; the caller changes and saves it."""
    _require_clerk(user)
    t = LIFECYCLE.lock(ticket.pk, expected_version)  # no outer joins: PostgreSQL locks no nullable side
    target = LIFECYCLE.check(t, action)
    if t.staff_id and t.staff_id != user.pk and not is_sysadmin(user):
        raise PermissionDenied(f"{t.display} 由其他窗口人员叫号，不能由您操作")
    return t, target


def _save(t: Ticket, target, fields) -> None:
    t.status = target
    t.version += 1
    t.save(update_fields=["status", "version", *fields])


def recall(*, ticket, user, expected_version=None) -> Ticket:
    with transaction.atomic():
        t, target = _act(ticket, user, "recall", expected_version=expected_version)
        t.call_count += 1
        t.called_at = timezone.now()
        _save(t, target, ["call_count", "called_at"])
        event(t, TicketEvent.Action.RECALL, window=t.window, actor=user,
              text=rules.announcement(t.display, t.window.number))
        audit.record("queue.recall", actor=user, obj=t, after=_audit_after(t, call_count=t.call_count))
    return t


def mark_no_show(*, ticket, user, expected_version=None) -> Ticket:
    with transaction.atomic():
        t, target = _act(ticket, user, "no_show", expected_version=expected_version)
        t.ended_at = timezone.now()
        _save(t, target, ["ended_at"])
        event(t, TicketEvent.Action.NO_SHOW, window=t.window, actor=user, text=f"{t.display} 过号")
        audit.record("queue.no_show", actor=user, obj=t, after=_audit_after(t))
    return t


def start(*, ticket, user, expected_version=None) -> Ticket:
    with transaction.atomic():
        t, target = _act(ticket, user, "start", expected_version=expected_version)
        t.started_at = timezone.now()
        _save(t, target, ["started_at"])
        event(t, TicketEvent.Action.START, window=t.window, actor=user, text=f"{t.display} 开始办理")
        audit.record("queue.start", actor=user, obj=t, after=_audit_after(t))
    return t


def filed_during(ticket, user):
    """The case this clerk filed (窗口代录) while serving ``ticket``: the latest since 开始办理."""
    from zhengwu.cases.models import Case

    return (Case.objects.filter(filed_by=user, created_at__gte=ticket.started_at)
            .select_related("service_item").order_by("-created_at").first())


def end(*, ticket, user, expected_version=None, case=None) -> Ticket:
    """办结: records the 现场服务 (ratings.WindowVisit) the rating tablet / QR then rates."""
    from zhengwu.ratings import services as ratings

    with transaction.atomic():
        t, target = _act(ticket, user, "end", expected_version=expected_version)
        t.ended_at = timezone.now()
        if case is None and t.case_id is None and t.started_at is not None:
            case = filed_during(t, user)
        if case is not None:
            t.case = case
            t.item = t.item or case.service_item
        try:
            t.visit = ratings.start_visit(user, t.window, item=t.item, case=t.case, source="staff",
                                          served_at=t.ended_at)
        except ValidationError:
            t.visit = None  # the window serves no department: nothing to rate it by (said on the panel)
        _save(t, target, ["ended_at", "case", "visit"])
        event(t, TicketEvent.Action.END, window=t.window, actor=user, text=f"{t.display} 办结")
        audit.record("queue.end", actor=user, obj=t, after=_audit_after(t, visit=t.visit_id))
    return t


def transfer(*, ticket, user, business_type: BusinessType, expected_version=None) -> Ticket:
    """转移: a new ticket of ``business_type`` keeping the priority and the original issue time (its
    place in the new queue); the old one is TRANSFERRED. Returns the new ticket."""
    with transaction.atomic():
        t, target = _act(ticket, user, "transfer", expected_version=expected_version)
        if business_type is None or business_type.hall_id != t.hall_id or not business_type.is_active:
            raise ValidationError({"business_type_id": ["业务类型：请选择本大厅启用的其他业务类型"]})
        if business_type.pk == t.business_type_id:
            raise ValidationError({"business_type_id": ["业务类型：不能转移到同一业务类型"]})
        new = issue_ticket(hall=t.hall, business_type=business_type, clerk=user,
                           source=Ticket.Source.TRANSFER, user=t.user, person_name=t.person_name, id_number="",
                           item=t.item, priority=rules.Priority(t.priority, t.priority_reason),
                           issued_at=t.issued_at, transferred_from=t)
        if t.id_number:  # copied encrypted as it is (already validated when the ticket was taken)
            new.id_number = t.id_number
            new.save(update_fields=["id_number", "id_number_index"])
        t.ended_at = timezone.now()
        _save(t, target, ["ended_at"])
        event(t, TicketEvent.Action.TRANSFER, window=t.window, actor=user,
              text=f"{t.display} 转至 {business_type.name} {new.display}")
        audit.record("queue.transfer", actor=user, obj=t, after=_audit_after(t, to=new.display))
    return new
