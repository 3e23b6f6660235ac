"""Signals the hotline app sends, so that other domains act on its events without hotline
importing them.

Receivers are connected in the other app's ``AppConfig.ready()``; hotline never imports that app
(the same pattern as :mod:`zhengwu.cases.signals`).
"""

from __future__ import annotations

from django.dispatch import Signal

#: Sent by :func:`zhengwu.hotline.integrations.rate_ticket` after a 回访 records the caller's
#: satisfaction, inside a savepoint, with the keyword arguments ``ticket_number``, ``department``
#: (the lead department), ``level`` (1–5), ``comment``, ``rated_at``, ``applicant`` (the caller's
#: User or None), ``region`` and ``actor`` (the staff member who made the callback). A receiver
#: returns what it recorded, or None. The ratings app answers with a 12345 工单评价 (好差评,
#: idempotent per ticket number); a receiver that raises undoes the savepoint, not the callback.
callback_rated = Signal()
