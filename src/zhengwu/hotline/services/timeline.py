"""The deadlines a ticket had (时限记录, ``Ticket.due_history``) and 重复诉求 at registration.

Every 派单, 改派, 批准延期 and 重办 appends the deadline it set, and every 答复 appends the time it
came with the deadline counted against it (the rules: :func:`zhengwu.hotline.rules.counted_deadline`
and :func:`~zhengwu.hotline.rules.answered_on_time`); nothing in the history is ever rewritten.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from zhengwu.core.pii import blind_index

from .. import rules
from ..models import Ticket
from ..rules import State


def _iso(value: dt.datetime) -> str:
    return timezone.localtime(value).isoformat()


def counted_due(ticket: Ticket) -> dt.datetime | None:
    """The deadline lateness counts against now: the last one the history recorded; for a
    ticket from before the history (none recorded) its deadline as it stands."""
    for entry in reversed(ticket.due_history or []):
        if entry.get("kind") != "reply" and entry.get("counted_due_at"):
            return dt.datetime.fromisoformat(entry["counted_due_at"])
    return ticket.due_at


def note_deadline(ticket: Ticket, kind: str, at: dt.datetime, due: dt.datetime, *,
                  counted_before: dt.datetime | None, counted: dt.datetime | None = None) -> list[str]:
    """Append the deadline ``due`` a ``kind`` event set (``counted_before``: the counted deadline
    before it); the fields to save."""
    counted = counted or rules.counted_deadline(kind, counted_before, due)
    ticket.due_history = [*(ticket.due_history or []),
                          {"kind": kind, "at": _iso(at), "due_at": _iso(due), "counted_due_at": _iso(counted)}]
    return ["due_history"]


def note_reply(ticket: Ticket, at: dt.datetime) -> list[str]:
    counted = counted_due(ticket)
    ticket.due_history = [*(ticket.due_history or []),
                          {"kind": "reply", "at": _iso(at), "counted_due_at": _iso(counted) if counted else None}]
    return ["due_history"]


def on_time(ticket: Ticket) -> bool:
    """按时办结 at 办结 (see :func:`rules.answered_on_time`); a ticket from before the history is
    judged by its last answer and deadline, as it was then."""
    history = ticket.due_history or []
    if any(e.get("kind") == "reply" for e in history):
        return rules.answered_on_time(history)
    return bool(ticket.replied_at and ticket.due_at and ticket.replied_at <= ticket.due_at)


def rows(ticket: Ticket) -> list[dict]:
    """The history for the ticket page: kind label, when, the deadline set, the counted one."""
    out = []
    for e in ticket.due_history or []:
        out.append({"label": rules.DEADLINE_KIND_LABELS.get(e.get("kind"), e.get("kind")),
                    "at": dt.datetime.fromisoformat(e["at"]),
                    "due_at": dt.datetime.fromisoformat(e["due_at"]) if e.get("due_at") else None,
                    "counted_due_at": dt.datetime.fromisoformat(e["counted_due_at"]) if e.get("counted_due_at") else None,
                    "late": (e.get("kind") == "reply" and e.get("counted_due_at") is not None
                             and e["at"] and dt.datetime.fromisoformat(e["at"]) > dt.datetime.fromisoformat(e["counted_due_at"]))})
    return out


# -- 重复诉求 -----------------------------------------------------------------------------------------
CALLER_CANDIDATES = 20  # the caller's latest tickets compared (index ticket_phone_recent)


def is_repeat(ticket: Ticket, phone: str, now: dt.datetime) -> bool:
    """Whether the new ``ticket`` repeats an earlier one (:func:`rules.counts_as_repeat`): the
    caller's latest tickets, newest first, by the phone's blind index; cancelled and merged ones
    are not matters of their own."""
    if not phone:
        return False
    open_states = {s.value for s in rules.OPEN_STATES}
    earlier = (Ticket.objects.filter(phone_index=blind_index("phone", phone))
               .exclude(state__in=[State.CANCELLED, State.MERGED]).order_by("-id")
               .values_list("ticket_type", "category_id", "title", "content", "address", "latitude", "longitude",
                            "state", "created_at")[:CALLER_CANDIDATES])
    for ttype, cat, title, content, address, lat, lon, state, created in earlier:
        metres = (rules.distance_m(ticket.latitude, ticket.longitude, lat, lon)
                  if None not in (ticket.latitude, ticket.longitude, lat, lon) else None)
        same = rules.same_matter(type_a=ticket.ticket_type, type_b=ttype, category_a=ticket.category_id,
                                 category_b=cat, text_a=f"{ticket.title}。{ticket.content}", text_b=f"{title}。{content}",
                                 address_a=ticket.address, address_b=address or "", metres=metres)
        if rules.counts_as_repeat(same_caller=True, same_matter_=same, earlier_open=state in open_states,
                                  days_since=(now - created).total_seconds() / 86400):
            return True
    return False
