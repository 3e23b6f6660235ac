"""The demo's year of case history (zhengwu.cases.demo_history) and its 好差评 (zhengwu.ratings.
demo_history): every case finished, dates on the working-day calendar and the history leading to
the state, as the services write them; deterministic; idempotent; the rating aggregate in step."""

from __future__ import annotations

import io

import pytest
from django.db.models import Sum
from django.utils import timezone

pytestmark = pytest.mark.django_db

COUNT = 300


def _load_district():
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.catalog.demo import load as load_catalog
    from zhengwu.org.demo import load as load_org

    for load in (load_org, load_accounts, load_catalog):
        load(io.StringIO())


def _fingerprint():
    from zhengwu.cases.models import Case, CaseEvent, CaseStep

    return (list(Case.objects.order_by("pk").values_list("number", "state", "service_item_id", "submitted_at",
                                                          "accepted_on", "due_date", "concluded_at", "concluded_on_time")),
            list(CaseEvent.objects.order_by("pk").values_list("action", "at")),
            list(CaseStep.objects.order_by("pk").values_list("step_id", "status", "due_date")))


def test_history_is_finished_consistent_deterministic_and_loaded_once():
    from django.db import transaction

    from zhengwu.cases import demo_history
    from zhengwu.cases.models import Case, CaseEvent, CaseStep
    from zhengwu.core import calendar
    from zhengwu.ratings import demo_history as rating_history
    from zhengwu.ratings.models import RateableEvent, Rating, RatingDaily, Rectification

    _load_district()
    with transaction.atomic():
        demo_history.load_history(io.StringIO(), count=COUNT)
        first = _fingerprint()
        transaction.set_rollback(True)
    assert demo_history.load_history(io.StringIO(), count=COUNT) == COUNT
    assert _fingerprint() == first
    assert demo_history.load_history(io.StringIO(), count=COUNT) == 0  # loaded once

    cal = calendar.get_calendar()
    now = timezone.now()
    today = timezone.localdate(now)
    cases = list(Case.objects.all())
    assert len(cases) == COUNT
    assert {c.state for c in cases} <= {"delivered", "concluded", "refused", "withdrawn"}
    late = 0
    for c in cases:
        submitted = timezone.localtime(c.submitted_at)
        assert c.number and c.submitted_at < now and submitted.date() < today
        assert cal.is_workday(submitted.date()) and 8 <= submitted.hour < 18
        events = list(CaseEvent.objects.filter(case=c).order_by("at", "pk").values_list("action", "to_state", "at",
                                                                                         "data"))
        assert events[0][0] == "create" and events[1][0] == "submit"
        assert [to for _, to, _, _ in events if to][-1] == c.state
        assert [at for *_, at, _ in events] == sorted(at for *_, at, _ in events)
        if c.state in ("concluded", "delivered"):
            assert c.accepted_on >= submitted.date() and cal.is_workday(c.accepted_on)
            assert c.due_date == cal.add_workdays(c.accepted_on, c.promised_days)
            concluded = timezone.localtime(c.concluded_at).date()
            assert c.concluded_at > c.submitted_at and concluded < today
            assert c.concluded_on_time == (concluded <= c.due_date)
            late += not c.concluded_on_time
            accept = next(d for a, _, _, d in events if a == "accept")
            assert accept == {"accepted_on": c.accepted_on.isoformat(), "due_date": c.due_date.isoformat()}
            steps = list(CaseStep.objects.filter(case=c).values_list("status", "due_date"))
            assert steps and all(s in ("passed", "rejected") for s, _ in steps)
            assert max(d for _, d in steps) == c.due_date
            assert c.outcome == ("denied" if any(s == "rejected" for s, _ in steps) else "approved")
            assert c.visits == (0 if c.channel == "online" else 1)
        else:
            assert c.accepted_on is None and c.concluded_at is None
            assert not CaseStep.objects.filter(case=c).exists()
    assert 0 < late < COUNT * 0.15

    # 好差评: one rateable event per concluded case, about half rated, the aggregate in step.
    rating_history.load_history(io.StringIO())
    concluded = sum(c.state in ("concluded", "delivered") for c in cases)
    assert RateableEvent.objects.filter(kind="case").count() == concluded
    ratings = Rating.objects.filter(kind="case")
    assert 0.3 * concluded < ratings.count() < 0.7 * concluded
    totals = RatingDaily.objects.filter(kind="case").aggregate(e=Sum("events"), r=Sum("ratings"), d=Sum("rated"),
                                                              b=Sum("bad"), x=Sum("bad_rectified"))
    assert totals == {"e": concluded, "r": ratings.count(), "d": ratings.count(),
                      "b": ratings.filter(is_bad=True).count(), "x": ratings.filter(is_bad=True).count()}
    assert Rectification.objects.filter(rating__in=ratings).exclude(state="closed").count() == 0
    assert all(r.rated_at >= r.case.concluded_at for r in ratings.select_related("case"))
    assert rating_history.load_history(io.StringIO()) == 0


def test_an_online_history_case_accepted_by_the_window_clerk_names_the_window():
    """As the services write it (services.intake.accepting_window): 王窗口 accepts at A01, so an
    online case they accepted has A01 as its 受理窗口; one never accepted has none."""
    from zhengwu.cases import demo_history
    from zhengwu.cases.models import Case

    _load_district()
    demo_history.load_history(io.StringIO(), count=120)
    online = Case.objects.filter(channel="online")
    accepted = online.filter(accepted_on__isnull=False)
    assert accepted.exists() and not accepted.filter(window__isnull=True).exists()
    assert set(accepted.values_list("window__number", flat=True)) == {"A01"}
    assert not online.filter(accepted_on__isnull=True, window__isnull=False).exists()
