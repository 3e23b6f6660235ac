"""Requesting, generating and scheduling the 月报/年报 (services, the worker job, the CLI)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.utils import timezone

from zhengwu.insights.reports import rules, services
from zhengwu.insights.rules import PeriodError

D = dt.date


# -- rules (pure) -----------------------------------------------------------------------------
def test_a_future_month_or_year_is_refused_naming_the_field():
    today = D(2026, 12, 4)
    with pytest.raises(PeriodError) as exc:
        rules.parse("month", "2027-01", today)
    assert exc.value.field == "period" and exc.value.message == "统计期不能是未来的月份：2027-01 尚未开始"
    with pytest.raises(PeriodError, match="未来的年份"):
        rules.parse("year", "2027", today)
    assert rules.parse("month", "2026-12", today).end == D(2026, 12, 31)  # the current month: so far
    assert rules.data_until(rules.parse("month", "2026-12", today), today) == today


@pytest.mark.parametrize(("kind", "period", "field", "words"), [
    ("week", "2026-11", "kind", "报告类型不正确"),
    ("month", "", "period", "统计期必填"),
    ("month", "2026-13", "month", "月份格式不正确"),
    ("month", "2026", "month", "月份格式不正确"),
    ("year", "26", "year", "年份格式不正确"),
])
def test_bad_input_is_refused_with_the_rule(kind, period, field, words):
    with pytest.raises(PeriodError) as exc:
        rules.parse(kind, period, D(2026, 12, 4))
    assert exc.value.field == field and words in exc.value.message


def test_periods_compared_with():
    p = rules.parse("month", "2026-01", D(2026, 12, 4))
    assert (p.previous.text, p.year_before.text) == ("2025-12", "2025-01")
    y = rules.parse("year", "2026", D(2026, 12, 4))
    assert y.previous.text == y.year_before.text == "2025"
    assert rules.title("month", "2026-01") == "2026年1月政务服务月报"


def test_what_the_schedule_owes():
    assert [p.text for p in rules.due_by_schedule(D(2026, 12, 1))] == ["2026-11"]
    assert [p.text for p in rules.due_by_schedule(D(2027, 1, 1))] == ["2026-12", "2026"]


# -- services ---------------------------------------------------------------------------------
@pytest.fixture
def leader(make_staff, district):
    return make_staff("leader", region=district)


@pytest.mark.django_db
def test_a_second_request_while_one_is_pending_gets_the_same_run(leader, make_staff, district):
    from zhengwu.insights.models import ReportRun

    run, created = services.request_report("month", "2026-11", leader)
    assert created and run.status == "queued" and run.requested_by == leader and run.trigger == "request"
    other = make_staff("data_admin", region=district)
    again, created = services.request_report("month", " 2026-11 ", other)
    assert (again.pk, created) == (run.pk, False)
    ReportRun.objects.filter(pk=run.pk).update(status="running")
    assert services.request_report("month", "2026-11", leader) == (again, False)
    year, created = services.request_report("year", "2026", leader)  # another kind: its own run
    assert created and year.pk != run.pk
    ReportRun.objects.filter(pk=run.pk).update(status="done")
    newer, created = services.request_report("month", "2026-11", leader)  # a new version once done
    assert created and newer.pk != run.pk
    assert ReportRun.objects.filter(kind="month", period="2026-11").count() == 2


@pytest.mark.django_db
def test_the_database_refuses_a_second_pending_run_of_a_period():
    from django.db import IntegrityError, transaction

    from zhengwu.insights.models import ReportRun

    ReportRun.objects.create(kind="month", period="2026-11")
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(kind="month", period="2026-11", status="running")
    ReportRun.objects.create(kind="month", period="2026-11", status="done")  # versions are kept


@pytest.mark.django_db
def test_request_rules(leader, make_staff):
    with pytest.raises(PermissionDenied):
        services.request_report("month", "2026-11", make_staff("window"))
    future = timezone.localdate().replace(day=1) + dt.timedelta(days=40)
    with pytest.raises(ValidationError) as exc:
        services.request_report("month", f"{future:%Y-%m}", leader)
    assert "统计期不能是未来的月份" in exc.value.message_dict["period"][0]


@pytest.mark.django_db
def test_the_schedule_queues_last_month_on_the_first_once():
    from zhengwu.insights.models import ReportRun

    assert [(r.kind, r.period, r.trigger, r.requested_by) for r in services.queue_scheduled(D(2026, 12, 1))] == \
        [("month", "2026-11", "schedule", None)]
    assert services.queue_scheduled(D(2026, 12, 1)) == []  # queued already
    assert services.queue_scheduled(D(2026, 12, 2)) == []  # the next days: still that one
    ReportRun.objects.all().update(status="failed")
    assert services.queue_scheduled(D(2026, 12, 3)) == []  # a failed scheduled run is not retried in a loop
    queued = services.queue_scheduled(D(2027, 1, 1))
    assert sorted((r.kind, r.period) for r in queued) == [("month", "2026-12"), ("year", "2026")]


@pytest.mark.django_db
def test_a_report_made_on_request_is_not_made_again_by_the_schedule(leader):
    from zhengwu.insights.models import ReportRun

    run, _ = services.request_report("month", "2026-11", leader)
    ReportRun.objects.filter(pk=run.pk).update(status="done")
    assert services.queue_scheduled(D(2026, 12, 1)) == []


@pytest.mark.django_db
def test_the_worker_job_queues_and_generates(leader):
    from zhengwu.core import schedule
    from zhengwu.insights.models import ReportRun

    job = schedule.job("insights.reports")
    assert job is not None and job.target == "zhengwu.insights.reports.services.run_queued"
    requested, _ = services.request_report("year", f"{timezone.localdate():%Y}", leader)
    [outcome] = schedule.run_due(only="insights.reports", force=True)
    assert outcome.ok, outcome.message
    last_month = (timezone.localdate().replace(day=1) - dt.timedelta(days=1))
    scheduled = ReportRun.objects.get(kind="month", period=f"{last_month:%Y-%m}")
    assert scheduled.trigger == "schedule"
    for run in (scheduled, ReportRun.objects.get(pk=requested.pk)):
        assert run.status == "done", run.error
        assert run.seconds is not None and run.finished_at and run.started_at
        assert run.xlsx_file.open("rb").read(2) == b"PK" and run.pdf_file.open("rb").read(5) == b"%PDF-"
        assert run.xlsx_size > 1000 and len(run.pdf_sha256) == 64
    assert "生成 2" in outcome.message


@pytest.mark.django_db
def test_a_failure_is_recorded_and_the_others_still_run(leader, monkeypatch):
    from zhengwu.insights.models import ReportRun
    from zhengwu.insights.reports import services as svc

    bad, _ = services.request_report("month", "2026-10", leader)
    good, _ = services.request_report("month", "2026-11", leader)
    real = svc.compute

    def compute(period, today=None):
        if period.text == "2026-10":
            raise RuntimeError("数据库不可用")
        return real(period, today)

    monkeypatch.setattr(svc, "compute", compute)
    services.run_queued(D(2026, 12, 4))
    bad, good = ReportRun.objects.get(pk=bad.pk), ReportRun.objects.get(pk=good.pk)
    assert bad.status == "failed" and "数据库不可用" in bad.error and not bad.xlsx_file
    assert good.status == "done"


@pytest.mark.django_db
def test_a_run_left_generating_by_a_stopped_worker_fails():
    from zhengwu.insights.models import ReportRun

    old = ReportRun.objects.create(kind="month", period="2026-10", status="running",
                                   started_at=timezone.now() - dt.timedelta(hours=2))
    fresh = ReportRun.objects.create(kind="month", period="2026-11", status="running", started_at=timezone.now())
    assert services.fail_stale() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == "failed" and "重新申请" in old.error and fresh.status == "running"


@pytest.mark.django_db
def test_the_command_builds_now(capsys):
    from io import StringIO

    from zhengwu.insights.models import ReportRun
    from zhengwu.insights.reports import build_month

    out = StringIO()
    call_command("report", "month", "2026-11", stdout=out)
    assert "2026年11月政务服务月报已生成" in out.getvalue() and ".xlsx" in out.getvalue()
    run = build_month("2026-11")  # the bench helper's entry point: a new version
    assert run.status == "done" and ReportRun.objects.filter(period="2026-11", status="done").count() == 2
    future = timezone.localdate().replace(day=1) + dt.timedelta(days=40)
    with pytest.raises(CommandError, match="统计期不能是未来的月份"):
        call_command("report", "month", f"{future:%Y-%m}")
    ReportRun.objects.create(kind="year", period="2026", status="running", started_at=timezone.now())
    with pytest.raises(CommandError, match="正在生成中"):
        call_command("report", "year", "2026")
