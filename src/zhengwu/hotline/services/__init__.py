"""The one write path of the hotline: every change of a ticket, the taxonomy, the knowledge base and
the dispatch model goes through a function here, one module per concern:

- :mod:`.base` — who may act, the kernel's transition bound to tickets (lock, version check,
  history, audit: :mod:`zhengwu.core.transitions`), the checks of ticket input;
- :mod:`.tickets` — registration, the centre's and the departments' actions, 自动督办, the actions
  by name (:data:`TICKET_ACTIONS`, used by the staff pages and the API), the caller's phone;
- :mod:`.timeline` — the deadlines a ticket had (时限记录) and 重复诉求 at registration;
- :mod:`.citizen` — the citizen's photos (stored encrypted, read through an audited path) and
  rating of the reply; :mod:`.calls` — the call system's daily counts (接通率);
- :mod:`.articles` — the knowledge base; :mod:`.routing` — keyword rules and training the
  dispatch model; :mod:`.taxonomy` — importing the complaint taxonomy;
- :mod:`.ledger` — the 核查结论 and 处理结果 of 效能投诉 and 办不成事 tickets (台账).

Each ticket action runs in one transaction: lock the row (``select_for_update``) and compare the
caller's ``lock_version`` (乐观锁: a stale page is refused), check the action in
:data:`~zhengwu.hotline.rules.STATE_TABLE` and the person's role, write the ticket, append a
:class:`~zhengwu.hotline.models.TicketEvent` and an audit event. Bad input raises
``ValidationError`` with a Chinese message naming the field before anything is written.

Callers use ``from zhengwu.hotline import services; services.X``: every name is re-exported here.
"""

from . import timeline  # noqa: F401 (services.timeline: the 时限记录 rows for pages)
from .articles import save_article
from .base import (
    CENTRE_ROLES, HANDLER_ROLES, LIFECYCLE, MAX_CONTENT, PHONE_RE, REPEAT_DAYS, StaleTicket, _category, _check,
    _department, _departments, _int_or_none, _require_centre, _require_handler, _text, actor_name,
    clean_ticket_input, default_region, follow_up_errors, is_centre, is_handler, locked, main_ticket, record_event,
    routed_departments, ticket_input, transition,
)
from .calls import CALLS_SCOPE, report_calls
from .citizen import MAX_PHOTOS, add_photos, check_photos, open_photo, rate_by_citizen
from .ledger import StaleOutcome, record_outcome
from .routing import save_rule, toggle_rule, train_model
from .taxonomy import LEVEL_COLUMNS, import_categories, set_keywords
from .tickets import (
    RECORDED_BY, TICKET_ACTIONS, archive, callback, cancel, claim, close, co_opinion, decide_extension,
    direct_close, dispatch, escalate_overdue, may_see_caller, merge, perform, redispatch, register,
    reject_return, reopen, reply, request_extension, return_ticket, reveal_phone, urge,
)

__all__ = [
    "CENTRE_ROLES", "HANDLER_ROLES", "LEVEL_COLUMNS", "LIFECYCLE", "MAX_CONTENT", "PHONE_RE", "RECORDED_BY",
    "REPEAT_DAYS", "TICKET_ACTIONS", "StaleTicket", "actor_name", "archive", "callback", "cancel", "claim",
    "clean_ticket_input", "follow_up_errors", "main_ticket", "ticket_input", "close", "co_opinion", "decide_extension", "default_region", "direct_close", "dispatch",
    "escalate_overdue", "import_categories", "set_keywords", "is_centre", "is_handler", "locked", "may_see_caller", "merge",
    "perform", "record_event", "redispatch", "register", "reject_return", "reopen", "reply", "request_extension",
    "return_ticket", "reveal_phone", "routed_departments", "save_article", "save_rule", "toggle_rule",
    "train_model", "transition", "urge", "CALLS_SCOPE", "report_calls", "MAX_PHOTOS", "add_photos", "check_photos", "open_photo",
    "rate_by_citizen", "StaleOutcome", "record_outcome",
    # used by the staff pages and tests
    "_category", "_check", "_department", "_departments", "_int_or_none", "_require_centre",
    "_require_handler", "_text",
]
