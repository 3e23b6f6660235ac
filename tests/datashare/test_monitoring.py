"""交换监控: the roll-up job (QueryCall rows made directly), the anomaly flag, the dashboard's access."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.datashare import sharing_factories as sf
from zhengwu.core import schedule
from zhengwu.datashare.models import CallDaily
from zhengwu.datashare.services import monitoring

pytestmark = pytest.mark.django_db


def _noon(day):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@pytest.fixture
def parties(make_department):
    provider, consumer, other = make_department(name="公安分局"), make_department(name="人社局"), make_department()
    return {"provider": provider, "consumer": consumer, "other": other, "res": sf.resource(provider)}


def test_job_is_registered_and_runs(parties):
    job = schedule.job("datashare.rollup")
    assert job is not None and job.every == dt.timedelta(minutes=10)
    sf.call(consumer=parties["consumer"], resource=parties["res"], n=2)
    assert "今日1组" in job.run()
    assert CallDaily.objects.get(day=timezone.localdate()).calls == 2


def test_rollup_counts_errors_and_p95(parties):
    today = timezone.localdate()
    c, res = parties["consumer"], parties["res"]
    for ms in range(1, 21):  # 20 calls, 1…20 ms
        sf.call(consumer=c, resource=res, latency_ms=ms, at=_noon(today))
    sf.call(consumer=c, resource=res, status_code=403, latency_ms=1, at=_noon(today), n=2)
    sf.call(consumer=c, resource=res, status_code=500, latency_ms=1, at=_noon(today))
    sf.call(consumer=parties["other"], resource=res, at=_noon(today), n=3)
    sf.call(consumer=c, resource=res, at=_noon(today - dt.timedelta(days=3)), n=5)  # not today or yesterday
    monitoring.rollup(today)
    row = CallDaily.objects.get(day=today, consumer=c, resource=res)
    assert (row.calls, row.errors) == (23, 3)
    assert row.p95_ms == 19.0  # nearest rank over 23 latencies: the 22nd smallest
    assert CallDaily.objects.get(day=today, consumer=parties["other"]).calls == 3
    assert not CallDaily.objects.filter(day=today - dt.timedelta(days=3)).exists()
    monitoring.rollup(today)  # idempotent
    assert CallDaily.objects.filter(day=today).count() == 2
    assert CallDaily.objects.get(day=today, consumer=c).calls == 23


def test_rollup_includes_yesterday_and_day_boundaries(parties):
    today = timezone.localdate()
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    sf.call(consumer=parties["consumer"], resource=parties["res"], at=midnight - dt.timedelta(seconds=1))
    sf.call(consumer=parties["consumer"], resource=parties["res"], at=midnight)
    monitoring.rollup(today)
    assert CallDaily.objects.get(day=today - dt.timedelta(days=1)).calls == 1
    assert CallDaily.objects.get(day=today).calls == 1


def test_unusual_volume_is_flagged(parties):
    today = timezone.localdate()
    c, res = parties["consumer"], parties["res"]
    for i in range(1, 15):
        CallDaily.objects.create(day=today - dt.timedelta(days=i), consumer=c, resource=res, calls=12)
    sf.call(consumer=c, resource=res, at=_noon(today), n=119)
    monitoring.rollup_day(today)
    assert not CallDaily.objects.get(day=today, consumer=c).flagged  # 119 < 10 × 12
    sf.call(consumer=c, resource=res, at=_noon(today), n=1)
    monitoring.rollup_day(today)
    row = CallDaily.objects.get(day=today, consumer=c)
    assert row.flagged and "当日调用120次" in row.flag_reason and "中位数12次" in row.flag_reason


def test_small_volume_never_flagged(parties):
    today = timezone.localdate()
    sf.call(consumer=parties["consumer"], resource=parties["res"], at=_noon(today), n=99)
    monitoring.rollup_day(today)
    assert not CallDaily.objects.get(day=today).flagged


def test_dashboard_access_and_content(client, make_staff, parties):
    today = timezone.localdate()
    CallDaily.objects.create(day=today, consumer=parties["consumer"], resource=parties["res"], calls=500, errors=7,
                             p95_ms=42.5, flagged=True, flag_reason="当日调用500次，突增")
    client.force_login(make_staff("dept_admin", department=parties["consumer"]))
    assert client.get("/workbench/data/monitoring/").status_code == 403
    assert client.post("/workbench/data/monitoring/rollup/").status_code == 403
    client.force_login(make_staff("data_admin"))
    page = client.get("/workbench/data/monitoring/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-flagged="1"' in html and "当日调用500次，突增" in html and "42.5" in html and "人社局" in html
    # A range the other way round is corrected, never a 500.
    bad = client.get("/workbench/data/monitoring/", {"start": "2026-05-01", "end": "2026-04-01", "consumer": "x"})
    assert bad.status_code == 200 and "开始日期不能晚于结束日期" in bad.content.decode()
    assert client.post("/workbench/data/monitoring/rollup/").status_code == 302
