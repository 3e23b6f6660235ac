"""Demo data (idempotent) and bench data (deterministic; the aggregate equals a recount)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from zhengwu.ratings.models import Rating, RatingDaily, Rectification

pytestmark = pytest.mark.django_db


def _org_and_accounts():
    from zhengwu.accounts.demo import load as load_accounts
    from zhengwu.org.demo import load as load_org

    load_org(io.StringIO())
    load_accounts(io.StringIO())


def test_demo_load_is_idempotent_and_gives_bumen_sj_an_open_rectification():
    from zhengwu.accounts.models import User
    from zhengwu.ratings import demo, queries

    _org_and_accounts()
    demo.load(io.StringIO())
    n = Rating.objects.count()
    demo.load(io.StringIO())
    assert Rating.objects.count() == n == 9 + 3 * (7 * 12 + 6)  # the A01 story, 3 months of 红黑旗
    bumen = User.objects.get(username="bumen_sj")
    mine = queries.rectifications_for(bumen)
    assert mine.filter(state="verify").count() == 2
    assert queries.overdue(User.objects.get(username="duban")).count() == 1


def test_bench_generation(django_assert_max_num_queries):
    from zhengwu.cases.models import Case
    from zhengwu.ratings import queries
    from zhengwu_bench import context as benchdata
    from zhengwu_bench import ratings as rbench

    _org_and_accounts()
    # a few concluded cases over the last months
    from zhengwu.accounts.models import Applicant
    from zhengwu.catalog.models import ItemVersion, ServiceItem
    from zhengwu.org.models import Department

    dep = Department.objects.get(short_name="市场监管局")
    si = ServiceItem.objects.create(region=dep.region, department=dep, name="测试事项", item_type="01",
                                    status="published", promised_days=5)
    v = ItemVersion.objects.create(service_item=si, number=1, state="published", name=si.name, item_type="01",
                                   service_object="person", case_type="committed", promised_days=5)
    applicant = Applicant.objects.first()
    now = timezone.now()
    for k in range(120):
        at = now - dt.timedelta(days=k * 3 % 300, hours=k % 7)
        Case.objects.create(number=f"B{k:06d}", service_item=si, item_version=v, department=dep, region=dep.region,
                            applicant=applicant, state="delivered", outcome="approved", submitted_at=at,
                            concluded_at=at)
    size = benchdata.Size("t", items=0, departments=0, applicants=0, cases=0, ratings=400)
    ctx = benchdata.Context(size=size, seed=5, today=timezone.localdate(), now=now.replace(microsecond=0),
                            log=lambda *_: None)
    assert rbench.generate(ctx) == 400
    assert Rating.objects.filter(kind="case").count() > 0 and Rating.objects.filter(kind="window").count() > 0
    assert Rectification.objects.count() == Rating.objects.filter(is_bad=True).count()
    # the aggregate equals a recount from the ratings
    agg = RatingDaily.objects.aggregate(n=Count("id"))
    assert agg["n"] > 0
    start = timezone.localdate() - dt.timedelta(days=380)
    report = queries.figures_report(start=start, end=timezone.localdate())
    f = report.total.figures
    assert f.ratings == Rating.objects.count() == 400
    assert f.bad == Rating.objects.filter(is_bad=True).count()
    assert f.satisfied == Rating.objects.filter(level__gte=3).count()
    rectified = (Rectification.objects.filter(state="closed").exclude(measures="")
                 .filter(Q(real_name=False) | Q(callback_satisfied=True)))
    assert report.total.counts.bad_rectified == rectified.count() > 0
    assert report.total.counts.bad_real_done == rectified.filter(real_name=True).count()
    # every rated event is counted on its event's day: never more rated events than events
    assert report.total.counts.rated == Rating.objects.filter(event_day__isnull=False).count() == 400
    assert all(r.figures.active_rate is None or r.figures.active_rate <= 1 for r in report.rows)
