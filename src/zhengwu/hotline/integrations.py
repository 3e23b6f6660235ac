"""Calls into other modules (through their services, never their tables).

好差评: after a callback with a satisfaction level the rating is handed to the ratings module
(``zhengwu.ratings.services.rate_hotline_ticket``, idempotent per ticket). The module is built
separately: when the function is not there yet the call is skipped quietly; when it fails, the
callback still stands (the failure is logged and the rating can be replayed from the history).
"""

from __future__ import annotations

import importlib
import logging

from django.db import transaction

logger = logging.getLogger(__name__)


def _rating_function():
    try:
        rs = importlib.import_module("zhengwu.ratings.services")
    except ImportError:
        return None
    return getattr(rs, "rate_hotline_ticket", None)


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
