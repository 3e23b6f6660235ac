"""Calls into other modules (through their services, never their tables).

好差评: after a callback with a satisfaction level the rating is handed to the ratings module
(``zhengwu.ratings.services.rate_hotline_ticket``, idempotent per ticket; it also counts the
ticket as a rateable event for 主动评价率). When that call fails, the callback still stands: the
failure is logged, and calling again for the ticket (e.g. from a shell) records it once.
"""

from __future__ import annotations

import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _rating_function():
    from zhengwu.ratings.services import rate_hotline_ticket

    return rate_hotline_ticket


def rate_ticket(ticket, user, comment: str = "") -> bool:
    """Hand the callback's satisfaction to 好差评; True when the ratings module took it."""
    fn = _rating_function()
    if fn is None or ticket.satisfaction is None or ticket.lead_department_id is None:
        return False
    applicant = None
    if ticket.applicant_id:
        applicant = getattr(ticket.applicant, "user", None)
    try:
        with transaction.atomic():  # a savepoint: a failure here does not undo the callback
            fn(ticket_number=ticket.number, department=ticket.lead_department, level=int(ticket.satisfaction),
               comment=comment or "", rated_at=ticket.updated_at, applicant=applicant, region=ticket.region,
               actor=user)
        return True
    except Exception:
        logger.exception("rating of hotline ticket %s failed", ticket.number)
        return False
