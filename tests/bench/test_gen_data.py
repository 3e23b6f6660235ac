"""``zhengwu gen-data``: deterministic for a seed, consistent states and dates, refuses a second run."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from zhengwu_bench import bulk, context
from zhengwu_bench.generate import generate
from zhengwu_bench.people import applicant_id_number

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)  # a fixed "today" so that the run is reproducible whatever the date


def _fingerprint() -> dict:
    from zhengwu.accounts.models import Applicant
    from zhengwu.cases.models import Case, CaseEvent, CaseStep, Suspension
    from zhengwu.catalog.models import Material, SearchIndexState, ServiceItem
    from zhengwu.org.models import Department

    return {
        "departments": list(Department.objects.order_by("pk").values_list("pk", "name", "region_id")),
        "items": list(ServiceItem.objects.order_by("pk").values_list("pk", "name", "department_id", "promised_days")),
        "materials": Material.objects.count(),
        "applicants": list(Applicant.objects.order_by("pk").values_list("pk", "name", "id_number_index", "phone_index")),
        "cases": list(Case.objects.order_by("pk").values_list(
            "pk", "number", "state", "service_item_id", "applicant_id", "submitted_at", "accepted_on", "due_date",
            "concluded_at", "concluded_on_time")),
        "events": list(CaseEvent.objects.order_by("pk").values_list("case_id", "action", "at")),
        "steps": list(CaseStep.objects.order_by("pk").values_list("case_id", "step_id", "status", "due_date")),
        "suspensions": list(Suspension.objects.order_by("pk").values_list("case_id", "kind", "started_on")),
        "indexed": SearchIndexState.objects.get(pk=1).doc_count,
    }


def _generate(seed: int) -> dict:
    return generate("tiny", seed, log=lambda *_: None, today=TODAY)


def test_tiny_generation_is_deterministic_consistent_and_refuses_a_second_run():
    from zhengwu.accounts.backends import login_username
    from zhengwu.accounts.models import Applicant, User
    from zhengwu.cases.models import Case, CaseEvent, CaseStep, Suspension
    from zhengwu.catalog import search
    from zhengwu.core import calendar, pii

    context.ensure_demo(lambda *_: None)
    # First run inside a savepoint, rolled back: the second run must produce the same rows.
    with transaction.atomic():
        _generate(seed=3)
        first = _fingerprint()
        transaction.set_rollback(True)
    timings = _generate(seed=3)
    second = _fingerprint()
    assert first == second
    size = context.SIZES["tiny"]
    assert timings["cases"]["rows"] == size.cases
    assert timings["rows"]["case_events"] >= size.cases

    # Generated applicants: encrypted, blind-indexed, able to log in with the shared password.
    number = applicant_id_number(0)
    applicant = Applicant.objects.get(id_number_index=pii.blind_index("id_number", number))
    assert applicant.id_number.reveal_unaudited() == number
    assert User.objects.get(username=login_username(number)).check_password(context.BENCH_PASSWORD)

    # Dates follow the working-day calendar and the states.
    cal = calendar.get_calendar()
    now = timezone.now()
    cases = list(Case.objects.all())
    assert cases
    for c in cases:
        if c.state == "draft":
            assert c.submitted_at is None and c.number is None
            continue
        assert c.number and c.submitted_at <= now
        if c.accepted_on:
            assert c.due_date == cal.add_workdays(c.accepted_on, c.promised_days)
            assert c.accepted_on >= timezone.localtime(c.submitted_at).date()
        if c.state in ("concluded", "delivered"):
            assert c.accepted_on and c.concluded_at and c.concluded_at >= c.submitted_at
            assert c.outcome in ("approved", "denied")
            assert c.concluded_on_time == (timezone.localtime(c.concluded_at).date() <= c.due_date)
            assert not CaseStep.objects.filter(case=c, status="active").exists()
        elif c.state in ("in_review", "suspended"):
            assert CaseStep.objects.filter(case=c, status="active").exists()
            assert c.concluded_at is None
            # 特别程序 (行政许可法第四十五条) stops the clock only with its record, as the service writes it.
            open_suspensions = list(Suspension.objects.filter(case=c, ended_on__isnull=True)
                                    .values_list("kind", "stops_clock", "legal_basis"))
            assert open_suspensions == ([("testing", True, "《中华人民共和国行政许可法》第四十五条")]
                                        if c.state == "suspended" else [])
        else:
            assert c.accepted_on is None and c.concluded_at is None
        events = list(CaseEvent.objects.filter(case=c).order_by("at", "pk").values_list("action", "to_state"))
        assert events[0][0] == "create"
        # The last state-changing event leads to the case's state.
        assert [to for _, to in events if to][-1] == c.state
    states = {c.state for c in cases}
    assert {"delivered", "concluded", "suspended"} <= states

    # Generated items are searchable through the bulk index path.
    assert search.search("公积金").items

    # A second run on the same database is refused clearly.
    with pytest.raises(CommandError, match="已生成过基准数据"):
        call_command("gen_data", size="tiny", seed=3)


def _schema(tables: list[str]) -> tuple[list, list]:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index "
                    "WHERE indrelid::regclass::text = ANY(%s) ORDER BY 1", [tables])
        indexes = cur.fetchall()
        cur.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1", [tables])
        return indexes, cur.fetchall()


def test_bulk_load_puts_back_every_index_and_foreign_key_and_an_interrupted_run_is_repaired():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: other databases load with their indexes")
    models = bulk._bulk_models(bulk.BULK_TABLES)
    tables = [m._meta.db_table for m in models]
    before = _schema(tables)
    assert bulk.drop_for_bulk_load(models) > 20
    during = _schema(tables)
    assert len(during[0]) < len(before[0]) and len(during[1]) < len(before[1])
    # Primary keys and unique indexes stay while loading.
    assert all(name in dict(during[0]) for name, ddl in before[0] if "UNIQUE" in ddl)

    # The search index's side process (a run of that domain only) leaves them to the main run;
    # its own table (the postings, loaded without their indexes and foreign key) it puts back.
    from zhengwu.catalog.models import SearchPosting

    postings = [SearchPosting._meta.db_table]
    postings_before = _schema(postings)
    assert len(postings_before[0]) >= 4 and any("FOREIGN KEY" in ddl for _, ddl in postings_before[1])
    generate("tiny", 1, log=lambda *_: None, today=TODAY, only=["search_index"])
    assert _schema(tables) == during
    assert _schema(postings) == postings_before

    # As if the run had stopped here: the next run's first step rebuilds what is missing.
    assert bulk.restore_after_bulk_load() == (len(before[0]) - len(during[0])) + (len(before[1]) - len(during[1]))
    assert _schema(tables) == before
    assert bulk.restore_after_bulk_load() == 0  # nothing left to do
