"""定时任务: each job runs once per period however many workers ask, failures are recorded."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from zhengwu.core import schedule
from zhengwu.core.models import ScheduledJob

pytestmark = pytest.mark.django_db

OK = schedule.Job("test.ok", dt.timedelta(minutes=10), "zhengwu.core.calendar.invalidate", "测试任务")
BROKEN = schedule.Job("test.broken", dt.timedelta(minutes=10), "zhengwu.core.schedule.no_such_function", "坏任务")


@pytest.fixture(autouse=True)
def _jobs():
    schedule.register(OK)
    schedule.register(BROKEN)
    yield
    schedule._jobs.pop(OK.name)
    schedule._jobs.pop(BROKEN.name)


def test_a_job_runs_once_per_period():
    t0 = timezone.now()
    first = schedule.run_due(t0, only="test.ok")
    assert [(o.ran, o.ok) for o in first] == [(True, True)]
    # A second worker asking a minute later finds it done for this period.
    assert [o.ran for o in schedule.run_due(t0 + dt.timedelta(minutes=1), only="test.ok")] == [False]
    assert [o.ran for o in schedule.run_due(t0 + dt.timedelta(minutes=10), only="test.ok")] == [True]
    row = ScheduledJob.objects.get(name="test.ok")
    assert row.last_ok and row.last_finished_at


def test_a_failing_job_is_recorded_and_does_not_stop_the_others():
    outcomes = {o.name: o for o in schedule.run_due() if o.name.startswith("test.")}
    assert outcomes["test.ok"].ok and not outcomes["test.broken"].ok
    row = ScheduledJob.objects.get(name="test.broken")
    assert row.last_ok is False and "no_such_function" in row.last_message


def test_the_platform_registers_its_jobs():
    names = {j.name for j in schedule.jobs()}
    assert {"hotline.escalate", "ratings.defaults", "ratings.push", "files.prune"} <= names


def test_command_lists_and_runs(capsys):
    call_command("schedule", "run", "--job", "test.ok")
    assert "test.ok: 完成" in capsys.readouterr().out
    call_command("schedule", "run", "--job", "test.ok")
    assert "未到期" in capsys.readouterr().out
    call_command("schedule", "run", "--job", "test.ok", "--force")
    assert "test.ok: 完成" in capsys.readouterr().out
    call_command("schedule", "list")
    out = capsys.readouterr().out
    assert "hotline.escalate" in out and "每 10分钟" in out and "成功" in out
