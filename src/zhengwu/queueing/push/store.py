"""What the boards show, read with the Django ORM: shared by the push server, the board API and the pages.

Boards show ticket numbers and window numbers only — never a citizen's name. Every function here is
synchronous; the push server calls them in its worker thread.
"""

from __future__ import annotations

from django.db import close_old_connections, connections
from django.db.models import Count, Q
from django.utils import timezone

CALL_ACTIONS = ("call", "recall")
BOARD_CALLS = 8


def _iso(at) -> str:
    return timezone.localtime(at).isoformat(timespec="milliseconds") if at else ""


def event_payload(ev) -> dict:
    """One TicketEvent as the stream's ``data`` (and the board API's call rows)."""
    return {
        "event_id": ev.id, "action": ev.action, "hall": ev.hall_id,
        "ticket": ev.ticket.display if ev.ticket_id else "", "ticket_id": ev.ticket_id,
        "window": ev.window.number if ev.window_id else "", "window_id": ev.window_id,
        "text": ev.text, "at": _iso(ev.at),
    }


def _events():
    from zhengwu.queueing.models import TicketEvent

    return (TicketEvent.objects.select_related("ticket", "window")
            .only("id", "action", "hall_id", "text", "at", "ticket_id", "window_id",
                  "ticket__display", "window__number"))


def waiting_counts(hall_id: int, day=None) -> dict[str, int]:
    """Today's waiting tickets by business type prefix; every active type of the hall is listed."""
    from zhengwu.queueing.models import BusinessType, Ticket

    day = day or timezone.localdate()
    counts = {p: 0 for p in BusinessType.objects.filter(hall_id=hall_id, is_active=True)
              .order_by("order", "prefix").values_list("prefix", flat=True)}
    for prefix, n in (Ticket.objects.filter(hall_id=hall_id, day=day, status=Ticket.Status.WAITING)
                      .values_list("business_type__prefix").annotate(n=Count("id")).order_by()):
        counts[prefix] = n
    return counts


def business_type_names(hall_id: int) -> dict[str, str]:
    from zhengwu.queueing.models import BusinessType

    return dict(BusinessType.objects.filter(hall_id=hall_id, is_active=True)
                .order_by("order", "prefix").values_list("prefix", "name"))


def board(hall_id: int) -> dict:
    """The board's snapshot: the last calls (newest first), waiting counts, the stream position."""
    from zhengwu.queueing.models import TicketEvent

    calls = [event_payload(ev) for ev in
             _events().filter(hall_id=hall_id, action__in=CALL_ACTIONS).order_by("-id")[:BOARD_CALLS]]
    last = TicketEvent.objects.filter(hall_id=hall_id).order_by("-id").values_list("id", flat=True).first()
    return {"calls": [{k: c[k] for k in ("ticket", "window", "text", "at", "event_id")} for c in calls],
            "waiting": waiting_counts(hall_id), "last_event_id": last or 0}


def window_screen(window) -> dict:
    """A window's small screen: its number and name, who serves, the current ticket, open or not."""
    from zhengwu.queueing.models import Duty, Ticket, TicketEvent, WindowSetup

    setup = WindowSetup.objects.select_related("opened_by").filter(window=window).first()
    is_open = bool(setup and setup.is_open)
    clerk = setup.opened_by if is_open and setup.opened_by_id else None
    if clerk is None:
        now = timezone.localtime()
        period = Duty.Period.AM if now.hour < 12 else Duty.Period.PM
        duty = (Duty.objects.select_related("user")
                .filter(window=window, date=now.date(), period__in=[Duty.Period.DAY, period, Duty.Period.EXTRA])
                .order_by("period").first())
        clerk = duty.user if duty else None
    ticket = (Ticket.objects.filter(window=window, day=timezone.localdate(),
                                    status__in=[Ticket.Status.CALLED, Ticket.Status.SERVING])
              .order_by("-called_at", "-id").only("id", "display", "status").first()) if is_open else None
    last = TicketEvent.objects.filter(hall_id=window.hall_id).order_by("-id").values_list("id", flat=True).first()
    return {"window": window.number, "window_id": window.id, "name": window.name, "hall": window.hall_id,
            "open": is_open, "clerk": (clerk.display_name or "") if clerk else "",
            "ticket": {"id": ticket.id, "display": ticket.display, "status": ticket.status,
                       "status_label": ticket.get_status_display()} if ticket else None,
            "last_event_id": last or 0}


class DjangoEventStore:
    """The hub's reads. Called only from the hub's one worker thread, which keeps its connection."""

    def latest_id(self) -> int:
        from zhengwu.queueing.models import TicketEvent

        close_old_connections()
        return TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def hall_exists(self, hall_id: int, window_id: int | None = None) -> bool:
        from zhengwu.org.models import Hall, Window

        close_old_connections()
        if window_id is not None:
            return Window.objects.filter(pk=window_id, hall_id=hall_id).exists()
        return Hall.objects.filter(pk=hall_id).exists()

    def since(self, after_id: int, gaps: list[int], hall_ids: set[int], limit: int = 1000) -> tuple[list[dict], list[int]]:
        """Events after ``after_id`` or among ``gaps`` (ids skipped earlier: not committed yet).

        Returns (payloads of the halls in ``hall_ids`` with their hall's waiting counts, every id read).
        All halls are read (ids only for the others) so that a gap means an uncommitted or rolled-back
        row, never another hall's event."""
        from zhengwu.queueing.models import TicketEvent

        q = Q(id__gt=after_id) | Q(id__in=gaps) if gaps else Q(id__gt=after_id)
        rows = list(TicketEvent.objects.filter(q).order_by("id").values_list("id", "hall_id")[:limit])
        ids = [r[0] for r in rows]
        wanted = [i for i, h in rows if h in hall_ids]
        out = [event_payload(ev) for ev in _events().filter(id__in=wanted).order_by("id")] if wanted else []
        waiting = {h: waiting_counts(h) for h in {p["hall"] for p in out}}
        for p in out:
            p["waiting"] = waiting[p["hall"]]
        return out, ids

    def backlog(self, hall_id: int, after_id: int, limit: int = 200) -> list[dict]:
        """A resuming subscriber's missed events (Last-Event-ID), oldest first."""
        out = [event_payload(ev) for ev in
               reversed(_events().filter(hall_id=hall_id, id__gt=after_id).order_by("-id")[:limit])]
        if out:
            w = waiting_counts(hall_id)
            for p in out:
                p["waiting"] = w
        return out

    def close(self) -> None:
        connections.close_all()
