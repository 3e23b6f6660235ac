"""The one write path of 好差评, split by concern:

- :mod:`.submission` — giving a rating (网上 一事一评, 现场 一次一评, 12345, 追评);
- :mod:`.rectification` — 差评整改 (核实, 整改, 回访, 督办); :mod:`.appeals` — 申诉;
- :mod:`.local_rules` — 本地评价规则; :mod:`.defaults` — 默认好评;
- :mod:`.aggregate` — the daily aggregate every write keeps in step;
- :mod:`.tokens` — rating QR codes (receipts, windows, visits); :mod:`.outbox` — 上报 feed.

Every function checks its input and the actor's rights, writes the rows, the append-only history,
the daily aggregate (:class:`~zhengwu.ratings.models.RatingDaily`) and the audit event in one
transaction. Bad input raises ``ValidationError`` with the field and a Chinese message; a stale
rectification version raises :class:`Stale`; a second rating of the same event raises
:class:`AlreadyRated` (the unique constraint backs the check under concurrency).

Other code imports from here (``zhengwu.ratings.services.rate_hotline_ticket``, ``services.verify``…);
the names below are the package's public surface.
"""

from .aggregate import _daily_key, bump, contribution
from .appeals import decide_appeal, file_appeal
from .base import CONCLUDED_STATES, RECTIFY_ROLES, SUPERVISE_ROLES, AlreadyRated, Stale
from .defaults import apply_default_ratings
from .local_rules import RULE_FIELDS, get_rules, update_rules
from .outbox import mark_failed, mark_sent, outbox_payload
from .rectification import (LIFECYCLE, callback, may_rectify, may_supervise, rectify, reveal_phone, urge,
                            verify)
from .submission import (case_rating, followup, rate_case, rate_hotline_ticket, rate_visit, rateable_case,
                         record_concluded_case, record_rateable_event, start_visit, visit_rating,
                         window_departments)
from .tokens import (TOKEN_MAX_AGE, TOKEN_SALT, Token, case_rating_link, issue_token, public_base_url, read_token,
                     receipt_qr_png)

__all__ = [
    "CONCLUDED_STATES", "LIFECYCLE", "RECTIFY_ROLES", "RULE_FIELDS", "SUPERVISE_ROLES", "TOKEN_MAX_AGE", "TOKEN_SALT",
    "AlreadyRated", "Stale", "Token", "_daily_key", "apply_default_ratings", "bump", "callback", "case_rating",
    "case_rating_link", "contribution", "decide_appeal", "file_appeal", "followup", "get_rules", "issue_token",
    "mark_failed", "mark_sent", "may_rectify", "may_supervise", "outbox_payload", "public_base_url", "rate_case",
    "rate_hotline_ticket", "rate_visit", "rateable_case", "read_token", "receipt_qr_png", "record_concluded_case",
    "record_rateable_event",
    "rectify", "reveal_phone", "start_visit", "update_rules", "urge", "verify", "visit_rating", "window_departments",
]
