"""Worked examples of the figures' definitions (issue 30 items 10–11): inputs and expected
figures, written through the services and read back from the daily aggregate."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

# the 12345 fixtures (a ticket registered, dispatched to 市场监管局 and handled there)
from tests.hotline.conftest import (  # noqa: F401
    _fresh_caches,
    bureau,
    centre,
    dispatched,
    env,
    handler,
    market,
    new_ticket,
    street,
    taxonomy,
    urban,
)
from zhengwu.ratings import queries, services
from zhengwu.ratings.rules import RState

pytestmark = pytest.mark.django_db


def _month(day: dt.date | None = None, **kw):
    day = day or timezone.localdate()
    start = day.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return queries.figures_report(start=start, end=end, **kw).total.figures


def test_rectify_rate_counts_only_rectified_and_callback_rate_needs_both(window, window_staff, dept, dept_admin):
    """Four 差评 of one month:

    A anonymous, 属实, 整改措施 registered → 办结                      整改完成
    B anonymous, 不属实 → 办结 at once (nobody to call)                not 整改完成
    C real name, 不属实, three failed callbacks → 办结 (多次联系未果)    not 整改完成
    D real name, 属实, 整改, callback reached and satisfied → 办结     整改完成, 回访整改完成

    差评整改率 = 2/4 = 50 % (A, D). 实名差评回访整改率 = 1/2 = 50 % (D of C, D). Before the fix the
    rate counted every 办结: 4/4 = 100 %, and 回访 counted C's reach only: D alone → 50 %.
    """
    def bad(phone=""):
        visit = services.start_visit(window_staff, window, department=dept)
        return services.rate_visit(visit, level=1, tags=["服务态度差"], phone=phone).rectification

    a, b, c, d = bad(), bad(), bad("13900003333"), bad("13900004444")
    a = services.verify(dept_admin, a, a.version, valid=True)
    a = services.rectify(dept_admin, a, a.version, measures="批评教育并调整岗位")
    b = services.verify(dept_admin, b, b.version, valid=False, reason="当日录像显示服务规范")
    c = services.verify(dept_admin, c, c.version, valid=False, reason="当日录像显示服务规范")
    for _ in range(3):
        c = services.callback(dept_admin, c, c.version, reached=False)
    d = services.verify(dept_admin, d, d.version, valid=True)
    d = services.rectify(dept_admin, d, d.version, measures="组织全员服务礼仪培训")
    d = services.callback(dept_admin, d, d.version, reached=True, satisfied=True)
    assert {x.state for x in (a, b, c, d)} == {RState.CLOSED}
    f = _month()
    assert (f.bad, f.rectify_rate) == (4, 0.5)
    assert (f.bad_real, f.callback_rate) == (2, 0.5)


def test_default_ratings_stand_apart_from_real_ratings(make_case, citizen, sysadmin):
    """One real 不满意 and one 默认好评 in a month: 满意率 is 0 % (of 1 real rating), the 默认好评 is
    its own figure. Before the fix the 默认好评 counted as 满意: 1/2 = 50 %."""
    old = timezone.now() - dt.timedelta(days=20)
    rated = make_case(citizen, concluded_at=old)
    make_case(citizen, concluded_at=old)  # left unrated → 默认好评
    services.rate_case(citizen, rated, level=2, tags=["需要多次跑动"])
    services.update_rules(sysadmin, default_enabled=True, default_after_days=15)
    assert services.apply_default_ratings() == 1
    f = _month()
    assert (f.ratings, f.active, f.defaults) == (2, 1, 1)
    assert f.satisfaction_rate == 0.0 and f.levels[4] == 0
    row = queries.row_json(queries.Row(None, "合计", queries.rules.Counts(), f))
    assert row["defaults"] == 1 and row["active"] == 1


def test_active_rate_counts_a_rating_on_its_events_day_not_capped(make_case, citizen):
    """Two cases concluded last month and rated this month, one concluded this month and not rated.
    This month: 1 event, 0 of them rated → 0 %; last month: 2 events, 2 rated → 100 %. Counting the
    ratings on their own day gave this month 2 ratings over 1 event = 200 %, which the old cap
    turned into a plausible-looking 100 %."""
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    at_last_month = dt.datetime.combine(last_month, dt.time(10), tzinfo=timezone.get_current_timezone())
    for _ in range(2):
        services.rate_case(citizen, make_case(citizen, concluded_at=at_last_month), level=5)
    make_case(citizen)
    now = _month(today)
    assert (now.events, now.rated, now.active, now.active_rate) == (1, 0, 2, 0.0)
    before = _month(last_month)
    assert (before.events, before.rated, before.active_rate) == (2, 2, 1.0)


def test_an_upheld_appeal_takes_the_rating_out_of_the_rated_events(concluded_case, citizen, dept_admin, supervisor):
    r = services.rate_case(citizen, concluded_case, level=1, comment="恶意差评的例子")
    assert _month().active_rate == 1.0
    appeal = services.file_appeal(dept_admin, r, reason="评价人与本案无关，系恶意差评，有录像为证")
    services.decide_appeal(supervisor, appeal, upheld=True, note="申诉成立")
    f = _month()
    assert (f.events, f.rated, f.active_rate, f.excluded) == (1, 0, 0.0, 1)


def test_every_closed_hotline_ticket_is_rateable(dispatched, centre, handler):
    """Three 12345 tickets closed this month, one rated on its callback: 评价率 1/3, not 100 % (the
    rated ticket alone used to be the only rateable one)."""
    from zhengwu.hotline import services as hotline

    for k in range(3):
        t = dispatched()
        t = hotline.claim(handler, t, t.lock_version)
        t = hotline.reply(handler, t, t.lock_version, "已处理完毕，商户已整改到位。")
        if k == 0:
            t = hotline.callback(centre, t, t.lock_version, reached=True, resolved=True, satisfaction=5)
        else:  # not reached twice: may be closed unrated
            t = hotline.callback(centre, t, t.lock_version, reached=False)
            t = hotline.callback(centre, t, t.lock_version, reached=False)
        t = hotline.close(centre, t, t.lock_version)
        assert t.state == "closed"
    report = queries.figures_report(start=timezone.localdate().replace(day=1), end=timezone.localdate(),
                                    group_by="kind")
    (row,) = [r for r in report.rows if r.key == "hotline"]
    assert (row.figures.events, row.figures.rated, row.figures.active) == (3, 1, 1)
    assert row.figures.active_rate == pytest.approx(1 / 3)
