"""默认好评: events left unrated past the configured period recorded as 满意 (off by default)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone

from .. import rules
from ..models import RateableEvent, Rating, WindowVisit
from ..rules import Channel, Kind
from .base import AlreadyRated
from .local_rules import get_rules
from .submission import _create_rating


def apply_default_ratings(today: dt.date | None = None, *, limit: int = 5000, lookback_days: int = 30) -> int:
    """Record 默认好评 (满意) for events unrated after the configured number of days.

    Off unless the local rules enable it. Looks at events whose default day fell within the last
    ``lookback_days`` (so enabling the rule does not rewrite history). Idempotent: the
    one-rating constraint makes a second run a no-op.
    """
    cfg = get_rules()
    if not cfg.default_enabled:
        return 0
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    cutoff = dt.datetime.combine(today - dt.timedelta(days=cfg.default_after_days), dt.time.min, tzinfo=tz)
    since = cutoff - dt.timedelta(days=lookback_days)
    done = 0
    # Concluded cases are read from their rateable events (recorded on conclusion, signals.case_saved),
    # not from the cases tables: an event's day is its case's 办结日.
    rated = Rating.objects.filter(case=OuterRef("case_id"), followup_of__isnull=True)
    events = (RateableEvent.objects.filter(kind=Kind.CASE, case__isnull=False, day__gte=since.date(),
                                           day__lt=cutoff.date())
              .exclude(Exists(rated)).select_related("department", "region", "item", "window", "applicant")
              .order_by("pk")[:limit])
    for e in events:
        try:
            _create_rating(kind=Kind.CASE, event_key=f"case:{e.case_id}", source_ref=e.source_ref,
                           department=e.department, region=e.region, level=rules.DEFAULT_LEVEL,
                           channel=Channel.SYSTEM, applicant=e.applicant, case_id=e.case_id, item=e.item,
                           window=e.window, is_default=True, event_day=e.day)
            done += 1
        except AlreadyRated:
            continue
    visit_rated = Rating.objects.filter(visit=OuterRef("pk"), followup_of__isnull=True)
    visits = (WindowVisit.objects.filter(served_at__gte=since, served_at__lt=cutoff).exclude(Exists(visit_rated))
              .select_related("department", "region", "item", "window", "staff").order_by("pk")[:limit])
    for visit in visits:
        try:
            _create_rating(kind=Kind.WINDOW, event_key=f"visit:{visit.pk}", source_ref=f"XC{visit.pk:08d}",
                           department=visit.department, region=visit.region, level=rules.DEFAULT_LEVEL,
                           channel=Channel.SYSTEM, visit=visit, item=visit.item, window=visit.window,
                           staff=visit.staff, is_default=True, rater_key="visit")
            done += 1
        except AlreadyRated:
            continue
    return done

