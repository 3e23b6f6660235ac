"""The citizen told of the steps of their ticket (站内消息 and SMS, as a case's applicant is:
:func:`zhengwu.cases.services.notify.notify_person`). What and when: :mod:`..notice_rules`.

Called by :func:`.base.transition` inside the change's transaction. A ticket filed on the portal
has the citizen's account: an in-app message, and an SMS to the phone given. A ticket filed by
phone, the API or Open311 has no account: the SMS only, and only to a mobile number. The in-app
message links the citizen's 我的诉求 page of the ticket (查看诉求; the SMS too when the portal's
public address is set). Each step is told once (:class:`~zhengwu.hotline.models.TicketNotice`,
unique per ticket and step). Nothing of the person (phone, name) is logged.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from .. import notice_rules
from ..models import Ticket, TicketNotice


def on_transition(ticket: Ticket, action: str) -> TicketNotice | None:
    step = notice_rules.step_key(action, ticket.reopen_count)
    if step is None or TicketNotice.objects.filter(ticket=ticket, step=step).exists():
        return None
    try:
        with transaction.atomic():  # the key first: a step retried concurrently sends nothing twice
            notice = TicketNotice.objects.create(ticket=ticket, step=step)
    except IntegrityError:
        return None
    user_id = _account_of(ticket)
    kind = notice_rules.NOTICE_ACTIONS[action]
    title, body = notice_rules.message(kind, _facts(ticket, action, user_id))
    phone = notice_rules.mobile(ticket.phone.reveal_unaudited()) if ticket.phone else ""
    from zhengwu.cases.services.notify import notify_person

    # The citizen's own page of the ticket (我的诉求): only a portal account holder has one.
    link = reverse("hotline:my_ticket", args=[ticket.pk]) if user_id else ""
    notice.in_app, notice.sms = notify_person(user_id, title, body, phone, link=link,
                                              link_label=notice_rules.LINK_LABEL)
    notice.save(update_fields=["in_app", "sms"])
    return notice


def _account_of(ticket: Ticket) -> int | None:
    if not ticket.applicant_id:
        return None
    from zhengwu.accounts.models import Applicant

    return Applicant.objects.filter(pk=ticket.applicant_id, user__is_active=True).values_list("user_id", flat=True).first()


def _facts(ticket: Ticket, action: str, user_id: int | None) -> notice_rules.Facts:
    department = ""
    if ticket.lead_department_id:
        from zhengwu.org.models import Department

        department = Department.objects.filter(pk=ticket.lead_department_id).values_list("name", flat=True).first() or ""
    return notice_rules.Facts(
        number=ticket.number, department=department,
        due=timezone.localtime(ticket.due_at).date() if ticket.due_at else None,
        reply=ticket.reply, has_account=user_id is not None, rated=ticket.satisfaction is not None,
        direct=action == "direct_close")
