"""The hotline's events for other modules (through signals; hotline imports no other domain).

好差评: after a callback with a satisfaction level, :data:`zhengwu.hotline.signals.callback_rated`
is sent; the ratings app answers it (``zhengwu.ratings.signals.hotline_callback_rated`` →
``ratings.services.rate_hotline_ticket``, idempotent per ticket; it also counts the ticket as a
rateable event for 主动评价率). When a receiver fails, the callback still stands: the failure is
logged, and calling :func:`rate_ticket` again for the ticket (e.g. from a shell) records it once.
"""

from __future__ import annotations

import logging

from django.db import transaction

from .signals import callback_rated

logger = logging.getLogger(__name__)


def rate_ticket(ticket, user, comment: str = "") -> bool:
    """Hand the callback's satisfaction to 好差评; True when a receiver (the ratings app) took it."""
    if ticket.satisfaction is None or ticket.lead_department_id is None:
        return False
    if not callback_rated.has_listeners(type(ticket)):
        return False
    applicant = None
    if ticket.applicant_id:
        applicant = getattr(ticket.applicant, "user", None)
    try:
        with transaction.atomic():  # a savepoint: a failure here does not undo the callback
            responses = callback_rated.send(
                sender=type(ticket), ticket_number=ticket.number, department=ticket.lead_department,
                level=int(ticket.satisfaction), comment=comment or "", rated_at=ticket.updated_at,
                applicant=applicant, region=ticket.region, actor=user)
    except Exception:
        logger.exception("rating of hotline ticket %s failed", ticket.number)
        return False
    return any(response is not None for _, response in responses)
