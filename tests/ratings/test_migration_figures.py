"""Migrations ratings.0002/0003 recompute the counters of existing data by the new definitions:
a rating's event day and the rated events, 整改完成 (not every 办结), and the concluded cases'
rateable events."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return MigrationExecutor(connection).loader.project_state([target]).apps


@pytest.fixture(autouse=True)
def _latest_schema_afterwards(transactional_db):
    """Migrating ratings back unapplies the migrations of other apps that depend on it (queueing):
    the test database is brought back to the latest schema for the tests that run after this one
    (before the flush of transactional_db, which then empties what the migrations wrote)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_existing_counters_are_recomputed(concluded_case, citizen):
    old = _migrate(("ratings", "0001_initial"))
    Rating = old.get_model("ratings", "Rating")
    Rectification = old.get_model("ratings", "Rectification")
    RatingDaily = old.get_model("ratings", "RatingDaily")
    old.get_model("ratings", "RateableEvent").objects.filter(kind="case").delete()  # before 0003 there were none
    case = concluded_case
    day = timezone.localdate()
    r = Rating.objects.create(kind="case", event_key=f"case:{case.pk}", rater_key=f"a:{citizen.applicant.pk}",
                              source_ref=case.number, case_id=case.pk, item_id=case.service_item_id,
                              department_id=case.department_id, region_id=case.region_id,
                              region_code="410105000000", channel="pc", level=1, applicant_id=citizen.applicant.pk,
                              applicant_type="person", is_bad=True, rated_at=timezone.now(), day=day)
    # closed as 不属实 after three failed callbacks: the old counter called it rectified
    Rectification.objects.create(rating_id=r.pk, department_id=case.department_id, region_code="410105000000",
                                 state="closed", real_name=True, opened_at=timezone.now(), due_date=day,
                                 verified_valid=False, verify_reason="不属实", callback_attempts=3,
                                 callback_reached=False, closed_at=timezone.now())
    key = f"{day:%Y%m%d}|{case.department_id}||||{case.region_id}|case"
    RatingDaily.objects.filter(kind="case").delete()
    RatingDaily.objects.create(key=key, day=day, kind="case", department_id=case.department_id,
                               region_id=case.region_id, region_code="410105000000", item_id=None, ratings=1, l1=1,
                               bad=1, bad_closed=1, bad_real=1, events=1)

    _migrate(("ratings", "0003_case_events"))
    from zhengwu.ratings.models import RateableEvent, RatingDaily
    from zhengwu.ratings.models import Rating as NewRating

    assert NewRating.objects.get(pk=r.pk).event_day == timezone.localdate(case.concluded_at)
    row = RatingDaily.objects.get(key=key)
    assert (row.bad, row.bad_rectified, row.bad_real_done) == (1, 0, 0)
    assert sum(RatingDaily.objects.values_list("rated", flat=True)) == 1
    event = RateableEvent.objects.get(kind="case", ref=str(case.pk))
    assert event.case_id == case.pk and event.applicant_id == citizen.applicant.pk
    assert event.day == timezone.localdate(case.concluded_at) >= day - dt.timedelta(days=1)
